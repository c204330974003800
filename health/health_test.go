package health

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

var now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) graphapi.Time { return graphapi.Time{Time: now.Add(-d)} }

func sess(id, state string, created, updated time.Duration) *graphapi.Session {
	return &graphapi.Session{ID: id, State: state, CreationDateTime: at(created), LastUpdatedDateTime: at(updated)}
}

func TestSessionRules(t *testing.T) {
	r := DefaultRules()
	cases := []struct {
		name                     string
		s                        *graphapi.Session
		final, stalled, awaiting bool
	}{
		{"completed", sess("a", "Completed", 5*time.Hour, 4*time.Hour), true, false, false},
		{"failed long ago is final, not stalled", sess("a", "Failed", 50*time.Hour, 49*time.Hour), true, false, false},
		{"cancelled", sess("a", "Cancelled", 5*time.Hour, 4*time.Hour), true, false, false},
		{"uploading, fresh", sess("a", "UploadInProgress", time.Hour, time.Minute), false, false, false},
		{"uploading, quiet just under the limit", sess("a", "UploadInProgress", 5*time.Hour, 2*time.Hour-time.Second), false, false, false},
		{"processing, quiet past the limit", sess("a", "ProcessingInProgress", 5*time.Hour, 2*time.Hour+time.Second), false, true, false},
		{"awaiting commit and quiet", sess("a", "UploadCompleted", 5*time.Hour, 3*time.Hour), false, true, true},
		{"awaiting commit, any case", sess("a", "uploadcompleted", 5*time.Hour, time.Minute), false, false, true},
		{"unknown state is running", sess("a", "Hibernating", 5*time.Hour, 3*time.Hour), false, true, false},
		{"update in the future (clock skew)", sess("a", "UploadInProgress", time.Hour, -time.Hour), false, false, false},
		{"no update time", &graphapi.Session{ID: "a", State: "UploadInProgress"}, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Final(c.s); got != c.final {
				t.Errorf("Final = %v, want %v", got, c.final)
			}
			if got := r.Stalled(c.s, now); got != c.stalled {
				t.Errorf("Stalled = %v, want %v", got, c.stalled)
			}
			if got := AwaitingCommit(c.s); got != c.awaiting {
				t.Errorf("AwaitingCommit = %v, want %v", got, c.awaiting)
			}
		})
	}
}

func TestStallAfterZeroNeverStalls(t *testing.T) {
	s := sess("a", "UploadInProgress", 100*time.Hour, 99*time.Hour)
	if (Rules{}).Stalled(s, now) {
		t.Error("a zero StallAfter must not judge every session stalled")
	}
}

func completed(id string, created, finished time.Duration) *graphapi.Session {
	s := sess(id, "Completed", created, finished)
	s.CompletionDateTime = at(finished)
	return s
}

func TestStoreVerdicts(t *testing.T) {
	fresh := &graphapi.DataStore{ID: "ds", DataLastUpdatedDateTime: at(time.Hour)}
	old := &graphapi.DataStore{ID: "ds", DataLastUpdatedDateTime: at(72 * time.Hour)}
	cases := []struct {
		name     string
		ds       *graphapi.DataStore
		sessions []*graphapi.Session
		want     Verdict
		uploads  int
		index    time.Duration // age of LastIndex; -1 for zero
	}{
		{"no sessions, fresh data", fresh, nil, OK, 0, time.Hour},
		{"no sessions, old data", old, nil, Stale, 0, 72 * time.Hour},
		{"no sessions, never indexed", &graphapi.DataStore{ID: "ds"}, nil, Stale, 0, -1},
		{"no store record", nil, nil, Stale, 0, -1},
		{"recent completed", old, []*graphapi.Session{completed("a", 21*time.Hour, 20*time.Hour)}, OK, 1, 20 * time.Hour},
		{"completed long ago", fresh, []*graphapi.Session{completed("a", 40*time.Hour, 30*time.Hour)}, Stale, 0, 30 * time.Hour},
		{"only failed sessions, fresh data", fresh, []*graphapi.Session{sess("a", "Failed", 3*time.Hour, 2*time.Hour), sess("b", "Failed", 30*time.Hour, 29*time.Hour)}, Failed, 1, time.Hour},
		{"newest failed beats stalled", fresh, []*graphapi.Session{sess("a", "Failed", time.Hour, time.Hour), sess("b", "UploadInProgress", 10*time.Hour, 9*time.Hour)}, Failed, 2, time.Hour},
		{"an older failure is forgiven by a newer success", old, []*graphapi.Session{completed("b", time.Hour, 30*time.Minute), sess("a", "Failed", 10*time.Hour, 9*time.Hour)}, OK, 2, 30 * time.Minute},
		{"stalled beats stale", old, []*graphapi.Session{sess("a", "ProcessingInProgress", 10*time.Hour, 9*time.Hour)}, Stalled, 1, 72 * time.Hour},
		{"running and fresh, index stale", old, []*graphapi.Session{sess("a", "UploadInProgress", time.Hour, time.Minute)}, Stale, 1, 72 * time.Hour},
		{"unknown state, quiet", fresh, []*graphapi.Session{sess("a", "Mystery", 5*time.Hour, 3*time.Hour)}, Stalled, 1, time.Hour},
		{"completion in the future (skew) is fresh", old, []*graphapi.Session{completed("a", time.Hour, -time.Hour)}, OK, 1, 0},
		{"completed without times falls back to the store", fresh, []*graphapi.Session{{ID: "a", State: "Completed"}}, OK, 0, time.Hour},
		{"cancelled newest is not failed", fresh, []*graphapi.Session{sess("a", "Cancelled", time.Hour, time.Hour)}, OK, 1, time.Hour},
	}
	r := DefaultRules()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := r.Assess(c.ds, c.sessions, now)
			if st.Verdict != c.want {
				t.Errorf("verdict %v, want %v", st.Verdict, c.want)
			}
			if st.Uploads24h != c.uploads {
				t.Errorf("uploads %d, want %d", st.Uploads24h, c.uploads)
			}
			if c.index < 0 {
				if !st.LastIndex.IsZero() {
					t.Errorf("last index %v, want none", st.LastIndex)
				}
			} else if got := st.IndexAge(now); got != c.index {
				t.Errorf("index age %v, want %v", got, c.index)
			}
		})
	}
}

func TestAssessPicksNewestAndCurrent(t *testing.T) {
	ss := []*graphapi.Session{
		sess("old-run", "UploadInProgress", 5*time.Hour, time.Minute),
		sess("new-run", "ProcessingInProgress", 2*time.Hour, time.Minute),
		completed("done", time.Hour, 30*time.Minute),
	}
	st := DefaultRules().Assess(nil, ss, now)
	if st.Newest == nil || st.Newest.ID != "done" {
		t.Errorf("newest %v", st.Newest)
	}
	if st.Current == nil || st.Current.ID != "new-run" {
		t.Errorf("current %v", st.Current)
	}
	if st.UploadLimit != DefaultUploadLimit {
		t.Errorf("limit %d", st.UploadLimit)
	}
}

func TestUploadsCountTheLast24Hours(t *testing.T) {
	ss := []*graphapi.Session{
		completed("a", 24*time.Hour-time.Second, time.Hour),
		completed("b", 24*time.Hour, time.Hour),
		completed("c", 48*time.Hour, 47*time.Hour),
	}
	if got := DefaultRules().Assess(nil, ss, now).Uploads24h; got != 1 {
		t.Errorf("uploads %d, want 1", got)
	}
}

func TestStalledReportsLongestIdle(t *testing.T) {
	ss := []*graphapi.Session{
		sess("a", "UploadInProgress", 10*time.Hour, 3*time.Hour),
		sess("b", "UploadInProgress", 10*time.Hour, 5*time.Hour),
	}
	st := DefaultRules().Assess(nil, ss, now)
	if st.StalledCount != 2 || st.LongestIdle != 5*time.Hour || st.Stalled == nil || st.Stalled.ID != "b" {
		t.Errorf("stalled %d longest %v", st.StalledCount, st.LongestIdle)
	}
}

func TestKnownState(t *testing.T) {
	for state, want := range map[string]bool{"Completed": true, "uploadinprogress": true, "Hibernating": false, "": false} {
		if KnownState(state) != want {
			t.Errorf("KnownState(%q) != %v", state, want)
		}
	}
}

func TestKnownStatesAreKnownAndACopy(t *testing.T) {
	states := KnownStates()
	if len(states) < 6 {
		t.Fatalf("%d states", len(states))
	}
	for _, s := range states {
		if !KnownState(s) {
			t.Errorf("%q listed but not known", s)
		}
	}
	states[0] = "Hibernating"
	if KnownState("Hibernating") {
		t.Error("KnownStates hands out the rules' own slice")
	}
}
