package monitor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

var _ monitor.ReportingLister = (*graphapi.Client)(nil)

// A listing with entries that are not usable sessions is not taken as the
// store's sessions: they would all vanish (garbage only) and the store
// look idle. The store records why and keeps what it held; a good listing
// heals it.
func TestUnusableListingIsNotTaken(t *testing.T) {
	clock := fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	sim := fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: "tok"})
	client := serve(t, sim)
	m := monitor.New(client, monitor.Options{Stores: []string{fakegraph.DemoEmployeesStore}, Now: clock.Now})
	ctx := context.Background()
	if err := m.Refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	before, _ := m.Store(fakegraph.DemoEmployeesStore)
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.GarbageListing})
	clock.Advance(time.Minute)
	err := m.Refresh(ctx, true)
	after, _ := m.Store(fakegraph.DemoEmployeesStore)
	var ue *monitor.UnusableListingError
	if !errors.As(err, &ue) || ue.Skipped != 5 || !errors.Is(after.Err, monitor.ErrUnusableListing) {
		t.Fatalf("refresh %v, store error %v", err, after.Err)
	}
	if len(after.Sessions) != len(before.Sessions) || !after.Updated.Equal(before.Updated) {
		t.Errorf("%d sessions kept of %d, updated %v (was %v)", len(after.Sessions), len(before.Sessions), after.Updated, before.Updated)
	}
	sim.SetConditions()
	if err := m.Refresh(ctx, true); err != nil {
		t.Errorf("after the listing healed: %v", err)
	}
}
