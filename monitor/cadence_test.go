package monitor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// TestDefaultOptions asserts the documented defaults by their literal
// values. It stays the first test of the first test file: a default
// Parallel of 0 would hang every Refresh, and this fails before one runs.
func TestDefaultOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"zero":     {},
		"negative": {FullEvery: -1, ListEvery: -time.Second, FullAfter: -time.Second, ListBudget: -1, TotalListBudget: -1, Parallel: -1},
	} {
		got := opts.withDefaults()
		if got.FullEvery != 5 || got.ListEvery != 45*time.Second || got.FullAfter != 5*time.Minute ||
			got.ListBudget != 30 || got.TotalListBudget != 100 || got.Parallel != 4 || got.Now == nil {
			t.Errorf("%s options: every %d, list every %v, after %v, budget %d of %d, parallel %d, clock set %v; want 5, 45s, 5m, 30 of 100, 4, true",
				name, got.FullEvery, got.ListEvery, got.FullAfter, got.ListBudget, got.TotalListBudget, got.Parallel, got.Now != nil)
		}
	}
	if DefaultFullEvery != 5 || DefaultListEvery != 45*time.Second || DefaultFullAfter != 5*time.Minute ||
		DefaultListBudget != 30 || DefaultTotalListBudget != 100 || DefaultParallel != 4 || GraphPageSize != 100 {
		t.Errorf("defaults %d, %v, %v, %d, %d, %d, page %d; want 5, 45s, 5m, 30, 100, 4, 100", DefaultFullEvery, DefaultListEvery,
			DefaultFullAfter, DefaultListBudget, DefaultTotalListBudget, DefaultParallel, GraphPageSize)
	}
	set := Options{FullEvery: 1, ListEvery: time.Second, FullAfter: 2 * time.Second, ListBudget: 3, TotalListBudget: 4, Parallel: 1}.withDefaults()
	if set.FullEvery != 1 || set.ListEvery != time.Second || set.FullAfter != 2*time.Second || set.ListBudget != 3 || set.TotalListBudget != 4 || set.Parallel != 1 {
		t.Errorf("set options changed: %+v", set)
	}
	stores := []string{"a", "b"}
	m := New(newFake(), Options{Stores: stores})
	stores[0] = "changed"
	if m.opts.Stores[0] != "a" {
		t.Error("New keeps the caller's Stores slice, not a copy")
	}
}

// listedPolls runs one poll at each offset from t0 and returns the
// (1-based) polls that listed the store's sessions.
func listedPolls(t *testing.T, svc Service, f *fakeService, opts Options, offsets []time.Duration) []int {
	t.Helper()
	_, listed := listedPollsOf(t, svc, f, opts, offsets)
	return listed
}

// listedPollsOf is listedPolls that also returns the monitor.
func listedPollsOf(t *testing.T, svc Service, f *fakeService, opts Options, offsets []time.Duration) (*Monitor, []int) {
	t.Helper()
	m, c := newMonitor(svc, opts)
	var listed []int
	for i, off := range offsets {
		c.Advance(t0.Add(off).Sub(c.Now()))
		before := f.count("list")
		if err := m.Refresh(t.Context(), false); err != nil && !errors.Is(err, graphapi.ErrThrottled) {
			t.Fatalf("poll %d: %v", i+1, err) // a throttled count is the poll's error, tested below
		}
		if f.count("list") > before {
			listed = append(listed, i+1)
		}
	}
	return m, listed
}

// apart is n polls step apart, the first at 0.
func apart(n int, step time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i) * step
	}
	return out
}

// The default cadence, by behaviour: which of the polls, 10 s apart as the
// dashboard's, list the store's sessions.
func TestDefaultCadence(t *testing.T) {
	refused := func(code int) error { return &graphapi.Error{Op: "count sessions", StatusCode: code} }
	cases := []struct {
		name           string
		total, running int
		counting       bool
		countErr       error
		opts           Options
		polls          int
		want           []int
		wantReason     CadenceReason
		wantEvery      time.Duration
	}{
		{"uploads running: every 45 s (the 6th poll)", 5, 1, false, nil, Options{}, 11, []int{1, 6, 11}, CadenceRunning, 45 * time.Second},
		{"nothing running: 45 s, doubled by each unchanged listing, up to 5 minutes", 5, 0, false, nil, Options{}, 70,
			[]int{1, 6, 15, 33, 63}, CadenceQuiet, 5 * time.Minute},
		{"counted: every 5 minutes", 5, 1, true, nil, Options{}, 31, []int{1, 31}, CadenceCounted, 5 * time.Minute},
		{"count refused (404): as not counted", 5, 1, true, refused(404), Options{}, 11, []int{1, 6, 11}, CadenceRunning, 45 * time.Second},
		{"count refused (400): as not counted", 5, 1, true, refused(400), Options{}, 11, []int{1, 6, 11}, CadenceRunning, 45 * time.Second},
		{"count refused (501): as not counted", 5, 1, true, refused(501), Options{}, 6, []int{1, 6}, CadenceRunning, 45 * time.Second},
		// A throttled count is not "unsupported": the counted cadence stays
		// (and the poll records the 429: what it would find cannot be seen).
		{"count throttled (429): still counted", 5, 1, true, refused(429), Options{}, 11, []int{1}, CadenceCounted, 5 * time.Minute},
		// 3,000 sessions at 100 a page are 30 pages: at 30 requests a
		// minute, a listing a minute at most.
		{"a large store: its pages at the budget", 3000, 1, false, nil, Options{PageSize: 100}, 14, []int{1, 7, 13}, CadenceBudget, time.Minute},
		{"a large store, counted: the cadence is longer than the budget", 3000, 1, true, nil, Options{PageSize: 100}, 31, []int{1, 31}, CadenceCounted, 5 * time.Minute},
		{"a smaller budget", 3000, 1, false, nil, Options{PageSize: 100, ListBudget: 10}, 20, []int{1, 19}, CadenceBudget, 3 * time.Minute},
		{"a total budget shared by one store: no less", 3000, 1, false, nil, Options{PageSize: 100, TotalListBudget: 30}, 14, []int{1, 7, 13}, CadenceBudget, time.Minute},
		{"a total budget below the store's", 3000, 1, false, nil, Options{PageSize: 100, TotalListBudget: 15}, 14, []int{1, 13}, CadenceBudget, 2 * time.Minute},
		{"ListEvery", 5, 1, false, nil, Options{ListEvery: 20 * time.Second}, 6, []int{1, 3, 5}, CadenceRunning, 20 * time.Second},
		// 3 pages at 4 requests a minute: 45 s, as the running cadence.
		{"a budget wait equal to the cadence: the cadence's reason", 300, 1, false, nil, Options{PageSize: 100, ListBudget: 4}, 6, []int{1, 6}, CadenceRunning, 45 * time.Second},
		{"nothing running, FullAfter 1m: 45 s, then 1m", 5, 0, false, nil, Options{FullAfter: time.Minute}, 18, []int{1, 6, 12, 18}, CadenceQuiet, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addStore("a", makeSessions(tc.total, tc.running))
			var svc Service = f
			if tc.counting {
				svc = &countingService{fakeService: f, countErr: tc.countErr}
			}
			m, got := listedPollsOf(t, svc, f, tc.opts, apart(tc.polls, 10*time.Second))
			if !slices.Equal(got, tc.want) {
				t.Errorf("listed at polls %v, want %v", got, tc.want)
			}
			st, _ := m.Store("a")
			if st.Cadence.Reason != tc.wantReason || st.Cadence.Every != tc.wantEvery {
				t.Errorf("cadence %v every %v, want %v every %v", st.Cadence.Reason, st.Cadence.Every, tc.wantReason, tc.wantEvery)
			}
		})
	}
}

// A quiet store's listings come closer again once one finds a change, and
// a store whose uploads start is listed every ListEvery at once.
func TestQuietCadenceFollowsChange(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 0))
	m, c := newMonitor(f, Options{})
	every := func() time.Duration {
		st, _ := m.Store("a")
		return st.Cadence.Every
	}
	steps := []struct {
		name   string
		change func()
		want   time.Duration
	}{
		{"first listing", func() {}, 45 * time.Second},
		{"unchanged", func() {}, 90 * time.Second},
		{"unchanged again", func() {}, 180 * time.Second},
		{"a session finished meanwhile", func() {
			f.edit("a", "s00001", func(s *graphapi.Session) { s.State = "Failed"; s.LastUpdatedDateTime.Time = t0.Add(time.Hour) })
		}, 45 * time.Second},
		{"unchanged", func() {}, 90 * time.Second},
		{"an upload started", func() {
			f.sessions["a"] = append(makeSessions(6, 6)[5:], f.sessions["a"]...)
		}, 45 * time.Second},
		{"unchanged but running", func() {}, 45 * time.Second},
	}
	for _, s := range steps {
		s.change()
		refresh(t, m, true)
		c.Advance(time.Second)
		if got := every(); got != s.want {
			t.Errorf("%s: listed every %v, want %v", s.name, got, s.want)
		}
	}
}

// The budget holds every listing but the forced, the first and the one
// cheaper than the poll's reads: a changed count and a vanished session
// wait for it (and the count is not asked before then).
func TestBudgetHoldsChangeListings(t *testing.T) {
	// 1,000 sessions at 100 a page: 10 pages; at 10 requests a minute a
	// listing may come a minute after the last.
	opts := Options{PageSize: 100, ListBudget: 10, FullAfter: time.Hour, ListEvery: time.Hour}
	t.Run("a changed count", func(t *testing.T) {
		f := newFake()
		f.addStore("a", makeSessions(1000, 1))
		svc := &countingService{fakeService: f}
		m, c := newMonitor(svc, opts)
		refresh(t, m, false)
		f.sessions["a"] = append(makeSessions(1001, 0)[1000:], f.sessions["a"]...)
		var listed []int
		for poll := 2; poll <= 8; poll++ {
			c.Advance(10 * time.Second)
			before := f.count("list")
			refresh(t, m, false)
			if f.count("list") > before {
				listed = append(listed, poll)
			}
		}
		if !slices.Equal(listed, []int{7}) || f.count("count") != 1 {
			t.Errorf("listed at polls %v after %d counts; want [7] after 1 (at 60 s)", listed, f.count("count"))
		}
	})
	for _, tc := range []struct {
		name      string
		after     time.Duration
		wantLists int
		wantGets  int
	}{
		{"a vanished session, within the budget: dropped, no listing", 10 * time.Second, 0, 2},
		{"a vanished session, the budget allowing: a listing", time.Minute, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addStore("a", makeSessions(1000, 2))
			m, c := newMonitor(f, opts)
			refresh(t, m, false)
			f.sessions["a"] = f.sessions["a"][1:] // the running s00000 is deleted
			f.resetCalls()
			c.Advance(tc.after)
			refresh(t, m, false)
			st, _ := m.Store("a")
			if f.count("list") != tc.wantLists || f.count("get") != tc.wantGets {
				t.Errorf("calls %v, want %d listings and %d reads", f.calls, tc.wantLists, tc.wantGets)
			}
			if len(st.Sessions) != 999 || st.Total != 999 || st.Sessions[0].ID != "s00001" || st.Err != nil || !st.Updated.Equal(c.Now()) {
				t.Errorf("%d sessions (total %d) from %s, err %v, updated %v; want 999 from s00001, read now",
					len(st.Sessions), st.Total, st.Sessions[0].ID, st.Err, st.Updated)
			}
			c.Advance(10 * time.Second)
			f.resetCalls()
			refresh(t, m, false) // the running s00001 is still read by id, where it is now
			if got, _ := m.Store("a"); f.count("get") != 1 || got.Err != nil {
				t.Errorf("the next poll: calls %v, err %v; want one read", f.calls, got.Err)
			}
		})
	}
	t.Run("forced", func(t *testing.T) {
		f := newFake()
		f.addStore("a", makeSessions(1000, 1))
		m, _ := newMonitor(f, opts)
		refresh(t, m, false)
		refresh(t, m, true)
		if f.count("list") != 2 {
			t.Errorf("%d listings, want a forced one within the budget", f.count("list"))
		}
	})
}

// A listing cheaper in requests than the poll's reads waits for the
// budget too: 40 running of 3,000 sessions (30 pages at 100) are read by
// id until a minute after the last listing.
func TestBudgetHoldsCheaperListing(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3000, 40))
	got := listedPolls(t, f, f, Options{PageSize: 100}, apart(8, 10*time.Second))
	if !slices.Equal(got, []int{1, 7}) || f.count("get") != 6*40 {
		t.Errorf("listed at polls %v after %d reads, want [1 7] after 240", got, f.count("get"))
	}
}

// TotalListBudget is shared by the stores watched: ten stores of 10
// pages at 60 requests a minute in all are each listed every 100 s.
func TestTotalBudgetIsShared(t *testing.T) {
	f := newFake()
	for i := range 10 {
		f.addStore(string(rune('a'+i)), makeSessions(1000, 1))
	}
	m, c := newMonitor(f, Options{PageSize: 100, TotalListBudget: 60})
	var listings []int
	for range 22 { // 210 s
		before := f.count("list")
		refresh(t, m, false)
		listings = append(listings, f.count("list")-before)
		c.Advance(10 * time.Second)
	}
	want := make([]int, 22)
	want[0], want[10], want[20] = 10, 10, 10
	if !slices.Equal(listings, want) {
		t.Errorf("stores listed per poll %v, want %v", listings, want)
	}
	if st, _ := m.Store("c"); st.Cadence.Budget != 6 || st.Cadence.Every != 100*time.Second || st.Cadence.Reason != CadenceBudget {
		t.Errorf("cadence %+v, want 10 pages at 6 requests a minute: every 100 s", st.Cadence)
	}
}

// The pages a listing took, where the service says, set the budget and the
// choice to list rather than read by id: not the estimate.
func TestReportedPagesCount(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(1000, 3)) // 10 pages estimated at 100
	svc := &reportingService{keepingService{f}, 2}
	m, c := newMonitor(svc, Options{PageSize: 100, ListBudget: 4})
	refresh(t, m, false)
	st, _ := m.Store("a")
	if st.Cadence.Pages != 2 || st.Cadence.Every != 45*time.Second {
		t.Errorf("cadence %+v, want 2 pages: every 45 s, not the budget", st.Cadence)
	}
	c.Advance(30 * time.Second) // 2 pages at 4 requests a minute
	f.resetCalls()
	refresh(t, m, false) // 3 reads by id cost more than 2 pages
	if f.count("list") != 1 || f.count("get") != 0 {
		t.Errorf("calls %v, want a listing: 2 pages beat 3 reads", f.calls)
	}
}

// reportingService says how many pages each listing took.
type reportingService struct {
	keepingService
	pages int
}

func (r *reportingService) ListSessionsKeepingReport(ctx context.Context, store string, keep func(*graphapi.Session) *graphapi.Session) (graphapi.SessionListing, error) {
	omitted := 0
	sessions, err := r.ListSessionsKeeping(ctx, store, func(s *graphapi.Session) *graphapi.Session {
		k := keep(s)
		if k == graphapi.Omitted {
			omitted++
		}
		return k
	})
	return graphapi.SessionListing{Sessions: sessions, Pages: r.pages, Omitted: omitted}, err
}

func TestCadenceString(t *testing.T) {
	cases := []struct {
		c    Cadence
		want string
	}{
		{Cadence{}, "not listed yet"},
		{Cadence{Every: 45 * time.Second, Reason: CadenceRunning}, "listed every 45s: uploads running"},
		{Cadence{Every: 3 * time.Minute, Reason: CadenceQuiet, Unchanged: 2}, "listed every 3m0s: nothing running, 2 listings unchanged"},
		{Cadence{Every: 5 * time.Minute, Reason: CadenceCounted}, "listed every 5m0s, and when the count of sessions changes"},
		{Cadence{Every: 202 * time.Second, Reason: CadenceBudget, Pages: 101, Budget: 30}, "listed every 3m22s: 101 pages at 30 requests a minute"},
		{Cadence{Every: 100 * time.Second, Reason: CadenceBudget, Pages: 10, Budget: 4.8}, "listed every 1m40s: 10 pages at 4.8 requests a minute"},
	}
	for _, tc := range cases {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}

// The store listing follows the plain cadence too: every 5th poll, or
// when older than 5 minutes.
func TestDefaultStoreListingCadence(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(2, 0))
	m, c := newMonitor(f, Options{})
	var listed []int
	for poll := 1; poll <= 11; poll++ {
		before := f.count("stores")
		refresh(t, m, false)
		if f.count("stores") > before {
			listed = append(listed, poll)
		}
		c.Advance(time.Second)
	}
	c.Advance(5 * time.Minute)
	before := f.count("stores")
	refresh(t, m, false)
	if got := f.count("stores") - before; !slices.Equal(listed, []int{1, 6, 11}) || got != 1 {
		t.Errorf("stores listed at polls %v, then %d after 5 minutes; want [1 6 11], then 1", listed, got)
	}
	// FullAfter to the second: listed again once the last listing is that old.
	g := newFake()
	g.addStore("a", makeSessions(2, 0))
	got := listedStores(t, g, Options{FullEvery: 1000, FullAfter: time.Minute}, []time.Duration{0, 59 * time.Second, time.Minute, 119 * time.Second, 2 * time.Minute})
	if !slices.Equal(got, []int{1, 3, 5}) {
		t.Errorf("with FullAfter 1m, stores listed at polls %v, want [1 3 5]", got)
	}
}

// listedStores runs one poll at each offset from t0 and returns the
// (1-based) polls that listed the data stores.
func listedStores(t *testing.T, f *fakeService, opts Options, offsets []time.Duration) []int {
	t.Helper()
	m, c := newMonitor(f, opts)
	var listed []int
	for i, off := range offsets {
		c.Advance(t0.Add(off).Sub(c.Now()))
		before := f.count("stores")
		refresh(t, m, false)
		if f.count("stores") > before {
			listed = append(listed, i+1)
		}
	}
	return listed
}

// Version moves whenever the store or its sessions change, also when both
// change in one refresh, and not otherwise.
func TestVersionFollowsChange(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3, 1))
	m, c := newMonitor(f, Options{FullEvery: 1})
	version := func() uint64 {
		c.Advance(time.Second)
		refresh(t, m, false)
		st, _ := m.Store("a")
		return st.Version
	}
	steps := []struct {
		name   string
		change func()
		moves  bool
	}{
		{"nothing changed", func() {}, false},
		{"the store renamed", func() { f.stores[0].DisplayName = "renamed" }, true},
		{"a session changed", func() {
			f.edit("a", "s00000", func(s *graphapi.Session) { s.RemainingBlockCount = graphapi.Count{Value: 1, Valid: true} })
		}, true},
		{"the store and a session changed together", func() {
			f.stores[0].DisplayName = "renamed again"
			f.edit("a", "s00000", func(s *graphapi.Session) { s.RemainingBlockCount = graphapi.Count{Value: 0, Valid: true} })
		}, true},
		{"nothing changed again", func() {}, false},
	}
	seen := map[uint64]string{}
	last := version()
	seen[last] = "first poll"
	for _, s := range steps {
		s.change()
		v := version()
		if moved := v != last; moved != s.moves {
			t.Errorf("%s: version %d -> %d, want moved %v", s.name, last, v, s.moves)
		}
		if prev, ok := seen[v]; ok && s.moves {
			t.Errorf("%s: version %d was already that of %q", s.name, v, prev)
		}
		seen[v], last = s.name, v
	}
}

// A listing that holds older copies than the monitor keeps the newer held
// ones, and never writes into the slice the service returned.
func TestMergeListingLeavesTheListingAlone(t *testing.T) {
	at := func(d time.Duration) graphapi.Time { return graphapi.Time{Time: t0.Add(d)} }
	held := []*graphapi.Session{
		{ID: "a", LastUpdatedDateTime: at(time.Hour)},
		{ID: "b", LastUpdatedDateTime: at(0)},
		{ID: "c", LastUpdatedDateTime: at(time.Hour)},
	}
	index := indexOf(held)
	listed := []*graphapi.Session{
		{ID: "a", LastUpdatedDateTime: at(0)},
		{ID: "b", LastUpdatedDateTime: at(time.Minute)},
		{ID: "c", LastUpdatedDateTime: at(0)},
	}
	original := slices.Clone(listed)
	out := mergeListing(held, index, listed)
	if out[0] != held[0] || out[1] != listed[1] || out[2] != held[2] {
		t.Errorf("merged %v, want held a, listed b, held c", out)
	}
	if !slices.Equal(listed, original) {
		t.Error("mergeListing wrote into the listing")
	}
	same := []*graphapi.Session{{ID: "b", LastUpdatedDateTime: at(time.Hour)}}
	if got := mergeListing(held, index, same); &got[0] != &same[0] {
		t.Error("with no newer held copy, the listing itself is not returned")
	}
}

// A count that fails for another reason than "not supported" is the poll's
// error: a store with nothing running would otherwise look read.
func TestThrottledCountIsThePollsError(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 0))
	svc := &countingService{fakeService: f}
	m, c := newMonitor(svc, Options{})
	refresh(t, m, false)
	first, _ := m.Store("a")
	svc.countErr = &graphapi.Error{Op: "count sessions", StatusCode: 429}
	c.Advance(10 * time.Second)
	if err := m.Refresh(t.Context(), false); !errors.Is(err, graphapi.ErrThrottled) {
		t.Fatalf("got %v, want the throttled count", err)
	}
	st, _ := m.Store("a")
	if st.Err == nil || !st.Updated.Equal(first.Updated) {
		t.Fatalf("a throttled count left the store as read: err %v, updated %v (was %v)", st.Err, st.Updated, first.Updated)
	}
}
