package exporter_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

var demoStores = []string{fakegraph.DemoEmployeesStore, fakegraph.DemoPatientsStore, fakegraph.DemoCardsStore, fakegraph.DemoClaimsStore}

// TestFaults drives the simulator's fault switch after a good poll and
// checks edm_up, the reason counted and which stores turn unknown.
func TestFaults(t *testing.T) {
	all := demoStores
	cases := []struct {
		name       string
		cond       fakegraph.Condition
		fault      *fakegraph.Fault // on the store listing, for what no condition gives
		wantUp     float64
		wantReason string
		unknown    []string // stores whose health is unknown
	}{
		{"down", fakegraph.Condition{Kind: fakegraph.Down}, nil, 0, "unreachable", all},
		{"503", fakegraph.Condition{Kind: fakegraph.Unavailable}, nil, 0, "unavailable", all},
		{"429 without Retry-After", fakegraph.Condition{Kind: fakegraph.Throttled}, nil, 0, "throttled", all},
		{"403 everywhere", fakegraph.Condition{Kind: fakegraph.Forbidden}, nil, 0, "forbidden", all},
		{"403 for one store", fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore}, nil,
			1, "forbidden", []string{fakegraph.DemoCardsStore}},
		// Read by id: Patient records and Card holders have a running
		// session the poll re-reads (Employee records' new session makes
		// its count change, so it is listed instead).
		{"another session's answer", fakegraph.Condition{Kind: fakegraph.OtherSession}, nil, 0, "bad_answer",
			[]string{fakegraph.DemoPatientsStore, fakegraph.DemoCardsStore}},
		{"401 twice", fakegraph.Condition{}, &fakegraph.Fault{Status: http.StatusUnauthorized, Times: -1}, 0, "auth", nil},
		// A listing of numbers, null and an entry without an id: no store
		// may lose its sessions (Claims archive's failed upload) to it.
		{"garbage listing", fakegraph.Condition{Kind: fakegraph.GarbageListing}, nil, 0, "bad_answer", all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Every poll lists the stores and their sessions, so a fault on
			// a listing tells; reads by id need the default cadence.
			mon := monitor.Options{FullEvery: 1, ListEvery: time.Nanosecond, FullAfter: time.Nanosecond, ListBudget: 1 << 20, TotalListBudget: 1 << 20}
			if tc.cond.Kind == fakegraph.OtherSession {
				mon = monitor.Options{}
			}
			r := newRig(t, nil, nil, exporter.Options{Monitor: mon})
			r.poll(t)
			sessions := len(withPrefix(samples(t, r.exp), "edm_session_state"))
			r.clock.Advance(time.Minute)
			if tc.cond.Kind != 0 {
				r.sim.SetConditions(tc.cond)
			}
			if tc.fault != nil {
				r.sim.Inject(fakegraph.RouteListStores, *tc.fault)
			}
			_ = r.exp.Poll(context.Background())
			s := samples(t, r.exp)
			if s["edm_up{}"] != tc.wantUp {
				t.Errorf("edm_up %v, want %v", s["edm_up{}"], tc.wantUp)
			}
			if got := s[key("edm_poll_errors_total", "reason="+tc.wantReason)]; got != 1 {
				t.Errorf("%s errors %v, want 1: %v", tc.wantReason, got, withPrefix(s, "edm_poll_errors_total"))
			}
			if n := len(withPrefix(s, "edm_datastore_info")); n != 4 {
				t.Errorf("%d stores exported, want all 4 (never silence)", n)
			}
			if n := len(withPrefix(s, "edm_session_state")); n != sessions {
				t.Errorf("%d session series, want the %d of the last good read", n, sessions)
			}
			for _, id := range demoStores {
				wantUnknown := strings.Contains(strings.Join(tc.unknown, " "), id)
				unknown := withPrefix(ofStore(s, id), "edm_datastore_health")
				if got := sumMatching(unknown, "health=unknown"); (got == 1) != wantUnknown {
					t.Errorf("store %s: unknown=%v, want %v", id, got, wantUnknown)
				}
				if got := sumMatching(unknown, ""); got != 1 {
					t.Errorf("store %s: the five health series sum to %v, want 1", id, got)
				}
				if got := s[key("edm_datastore_up", "datastore_id="+id)]; (got == 0) != wantUnknown {
					t.Errorf("store %s: edm_datastore_up %v", id, got)
				}
			}
		})
	}
}

func sumMatching(s map[string]float64, part string) float64 {
	sum := 0.0
	for k, v := range s {
		if strings.Contains(k, part) {
			sum += v
		}
	}
	return sum
}

// TestRetryAfterHoldsEveryRequest: after a 429 (or 503) asking for 300 s,
// no request reaches Graph, not even from the same poll, until the 300 s
// are over.
func TestRetryAfterHoldsEveryRequest(t *testing.T) {
	for _, kind := range []fakegraph.ConditionKind{fakegraph.Throttled, fakegraph.Unavailable} {
		t.Run(kind.String(), func(t *testing.T) { retryAfterHolds(t, kind) })
	}
}

func retryAfterHolds(t *testing.T, kind fakegraph.ConditionKind) {
	r := newRig(t, nil, nil, exporter.Options{Monitor: monitor.Options{Parallel: 1, FullEvery: 1, ListEvery: time.Nanosecond, FullAfter: time.Nanosecond, ListBudget: 1 << 20, TotalListBudget: 1 << 20}})
	r.poll(t)
	r.clock.Advance(time.Minute)
	r.sim.SetConditions(fakegraph.Condition{Kind: kind, RetryAfter: 300 * time.Second})
	before := len(r.sim.Requests())
	if err := r.exp.Poll(context.Background()); err == nil {
		t.Fatal("the throttled poll succeeded")
	}
	if sent := len(r.sim.Requests()) - before; sent != 1 {
		t.Errorf("%d requests in the throttled poll, want 1 (the one answered 429)", sent)
	}
	if _, body := r.get(t, "/-/healthy"); !strings.Contains(body, "no request to Graph for 5m0s more, as its Retry-After asked") {
		t.Errorf("/-/healthy does not tell the wait: %q", body)
	}
	steps := []struct {
		advance   time.Duration
		wantLeft  float64
		wantAsked bool
	}{
		{0, 300, false},
		{299 * time.Second, 1, false},
		{time.Second, 0, true},
	}
	r.sim.SetConditions()
	for _, step := range steps {
		r.clock.Advance(step.advance)
		before := len(r.sim.Requests())
		if got := samples(t, r.exp)["edm_graph_retry_after_seconds{}"]; got != step.wantLeft {
			t.Errorf("after %s more: retry after %v s, want %v", step.advance, got, step.wantLeft)
		}
		err := r.exp.Poll(context.Background())
		if asked := len(r.sim.Requests()) > before; asked != step.wantAsked || (err == nil) != step.wantAsked {
			t.Errorf("after %s more: asked Graph %v (poll error %v), want %v", step.advance, asked, err, step.wantAsked)
		}
	}
	if s := samples(t, r.exp); s["edm_up{}"] != 1 {
		t.Errorf("edm_up %v after the wait", s["edm_up{}"])
	}
	if _, body := r.get(t, "/-/healthy"); strings.Contains(body, "Retry-After") {
		t.Errorf("/-/healthy still tells a wait: %q", body)
	}
}

// TestHangIsToldAtScrapeTime: a poll that never completes turns edm_up to 0
// and every store to unknown once two intervals passed since the last
// completed poll, though no poll has ended to say so.
func TestHangIsToldAtScrapeTime(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Interval: time.Minute})
	r.poll(t)                                   // completes at t0
	t.Cleanup(func() { r.sim.SetConditions() }) // before the server's Close
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	done := make(chan error, 1)
	before := len(r.sim.Requests())
	go func() { done <- r.exp.Poll(context.Background()) }()
	waitFor(t, "the poll's first request", func() bool { return len(r.sim.Requests()) > before })

	steps := []struct {
		at         time.Duration
		wantUp     float64
		wantStatus string
	}{
		{2 * time.Minute, 1, "last successful poll 2m0s ago"},
		{2*time.Minute + time.Second, 0, "a poll has been running for 2m1s: the values are not current"},
	}
	for _, step := range steps {
		setClock(r.clock, t0.Add(step.at))
		s := samples(t, r.exp)
		if s["edm_up{}"] != step.wantUp || s["edm_last_poll_timestamp_seconds{}"] != 1795856400 {
			t.Errorf("at t0+%s: edm_up %v, last poll %v", step.at, s["edm_up{}"], s["edm_last_poll_timestamp_seconds{}"])
		}
		unknown := sumMatching(withPrefix(s, "edm_datastore_health"), "health=unknown")
		if want := 4 * (1 - step.wantUp); unknown != want {
			t.Errorf("at t0+%s: %v stores unknown, want %v", step.at, unknown, want)
		}
		if code, body := r.get(t, "/-/healthy"); code != 200 || !strings.Contains(body, step.wantStatus) {
			t.Errorf("at t0+%s: /-/healthy %d %q, want 200 with %q", step.at, code, body, step.wantStatus)
		}
	}
	r.sim.SetConditions()
	if err := <-done; err != nil {
		t.Errorf("the released poll failed: %v", err)
	}
	if s := samples(t, r.exp); s["edm_up{}"] != 1 {
		t.Errorf("edm_up %v after the hang ended", s["edm_up{}"])
	}
}

// waitFor waits for cond, which another goroutine makes true.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTimeoutIsAReason: a request cut by the client's bound counts as timeout.
func TestTimeoutIsAReason(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{}, rigOptions{callTimeout: 50 * time.Millisecond})
	t.Cleanup(func() { r.sim.SetConditions() })
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	_ = r.exp.Poll(context.Background())
	if got := samples(t, r.exp)[key("edm_poll_errors_total", "reason=timeout")]; got != 1 {
		t.Errorf("timeouts counted %v, want 1", got)
	}
}

// byName resolves display names (or ids) as --datastore does, simply.
func byName(names ...string) func([]graphapi.DataStore) ([]string, error) {
	return func(all []graphapi.DataStore) ([]string, error) {
		var ids []string
		for _, n := range names {
			found := false
			for _, ds := range all {
				if ds.ID == n || ds.DisplayName == n {
					ids, found = append(ids, ds.ID), true
				}
			}
			if !found {
				return nil, &graphapi.Error{Message: "no data store named " + n}
			}
		}
		return ids, nil
	}
}

// TestStoresAreResolvedInThePollLoop: Graph down at start, or a name no
// store has, is a failed poll retried on the next, never an exit.
func TestStoresAreResolvedInThePollLoop(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Resolve: byName("Card holders", fakegraph.DemoClaimsStore)})
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	for range 2 {
		_ = r.exp.Poll(context.Background())
	}
	s := samples(t, r.exp)
	if s["edm_up{}"] != 0 || s[key("edm_poll_errors_total", "reason=unreachable")] != 2 || len(withPrefix(s, "edm_datastore")) != 0 {
		t.Errorf("Graph down at start: %v", s)
	}
	if code, _ := r.get(t, "/-/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("/-/ready %d before any success", code)
	}
	r.sim.SetConditions()
	r.poll(t)
	s = samples(t, r.exp)
	if s["edm_datastores{}"] != 2 || len(withPrefix(s, "edm_datastore_info")) != 2 {
		t.Errorf("after Graph came back: %v stores, want the 2 named", s["edm_datastores{}"])
	}
	if code, _ := r.get(t, "/-/ready"); code != http.StatusOK {
		t.Errorf("/-/ready %d after a success", code)
	}

	typo := newRig(t, nil, nil, exporter.Options{Resolve: byName("Card holderz")})
	for range 2 {
		if err := typo.exp.Poll(context.Background()); err == nil {
			t.Fatal("a name no store has resolved")
		}
	}
	if got := samples(t, typo.exp)[key("edm_poll_errors_total", "reason=not_found")]; got != 2 {
		t.Errorf("not_found counted %v, want 2 (one per poll, retried)", got)
	}
	if n := len(typo.sim.RequestsTo(fakegraph.RouteListStores)); n != 2 {
		t.Errorf("%d store listings, want 2: each poll tries again", n)
	}
}

// TestEmptyStoreList: an account that sees no store is up, with
// edm_datastores 0 for the alert; before any listing the count is absent.
func TestEmptyStoreList(t *testing.T) {
	clock := fakegraph.NewManualClock(t0)
	sim := fakegraph.New(fakegraph.Options{Clock: clock, Token: simToken})
	r := newRig(t, sim, clock, exporter.Options{})
	if _, ok := samples(t, r.exp)["edm_datastores{}"]; ok {
		t.Error("edm_datastores before any listing")
	}
	r.poll(t)
	s := samples(t, r.exp)
	if v, ok := s["edm_datastores{}"]; !ok || v != 0 || s["edm_up{}"] != 1 {
		t.Errorf("edm_datastores %v (present %v), edm_up %v; want 0 and 1", v, ok, s["edm_up{}"])
	}
}

// TestProbes: liveness answers while the process serves, readiness once a
// poll succeeded; /healthz is liveness; / is the landing page.
func TestProbes(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{TelemetryPath: "/edm-metrics", Version: "v9.8.7"})
	type want struct{ healthy, ready int }
	steps := []struct {
		name string
		do   func()
		want want
		text string
	}{
		{"before any poll", func() {}, want{200, 503}, "no poll of Graph has succeeded yet"},
		{"Graph down at start", func() {
			r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
			_ = r.exp.Poll(context.Background())
		}, want{200, 503}, "the last poll failed (unreachable)"},
		{"a good poll", func() { r.sim.SetConditions(); r.poll(t) }, want{200, 200}, "last successful poll 0s ago"},
		{"Graph down later", func() {
			r.clock.Advance(time.Minute)
			r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
			_ = r.exp.Poll(context.Background())
		}, want{200, 200}, "last successful poll 1m0s ago; the last poll failed (unreachable)"},
		{"no poll for three intervals", func() { r.clock.Advance(3 * time.Minute) }, want{200, 200},
			"no poll completed for 3m0s: the values are not current"},
	}
	for _, step := range steps {
		step.do()
		for path, code := range map[string]int{"/-/healthy": step.want.healthy, "/healthz": step.want.healthy, "/-/ready": step.want.ready} {
			got, body := r.get(t, path)
			if got != code || !strings.Contains(body, step.text) {
				t.Errorf("%s: %s %d %q, want %d with %q", step.name, path, got, body, code, step.text)
			}
		}
	}
	for path, want := range map[string]struct {
		code int
		text string
	}{
		"/":            {200, `href="/edm-metrics"`},
		"/edm-metrics": {200, `edm_build_info{`},
		"/metrics":     {404, ""},
		"/other":       {404, ""},
	} {
		if code, body := r.get(t, path); code != want.code || !strings.Contains(body, want.text) {
			t.Errorf("%s: %d, want %d with %q:\n%s", path, code, want.code, want.text, body)
		}
	}
	if _, body := r.get(t, "/"); !strings.Contains(body, "v9.8.7") {
		t.Errorf("the landing page does not name the version")
	}
}

// TestBuildInfo: edm_build_info carries the version given and Go's.
func TestBuildInfo(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Version: "v1.2.3"})
	for k, v := range withPrefix(samples(t, r.exp), "edm_build_info") {
		if v != 1 || !strings.Contains(k, "version=v1.2.3") || !strings.Contains(k, "goversion=go1.") || !strings.Contains(k, "revision=") {
			t.Errorf("%s = %v", k, v)
		}
		return
	}
	t.Error("no edm_build_info")
}

// TestPollDeadline: Run gives a poll three intervals, and never less than
// ten minutes (a large store's first listing takes minutes).
func TestPollDeadline(t *testing.T) {
	for _, tc := range []struct {
		interval, want time.Duration
	}{
		{exporter.DefaultInterval, 10 * time.Minute},
		{5 * time.Minute, 15 * time.Minute},
	} {
		clock := fakegraph.NewManualClock(t0)
		svc := fixture(clock)
		ctx, cancel := context.WithCancel(context.Background())
		var deadline time.Time
		svc.onCall = func(c context.Context) {
			deadline, _ = c.Deadline()
			cancel()
		}
		exp := exporter.New(svc, exporter.Options{Interval: tc.interval})
		before := time.Now()
		exp.Run(ctx)
		after := time.Now()
		if deadline.Before(before.Add(tc.want)) || deadline.After(after.Add(tc.want)) {
			t.Errorf("interval %s: the poll's deadline is %s after its start, want %s", tc.interval, deadline.Sub(before).Round(time.Second), tc.want)
		}
	}
}

// TestRunPollsOnItsInterval: Run polls at once and then on its ticker,
// and stops with its context.
func TestRunPollsOnItsInterval(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Interval: 20 * time.Millisecond, Monitor: monitor.Options{FullEvery: 1, ListEvery: time.Nanosecond, FullAfter: time.Nanosecond, ListBudget: 1 << 20, TotalListBudget: 1 << 20}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.exp.Run(ctx); close(done) }()
	waitFor(t, "two polls", func() bool { return len(r.sim.RequestsTo(fakegraph.RouteListStores)) >= 2 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if ok, status := r.exp.Ready(); !ok {
		t.Errorf("not ready after Run: %s", status)
	}
}
