package monitor_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

// The real client is a Service.
var (
	_ monitor.Service       = (*graphapi.Client)(nil)
	_ monitor.KeepingLister = (*graphapi.Client)(nil)
)

// serve serves sim over loopback and returns a client of it, with the
// token sim accepts and retries 1 ms apart.
func serve(t *testing.T, sim *fakegraph.Server) *graphapi.Client {
	t.Helper()
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential("tok")
	client, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client(), RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestAgainstSimulator checks the policy over HTTP: once listed, a store
// costs one GET per running session, and the listing pages are not read.
func TestAgainstSimulator(t *testing.T) {
	clock := fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	sim := fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: "tok", PageSize: 2})
	client := serve(t, sim)
	m := monitor.New(client, monitor.Options{Stores: []string{fakegraph.DemoEmployeesStore}, Now: clock.Now})
	ctx := context.Background()
	if err := m.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	st, _ := m.Store(fakegraph.DemoEmployeesStore)
	running := 0
	for i := range st.Sessions {
		if !health.Final(st.Sessions[i]) {
			running++
		}
	}
	if len(st.Sessions) < 4 || running == 0 || st.DataStore.DisplayName != "Employee records" {
		t.Fatalf("first poll: %d sessions, %d running, store %q", len(st.Sessions), running, st.DataStore.DisplayName)
	}
	pages := len(sim.RequestsTo(fakegraph.RouteListSessions))
	clock.Advance(10 * time.Second)
	if err := m.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := len(sim.RequestsTo(fakegraph.RouteListSessions)); got != pages {
		t.Errorf("a normal poll read %d listing pages", got-pages)
	}
	if got := len(sim.RequestsTo(fakegraph.RouteGetSession)); got != running {
		t.Errorf("a normal poll made %d GETs, want one per running session (%d)", got, running)
	}
	after, _ := m.Store(fakegraph.DemoEmployeesStore)
	if !after.Updated.Equal(clock.Now()) || !after.Listed.Equal(st.Listed) {
		t.Errorf("updated %v listed %v", after.Updated, after.Listed)
	}
}
