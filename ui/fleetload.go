package ui

import (
	"context"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

// storeStatus is one store as the fleet screen shows it, judged off the Update
// path: the command assesses, so Update's cost does not grow with sessions.
// A store whose poll failed keeps the judgement of its last read.
type storeStatus struct {
	store graphapi.DataStore
	key   string // the name in lower case, for the order and the filter
	// health is the judgement of the last read; a store listed but never
	// read (reading…) has none.
	health  health.Store
	current *graphapi.Session // the stalled session, else the newest running one
	newest  *graphapi.Session // the newest session
	// sessions are the store's sessions as last read, shared with the
	// monitor and never written: a store opened shows them at once.
	sessions []*graphapi.Session
	// total is how many sessions the store has: the fleet holds only
	// those health reads (monitor.Options.HealthOnly).
	total int
	// read is when the sessions were last read, and judged; zero: never.
	read time.Time
	// err is the last poll's error (the judgement is then read's); errAt
	// when that poll started.
	err   error
	errAt time.Time
}

// old: the last poll failed and the row shows an earlier read.
func (s *storeStatus) old() bool { return s.err != nil && !s.read.IsZero() }

// unknown: never read, and the poll failed: nothing to judge.
func (s *storeStatus) unknown() bool { return s.err != nil && s.read.IsZero() }

// fleetListed is a fleet poll's store listing: every store once, in the
// listing's order; on error the rows shown stay.
type fleetListed struct {
	stores []graphapi.DataStore
	err    error
}

// fleetDone ends a fleet poll.
type fleetDone struct{ at time.Time }

// fleetNewsMsg carries what a fleet poll has told since the last message,
// in order: a fleetListed, storeStatus values, and last a fleetDone. next
// reads the news that follows; nil after the fleetDone.
type fleetNewsMsg struct {
	gen   int
	items []any
	next  tea.Cmd
}

// maxNews bounds the news one message carries, so one Update stays short
// however many stores answer at once.
const maxNews = 256

// loadFleetCmd polls every store through the fleet's monitor (the same
// policy as the exporter: running sessions by id, full listings on a slower
// cadence or when full) and streams what it learns: the stores as soon as
// they are listed, then each store judged as its poll ends. first says the
// fleet has not been listed yet (a first load runs lean: Memory.Load).
func loadFleetCmd(be *backend, mon *monitor.Monitor, rules health.Rules, gen int, full, first bool) tea.Cmd {
	ctx, now, mem := be.ctx, be.now, be.mem
	return func() tea.Msg {
		q := newNewsQueue()
		go func() {
			report := monitor.Report{
				Listed: func(stores []graphapi.DataStore, err error) { q.push(fleetListed{stores: stores, err: err}) },
				Polled: func(st monitor.Store) { q.push(judge(rules, st)) },
			}
			// The errors are in the news, per store.
			lean(mem, first, func() { _ = mon.RefreshReporting(ctx, full, report) })
			q.push(fleetDone{at: now()})
		}()
		return readFleetNews(ctx, gen, q)()
	}
}

// readFleetNews waits for a fleet poll's next news.
func readFleetNews(ctx context.Context, gen int, q *newsQueue) tea.Cmd {
	return func() tea.Msg {
		items := q.take(ctx, maxNews)
		if items == nil {
			return nil // the program ends
		}
		msg := fleetNewsMsg{gen: gen, items: items}
		if _, done := items[len(items)-1].(fleetDone); !done {
			msg.next = readFleetNews(ctx, gen, q)
		}
		return msg
	}
}

// newsQueue hands a poll's news from its goroutines to the command that
// reads it. Pushing never blocks, so an abandoned poll still ends; a reader
// takes all that waits at once, so a burst costs one message.
type newsQueue struct {
	mu    sync.Mutex
	items []any
	ready chan struct{} // holds a signal while items wait
}

func newNewsQueue() *newsQueue { return &newsQueue{ready: make(chan struct{}, 1)} }

func (q *newsQueue) push(item any) {
	q.mu.Lock()
	q.items = append(q.items, item)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take returns up to max items, waiting for one; nil when ctx ends first.
func (q *newsQueue) take(ctx context.Context, max int) []any {
	for {
		q.mu.Lock()
		if n := min(len(q.items), max); n > 0 {
			out := q.items[:n:n]
			q.items = q.items[n:]
			q.mu.Unlock()
			return out
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil
		}
	}
}

// judge is a store's row: its verdict as of its last read. A store never
// read has none.
func judge(rules health.Rules, st monitor.Store) storeStatus {
	ds := st.DataStore
	s := storeStatus{store: ds, key: strings.ToLower(ds.DisplayName), sessions: st.Sessions, total: st.Total, read: st.Updated, err: st.Err, errAt: st.ErrAt}
	if st.Updated.IsZero() {
		return s
	}
	// The judgement points at single sessions (each its own allocation),
	// not into the listing, which can go. It is of the read, not of now:
	// what could not be seen since cannot change it.
	s.health = rules.Assess(&ds, st.Sessions, st.Updated)
	// The session shown: the one a stall is about, else the newest running one.
	s.current = s.health.Current
	if s.health.Stalled != nil {
		s.current = s.health.Stalled
	}
	s.newest = s.health.Newest
	return s
}
