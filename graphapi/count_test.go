package graphapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

func TestCountSessions(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{PageSize: 3})
	ctx := context.Background()
	sessions, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.CountSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil || n != len(sessions) {
		t.Fatalf("CountSessions = %d, %v; the listing has %d", n, err, len(sessions))
	}
	reqs := sim.RequestsTo(fakegraph.RouteCountSessions)
	if len(reqs) != 1 || reqs[0].Header.Get("ConsistencyLevel") != "eventual" || reqs[0].Header.Get("Accept") != "text/plain" {
		t.Errorf("count requests: %+v", reqs)
	}

	for _, status := range []int{400, 404, 405, 501} {
		sim.Inject(fakegraph.RouteCountSessions, fakegraph.Fault{Status: status})
		_, err := c.CountSessions(ctx, fakegraph.DemoEmployeesStore)
		if !errors.Is(err, graphapi.ErrUnsupported) {
			t.Errorf("%d: err = %v, want ErrUnsupported", status, err)
		}
	}
	sim.Inject(fakegraph.RouteCountSessions, fakegraph.Fault{Status: 200, Body: []byte(`{"value":3}`)})
	if _, err := c.CountSessions(ctx, fakegraph.DemoEmployeesStore); !errors.Is(err, graphapi.ErrUnsupported) {
		t.Errorf("a JSON answer: err = %v, want ErrUnsupported", err)
	}
	sim.Inject(fakegraph.RouteCountSessions, fakegraph.Fault{Status: 403})
	if _, err := c.CountSessions(ctx, fakegraph.DemoEmployeesStore); errors.Is(err, graphapi.ErrUnsupported) || !errors.Is(err, graphapi.ErrForbidden) {
		t.Errorf("403: err = %v, want ErrForbidden, not ErrUnsupported", err)
	}
}

// The simulator's renew answer (with @odata.context) and error details
// with innerError decode into the client's types.
func TestSimulatorFidelityRoundTrip(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{})
	ctx := context.Background()
	sessions, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil {
		t.Fatal(err)
	}
	sim.Inject(fakegraph.RouteRenew, fakegraph.Fault{Status: 400, Code: "BadRequest", Message: "invalid", Target: "session", InnerCode: "invalidRequest",
		Details: []fakegraph.FailureDetail{{Code: "InvalidValue", Message: "m", Target: "fileName", InnerCode: "FieldValidationFailed"}}})
	_, err = c.RenewSession(ctx, fakegraph.DemoEmployeesStore, sessions[0].ID)
	ge, ok := graphapi.AsError(err)
	if !ok || ge.Target != "session" || len(ge.InnerCodes) != 1 || len(ge.Details) != 1 || ge.Details[0].InnerCodes[0] != "FieldValidationFailed" {
		t.Fatalf("got %#v", err)
	}
}
