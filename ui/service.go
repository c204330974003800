// Package ui is edmtop's dashboard: Bubble Tea models for the session table
// with progress bars, the details and error panes, the fleet screen,
// the status bar and help. It reaches the network only through Service.
package ui

import (
	"context"
	"log/slog"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Service is what the dashboard needs from Graph; *graphapi.Client has it,
// tests pass a fake.
type Service interface {
	ListDataStores(ctx context.Context) ([]graphapi.DataStore, error)
	ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error)
	GetSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	RenewSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	CancelSession(ctx context.Context, storeID, sessionID string) error
	CommitSession(ctx context.Context, storeID, sessionID string) error
	GetUploadAgent(ctx context.Context, storeID, sessionID string) (graphapi.UploadAgent, error)
}

var _ Service = (*graphapi.Client)(nil)

// Memory is the process's memory policy around loads (internal/heap's
// Budget: the collector tuned for a store's first load, a large load's
// garbage handed back). Nil, as in tests, tunes nothing.
type Memory interface {
	// Load runs a load; first says it brings what is not held yet.
	Load(first bool, load func())
	// Due reports whether a load of listed sessions that ended at `at`
	// should hand its garbage back, and records it; cheap, on Update.
	Due(listed int, at time.Time) bool
	// Release hands it back, in a command.
	Release()
}

// lean runs load under mem's policy, if any.
func lean(mem Memory, first bool, load func()) {
	if mem == nil {
		load()
		return
	}
	mem.Load(first, load)
}

// backend is what a command needs to reach Graph, and what the screens
// that start calls need beside it: the service, the program's context,
// one call's bound, the clock, the log and the memory policy. The root
// owns it; the store and fleet screens read it when they build a command.
type backend struct {
	svc     Service
	ctx     context.Context
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger
	mem     Memory
}
