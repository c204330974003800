package monitor

import (
	"errors"
	"fmt"
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
		"negative": {FullEvery: -1, CountedFullEvery: -1, FullAfter: -time.Second, Parallel: -1},
	} {
		got := opts.withDefaults()
		if got.FullEvery != 5 || got.CountedFullEvery != 30 || got.FullAfter != 5*time.Minute || got.Parallel != 4 || got.Now == nil {
			t.Errorf("%s options: every %d, counted every %d, after %v, parallel %d, clock set %v; want 5, 30, 5m, 4, true",
				name, got.FullEvery, got.CountedFullEvery, got.FullAfter, got.Parallel, got.Now != nil)
		}
	}
	if DefaultFullEvery != 5 || DefaultCountedFullEvery != 30 || DefaultFullAfter != 5*time.Minute || DefaultParallel != 4 || GraphPageSize != 100 {
		t.Errorf("defaults %d, %d, %v, %d, page %d; want 5, 30, 5m, 4, 100",
			DefaultFullEvery, DefaultCountedFullEvery, DefaultFullAfter, DefaultParallel, GraphPageSize)
	}
	set := Options{FullEvery: 1, CountedFullEvery: 2, FullAfter: time.Second, Parallel: 1}.withDefaults()
	if set.FullEvery != 1 || set.CountedFullEvery != 2 || set.FullAfter != time.Second || set.Parallel != 1 {
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
	return listed
}

// secondsApart is n polls one second apart.
func secondsApart(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i) * time.Second
	}
	return out
}

// The default cadence, by behaviour: which polls list.
func TestDefaultCadence(t *testing.T) {
	refused := func(code int) error { return &graphapi.Error{Op: "count sessions", StatusCode: code} }
	cases := []struct {
		name     string
		counting bool
		countErr error
		opts     Options
		offsets  []time.Duration
		want     []int
	}{
		{"every 5th poll", false, nil, Options{FullAfter: time.Hour}, secondsApart(11), []int{1, 6, 11}},
		{"counted: every 30th poll", true, nil, Options{FullAfter: time.Hour}, secondsApart(31), []int{1, 31}},
		{"a listing older than 5 minutes", false, nil, Options{FullEvery: 1000},
			[]time.Duration{0, 4*time.Minute + 59*time.Second, 5 * time.Minute, 9*time.Minute + 59*time.Second, 10 * time.Minute}, []int{1, 3, 5}},
		{"counted, a listing older than 5 minutes", true, nil, Options{CountedFullEvery: 1000},
			[]time.Duration{0, 4*time.Minute + 59*time.Second, 5 * time.Minute}, []int{1, 3}},
		{"count refused (404): every 5th poll", true, refused(404), Options{FullAfter: time.Hour}, secondsApart(11), []int{1, 6, 11}},
		{"count refused (400): every 5th poll", true, refused(400), Options{FullAfter: time.Hour}, secondsApart(11), []int{1, 6, 11}},
		{"count refused (501): every 5th poll", true, refused(501), Options{FullAfter: time.Hour}, secondsApart(6), []int{1, 6}},
		// A throttled count is not "unsupported": the counted cadence stays
		// (and the poll records the 429: what it would find cannot be seen).
		{"count throttled (429): still every 30th", true, refused(429), Options{FullAfter: time.Hour}, secondsApart(11), []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addStore("a", makeSessions(5, 1))
			var svc Service = f
			if tc.counting {
				svc = &countingService{fakeService: f, countErr: tc.countErr}
			}
			if got := listedPolls(t, svc, f, tc.opts, tc.offsets); !slices.Equal(got, tc.want) {
				t.Errorf("listed at polls %v, want %v", got, tc.want)
			}
		})
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

// With PageSize, a poll lists only when reading the running sessions by id
// would take more requests than the pages; a tie reads by id.
func TestPageSizeBoundaries(t *testing.T) {
	cases := []struct {
		total, running      int
		wantLists, wantGets int
	}{
		{150, 2, 1, 2},    // 2 pages, 2 reads: a tie
		{150, 3, 2, 0},    // 2 pages, 3 reads
		{100, 2, 2, 0},    // 1 full page, 2 reads
		{101, 2, 1, 2},    // 2 pages, 2 reads
		{200, 3, 2, 0},    // 2 pages, 3 reads
		{1000, 10, 1, 10}, // 10 pages, 10 reads
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d running of %d", tc.running, tc.total), func(t *testing.T) {
			f := newFake()
			f.addStore("a", makeSessions(tc.total, tc.running))
			m, c := newMonitor(f, Options{FullAfter: time.Hour, PageSize: 100})
			for range 2 {
				refresh(t, m, false)
				c.Advance(10 * time.Second)
			}
			if f.count("list") != tc.wantLists || f.count("get") != tc.wantGets {
				t.Errorf("lists, gets = %d, %d; want %d, %d", f.count("list"), f.count("get"), tc.wantLists, tc.wantGets)
			}
		})
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
	c.Advance(time.Second)
	if err := m.Refresh(t.Context(), false); !errors.Is(err, graphapi.ErrThrottled) {
		t.Fatalf("got %v, want the throttled count", err)
	}
	st, _ := m.Store("a")
	if st.Err == nil || !st.Updated.Equal(first.Updated) {
		t.Fatalf("a throttled count left the store as read: err %v, updated %v (was %v)", st.Err, st.Updated, first.Updated)
	}
}
