// Package health holds the rules that turn a data store's sessions into a
// verdict: which sessions are final, stalled or awaiting commit, and whether a
// store is ok, stale, stalled or failed. The dashboard, wait, check and the
// exporter all judge by these rules, so they can never disagree. No IO.
package health

import (
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Rules are the thresholds a verdict depends on.
type Rules struct {
	// StallAfter is how long a running session may go without an update
	// before it counts as stalled. Processing a large table can go a long
	// time between job updates, so it errs long.
	StallAfter time.Duration
	// MaxAge is how old a store's last index may be before it is stale.
	MaxAge time.Duration
	// UploadLimit is the number of uploads the service allows per 24 hours.
	UploadLimit int
}

// Defaults: stalled after 2h, stale after 26h (a nightly refresh plus slack),
// 5 uploads per 24h.
const (
	DefaultStallAfter  = 2 * time.Hour
	DefaultMaxAge      = 26 * time.Hour
	DefaultUploadLimit = 5
)

// DefaultRules returns the documented defaults.
func DefaultRules() Rules {
	return Rules{StallAfter: DefaultStallAfter, MaxAge: DefaultMaxAge, UploadLimit: DefaultUploadLimit}
}

// Final reports whether a session will not change any more: Completed,
// Failed or Cancelled. Every other state, unknown ones included, is running.
func Final(s *graphapi.Session) bool {
	return s.StateClass() != graphapi.StateInProgress
}

// AwaitingCommit reports whether the upload finished and the session waits
// for a commit before processing starts.
func AwaitingCommit(s *graphapi.Session) bool {
	return strings.EqualFold(s.State, "UploadCompleted")
}

// knownStates are the state names the service is known or inferred to send.
var knownStates = []string{"UploadInProgress", "UploadCompleted", "ProcessingInProgress", "Completed", "Failed", "Cancelled"}

// KnownStates returns the known state names, for completion and help.
func KnownStates() []string { return append([]string(nil), knownStates...) }

// KnownState reports whether state is one of the names the service is known
// to send, so an unknown one can be shown as such instead of as running.
func KnownState(state string) bool {
	for _, k := range knownStates {
		if strings.EqualFold(state, k) {
			return true
		}
	}
	return false
}

// Idle is how long a session has gone without an update at now; zero when
// the session has no update time or it lies in the future (clock skew).
func Idle(s *graphapi.Session, now time.Time) time.Duration {
	if s.LastUpdatedDateTime.IsZero() {
		return 0
	}
	return max(now.Sub(s.LastUpdatedDateTime.Time), 0)
}

// Stalled reports whether a running session has gone longer than StallAfter
// without an update. A session with no update time is not judged stalled: a
// false alarm costs more than a late one.
func (r Rules) Stalled(s *graphapi.Session, now time.Time) bool {
	return !Final(s) && r.StallAfter > 0 && Idle(s, now) > r.StallAfter
}

// Finished is when a Completed session's index was built: its completion
// time, else the end of processing, else its last update.
func Finished(s *graphapi.Session) time.Time {
	for _, t := range []graphapi.Time{s.CompletionDateTime, s.ProcessingCompletionDateTime, s.LastUpdatedDateTime} {
		if !t.IsZero() {
			return t.Time
		}
	}
	return time.Time{}
}

// NewerCreated reports whether a was created after b, ties broken by last
// update, then by id, so "the newest session" is the same for every caller
// (the dashboard, list and the rules).
func NewerCreated(a, b *graphapi.Session) bool {
	if !a.CreationDateTime.Equal(b.CreationDateTime.Time) {
		return a.CreationDateTime.After(b.CreationDateTime.Time)
	}
	if !a.LastUpdatedDateTime.Equal(b.LastUpdatedDateTime.Time) {
		return a.LastUpdatedDateTime.After(b.LastUpdatedDateTime.Time)
	}
	return a.ID > b.ID
}

// NewestFirst is NewerCreated as a comparison, for slices.SortFunc.
func NewestFirst(a, b *graphapi.Session) int {
	switch {
	case NewerCreated(a, b):
		return -1
	case NewerCreated(b, a):
		return 1
	}
	return 0
}
