// Package monitor keeps a set of EDM data stores fresh at a cost that
// follows change, not store size. Finished sessions never change, so after a
// store's first full listing a poll re-reads only its running sessions by
// id; new sessions are found by a full listing on a cadence that follows
// what happens in the store and what its listing costs (cadence.go), at
// once when the service offers a cheap count that changed, and on demand.
// A row is never replaced by an older copy. One policy serves the
// dashboard, wait, check and the exporter.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Service is what the monitor needs from Graph; *graphapi.Client satisfies it.
type Service interface {
	ListDataStores(ctx context.Context) ([]graphapi.DataStore, error)
	ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error)
	GetSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
}

// Counter is optional: a Service that can count a store's sessions cheaply
// (GET sessions/$count) lets a normal poll notice new or removed sessions
// without listing them. A count that differs from the sessions held starts
// a full listing at once; an answer of 400, 404, 405 or 501 means the
// service does not count, and that store is not asked again.
type Counter interface {
	CountSessions(ctx context.Context, storeID string) (int, error)
}

// Defaults for Options.
const (
	DefaultFullEvery       = 5
	DefaultListEvery       = 45 * time.Second
	DefaultFullAfter       = 5 * time.Minute
	DefaultListBudget      = 30
	DefaultTotalListBudget = 100
	DefaultParallel        = 4
)

// GraphPageSize is how many sessions a Graph listing page usually holds,
// for Options.PageSize: the dashboard and the exporter list a small store
// with many uploads running rather than read each by id.
const GraphPageSize = 100

// Options tune a Monitor. The zero value gives the defaults.
type Options struct {
	// Stores limits the watch to these data store ids, in this order. They
	// are watched even when the store listing does not show them (the
	// listing only names them). Empty: every store the service lists.
	Stores []string
	// FullEvery makes every Nth poll list the data stores (default 5; 1
	// lists them on every poll), or FullAfter after the last such listing.
	FullEvery int
	// ListEvery is how often a store with uploads running is listed in
	// full, to find new sessions (default 45s: at the dashboard's 10 s
	// refresh a new session shows within a minute). A store with nothing
	// running starts there and waits twice as long after each listing
	// that found nothing new, up to FullAfter.
	ListEvery time.Duration
	// FullAfter (default 5m) is the longest a quiet store waits between
	// full listings, and the cadence of a store whose service counts its
	// sessions (a changed count lists it at once; this listing catches a
	// session gone while another came). Also the longest between store
	// listings.
	FullAfter time.Duration
	// ListBudget is the requests a minute one store's full listings may
	// average (default 30): a listing of P pages comes at least P/budget
	// minutes after the last, whatever asks for it (the cadence, a changed
	// count, a vanished session, a listing cheaper in requests than the
	// poll's reads). A forced refresh and a store's first listing are not
	// held.
	ListBudget int
	// TotalListBudget (default 100) is shared by every store watched: a
	// store's budget is ListBudget or its share, whichever is less. At
	// 999 sessions a page, 100 pages a minute take the dashboard about
	// half a percent of a core to read; 50 stores of 10,000 sessions are
	// then listed every 5.5 minutes.
	TotalListBudget int
	// PageSize is how many sessions a listing page holds, for a store
	// whose listing did not say how many pages it took (a Service that is
	// not a ReportingLister): it sizes the budget and one choice: when
	// re-reading the running sessions one by one would take more requests
	// than listing the store's pages (a small store with many uploads
	// under way), the poll lists instead. 0 never lists for cost.
	PageSize int
	// HealthOnly makes each store hold only the sessions its health and
	// the exporter look at: the running ones, those created in the last
	// 24 hours, the newest, the newest finished and the newest completed
	// (retain.go). The others are remembered by a digest, and a listing
	// skips them unconverted. For a fleet's overview and the exporter, not
	// for a store whose sessions are shown.
	HealthOnly bool
	// Parallel bounds how many stores are refreshed at once (default 4).
	Parallel int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AnswerTimeout bounds a refresh by Graph's silence: once no call has
	// answered for this long (a listing's pages count as they arrive), the
	// refresh's calls are cancelled and each store not yet polled records a
	// *NoAnswerError. A hang then fails within the timeout while a long
	// listing that keeps answering is not cut. 0: only ctx bounds it.
	AnswerTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.FullEvery <= 0 {
		o.FullEvery = DefaultFullEvery
	}
	if o.ListEvery <= 0 {
		o.ListEvery = DefaultListEvery
	}
	if o.FullAfter <= 0 {
		o.FullAfter = DefaultFullAfter
	}
	if o.ListBudget <= 0 {
		o.ListBudget = DefaultListBudget
	}
	if o.TotalListBudget <= 0 {
		o.TotalListBudget = DefaultTotalListBudget
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Stores = append([]string(nil), o.Stores...)
	return o
}

// Snapshot is what the monitor knows, as of its last refresh.
type Snapshot struct {
	// Stores in the order of Options.Stores, else of the store listing.
	Stores []Store
	// StoresListed is when the store listing last succeeded; zero before.
	StoresListed time.Time
	// Err is the store listing's last error, nil when it last succeeded.
	Err error
}

// Store is one data store and its sessions, with when each part was read.
type Store struct {
	DataStore graphapi.DataStore
	// Sessions in the service's listing order. The slice and its sessions
	// are shared and must not be modified: a refresh replaces them, never
	// writes into them. With Options.HealthOnly, only those health looks at.
	Sessions []*graphapi.Session
	// Total is how many sessions the store has, as of its last listing
	// (less those gone since): len(Sessions) unless Options.HealthOnly.
	Total int
	// Listed is when the last full listing of the sessions started; zero
	// before the first. Sessions created since may be missing.
	Listed time.Time
	// Updated is when every running session was last read (by id or in a
	// listing); zero before the first success.
	Updated time.Time
	// Err is the last refresh's error for this store, nil when it
	// succeeded; ErrAt is when that refresh started. On error the previous
	// sessions are kept.
	Err   error
	ErrAt time.Time
	// Version changes whenever DataStore or Sessions change, so a caller
	// can skip work on an unchanged store.
	Version uint64
	// Cadence is how often the sessions are listed in full, and why.
	Cadence Cadence
}

// ErrUnknownStore is returned by RefreshStore for a store not watched.
var ErrUnknownStore = errors.New("data store not watched")

// Monitor keeps stores fresh. It is safe for concurrent use; refreshes run
// one at a time.
type Monitor struct {
	svc  Service
	opts Options

	refreshing sync.Mutex // one refresh at a time: it owns the store state below

	mu           sync.Mutex // guards what Snapshot reads
	stores       []*store
	storesListed time.Time
	storesErr    error
	storePolls   int // polls since the last store listing

	answers answers // when calls last answered, for the watchdog and LastAnswer
}

// New returns a monitor over svc. It reads nothing until Refresh.
func New(svc Service, opts Options) *Monitor {
	m := &Monitor{svc: svc, opts: opts.withDefaults()}
	for _, id := range m.opts.Stores {
		if m.find(id) == nil { // a store named twice is watched once
			m.stores = append(m.stores, newStore(graphapi.DataStore{ID: id}, true))
		}
	}
	return m
}

// Refresh polls every watched store once, at most Parallel at a time. A
// normal poll re-reads running sessions by id; full forces a full listing
// of the stores and of every store's sessions. It returns every error met
// (joined); the snapshot keeps the previous data of what failed.
func (m *Monitor) Refresh(ctx context.Context, full bool) error {
	return m.RefreshReporting(ctx, full, Report{})
}

// Report receives a refresh's news as it comes, so a caller can show the
// stores before their sessions are read and each store as its poll ends.
// Either function may be nil; neither may block for long.
type Report struct {
	// Listed is called when the store listing ran (it was due, or the
	// refresh is full), before any store is polled: the watched stores in
	// order, one per id, and the listing's error (the stores are then the
	// ones watched before).
	Listed func(stores []graphapi.DataStore, err error)
	// Polled is called as each store's poll ends, with its new state. It
	// is called from the refresh's goroutines, up to Parallel at once.
	Polled func(Store)
}

// RefreshReporting is Refresh, telling r what it learns as it goes.
func (m *Monitor) RefreshReporting(ctx context.Context, full bool, r Report) error {
	m.refreshing.Lock()
	defer m.refreshing.Unlock()
	ctx, stop := m.watch(ctx)
	defer stop()
	now := m.opts.Now()
	var errs []error
	listed, err := m.refreshStoreList(ctx, full, now)
	if err != nil {
		errs = append(errs, err)
	}
	m.mu.Lock()
	stores := append([]*store(nil), m.stores...)
	var named []graphapi.DataStore
	if listed && r.Listed != nil {
		named = make([]graphapi.DataStore, len(stores))
		for i, st := range stores {
			named[i] = st.ds
		}
	}
	m.mu.Unlock()
	if listed && r.Listed != nil {
		r.Listed(named, err)
	}

	budget := m.budget(len(stores))
	storeErrs := make([]error, len(stores))
	sem := make(chan struct{}, m.opts.Parallel)
	var wg sync.WaitGroup
	for i, st := range stores {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			storeErrs[i] = m.refreshStore(ctx, st, full, now, budget)
			if r.Polled != nil {
				m.mu.Lock()
				polled := st.public()
				m.mu.Unlock()
				r.Polled(polled)
			}
		})
	}
	wg.Wait()
	return errors.Join(append(errs, storeErrs...)...)
}

// RefreshStore polls one watched store, as Refresh would, and returns its
// new state.
func (m *Monitor) RefreshStore(ctx context.Context, storeID string, full bool) (Store, error) {
	m.refreshing.Lock()
	defer m.refreshing.Unlock()
	m.mu.Lock()
	st := m.find(storeID)
	budget := m.budget(len(m.stores))
	m.mu.Unlock()
	if st == nil {
		return Store{}, fmt.Errorf("%w: %s", ErrUnknownStore, storeID)
	}
	ctx, stop := m.watch(ctx)
	defer stop()
	err := m.refreshStore(ctx, st, full, m.opts.Now(), budget)
	m.mu.Lock()
	defer m.mu.Unlock()
	return st.public(), err
}

// Snapshot returns what the monitor knows now. It makes no request.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := Snapshot{StoresListed: m.storesListed, Err: m.storesErr, Stores: make([]Store, len(m.stores))}
	for i, st := range m.stores {
		out.Stores[i] = st.public()
	}
	return out
}

// Store returns one store's state; false when it is not watched.
func (m *Monitor) Store(storeID string) (Store, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.find(storeID); st != nil {
		return st.public(), true
	}
	return Store{}, false
}

func (m *Monitor) find(id string) *store {
	for _, st := range m.stores {
		if st.ds.ID == id {
			return st
		}
	}
	return nil
}

// due reports whether a poll should be a full listing: never listed, the
// every-th poll since the last listing, or the last listing is too old.
func (m *Monitor) due(listed time.Time, polls, every int, now time.Time) bool {
	return listed.IsZero() || polls+1 >= every || now.Sub(listed) >= m.opts.FullAfter
}

// refreshStoreList lists the data stores when due: it names the watched
// stores and, without Options.Stores, adds and drops stores. listed says
// whether the listing ran.
func (m *Monitor) refreshStoreList(ctx context.Context, full bool, now time.Time) (listed bool, err error) {
	m.mu.Lock()
	due := full || m.due(m.storesListed, m.storePolls, m.opts.FullEvery, now)
	if !due {
		m.storePolls++
	}
	m.mu.Unlock()
	if !due {
		return false, nil
	}
	var stores []graphapi.DataStore
	err = m.call(ctx, func() (err error) {
		stores, err = m.svc.ListDataStores(ctx)
		return err
	})
	err = noAnswer(ctx, err)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.storesErr = err
		return true, err
	}
	m.storesErr, m.storesListed, m.storePolls = nil, now, 0
	m.watchListed(stores)
	return true, nil
}

// watchListed takes a store listing (caller holds mu): the listing names
// the stores of Options.Stores, or is the set watched.
func (m *Monitor) watchListed(listed []graphapi.DataStore) {
	byID := make(map[string]graphapi.DataStore, len(listed))
	for _, ds := range listed {
		byID[ds.ID] = ds
	}
	if len(m.opts.Stores) > 0 {
		for _, st := range m.stores {
			if ds, ok := byID[st.ds.ID]; ok {
				st.setDataStore(ds)
			}
		}
		return
	}
	held := make(map[string]*store, len(m.stores))
	for _, st := range m.stores {
		held[st.ds.ID] = st
	}
	next := make([]*store, 0, len(listed))
	seen := make(map[string]bool, len(listed))
	for _, ds := range listed {
		if ds.ID == "" || seen[ds.ID] {
			continue // nothing could be asked about it, or it is watched already
		}
		seen[ds.ID] = true
		st := held[ds.ID]
		if st == nil {
			st = newStore(ds, false)
		}
		st.setDataStore(ds)
		next = append(next, st)
	}
	m.stores = next
}
