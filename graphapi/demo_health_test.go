package graphapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/health"
)

// The demo must show every verdict, so a first look at the overview shows
// what each means.
func TestDemoShowsEveryVerdict(t *testing.T) {
	c, _, clock := simClient(t, fakegraph.Options{})
	ctx := context.Background()
	want := map[string]health.Verdict{
		fakegraph.DemoEmployeesStore: health.OK,
		fakegraph.DemoPatientsStore:  health.Stalled,
		fakegraph.DemoCardsStore:     health.Stale,
		fakegraph.DemoClaimsStore:    health.Failed,
	}
	stores, err := c.ListDataStores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range stores {
		ds := &stores[i]
		sessions, err := c.ListSessions(ctx, ds.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := health.DefaultRules().Assess(ds, sessions, clock.Now())
		if got.Verdict != want[ds.ID] {
			t.Errorf("%s: %v, want %v", ds.DisplayName, got.Verdict, want[ds.ID])
		}
		if ds.ID == fakegraph.DemoPatientsStore && (got.StalledCount != 1 || got.LongestIdle < 10*time.Hour) {
			t.Errorf("patients: %d stalled, idle %v", got.StalledCount, got.LongestIdle)
		}
	}
}
