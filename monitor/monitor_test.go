package monitor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

func newMonitor(svc Service, opts Options) (*Monitor, *clock) {
	c := &clock{now: t0}
	opts.Now = c.Now
	return New(svc, opts), c
}

func refresh(t *testing.T, m *Monitor, full bool) {
	t.Helper()
	if err := m.Refresh(context.Background(), full); err != nil {
		t.Fatalf("refresh: %v", err)
	}
}

// TestRequestsFollowChange is the point of the package: after the first
// listing a poll costs one GET per running session, not a listing.
func TestRequestsFollowChange(t *testing.T) {
	cases := []struct {
		name                  string
		total, running, polls int
		opts                  Options
		wantStores, wantLists int
		wantGets              int
	}{
		{"first poll lists", 1000, 3, 1, Options{}, 1, 1, 0},
		{"second poll reads the 3 running by id", 1000, 3, 2, Options{}, 1, 1, 3},
		{"five polls: one listing, four by-id passes", 1000, 3, 5, Options{}, 1, 1, 12},
		{"the sixth poll (50 s) lists again", 1000, 3, 6, Options{}, 2, 2, 12},
		{"nothing running: nothing to read", 1000, 0, 4, Options{}, 1, 1, 0},
		{"every poll lists at a cadence and budget to match", 1000, 3, 3, Options{FullEvery: 1, ListEvery: 10 * time.Second, ListBudget: 60}, 3, 3, 0},
		{"all running", 10, 10, 2, Options{}, 1, 1, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addStore("a", makeSessions(tc.total, tc.running))
			m, c := newMonitor(f, tc.opts)
			for range tc.polls {
				refresh(t, m, false)
				c.Advance(10 * time.Second)
			}
			if got := [3]int{f.count("stores"), f.count("list"), f.count("get")}; got != [3]int{tc.wantStores, tc.wantLists, tc.wantGets} {
				t.Errorf("stores, lists, gets = %v, want %v", got, [3]int{tc.wantStores, tc.wantLists, tc.wantGets})
			}
			if got := len(m.Snapshot().Stores[0].Sessions); got != tc.total {
				t.Errorf("%d sessions held, want %d", got, tc.total)
			}
		})
	}
}

func TestRefreshFullListsOnDemand(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(10, 1))
	m, _ := newMonitor(f, Options{})
	refresh(t, m, false)
	f.resetCalls()
	refresh(t, m, true)
	if f.count("stores") != 1 || f.count("list") != 1 || f.count("get") != 0 {
		t.Errorf("a full refresh made %v calls, want one store listing and one session listing", f.calls)
	}
}

func TestNewSessionsAppearWithTheNextListing(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 0))
	m, c := newMonitor(f, Options{})
	refresh(t, m, false)
	f.sessions["a"] = append(makeSessions(6, 0)[5:], f.sessions["a"]...)
	for poll, want := range []int{5, 5, 5, 5, 6} { // the listing at 50 s
		c.Advance(10 * time.Second)
		refresh(t, m, false)
		if got := len(m.Snapshot().Stores[0].Sessions); got != want {
			t.Errorf("poll %d: %d sessions, want %d", poll+2, got, want)
		}
	}
}

func TestRunningSessionsAreReadUntilFinal(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(4, 2))
	m, c := newMonitor(f, Options{FullAfter: time.Hour})
	refresh(t, m, false)
	f.edit("a", "s00000", func(s *graphapi.Session) {
		s.State = "Completed"
		s.LastUpdatedDateTime.Time = t0.Add(time.Minute)
	})
	c.Advance(10 * time.Second)
	refresh(t, m, false) // reads both; s00000 is now final
	refresh(t, m, false) // reads only s00001
	if got := f.count("get"); got != 3 {
		t.Errorf("%d GETs, want 3 (2, then only the one still running)", got)
	}
	st, _ := m.Store("a")
	if st.Sessions[0].State != "Completed" || !st.Updated.Equal(t0.Add(10*time.Second)) {
		t.Errorf("state %q updated %v, want Completed at %v", st.Sessions[0].State, st.Updated, t0.Add(10*time.Second))
	}
	if !st.Listed.Equal(t0) {
		t.Errorf("listed %v, want the first poll's time %v", st.Listed, t0)
	}
}

func TestOlderCopyNeverReplacesNewer(t *testing.T) {
	newer := t0.Add(time.Hour)
	cases := []struct {
		name string
		// prepare runs after the first listing; the second poll must keep
		// the copy updated at newer.
		prepare func(f *fakeService)
		full    bool
	}{
		{"by id: an older answer is ignored", func(f *fakeService) {
			f.getAnswer = func(s graphapi.Session) graphapi.Session {
				s.LastUpdatedDateTime.Time = t0.Add(-time.Hour)
				s.State = "stale copy"
				return s
			}
		}, false},
		{"listing: an older listed copy is ignored", func(f *fakeService) {
			f.edit("a", "s00000", func(s *graphapi.Session) {
				s.LastUpdatedDateTime.Time = t0.Add(-time.Hour)
				s.State = "stale copy"
			})
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			sessions := makeSessions(3, 1)
			sessions[0].LastUpdatedDateTime.Time = newer
			f.addStore("a", sessions)
			m, _ := newMonitor(f, Options{})
			refresh(t, m, false)
			tc.prepare(f)
			refresh(t, m, tc.full)
			st, _ := m.Store("a")
			if got := st.Sessions[0]; got.State == "stale copy" || !got.LastUpdatedDateTime.Equal(newer) {
				t.Errorf("row replaced by an older copy: %q at %v", got.State, got.LastUpdatedDateTime.Time)
			}
		})
	}
}

func TestAnswerForAnotherSessionIsRefused(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3, 1))
	m, _ := newMonitor(f, Options{})
	refresh(t, m, false)
	before, _ := m.Store("a")
	f.getAnswer = func(s graphapi.Session) graphapi.Session {
		s.ID = "other"
		s.State = "Completed"
		return s
	}
	err := m.Refresh(t.Context(), false)
	if !errors.Is(err, graphapi.ErrOtherSession) || !strings.Contains(err.Error(), "other") || !strings.Contains(err.Error(), "s00000") {
		t.Fatalf("got %v, want an error naming both ids", err)
	}
	st, _ := m.Store("a")
	if st.Err == nil || st.Sessions[0] != before.Sessions[0] {
		t.Fatalf("the store took an answer about another session: err %v, row %+v", st.Err, st.Sessions[0])
	}
}

func TestListingDropsVanishedSessions(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 1))
	m, _ := newMonitor(f, Options{})
	refresh(t, m, false)
	f.sessions["a"] = f.sessions["a"][2:]
	f.edit("a", "s00003", func(s *graphapi.Session) {
		s.State = "Failed"
		s.LastUpdatedDateTime.Time = t0.Add(time.Minute)
	})
	refresh(t, m, true)
	st, _ := m.Store("a")
	if len(st.Sessions) != 3 || st.Sessions[0].ID != "s00002" {
		t.Errorf("after the listing: %d sessions starting %q, want 3 starting s00002", len(st.Sessions), st.Sessions[0].ID)
	}
	if st.Sessions[1].State != "Failed" {
		t.Errorf("a newer listed copy did not replace the held one: %q", st.Sessions[1].State)
	}
}

func TestVanishedRunningSessionStartsAListing(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 2))
	m, c := newMonitor(f, Options{})
	refresh(t, m, false)
	f.sessions["a"] = f.sessions["a"][1:] // the running s00000 is deleted
	f.resetCalls()
	c.Advance(10 * time.Second) // the budget allows a listing (see TestBudgetHoldsChangeListings)
	refresh(t, m, false)
	if f.count("get") != 1 || f.count("list") != 1 {
		t.Errorf("calls %v, want one GET (404) then one listing", f.calls)
	}
	st, _ := m.Store("a")
	if len(st.Sessions) != 4 || st.Err != nil {
		t.Errorf("%d sessions, err %v; want 4 and no error", len(st.Sessions), st.Err)
	}
}

func TestFailureKeepsPreviousSessions(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(5, 2))
	m, c := newMonitor(f, Options{})
	refresh(t, m, false)
	boom := &graphapi.Error{Op: "get session", StatusCode: 503, Message: "busy"}
	cases := []struct {
		name string
		set  func()
		full bool
	}{
		{"by id", func() { f.getErr = boom }, false},
		{"listing", func() { f.listErr["a"] = boom }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := m.Store("a")
			tc.set()
			c.Advance(10 * time.Second)
			err := m.Refresh(context.Background(), tc.full)
			if !errors.Is(err, boom) {
				t.Fatalf("Refresh = %v, want the 503", err)
			}
			st, _ := m.Store("a")
			if !errors.Is(st.Err, boom) || !st.ErrAt.Equal(c.Now()) {
				t.Errorf("store err %v at %v, want the 503 at %v", st.Err, st.ErrAt, c.Now())
			}
			if len(st.Sessions) != 5 || !st.Updated.Equal(before.Updated) || !st.Listed.Equal(before.Listed) {
				t.Errorf("failure changed the store: %d sessions, updated %v listed %v", len(st.Sessions), st.Updated, st.Listed)
			}
			f.getErr, f.listErr["a"] = nil, nil
			refresh(t, m, tc.full)
			if st, _ := m.Store("a"); st.Err != nil || !st.Updated.Equal(c.Now()) {
				t.Errorf("after recovery: err %v updated %v", st.Err, st.Updated)
			}
		})
	}
}

func TestCountProbe(t *testing.T) {
	cases := []struct {
		name      string
		countErr  error
		add       bool // a session is created after the first listing
		wantLists int
		wantCount int
		wantErr   bool // each poll after the first fails: the count was not seen
	}{
		{"same count: no listing", nil, false, 1, 3, false},
		{"new session: listed at once", nil, true, 2, 3, false},
		{"count not supported: asked once, then never", &graphapi.Error{StatusCode: 404}, true, 1, 1, false},
		{"count throttled: the poll fails, asked again next time", &graphapi.Error{StatusCode: 429}, true, 1, 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &countingService{fakeService: newFake(), countErr: tc.countErr}
			f.addStore("a", makeSessions(5, 1))
			m, c := newMonitor(f, Options{FullAfter: time.Hour})
			refresh(t, m, false)
			if tc.add {
				f.sessions["a"] = append(makeSessions(6, 0)[5:], f.sessions["a"]...)
			}
			for range 3 {
				c.Advance(10 * time.Second)
				err := m.Refresh(context.Background(), false)
				if (err != nil) != tc.wantErr {
					t.Fatalf("refresh: %v", err)
				}
				if st, _ := m.Store("a"); (st.Err != nil) != tc.wantErr || st.Updated.Equal(c.Now()) == tc.wantErr {
					t.Errorf("store err %v, updated %v", st.Err, st.Updated)
				}
			}
			if got := f.count("list"); got != tc.wantLists {
				t.Errorf("%d listings, want %d", got, tc.wantLists)
			}
			if got := f.count("count"); got != tc.wantCount {
				t.Errorf("%d counts, want %d", got, tc.wantCount)
			}
		})
	}
}

func TestStoreSet(t *testing.T) {
	t.Run("all listed stores, added and dropped with the store listing", func(t *testing.T) {
		f := newFake()
		f.addStore("a", nil)
		m, _ := newMonitor(f, Options{})
		refresh(t, m, false)
		f.addStore("b", nil)
		refresh(t, m, false)
		if n := len(m.Snapshot().Stores); n != 1 {
			t.Errorf("%d stores before the next store listing, want 1", n)
		}
		refresh(t, m, true)
		if ids := storeIDs(m); len(ids) != 2 || ids[1] != "b" {
			t.Errorf("stores %v, want [a b]", ids)
		}
		f.stores = f.stores[1:]
		refresh(t, m, true)
		if ids := storeIDs(m); len(ids) != 1 || ids[0] != "b" {
			t.Errorf("stores %v, want [b]", ids)
		}
	})
	t.Run("named stores stay, in their order, named by the listing", func(t *testing.T) {
		f := newFake()
		f.addStore("a", nil)
		f.addStore("b", makeSessions(2, 0))
		m, _ := newMonitor(f, Options{Stores: []string{"b", "hidden", "b"}})
		err := m.Refresh(context.Background(), false)
		if !errors.Is(err, graphapi.ErrNotFound) {
			t.Errorf("Refresh = %v, want the hidden store's 404", err)
		}
		snap := m.Snapshot()
		if ids := storeIDs(m); len(ids) != 2 || ids[0] != "b" || ids[1] != "hidden" {
			t.Fatalf("stores %v, want [b hidden]", ids)
		}
		if snap.Stores[0].DataStore.DisplayName != "store b" || len(snap.Stores[0].Sessions) != 2 {
			t.Errorf("store b: %+v", snap.Stores[0])
		}
		if snap.Stores[1].Err == nil {
			t.Errorf("hidden store has no error")
		}
	})
	t.Run("a failed store listing keeps the stores and is reported", func(t *testing.T) {
		f := newFake()
		f.addStore("a", makeSessions(2, 1))
		m, _ := newMonitor(f, Options{})
		refresh(t, m, false)
		f.storesErr = errors.New("boom")
		if err := m.Refresh(context.Background(), true); err == nil {
			t.Fatal("no error")
		}
		snap := m.Snapshot()
		if len(snap.Stores) != 1 || snap.Err == nil || snap.Stores[0].Err != nil {
			t.Errorf("snapshot %+v", snap)
		}
	})
}

func storeIDs(m *Monitor) []string {
	var ids []string
	for _, st := range m.Snapshot().Stores {
		ids = append(ids, st.DataStore.ID)
	}
	return ids
}

func TestParallelIsBounded(t *testing.T) {
	f := newFake()
	for i := range 10 {
		f.addStore(string(rune('a'+i)), makeSessions(3, 1))
	}
	f.delay = 20 * time.Millisecond
	m, _ := newMonitor(f, Options{Parallel: 4})
	refresh(t, m, false)
	if f.maxInflight > 4 {
		t.Errorf("%d calls at once, want at most 4", f.maxInflight)
	}
	if f.count("list") != 10 {
		t.Errorf("%d stores listed, want 10", f.count("list"))
	}
}

func TestSnapshotsAreNotRewritten(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3, 2))
	m, c := newMonitor(f, Options{})
	refresh(t, m, false)
	old, _ := m.Store("a")
	refresh(t, m, false) // nothing changed
	same, _ := m.Store("a")
	if same.Version != old.Version {
		t.Errorf("version moved %d -> %d with no change", old.Version, same.Version)
	}
	f.edit("a", "s00001", func(s *graphapi.Session) {
		s.State = "Completed"
		s.LastUpdatedDateTime.Time = t0.Add(time.Minute)
	})
	c.Advance(time.Minute)
	refresh(t, m, false)
	now, _ := m.Store("a")
	if old.Sessions[1].State != "UploadInProgress" {
		t.Errorf("a refresh wrote into a slice already handed out")
	}
	if now.Sessions[1].State != "Completed" || now.Version == old.Version {
		t.Errorf("new state %q version %d (old %d)", now.Sessions[1].State, now.Version, old.Version)
	}
}

func TestRefreshStore(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3, 1))
	f.addStore("b", makeSessions(3, 1))
	m, _ := newMonitor(f, Options{Stores: []string{"a", "b"}})
	st, err := m.RefreshStore(context.Background(), "b", false)
	if err != nil || len(st.Sessions) != 3 || f.count("list") != 1 {
		t.Errorf("RefreshStore: %d sessions, %v, %d listings", len(st.Sessions), err, f.count("list"))
	}
	if _, err := m.RefreshStore(context.Background(), "zzz", false); !errors.Is(err, ErrUnknownStore) {
		t.Errorf("unknown store: %v", err)
	}
}

// A store whose service counts is listed on the slower cadence: the count
// finds new sessions at once.
func TestCountedCadence(t *testing.T) {
	for _, tc := range []struct {
		name      string
		counting  bool
		wantLists int
	}{
		{"counting: the first listing only", true, 1},
		{"not counting: every 45 s", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var svc Service = newFake()
			f := svc.(*fakeService)
			if tc.counting {
				svc = &countingService{fakeService: f}
			}
			f.addStore("a", makeSessions(5, 1))
			m, c := newMonitor(svc, Options{FullAfter: time.Hour})
			for range 11 {
				refresh(t, m, false)
				c.Advance(10 * time.Second)
			}
			if got := f.count("list"); got != tc.wantLists {
				t.Errorf("%d listings in 11 polls, want %d", got, tc.wantLists)
			}
		})
	}
}

// A listing keeps the held copy of a finished session listed with the same
// state and last update, and takes every other session as listed.
func TestListingKeepsUnchangedFinished(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(4, 1)) // s00000 running, the rest completed
	m, c := newMonitor(keepingService{f}, Options{})
	refresh(t, m, false)
	before, _ := m.Store("a")
	for i := range f.sessions["a"] {
		s := &f.sessions["a"][i]
		s.Checksum = "listed again"
		if s.ID == "s00002" {
			s.LastUpdatedDateTime.Time = t0.Add(time.Minute)
		}
	}
	c.Advance(time.Second)
	refresh(t, m, true)
	st, _ := m.Store("a")
	want := map[string]string{"s00000": "listed again", "s00001": "", "s00002": "listed again", "s00003": ""}
	for i, s := range st.Sessions {
		if s.Checksum != want[s.ID] {
			t.Errorf("%s: checksum %q, want %q", s.ID, s.Checksum, want[s.ID])
		}
		// The kept copy is the held session itself, not an equal copy.
		if kept := want[s.ID] == ""; (s == before.Sessions[i]) != kept {
			t.Errorf("%s: the held session listed again is %v, want %v", s.ID, s == before.Sessions[i], kept)
		}
	}
}

// With PageSize set, a poll lists only when reading the running sessions
// by id would take more requests than the store's pages; a tie reads by id.
func TestPageSizeListsABusySmallStore(t *testing.T) {
	cases := []struct {
		name                string
		total, running      int
		wantLists, wantGets int
	}{
		{"10 of 10 running: one page beats 10 reads", 10, 10, 2, 0},
		{"3 of 1000 running: 3 reads beat 10 pages", 1000, 3, 1, 3},
		{"1 running: one read, never a listing", 10, 1, 1, 1},
		{"2 of 150 running: 2 pages, 2 reads, a tie", 150, 2, 1, 2},
		{"3 of 150 running: 2 pages beat 3 reads", 150, 3, 2, 0},
		{"2 of 100 running: 1 full page beats 2 reads", 100, 2, 2, 0},
		{"2 of 101 running: 2 pages, 2 reads, a tie", 101, 2, 1, 2},
		{"3 of 200 running: 2 pages beat 3 reads", 200, 3, 2, 0},
		{"10 of 1000 running: 10 pages, 10 reads, a tie", 1000, 10, 1, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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

func TestAStoreListedTwiceIsWatchedOnce(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(3, 1))
	f.addStore("b", makeSessions(2, 1))
	f.stores = append(f.stores, f.stores[0]) // the service names "a" twice
	m, _ := newMonitor(f, Options{})
	refresh(t, m, false)
	snap := m.Snapshot()
	var ids []string
	for _, st := range snap.Stores {
		ids = append(ids, st.DataStore.ID)
	}
	if strings.Join(ids, ",") != "a,b" {
		t.Fatalf("watched %v, want a,b", ids)
	}
	if got := f.count("list"); got != 2 {
		t.Fatalf("%d listings, want one per store", got)
	}
}
