package doctor

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// listed reads the tenant as edmtop's client does: the truth the doctor's
// facts must match.
func listed(t *testing.T, tn *tenant) (states map[string]int, sessions int) {
	t.Helper()
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(tn.hs.URL+"/beta", cred, &graphapi.Options{Transport: tn.hs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	stores, err := c.ListDataStores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	states = map[string]int{}
	for _, st := range stores {
		list, err := c.ListSessions(context.Background(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			states[s.State]++
			sessions++
		}
	}
	return states, sessions
}

func TestHealthyTenant(t *testing.T) {
	tn := demoTenant(t, 3)
	rep, out := runPrinted(t, tn.options())
	if rep.Exit != 0 || rep.Summary.Fail+rep.Summary.NotRun != 0 {
		t.Fatalf("exit %d\n%s", rep.Exit, out)
	}
	wantStates, wantSessions := listed(t, tn)
	svc := rep.Service
	if svc.Sessions != wantSessions || len(svc.States) != len(wantStates) {
		t.Errorf("%d sessions %v, want %d %v", svc.Sessions, svc.States, wantSessions, wantStates)
	}
	for s, n := range wantStates {
		if svc.States[s] != n {
			t.Errorf("state %s: %d, want %d", s, svc.States[s], n)
		}
	}
	if svc.Count != "yes" || svc.Top != "honoured" || svc.PageSize != 3 || svc.NextLinks.Refused != "" || svc.NextLinks.Followed == 0 {
		t.Errorf("service facts %+v", svc)
	}
	if svc.Latency.Requests == 0 || svc.Latency.P50Ms != 12 {
		t.Errorf("latency %+v", svc.Latency)
	}
	if got := len(rep.Access.Stores); got != 4 || rep.Access.UploadAgent == nil || !rep.Access.UploadAgent.OK {
		t.Errorf("access %+v", rep.Access)
	}
	for _, r := range tn.sim.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s reached the service", r.Method, r.Path)
		}
	}
	if strings.Contains(out, simToken) {
		t.Error("output prints the token")
	}
}

// Each shape the fault switch gives the service: what the doctor says of
// it, and whether edmtop can work (exit status).
func TestFaultShapes(t *testing.T) {
	cases := []struct {
		name    string
		conds   []fakegraph.Condition
		timeout time.Duration
		exit    int
		want    map[string]Verdict // check id (store after a slash) -> verdict
		says    []string           // in the output
	}{
		{"store list forbidden", []fakegraph.Condition{{Kind: fakegraph.Forbidden}}, 0, 1,
			map[string]Verdict{"access.stores": Fail, "access.sessions": NotRun, "service.states": NotRun, "service.count": NotRun, "service.throttling": OK},
			[]string{"HTTP 403", "add the account to the EDM_DataUploaders security group", docsUploaders}},
		{"one store forbidden", []fakegraph.Condition{{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoPatientsStore}}, 0, 1,
			map[string]Verdict{"access.stores": OK, "access.store/Patient records": Fail, "access.store/Employee records": OK, "service.states": OK, "service.count": OK},
			[]string{"the account sees this store but may not read it", docsUploaders}},
		{"no $count", []fakegraph.Condition{{Kind: fakegraph.NoCount}}, 0, 0,
			map[string]Verdict{"service.count": Warn, "service.states": OK},
			[]string{"not answered (HTTP 400)"}},
		{"slow", []fakegraph.Condition{{Kind: fakegraph.Slow, Delay: 20 * time.Millisecond}}, 0, 0,
			map[string]Verdict{"service.latency": OK, "access.stores": OK}, nil},
		{"hang past the timeout", []fakegraph.Condition{{Kind: fakegraph.Hang}}, 2 * time.Second, 1,
			map[string]Verdict{"reach.graph": OK, "reach.http": Fail, "access.stores": NotRun, "service.top": NotRun, "service.latency": NotRun},
			[]string{"no answer within the 2s timeout", "not run: the 2s timeout passed first", "--timeout gives more"}},
		{"down", []fakegraph.Condition{{Kind: fakegraph.Down}}, 2 * time.Second, 1,
			map[string]Verdict{"reach.http": Fail, "access.stores": Fail}, nil},
		{"throttled", []fakegraph.Condition{{Kind: fakegraph.Throttled, RetryAfter: time.Second}}, 2 * time.Second, 1,
			map[string]Verdict{"reach.http": Warn, "access.stores": Fail, "service.throttling": Warn},
			[]string{"429 ×", "Retry-After 1", "throttled (HTTP 429) until the 2s timeout passed"}},
		{"unavailable", []fakegraph.Condition{{Kind: fakegraph.Unavailable, RetryAfter: time.Second}}, 2 * time.Second, 1,
			map[string]Verdict{"reach.http": Warn, "access.stores": Fail, "service.throttling": Warn},
			[]string{"503 ×"}},
		{"garbage listing", []fakegraph.Condition{{Kind: fakegraph.GarbageListing, StoreID: fakegraph.DemoCardsStore}}, 0, 0,
			map[string]Verdict{"access.store/Card holders": Warn, "service.states": OK},
			[]string{"5 entries not usable"}},
		{"another session's answer", []fakegraph.Condition{{Kind: fakegraph.OtherSession}}, 0, 0,
			map[string]Verdict{"access.agent": OK}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := demoTenant(t, 3)
			tn.sim.SetConditions(tc.conds...)
			o := tn.options()
			if tc.timeout > 0 {
				o.Timeout = tc.timeout
			}
			if tc.name == "slow" {
				o.Stopwatch = RealStopwatch
			}
			rep, out := runPrinted(t, o)
			if rep.Exit != tc.exit {
				t.Errorf("exit %d, want %d\n%s", rep.Exit, tc.exit, out)
			}
			for key, want := range tc.want {
				id, store, _ := strings.Cut(key, "/")
				var c Check
				if store != "" {
					c = check(t, rep, id, store)
				} else {
					c = check(t, rep, id)
				}
				if c.Verdict != want {
					t.Errorf("%s: %s (%s), want %s", key, c.Verdict, c.Detail, want)
				}
			}
			for _, s := range tc.says {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if tc.name == "slow" && rep.Service.Latency.P50Ms < 20 {
				t.Errorf("p50 %vms under a 20ms delay", rep.Service.Latency.P50Ms)
			}
			if tc.name == "hang past the timeout" && !rep.Summary.TimedOut {
				t.Error("not marked timed out")
			}
		})
	}
}

// A store listed twice is read once, and the listing says so.
func TestDuplicateStoreIDs(t *testing.T) {
	tn := demoTenant(t, 0)
	tn.sim.AddStore(fakegraph.Store{ID: fakegraph.DemoCardsStore, DisplayName: "Card holders"})
	rep, out := runPrinted(t, tn.options())
	if c := check(t, rep, "access.stores"); c.Verdict != Warn || !strings.Contains(c.Detail, "1 entry listed more than once") {
		t.Errorf("%+v", c)
	}
	if len(rep.Access.Stores) != 4 || rep.Exit != 0 {
		t.Errorf("%d stores read, exit %d\n%s", len(rep.Access.Stores), rep.Exit, out)
	}
}

// The transport under the doctor's client refuses anything but GET before
// it is sent: a renew through it never reaches the service.
func TestReadOnly(t *testing.T) {
	tn := demoTenant(t, 0)
	o := tn.options().withDefaults()
	obs := newObserver(o)
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(o.Target.Endpoint, cred, &graphapi.Options{Transport: obs})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSessions(context.Background(), fakegraph.DemoEmployeesStore)
	if err != nil || len(list) == 0 {
		t.Fatal(err)
	}
	before := len(tn.sim.Requests())
	for name, act := range map[string]func() error{
		"renew": func() error {
			_, err := c.RenewSession(context.Background(), fakegraph.DemoEmployeesStore, list[0].ID)
			return err
		},
		"cancel": func() error { return c.CancelSession(context.Background(), fakegraph.DemoEmployeesStore, list[0].ID) },
		"commit": func() error { return c.CommitSession(context.Background(), fakegraph.DemoEmployeesStore, list[0].ID) },
	} {
		if err := act(); !errors.Is(err, errReadOnly) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := len(tn.sim.Requests()); got != before {
		t.Errorf("%d requests reached the service", got-before)
	}
	if len(obs.refused) != 3 {
		t.Errorf("refused %v", obs.refused)
	}
}
