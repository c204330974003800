package health

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/edmtop/edmtop/graphapi"
)

// Property tests: random stores (sessions in every state, missing and
// differing timestamps, stores never indexed) and random rules, checked
// against invariants the rules must keep whatever the figures.

var states = []string{"UploadInProgress", "UploadCompleted", "ProcessingInProgress", "Completed", "Failed", "Cancelled", "Hibernating"}

// pastAge is a time before now, to the minute, up to five days back.
func pastAge(t *rapid.T, label string) time.Duration {
	return time.Duration(rapid.IntRange(1, 5*24*60).Draw(t, label)) * time.Minute
}

// maybeAt is a time that many ago, or none one time in four.
func maybeAt(t *rapid.T, label string) graphapi.Time {
	if rapid.IntRange(0, 3).Draw(t, label+" missing") == 0 {
		return graphapi.Time{}
	}
	return at(pastAge(t, label))
}

func drawSession(t *rapid.T, id string) *graphapi.Session {
	s := &graphapi.Session{
		ID:                  id,
		State:               rapid.SampledFrom(states).Draw(t, id+" state"),
		CreationDateTime:    at(pastAge(t, id+" created")),
		LastUpdatedDateTime: maybeAt(t, id+" updated"),
	}
	if s.State == "Completed" {
		s.CompletionDateTime = maybeAt(t, id+" completed")
		s.ProcessingCompletionDateTime = maybeAt(t, id+" processed")
	}
	return s
}

func drawSessions(t *rapid.T) []*graphapi.Session {
	n := rapid.IntRange(0, 12).Draw(t, "sessions")
	out := make([]*graphapi.Session, n)
	for i := range out {
		out[i] = drawSession(t, fmt.Sprintf("s%d", i))
	}
	return out
}

func drawStore(t *rapid.T) *graphapi.DataStore {
	if rapid.IntRange(0, 5).Draw(t, "no store record") == 0 {
		return nil
	}
	return &graphapi.DataStore{ID: "ds", DataLastUpdatedDateTime: maybeAt(t, "store data")}
}

func drawRules(t *rapid.T) Rules {
	return Rules{
		StallAfter:  rapid.SampledFrom([]time.Duration{0, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}).Draw(t, "stall after"),
		MaxAge:      rapid.SampledFrom([]time.Duration{0, 12 * time.Hour, 26 * time.Hour, 72 * time.Hour}).Draw(t, "max age"),
		UploadLimit: rapid.IntRange(0, 6).Draw(t, "upload limit"),
	}
}

func worst(a, b Verdict) Verdict {
	if Worse(a, b) {
		return a
	}
	return b
}

// The verdict order failed > stalled > stale > ok: each condition decides
// the verdict over those below it and yields to those above it.
func TestVerdictOrderProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds, sessions, r := drawStore(t), drawSessions(t), drawRules(t)
		v := r.Assess(ds, sessions, now).Verdict

		// A failure newer than every other session: failed.
		newFailure := &graphapi.Session{ID: "new failure", State: "Failed", CreationDateTime: at(30 * time.Second), LastUpdatedDateTime: at(time.Second)}
		if got := r.Assess(ds, append(sessions[:len(sessions):len(sessions)], newFailure), now).Verdict; got != Failed {
			t.Fatalf("with a newest failed session: %v, want failed", got)
		}

		// An old session stalled long ago: stalled, unless already failed.
		if r.StallAfter > 0 {
			stuck := &graphapi.Session{ID: "stuck", State: "ProcessingInProgress", CreationDateTime: at(300 * time.Hour), LastUpdatedDateTime: at(200 * time.Hour)}
			got := r.Assess(ds, append(sessions[:len(sessions):len(sessions)], stuck), now).Verdict
			if want := worst(v, Stalled); got != want {
				t.Fatalf("%v before a stalled session was added, %v after; want %v", v, got, want)
			}
		} else if v == Stalled {
			t.Fatalf("stalled with StallAfter 0")
		}

		// Every index past its age: stale, unless stalled or failed.
		strict := r
		strict.MaxAge = time.Nanosecond
		if got, want := strict.Assess(ds, sessions, now).Verdict, worst(v, Stale); got != want {
			t.Fatalf("%v with max age %v, %v with 1ns; want %v", v, r.MaxAge, got, want)
		}

		// With no stall or age threshold only a failure or a store never
		// indexed can be wrong.
		lax := Rules{UploadLimit: r.UploadLimit}
		st := lax.Assess(ds, sessions, now)
		if st.Verdict == Stalled || st.Verdict != Failed && (st.Verdict == Stale) != st.LastIndex.IsZero() {
			t.Fatalf("StallAfter 0, MaxAge 0: %v with last index %v", st.Verdict, st.LastIndex)
		}
	})
}

// shiftIndex returns copies of the sessions and the store with every time
// that can make up the last index moved back by d.
func shiftIndex(ds *graphapi.DataStore, sessions []*graphapi.Session, d time.Duration) (*graphapi.DataStore, []*graphapi.Session) {
	back := func(t graphapi.Time) graphapi.Time {
		if t.IsZero() {
			return t
		}
		return graphapi.Time{Time: t.Add(-d)}
	}
	var dsOut *graphapi.DataStore
	if ds != nil {
		c := *ds
		c.DataLastUpdatedDateTime = back(c.DataLastUpdatedDateTime)
		dsOut = &c
	}
	out := make([]*graphapi.Session, len(sessions))
	for i, s := range sessions {
		c := *s
		if c.StateClass() == graphapi.StateDone {
			c.CompletionDateTime = back(c.CompletionDateTime)
			c.ProcessingCompletionDateTime = back(c.ProcessingCompletionDateTime)
			c.LastUpdatedDateTime = back(c.LastUpdatedDateTime)
		}
		out[i] = &c
	}
	return dsOut, out
}

// An older last index never makes a store fresher, nor does a shorter
// maximum age.
func TestOlderIndexNeverFresherProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds, sessions, r := drawStore(t), drawSessions(t), drawRules(t)
		before := r.Assess(ds, sessions, now)
		d := time.Duration(rapid.IntRange(0, 100*60).Draw(t, "moved back (minutes)")) * time.Minute
		olderDS, olderSessions := shiftIndex(ds, sessions, d)
		after := r.Assess(olderDS, olderSessions, now)
		if Worse(before.Verdict, after.Verdict) {
			t.Fatalf("index moved back %v: %v became %v", d, before.Verdict, after.Verdict)
		}
		if before.IndexAge(now) > after.IndexAge(now) {
			t.Fatalf("index moved back %v: age %v became %v", d, before.IndexAge(now), after.IndexAge(now))
		}
		shorter := r
		shorter.MaxAge = rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 12 * time.Hour}).Draw(t, "shorter max age")
		if r.MaxAge > 0 && shorter.MaxAge < r.MaxAge && Worse(before.Verdict, shorter.Assess(ds, sessions, now).Verdict) {
			t.Fatalf("max age %v: %v; shorter %v: fresher", r.MaxAge, before.Verdict, shorter.MaxAge)
		}
	})
}

// Adding a completed run never lowers the uploads count, nor frees the
// upload limit.
func TestAddingACompletedRunNeverLowersUploadsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ds, sessions, r := drawStore(t), drawSessions(t), drawRules(t)
		before := r.Assess(ds, sessions, now)
		created := pastAge(t, "new run created")
		run := &graphapi.Session{ID: "new run", State: "Completed", CreationDateTime: at(created), CompletionDateTime: at(created / 2)}
		after := r.Assess(ds, append(sessions[:len(sessions):len(sessions)], run), now)
		if after.Uploads24h < before.Uploads24h || after.Uploads24h > before.Uploads24h+1 {
			t.Fatalf("uploads %d became %d", before.Uploads24h, after.Uploads24h)
		}
		if before.LimitReached && !after.LimitReached {
			t.Fatalf("the limit was reached, and not after another upload")
		}
		if before.LimitReached && after.NextUpload.Before(before.NextUpload) {
			t.Fatalf("next upload %v came sooner (%v) after another upload", before.NextUpload, after.NextUpload)
		}
		// (A store's own date gives way to a completed run's finish, even
		// an older one: only a run's index is compared.)
		if indexed := before.NewestCompleted != nil && !Finished(before.NewestCompleted).IsZero(); indexed && after.IndexAge(now) > before.IndexAge(now) {
			t.Fatalf("a completed run made the index older: %v -> %v", before.IndexAge(now), after.IndexAge(now))
		}
	})
}

// NewerCreated is a strict order: never both ways, never of a session and
// its equal, and transitive; NewestFirst agrees with it.
func TestNewerCreatedIsAStrictOrderProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Few distinct times and ids, so that ties happen.
		draw := func(label string) *graphapi.Session {
			return &graphapi.Session{
				ID:                  rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, label+" id"),
				CreationDateTime:    at(time.Duration(rapid.IntRange(1, 3).Draw(t, label+" created")) * time.Hour),
				LastUpdatedDateTime: at(time.Duration(rapid.IntRange(0, 2).Draw(t, label+" updated")) * time.Hour),
			}
		}
		a, b, c := draw("a"), draw("b"), draw("c")
		twin := *a
		if NewerCreated(a, &twin) {
			t.Fatalf("a session is newer than its equal")
		}
		if NewerCreated(a, b) && NewerCreated(b, a) {
			t.Fatalf("each newer than the other: %+v %+v", a, b)
		}
		if NewerCreated(a, b) && NewerCreated(b, c) && !NewerCreated(a, c) {
			t.Fatalf("not transitive")
		}
		want := 0
		if NewerCreated(a, b) {
			want = -1
		} else if NewerCreated(b, a) {
			want = 1
		}
		if got := NewestFirst(a, b); got != want {
			t.Fatalf("NewestFirst = %d, want %d", got, want)
		}
	})
}
