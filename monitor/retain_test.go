package monitor

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

var retainStates = []string{"UploadInProgress", "UploadCompleted", "ProcessingInProgress", "Completed", "Failed", "Cancelled"}

func drawRetainSession(t *rapid.T, i int, at time.Time) *graphapi.Session {
	ago := func(label string) graphapi.Time {
		if rapid.IntRange(0, 4).Draw(t, label+" missing") == 0 {
			return graphapi.Time{}
		}
		return graphapi.Time{Time: at.Add(-time.Duration(rapid.IntRange(0, 3*24*60).Draw(t, label)) * time.Minute)}
	}
	s := &graphapi.Session{
		ID:                  fmt.Sprintf("s%03d", i),
		State:               rapid.SampledFrom(retainStates).Draw(t, "state"),
		CreationDateTime:    ago("created"),
		LastUpdatedDateTime: ago("updated"),
	}
	if s.State == "Completed" {
		s.CompletionDateTime = ago("completed")
		s.ProcessingCompletionDateTime = ago("processed")
	}
	return s
}

// What HealthOnly holds is judged as all the sessions are, at the listing
// and at any time after it: the same verdict and figures, the same
// sessions named; and the exporter's newest finished session is held.
func TestHealthRelevantJudgesAsAll(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := t0
		all := make([]*graphapi.Session, rapid.IntRange(0, 40).Draw(t, "sessions"))
		for i := range all {
			all[i] = drawRetainSession(t, i, at)
		}
		kept := healthRelevant(all, at)
		later := at.Add(time.Duration(rapid.IntRange(0, 3*24*60).Draw(t, "later")) * time.Minute)
		rules := health.Rules{StallAfter: time.Hour, MaxAge: 26 * time.Hour, UploadLimit: rapid.IntRange(0, 6).Draw(t, "limit")}
		ds := &graphapi.DataStore{ID: "ds"}
		for _, now := range []time.Time{at, later} {
			if want, got := rules.Assess(ds, all, now), rules.Assess(ds, kept, now); !reflect.DeepEqual(got, want) {
				t.Fatalf("at +%v: judged %+v from what is held, %+v from all", now.Sub(at), got, want)
			}
		}
		var newestFinal *graphapi.Session
		for _, s := range all {
			if health.Final(s) && (newestFinal == nil || health.NewerCreated(s, newestFinal)) {
				newestFinal = s
			}
		}
		if newestFinal != nil && !slices.Contains(kept, newestFinal) {
			t.Fatalf("the newest finished session %s is not held", newestFinal.ID)
		}
		if !isSubsequence(kept, all) {
			t.Fatal("what is held is not in the listing's order")
		}
	})
}

func isSubsequence(sub, all []*graphapi.Session) bool {
	i := 0
	for _, s := range all {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

// Which sessions are held, one reason each.
func TestHealthRelevantKeepsEachReason(t *testing.T) {
	at := t0
	mk := func(id, state string, created, finished time.Duration) *graphapi.Session {
		return &graphapi.Session{ID: id, State: state, CreationDateTime: graphapi.Time{Time: at.Add(-created)},
			LastUpdatedDateTime: graphapi.Time{Time: at.Add(-finished)}}
	}
	all := []*graphapi.Session{
		mk("old-done", "Completed", 90*time.Hour, 89*time.Hour),
		mk("running", "UploadInProgress", 80*time.Hour, time.Hour),
		mk("newest-done", "Completed", 70*time.Hour, 10*time.Hour), // finished last, created earlier
		mk("old-failed", "Failed", 60*time.Hour, 59*time.Hour),
		mk("newest-final", "Cancelled", 30*time.Hour, 29*time.Hour),
		mk("recent", "Failed", 23*time.Hour, 23*time.Hour),
		mk("newest", "UploadCompleted", 2*time.Hour, time.Hour),
	}
	all[6].State = "Failed" // the newest by creation, finished: held as the newest and the newest final
	all[4].State = "Cancelled"
	got := ids(healthRelevant(all, at))
	want := []string{"running", "newest-done", "recent", "newest"}
	if !slices.Equal(got, want) {
		t.Errorf("held %v, want %v", got, want)
	}
	if got := ids(healthRelevant(all[:5], at)); !slices.Equal(got, []string{"running", "newest-done", "newest-final"}) {
		t.Errorf("without the newer ones, held %v, want running, newest-done, newest-final", got)
	}
	if got := ids(healthRelevant(all[:1], at)); !slices.Equal(got, []string{"old-done"}) {
		t.Errorf("a lone session: held %v", got)
	}
}

func ids(sessions []*graphapi.Session) []string {
	var out []string
	for _, s := range sessions {
		out = append(out, s.ID)
	}
	return out
}

// settledSessions is n finished sessions created an hour apart long ago,
// the first running of them uploading.
func settledSessions(n, running int) []graphapi.Session {
	out := makeSessions(n, running)
	for i := range out {
		out[i].CreationDateTime.Time = t0.Add(-time.Duration(48+i) * time.Hour)
		out[i].LastUpdatedDateTime.Time = t0.Add(-time.Duration(47+i) * time.Hour)
	}
	return out
}

// A HealthOnly store holds what health looks at and counts the rest; a
// listing leaves the rest out unconverted until one of them changes.
func TestHealthOnlyListing(t *testing.T) {
	for _, tc := range []struct {
		name string
		svc  func(*fakeService) Service
	}{
		{"a reporting lister", func(f *fakeService) Service { return &reportingService{keepingService{f}, 1} }},
		{"a keeping lister", func(f *fakeService) Service { return keepingService{f} }},
		{"a plain service", func(f *fakeService) Service { return f }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addStore("a", settledSessions(100, 2))
			m, c := newMonitor(tc.svc(f), Options{HealthOnly: true})
			refresh(t, m, true)
			first, _ := m.Store("a")
			// The 2 running, and the newest finished (s00002: also the
			// newest completed).
			if got := ids(first.Sessions); first.Total != 100 || !slices.Equal(got, []string{"s00000", "s00001", "s00002"}) {
				t.Fatalf("held %v of %d, want s00000-s00002 of 100", got, first.Total)
			}
			if left := len(m.stores[0].left); left != 97 {
				t.Errorf("%d sessions remembered as left out, want the 97 not held", left)
			}
			c.Advance(time.Minute)
			refresh(t, m, true)
			again, _ := m.Store("a")
			if again.Version != first.Version || again.Total != 100 || !slices.Equal(again.Sessions, first.Sessions) {
				t.Errorf("an unchanged listing changed the store: version %d -> %d, %d of %d held", first.Version, again.Version, len(again.Sessions), again.Total)
			}
			f.edit("a", "s00050", func(s *graphapi.Session) { s.State = "Failed"; s.LastUpdatedDateTime.Time = t0 })
			f.sessions["a"] = append([]graphapi.Session{{ID: "new", State: "Completed", CreationDateTime: graphapi.Time{Time: t0},
				LastUpdatedDateTime: graphapi.Time{Time: t0}}}, f.sessions["a"]...)
			c.Advance(time.Minute)
			refresh(t, m, true)
			st, _ := m.Store("a")
			if got := ids(st.Sessions); st.Total != 101 || !slices.Equal(got, []string{"new", "s00000", "s00001"}) || st.Version == first.Version {
				t.Errorf("after a new session: held %v of %d (version %d, was %d), want new, s00000, s00001 of 101", got, st.Total, st.Version, first.Version)
			}
		})
	}
}

// The sessions left out are not converted again: keep leaves them out
// (the listing would otherwise decode every finished session each time).
func TestHealthOnlyLeavesOutUnconverted(t *testing.T) {
	f := newFake()
	f.addStore("a", settledSessions(100, 2))
	svc := &omitCounter{keepingService: keepingService{f}}
	m, c := newMonitor(svc, Options{HealthOnly: true})
	refresh(t, m, true)
	c.Advance(time.Minute)
	f.edit("a", "s00070", func(s *graphapi.Session) { s.LastUpdatedDateTime.Time = t0 }) // changed: converted again
	refresh(t, m, true)
	if svc.omitted != 96 || svc.listed != 4 {
		t.Errorf("the second listing left out %d and listed %d, want 96 and 4 (3 held, 1 changed)", svc.omitted, svc.listed)
	}
	if st, _ := m.Store("a"); st.Total != 100 {
		t.Errorf("total %d, want 100", st.Total)
	}
}

// omitCounter counts, for the last listing, what keep left out and what
// was listed.
type omitCounter struct {
	keepingService
	omitted, listed int
}

func (o *omitCounter) ListSessionsKeeping(ctx context.Context, store string, keep func(*graphapi.Session) *graphapi.Session) ([]*graphapi.Session, error) {
	o.omitted = 0
	listed, err := o.keepingService.ListSessionsKeeping(ctx, store, func(s *graphapi.Session) *graphapi.Session {
		k := keep(s)
		if k == graphapi.Omitted {
			o.omitted++
		}
		return k
	})
	o.listed = len(listed)
	return listed, err
}

// A counting service's count is compared with every session listed, not
// with those held: a HealthOnly store is not listed on every poll.
func TestHealthOnlyCountsAll(t *testing.T) {
	f := newFake()
	f.addStore("a", settledSessions(100, 1))
	m, c := newMonitor(&countingService{fakeService: f}, Options{HealthOnly: true})
	for range 5 {
		refresh(t, m, false)
		c.Advance(10 * time.Second)
	}
	if f.count("list") != 1 || f.count("count") != 4 {
		t.Errorf("%d listings and %d counts in 5 polls, want 1 and 4", f.count("list"), f.count("count"))
	}
}

// A session a shifting page lists twice is left out once: the store's
// total counts it once, so the count is not taken for a change.
func TestHealthOnlyCountsALeftOutSessionOnce(t *testing.T) {
	f := newFake()
	sessions := settledSessions(100, 1)
	f.addStore("a", append(sessions, sessions[50]))
	m, _ := newMonitor(&reportingService{keepingService: keepingService{f}, pages: 1}, Options{HealthOnly: true})
	refresh(t, m, true)
	refresh(t, m, true) // the settled sessions are left out of this one
	st, _ := m.Store("a")
	if st.Total != 100 {
		t.Errorf("total %d, want the 100 distinct sessions", st.Total)
	}
}
