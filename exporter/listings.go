package exporter

import (
	"context"
	"fmt"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

// wholeListings is the Graph client as the exporter's monitor sees it: a
// session listing with entries that cannot be used (graphapi's Skipped:
// not an object, no id) fails, so the store shows as unreadable with its
// last good values rather than as a store without those sessions (a failed
// upload among them would turn the store ok).
type wholeListings struct{ *graphapi.Client }

var (
	_ monitor.Service       = wholeListings{}
	_ monitor.Counter       = wholeListings{}
	_ monitor.KeepingLister = wholeListings{}
)

func (w wholeListings) ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error) {
	return whole(w.Client.ListSessionsReport(ctx, storeID))
}

func (w wholeListings) ListSessionsKeeping(ctx context.Context, storeID string, keep func(*graphapi.Session) *graphapi.Session) ([]*graphapi.Session, error) {
	return whole(w.Client.ListSessionsKeepingReport(ctx, storeID, keep))
}

func whole(l graphapi.SessionListing, err error) ([]*graphapi.Session, error) {
	if err == nil && l.Skipped > 0 {
		err = &UnusableListingError{Skipped: l.Skipped}
	}
	return l.Sessions, err
}

// UnusableListingError is a session listing some of whose entries could
// not be used.
type UnusableListingError struct{ Skipped int }

func (e *UnusableListingError) Error() string {
	return fmt.Sprintf("list sessions: %d entries of the listing are not sessions (no object or no id): the listing cannot be trusted whole", e.Skipped)
}
