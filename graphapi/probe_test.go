package graphapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

func TestProbeSessionsPagesAsSent(t *testing.T) {
	c, _, _ := simClient(t, fakegraph.Options{PageSize: 3})
	ctx := context.Background()
	first, err := c.ProbeSessions(ctx, fakegraph.DemoEmployeesStore, 0)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != http.StatusOK || len(first.Entries) != 3 || first.NextLink == "" || first.NextErr != nil || first.Header.Get("Date") == "" {
		t.Fatalf("first page: status %d, %d entries, next %q (%v), date %q", first.Status, len(first.Entries), first.NextLink, first.NextErr, first.Header.Get("Date"))
	}
	var s map[string]any
	if err := json.Unmarshal(first.Entries[0], &s); err != nil || s["id"] == nil {
		t.Errorf("entry not raw JSON of a session: %s", first.Entries[0])
	}
	total := len(first.Entries)
	for p := first; p.NextLink != ""; {
		if p, err = c.ProbeNext(ctx, p); err != nil {
			t.Fatal(err)
		}
		total += len(p.Entries)
		if p.NextLink == "" {
			break
		}
	}
	if total != 7 {
		t.Errorf("%d sessions over the pages, want 7", total)
	}
	top, err := c.ProbeSessions(ctx, fakegraph.DemoEmployeesStore, 1)
	if err != nil || len(top.Entries) != 1 || !strings.Contains(top.NextLink, "$top=1") {
		t.Errorf("$top=1: %d entries, next %q, %v", len(top.Entries), top.NextLink, err)
	}
}

// A next link to another host is reported, and ProbeNext will not send
// the token there.
func TestProbeNextRefusesAForeignLink(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{})
	sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{Status: 200,
		Body: []byte(`{"value":[{"id":"a","state":"Completed"}],"@odata.nextLink":"https://evil.example.com/beta/x?$skiptoken=1"}`)})
	p, err := c.ProbeSessions(context.Background(), fakegraph.DemoEmployeesStore, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.NextErr == nil || !strings.Contains(p.NextErr.Error(), "evil.example.com") {
		t.Fatalf("NextErr %v", p.NextErr)
	}
	before := len(sim.Requests())
	if _, err := c.ProbeNext(context.Background(), p); err == nil {
		t.Fatal("ProbeNext followed a foreign link")
	}
	if len(sim.Requests()) != before {
		t.Error("a request was sent")
	}
}

// The salts of a probed page are kept out of error text, as a listing's.
func TestProbeRemembersSalts(t *testing.T) {
	c, _, _ := simClient(t, fakegraph.Options{})
	p, err := c.ProbeSessions(context.Background(), fakegraph.DemoEmployeesStore, 0)
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Salt string }
	_ = json.Unmarshal(p.Entries[0], &s)
	if s.Salt == "" {
		t.Fatal("no salt in the entry")
	}
	if got := c.Scrub("echo " + s.Salt); strings.Contains(got, s.Salt) {
		t.Errorf("salt not scrubbed: %q", got)
	}
}

func TestProbeRefusesWhatIsNotACollection(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{})
	for _, body := range []string{``, `{"x":1}`, `[1]`, `{"value":`} {
		sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{Status: 200, Body: []byte(body)})
		if _, err := c.ProbeSessions(context.Background(), fakegraph.DemoEmployeesStore, 0); err == nil {
			t.Errorf("%q accepted", body)
		} else if _, ok := graphapi.AsError(err); !ok {
			t.Errorf("%q: not a *graphapi.Error: %v", body, err)
		}
	}
}

func TestNewTransportRefusesABadEndpoint(t *testing.T) {
	if _, err := graphapi.NewTransport("http://graph.example.com/beta"); err == nil {
		t.Error("plain http to a remote host accepted")
	}
	if tr, err := graphapi.NewTransport("https://graph.microsoft.com/beta"); err != nil || tr == nil {
		t.Errorf("%v %v", tr, err)
	}
}
