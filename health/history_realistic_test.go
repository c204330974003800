package health

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// These tests judge stores with the histories a real tenant has: several
// nightly runs, failures and cancellations among them, sessions touched
// after they completed, stores never indexed. Every expectation is a
// literal read off the fixed clock (now = 2026-11-29 12:00 UTC), never
// computed with the rules under test.

const h = time.Hour

// done is a Completed session created and finished the given times ago,
// with its last update at its finish.
func done(id string, created, finished time.Duration) *graphapi.Session {
	return completed(id, created, finished)
}

// touched is a Completed session whose last update came after its
// completion (the service refreshes lastUpdatedDateTime on later reads).
func touched(id string, created, finished, updated time.Duration) *graphapi.Session {
	s := completed(id, created, finished)
	s.ProcessingCompletionDateTime = at(finished)
	s.LastUpdatedDateTime = at(updated)
	return s
}

func TestAssessRealisticHistories(t *testing.T) {
	fresh := &graphapi.DataStore{ID: "ds", DataLastUpdatedDateTime: at(3 * h)}
	never := &graphapi.DataStore{ID: "ds"}
	cases := []struct {
		name     string
		ds       *graphapi.DataStore
		sessions []*graphapi.Session
		verdict  Verdict
		index    time.Duration // age of the last index; -1: none
		uploads  int
		newest   string // the newest Completed session's id; "" for none
	}{
		{"two completed runs 40 h and 1 h ago: ok, index 1 h",
			never, []*graphapi.Session{done("old", 41*h, 40*h), done("new", 2*h, 1*h)}, OK, 1 * h, 1, "new"},
		{"the same two runs listed newest first",
			never, []*graphapi.Session{done("new", 2*h, 1*h), done("old", 41*h, 40*h)}, OK, 1 * h, 1, "new"},
		{"five nightly runs, the newest 20 h ago: ok",
			never, []*graphapi.Session{
				done("n1", 117*h, 116*h), done("n2", 93*h, 92*h), done("n3", 69*h, 68*h),
				done("n4", 45*h, 44*h), done("n5", 21*h, 20*h),
			}, OK, 20 * h, 1, "n5"},
		{"a long run created first but finished last holds the index",
			never, []*graphapi.Session{done("quick", 10*h, 9*h), done("long", 50*h, 2*h)}, OK, 2 * h, 1, "long"},
		{"nights with a failure and a cancellation between successes",
			never, []*graphapi.Session{
				done("mon", 93*h, 92*h), sess("tue", "Failed", 69*h, 68*h),
				done("wed", 45*h, 44*h), sess("thu", "Cancelled", 21*h, 21*h), done("fri", 10*h, 9*h),
			}, OK, 9 * h, 2, "fri"},
		{"the newest run failed: failed, index from the last success",
			never, []*graphapi.Session{done("mon", 45*h, 44*h), done("tue", 21*h, 20*h), sess("wed", "Failed", 2*h, 1*h)},
			Failed, 20 * h, 2, "tue"},
		{"the newest run was cancelled after an old success: stale",
			never, []*graphapi.Session{done("mon", 50*h, 49*h), sess("tue", "Cancelled", 2*h, 2*h)}, Stale, 49 * h, 1, "mon"},
		{"completed 30 h ago, touched 1 h ago: stale, index 30 h",
			fresh, []*graphapi.Session{touched("nightly", 31*h, 30*h, 1*h)}, Stale, 30 * h, 0, "nightly"},
		{"completed 20 h ago, touched 1 h ago: ok, index 20 h",
			never, []*graphapi.Session{touched("nightly", 21*h, 20*h, 1*h), done("older", 45*h, 44*h)}, OK, 20 * h, 1, "nightly"},
		{"a touched old run does not hide a newer one",
			never, []*graphapi.Session{touched("old", 50*h, 49*h, 1*h), done("new", 6*h, 5*h)}, OK, 5 * h, 1, "new"},
		{"no completion time: the end of processing, not the last update",
			never, []*graphapi.Session{processed("p", 31*h, 30*h, 1*h)}, Stale, 30 * h, 0, "p"},
		{"never indexed, only failed and cancelled runs, newest cancelled",
			never, []*graphapi.Session{sess("a", "Failed", 30*h, 29*h), sess("b", "Cancelled", 5*h, 5*h)}, Stale, -1, 1, ""},
		{"never indexed, the newest run failed",
			never, []*graphapi.Session{sess("a", "Cancelled", 30*h, 29*h), sess("b", "Failed", 5*h, 4*h)}, Failed, -1, 1, ""},
		{"never indexed, first upload running",
			never, []*graphapi.Session{sess("a", "UploadInProgress", 1*h, time.Minute)}, Stale, -1, 1, ""},
		{"no completed run in the listing: the store's own date",
			fresh, []*graphapi.Session{sess("a", "Cancelled", 5*h, 5*h)}, OK, 3 * h, 1, ""},
		{"a completed run's finish wins over the store's newer date",
			fresh, []*graphapi.Session{done("a", 31*h, 30*h)}, Stale, 30 * h, 0, "a"},
		{"a running upload beside a fresh index: ok",
			never, []*graphapi.Session{done("a", 21*h, 20*h), sess("b", "UploadInProgress", 30*time.Minute, time.Minute)}, OK, 20 * h, 2, "a"},
		{"a stalled commit beside a fresh index: stalled",
			never, []*graphapi.Session{done("a", 21*h, 20*h), sess("b", "UploadCompleted", 5*h, 3*h)}, Stalled, 20 * h, 2, "a"},
	}
	r := DefaultRules()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := r.Assess(c.ds, c.sessions, now)
			if st.Verdict != c.verdict {
				t.Errorf("verdict %v, want %v", st.Verdict, c.verdict)
			}
			if c.index < 0 {
				if !st.LastIndex.IsZero() {
					t.Errorf("last index %v, want none", st.LastIndex)
				}
			} else if got := st.IndexAge(now); got != c.index {
				t.Errorf("index age %v, want %v", got, c.index)
			}
			if st.Uploads24h != c.uploads {
				t.Errorf("uploads %d, want %d", st.Uploads24h, c.uploads)
			}
			got := ""
			if st.NewestCompleted != nil {
				got = st.NewestCompleted.ID
			}
			if got != c.newest {
				t.Errorf("newest completed %q, want %q", got, c.newest)
			}
		})
	}
}

// processed is a Completed session without a completion time: the end of
// processing is when its index was built, not its later last update.
func processed(id string, created, processed, updated time.Duration) *graphapi.Session {
	s := sess(id, "Completed", created, updated)
	s.ProcessingCompletionDateTime = at(processed)
	return s
}

// The thresholds are "longer than": a session idle exactly 2 h is not
// stalled, an index exactly 26 h old is not stale.
func TestThresholdsAreExclusive(t *testing.T) {
	never := &graphapi.DataStore{ID: "ds"}
	cases := []struct {
		name     string
		sessions []*graphapi.Session
		verdict  Verdict
	}{
		{"index exactly 26 h old", []*graphapi.Session{done("a", 27*h, 26*h)}, OK},
		{"index 26 h and a second old", []*graphapi.Session{done("a", 27*h, 26*h+time.Second)}, Stale},
		{"running, idle exactly 2 h", []*graphapi.Session{done("a", 5*h, 4*h), sess("b", "UploadInProgress", 3*h, 2*h)}, OK},
		{"running, idle 2 h and a second", []*graphapi.Session{done("a", 5*h, 4*h), sess("b", "UploadInProgress", 3*h, 2*h+time.Second)}, Stalled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DefaultRules().Assess(never, c.sessions, now).Verdict; got != c.verdict {
				t.Errorf("verdict %v, want %v", got, c.verdict)
			}
		})
	}
}

// The zero of a threshold turns it off ("0: never" in docs/health.md).
func TestZeroThresholdsMeanNever(t *testing.T) {
	ancient := []*graphapi.Session{done("a", 1001*h, 1000*h)}
	st := Rules{MaxAge: 0, StallAfter: DefaultStallAfter, UploadLimit: DefaultUploadLimit}.Assess(nil, ancient, now)
	if st.Verdict != OK || st.IndexAge(now) != 1000*h {
		t.Errorf("--max-age 0, index 1000 h old: %v (index age %v), want ok", st.Verdict, st.IndexAge(now))
	}
	// "never stale" does not make a store that was never indexed fresh.
	if got := (Rules{}).Assess(&graphapi.DataStore{ID: "ds"}, nil, now).Verdict; got != Stale {
		t.Errorf("--max-age 0, never indexed: %v, want stale", got)
	}
	quiet := []*graphapi.Session{done("a", 5*h, 4*h), sess("b", "ProcessingInProgress", 200*h, 100*h)}
	st = Rules{StallAfter: 0, MaxAge: DefaultMaxAge}.Assess(nil, quiet, now)
	if st.Verdict != OK || st.StalledCount != 0 || st.Stalled != nil {
		t.Errorf("--stall-after 0, idle 100 h: %v, %d stalled, want ok", st.Verdict, st.StalledCount)
	}
	six := []*graphapi.Session{done("a", 1*h, 0), done("b", 2*h, 1*h), done("c", 3*h, 2*h), done("d", 4*h, 3*h), done("e", 5*h, 4*h), done("f", 6*h, 5*h)}
	if st := (Rules{UploadLimit: 0}).Assess(nil, six, now); st.LimitReached || !st.NextUpload.IsZero() || st.Uploads24h != 6 {
		t.Errorf("--upload-limit 0, six uploads: reached %v next %v uploads %d, want no limit and 6 counted", st.LimitReached, st.NextUpload, st.Uploads24h)
	}
}

// Ties in creation time are broken by the last update, then by id, the
// higher first; a session is never newer than itself.
func TestNewestTies(t *testing.T) {
	a := sess("run-1", "Completed", 5*h, 4*h)
	b := sess("run-2", "Completed", 5*h, 4*h)
	for _, order := range [][]*graphapi.Session{{a, b}, {b, a}} {
		if got := DefaultRules().Assess(nil, order, now).Newest.ID; got != "run-2" {
			t.Errorf("newest of %s, %s: %s, want run-2", order[0].ID, order[1].ID, got)
		}
	}
	later := sess("run-0", "Completed", 5*h, 3*h)
	if !NewerCreated(later, b) || NewerCreated(b, later) {
		t.Error("the same creation time: the later update is newer")
	}
	twin := *a
	if NewerCreated(a, &twin) || NewestFirst(a, &twin) != 0 || NewestFirst(a, a) != 0 {
		t.Error("a session is newer than its equal")
	}
	if NewestFirst(b, a) != -1 || NewestFirst(a, b) != 1 {
		t.Errorf("NewestFirst(run-2, run-1) = %d, (run-1, run-2) = %d; want -1, 1", NewestFirst(b, a), NewestFirst(a, b))
	}
}

// Worse sorts worst first: failed, stalled, stale, ok.
func TestWorseOrder(t *testing.T) {
	order := []Verdict{Failed, Stalled, Stale, OK}
	for i, a := range order {
		for j, b := range order {
			if got := Worse(a, b); got != (i < j) {
				t.Errorf("Worse(%v, %v) = %v, want %v", a, b, got, i < j)
			}
		}
	}
	names := map[Verdict]string{OK: "ok", Stale: "stale", Stalled: "stalled", Failed: "failed"}
	for _, v := range Verdicts {
		if v.String() != names[v] {
			t.Errorf("%d.String() = %q, want %q", v, v.String(), names[v])
		}
	}
	if len(Verdicts) != 4 || Verdicts[0] != OK || Verdicts[3] != Failed {
		t.Errorf("Verdicts = %v, want ok, stale, stalled, failed", Verdicts)
	}
}
