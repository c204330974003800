package monitor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// store is one watched store. Fields marked "refresh" are read and written
// only by the refresh in progress (Monitor.refreshing); the rest are
// written under Monitor.mu, so Snapshot can read them at any time.
type store struct {
	ds       graphapi.DataStore
	named    bool
	sessions []*graphapi.Session // copy on write: never modified once published, nor are its sessions
	listed   time.Time
	updated  time.Time
	err      error
	errAt    time.Time
	version  uint64
	cadence  Cadence
	total    int // sessions listed: len(sessions) plus those left out (HealthOnly)

	left      omitted        // refresh: finished sessions left out (HealthOnly)
	index     map[string]int // refresh: session id -> position in sessions
	running   []int          // refresh: positions of the running sessions, in order
	pages     int            // refresh: requests the last listing took; 0 unknown
	unchanged int            // refresh: listings in a row that found nothing new
	noCounter bool           // refresh: the service refused to count sessions
}

func newStore(ds graphapi.DataStore, named bool) *store {
	return &store{ds: ds, named: named, index: map[string]int{}}
}

func (st *store) public() Store {
	return Store{DataStore: st.ds, Sessions: st.sessions, Listed: st.listed, Updated: st.updated,
		Err: st.err, ErrAt: st.errAt, Version: st.version, Cadence: st.cadence, Total: st.total}
}

// setDataStore takes the listing's copy of the store (caller holds mu).
func (st *store) setDataStore(ds graphapi.DataStore) {
	if !reflect.DeepEqual(st.ds, ds) {
		st.ds = ds
		st.version++
	}
}

// refreshStore polls one store: a full listing when its cadence says so
// (cadence.go), when forced, or when a count shows a change or a running
// session has vanished and the budget allows; else a re-read of the
// running sessions by id. A call the watchdog cut records its reason
// (NoAnswerError). budget is the store's requests a minute.
func (m *Monitor) refreshStore(ctx context.Context, st *store, full bool, now time.Time, budget float64) error {
	err := m.pollStore(ctx, st, full, now, budget)
	if err != nil {
		err = noAnswer(ctx, err)
		m.publish(st, now, func() {}, err)
	}
	return err
}

func (m *Monitor) pollStore(ctx context.Context, st *store, full bool, now time.Time, budget float64) error {
	cad := m.cadence(st, m.counts(st), budget)
	since := now.Sub(st.listed)
	// affordable: a listing now keeps to the budget. Only then is a count
	// worth asking, or a vanished session worth a listing.
	affordable := st.listed.IsZero() || since >= cad.Wait()
	list := full || st.listed.IsZero() || since >= cad.Every || (affordable && m.cheaperToList(st))
	if !list && affordable {
		changed, err := m.countChanged(ctx, st)
		if err != nil {
			return err
		}
		list = changed
	}
	if !list {
		sessions, gone, err := m.reread(ctx, st, affordable)
		if !affordable || !gone {
			m.publishReads(st, now, sessions, gone, budget, err)
			return err
		}
	}
	l, err := m.list(ctx, st)
	if err != nil {
		return err
	}
	merged := mergeListing(st.sessions, st.index, l.Sessions)
	total := len(merged) + l.Omitted
	if m.opts.HealthOnly {
		merged = retain(merged, now, l.left)
	}
	m.publish(st, now, func() {
		changed := !sameSessions(st.sessions, merged) || total != st.total
		st.listed, st.updated, st.pages, st.total, st.left = now, now, l.Pages, total, l.left
		st.unchanged++
		if changed {
			st.unchanged = 0
		}
		m.replace(st, merged, changed)
		st.index = indexOf(merged)
		st.running = runningIn(merged)
		st.cadence = m.cadence(st, m.counts(st), budget)
	}, nil)
	return nil
}

// publishReads publishes a poll's reads by id. A session that vanished
// (gone: nil in sessions, a 404) is dropped: the listing that would
// confirm it waits for the budget.
func (m *Monitor) publishReads(st *store, now time.Time, sessions []*graphapi.Session, gone bool, budget float64, err error) {
	m.publish(st, now, func() {
		if gone {
			kept := slices.DeleteFunc(sessions, func(s *graphapi.Session) bool { return s == nil }) // reread's own copy
			st.total -= len(st.sessions) - len(kept)
			m.replace(st, kept, true)
			st.index, st.running = indexOf(kept), runningIn(kept)
		} else {
			m.replace(st, sessions, !sameSlice(st.sessions, sessions))
			st.running = stillRunning(sessions, st.running)
		}
		if err == nil {
			st.updated = now
		}
		st.cadence = m.cadence(st, m.counts(st), budget)
	}, err)
}

// counts reports whether st's sessions are counted by the service.
func (m *Monitor) counts(st *store) bool {
	_, ok := m.svc.(Counter)
	return ok && !st.noCounter
}

// cheaperToList: re-reading each running session by id would take more
// requests than listing the store's pages (Options.PageSize must be set).
// A store has a page at least, so one running session is always read. The
// budget holds such a listing too: a page of 999 sessions costs far more
// to read than a session by id.
func (m *Monitor) cheaperToList(st *store) bool {
	return m.opts.PageSize > 0 && len(st.running) > m.pages(st)
}

// KeepingLister is optional: a Service that lets a listing reuse the held
// copy of each finished session it finds unchanged, page by page
// (*graphapi.Client does), so a large store's listing converts and holds
// nothing of those sessions. keep decides on the session's id, state and
// last update, and must not keep what it is shown.
type KeepingLister interface {
	ListSessionsKeeping(ctx context.Context, storeID string, keep func(*graphapi.Session) *graphapi.Session) ([]*graphapi.Session, error)
}

// ReportingLister is optional: a KeepingLister that also says how many
// entries of the listing were not usable sessions (not an object, no id);
// *graphapi.Client is one. A listing with such entries is not taken.
type ReportingLister interface {
	ListSessionsKeepingReport(ctx context.Context, storeID string, keep func(*graphapi.Session) *graphapi.Session) (graphapi.SessionListing, error)
}

// ErrUnusableListing matches an *UnusableListingError.
var ErrUnusableListing = errors.New("the listing holds entries that are not sessions")

// UnusableListingError is a store's error when its listing held entries
// that are not usable sessions: the listing is not taken as the store's
// sessions (what is missing cannot be judged), and the sessions held stay.
type UnusableListingError struct{ Skipped int }

func (e *UnusableListingError) Error() string {
	if e.Skipped == 1 {
		return "the listing holds 1 entry that is not a usable session"
	}
	return fmt.Sprintf("the listing holds %d entries that are not usable sessions", e.Skipped)
}

func (e *UnusableListingError) Is(target error) bool { return target == ErrUnusableListing }

// listing is what list found: the sessions listed, the pages it took,
// and the finished sessions left out (HealthOnly): how many, and their
// digests.
type listing struct {
	graphapi.SessionListing
	left omitted
}

// list lists a store's sessions. A finished session never changes: one
// listed with the state and last update of the held copy is that copy, so
// a listing of a store that did not change allocates no session; with
// HealthOnly one left out before with them is left out again. Each
// session decoded counts as an answer: a long listing is not a hang.
func (m *Monitor) list(ctx context.Context, st *store) (l listing, err error) {
	if m.opts.HealthOnly {
		l.left = make(omitted, len(st.left)) // a settled store leaves out as many again
	}
	kl, ok := m.svc.(KeepingLister)
	if !ok {
		err = m.call(ctx, func() (err error) {
			l.Sessions, err = m.svc.ListSessions(ctx, st.ds.ID)
			return err
		})
		return l, err
	}
	held, index, was := st.sessions, st.index, st.left
	keep := func(s *graphapi.Session) *graphapi.Session {
		m.answered()
		if j, ok := index[s.ID]; ok && s.ID != "" {
			h := held[j]
			if health.Final(h) && h.State == s.State && h.LastUpdatedDateTime.Equal(s.LastUpdatedDateTime.Time) {
				return h
			}
		}
		if l.left != nil && s.ID != "" && health.Final(s) {
			id, change := digestID(s.ID), digestChange(s)
			if d, ok := was[id]; ok && d == change {
				l.left[id] = change
				return graphapi.Omitted
			}
		}
		return nil
	}
	rl, reports := m.svc.(ReportingLister)
	err = m.call(ctx, func() (err error) {
		if !reports {
			l.Sessions, err = kl.ListSessionsKeeping(ctx, st.ds.ID, keep)
			return err
		}
		got, err := rl.ListSessionsKeepingReport(ctx, st.ds.ID, keep)
		if err == nil && got.Skipped > 0 {
			return &UnusableListingError{Skipped: got.Skipped}
		}
		l.SessionListing = got
		return err
	})
	// Counted by id: a session a shifting page listed twice is one.
	l.Omitted = len(l.left)
	return l, err
}

// publish applies change and records the outcome under mu.
func (m *Monitor) publish(st *store, now time.Time, change func(), err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	change()
	st.err, st.errAt = err, time.Time{}
	if err != nil {
		st.errAt = now
	}
}

// replace publishes sessions when they changed (caller holds mu).
func (m *Monitor) replace(st *store, sessions []*graphapi.Session, changed bool) {
	if changed {
		st.sessions = sessions
		st.version++
	}
}

// countChanged asks a counting service whether the number of sessions
// moved. A service that does not count is not asked again; any other
// failure is the poll's: what it would have found cannot be seen.
func (m *Monitor) countChanged(ctx context.Context, st *store) (bool, error) {
	c, ok := m.svc.(Counter)
	if !ok || st.noCounter {
		return false, nil
	}
	var n int
	err := m.call(ctx, func() (err error) {
		n, err = c.CountSessions(ctx, st.ds.ID)
		return err
	})
	if err != nil {
		st.noCounter = countUnsupported(err)
		if st.noCounter {
			return false, nil
		}
		return false, err
	}
	return n != st.total, nil
}

func countUnsupported(err error) bool {
	ge, ok := graphapi.AsError(err)
	if !ok {
		return false
	}
	switch ge.StatusCode {
	case 400, 404, 405, 501:
		return true
	}
	return false
}

// reread gets every running session by id, in order, and returns the
// sessions with the newer copies in place (a new slice only when one
// changed). A session that has vanished (404) is nil in sessions and gone
// is true; with stop, the pass ends there (the caller lists instead). The
// first other error stops the pass, keeping what was read before it.
func (m *Monitor) reread(ctx context.Context, st *store, stop bool) (sessions []*graphapi.Session, gone bool, err error) {
	sessions = st.sessions
	copied := false
	put := func(i int, s *graphapi.Session) {
		if !copied {
			sessions = append([]*graphapi.Session(nil), st.sessions...)
			copied = true
		}
		sessions[i] = s
	}
	for _, i := range st.running {
		old := st.sessions[i]
		var got graphapi.Session
		err := m.call(ctx, func() (err error) {
			got, err = m.svc.GetSession(ctx, st.ds.ID, old.ID)
			return err
		})
		if errors.Is(err, graphapi.ErrNotFound) {
			if gone = true; stop {
				return nil, true, nil
			}
			put(i, nil)
			continue
		}
		if err == nil {
			// An answer about another session is not this one's news (a
			// Service other than graphapi's client may not check).
			err = graphapi.SameSession(old.ID, got.ID)
		}
		if err != nil {
			return sessions, gone, err
		}
		if old.NewerThan(&got) || reflect.DeepEqual(*old, got) {
			continue // an older copy never replaces a newer one
		}
		put(i, &got)
	}
	return sessions, gone, nil
}

// mergeListing takes the listing's order and membership (a session it no
// longer has is dropped) but keeps a held copy that is newer than the
// listed one. The listing itself is returned when no held copy is newer
// (the usual case): a second slice of every session would double the
// peak of a large store's refresh.
func mergeListing(held []*graphapi.Session, index map[string]int, listed []*graphapi.Session) []*graphapi.Session {
	out := listed
	for i := range listed {
		if j, ok := index[listed[i].ID]; ok && listed[i].ID != "" && held[j].NewerThan(listed[i]) {
			if &out[0] == &listed[0] {
				out = append([]*graphapi.Session(nil), listed...) // never write into the caller's slice
			}
			out[i] = held[j]
		}
	}
	return out
}

// runningIn lists the positions of the running sessions that have an id
// (one without cannot be read by id).
func runningIn(sessions []*graphapi.Session) []int {
	var out []int
	for i, s := range sessions {
		if !health.Final(s) && s.ID != "" {
			out = append(out, i)
		}
	}
	return out
}

// stillRunning keeps the positions whose session is still running: a
// finished session is never read by id again (only listings see it).
func stillRunning(sessions []*graphapi.Session, running []int) []int {
	out := running[:0:0]
	for _, i := range running {
		if !health.Final(sessions[i]) {
			out = append(out, i)
		}
	}
	return out
}

func indexOf(sessions []*graphapi.Session) map[string]int {
	index := make(map[string]int, len(sessions))
	for i, s := range sessions {
		if s.ID != "" {
			index[s.ID] = i
		}
	}
	return index
}

// sameSlice reports whether a and b are the same slice (reread returns
// the held one when nothing changed, a copy only when something did).
func sameSlice(a, b []*graphapi.Session) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// sameSessions reports whether a and b list equal sessions in the same
// order; a listing that kept every held copy costs a pointer comparison
// per session.
func sameSessions(a, b []*graphapi.Session) bool {
	if sameSlice(a, b) {
		return true
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !reflect.DeepEqual(*a[i], *b[i]) {
			return false
		}
	}
	return true
}
