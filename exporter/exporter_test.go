package exporter_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

func key(name string, labels ...string) string {
	slices.Sort(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

// TestValuesMatchTheRules checks every store and session value against
// the service's own data judged by the shared rules.
func TestValuesMatchTheRules(t *testing.T) {
	strict := health.Rules{StallAfter: 10 * time.Second, MaxAge: 6 * time.Hour, UploadLimit: 9}
	cases := []struct {
		name  string
		rules *health.Rules
		want  []health.Verdict // verdicts that must be among the stores'
	}{
		{"default rules", nil, []health.Verdict{health.OK, health.Stale}},
		{"the exporter's own rules", &strict, []health.Verdict{health.Stalled, health.Stale}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rules := health.DefaultRules()
			if tc.rules != nil {
				rules = *tc.rules
			}
			verdicts := checkValues(t, tc.rules, rules)
			for _, v := range tc.want {
				if verdicts[v] == 0 {
					t.Errorf("no store is %s: %v", v, verdicts)
				}
			}
		})
	}
}

func checkValues(t *testing.T, opt *health.Rules, rules health.Rules) map[health.Verdict]int {
	r := newRig(t, nil, nil, exporter.Options{Rules: opt})
	r.clock.Advance(90 * time.Second) // let the demo move: one session fails
	r.poll(t)
	s := samples(t, r.exp)
	now := r.clock.Now()
	if s["edm_up{}"] != 1 || s["edm_last_poll_timestamp_seconds{}"] != float64(now.Unix()) {
		t.Errorf("edm_up %v, last poll %v; want 1 and %d", s["edm_up{}"], s["edm_last_poll_timestamp_seconds{}"], now.Unix())
	}
	ctx := context.Background()
	stores, err := r.client.ListDataStores(ctx)
	if err != nil || len(stores) != 4 {
		t.Fatalf("stores: %d %v", len(stores), err)
	}
	wantSessions := 0
	verdicts := map[health.Verdict]int{}
	for _, ds := range stores {
		sessions, err := r.client.ListSessions(ctx, ds.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := rules.Assess(&ds, sessions, now)
		verdicts[h.Verdict]++
		id := "datastore_id=" + ds.ID
		if got := s[key("edm_datastore_info", id, "datastore="+ds.DisplayName)]; got != 1 {
			t.Errorf("%s: info %v", ds.DisplayName, got)
		}
		for _, v := range health.Verdicts {
			want := 0.0
			if v == h.Verdict {
				want = 1
			}
			k := key("edm_datastore_health", id, "datastore="+ds.DisplayName, "health="+v.String())
			if got, ok := s[k]; !ok || got != want {
				t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
			}
		}
		if got := s[key("edm_datastore_uploads_24h", id)]; got != float64(h.Uploads24h) {
			t.Errorf("%s: uploads %v, want %d", ds.DisplayName, got, h.Uploads24h)
		}
		if got := s[key("edm_datastore_upload_limit", id)]; got != float64(rules.UploadLimit) {
			t.Errorf("%s: limit %v", ds.DisplayName, got)
		}
		got, ok := s[key("edm_datastore_last_index_timestamp_seconds", id)]
		if ok != !h.LastIndex.IsZero() || (ok && got != float64(h.LastIndex.Unix())) {
			t.Errorf("%s: last index %v (present %v), want %v", ds.DisplayName, got, ok, h.LastIndex)
		}
		wantSessions += checkSessions(t, s, ds.ID, sessions)
	}
	if got := len(withPrefix(s, "edm_session_state")); got != wantSessions {
		t.Errorf("%d session series, want %d", got, wantSessions)
	}
	failed := 0
	for k := range withPrefix(s, "edm_session_state") {
		if strings.Contains(k, "state=Failed") {
			failed++
		}
	}
	if failed == 0 {
		t.Errorf("by now a demo session has failed, and it is its store's newest final one")
	}
	return verdicts
}

// checkSessions checks the series of a store's running sessions and its
// newest final one, and returns how many sessions that is.
func checkSessions(t *testing.T, s map[string]float64, storeID string, sessions []*graphapi.Session) int {
	t.Helper()
	var want []*graphapi.Session
	var newestFinal *graphapi.Session
	for _, ses := range sessions {
		switch {
		case !health.Final(ses):
			want = append(want, ses)
		case newestFinal == nil || health.NewerCreated(ses, newestFinal):
			newestFinal = ses
		}
	}
	if newestFinal != nil {
		want = append(want, newestFinal)
	}
	for _, ses := range want {
		labels := []string{"datastore_id=" + storeID, "session_id=" + ses.ID, "file_name=" + ses.FileName}
		if got := s[key("edm_session_state", append(labels, "state="+ses.State)...)]; got != 1 {
			t.Errorf("%s: no state series for %s", ses.FileName, ses.State)
		}
		for name, c := range map[string]graphapi.Count{
			"edm_session_blocks": ses.TotalBlockCount, "edm_session_blocks_remaining": ses.RemainingBlockCount,
			"edm_session_jobs": ses.TotalJobCount, "edm_session_jobs_remaining": ses.RemainingJobCount,
		} {
			if got, ok := s[key(name, labels...)]; ok != c.Valid || got != float64(c.Value) {
				t.Errorf("%s %s = %v (present %v), want %+v", ses.FileName, name, got, ok, c)
			}
		}
		if got := s[key("edm_session_last_updated_timestamp_seconds", labels...)]; got != float64(ses.LastUpdatedDateTime.Unix()) {
			t.Errorf("%s: last updated %v", ses.FileName, got)
		}
	}
	return len(want)
}

// TestLabelSets pins the contract: every edm_ family and its label names.
func TestLabelSets(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{})
	r.poll(t)
	mfs, err := r.exp.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	session := "datastore_id,file_name,session_id"
	want := map[string]string{
		"edm_up": "", "edm_last_poll_timestamp_seconds": "", "edm_graph_requests_total": "code",
		"edm_datastore_info": "datastore,datastore_id", "edm_datastore_health": "datastore,datastore_id,health",
		"edm_datastore_last_index_timestamp_seconds": "datastore_id", "edm_datastore_uploads_24h": "datastore_id",
		"edm_datastore_upload_limit": "datastore_id",
		"edm_session_blocks":         session, "edm_session_blocks_remaining": session, "edm_session_jobs": session,
		"edm_session_jobs_remaining": session, "edm_session_last_updated_timestamp_seconds": session,
		"edm_session_state": "datastore_id,file_name,session_id,state",
	}
	got := map[string]string{}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "edm_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var names []string
			for _, lp := range m.GetLabel() {
				names = append(names, lp.GetName())
			}
			slices.Sort(names)
			got[mf.GetName()] = strings.Join(names, ",")
		}
	}
	for name, labels := range want {
		if g, ok := got[name]; !ok || g != labels {
			t.Errorf("%s: labels %q (present %v), want %q", name, g, ok, labels)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected family %s", name)
		}
	}
}

// TestCardinalityIsBounded: a long history adds no series; running
// sessions are capped.
func TestCardinalityIsBounded(t *testing.T) {
	cases := []struct {
		name                 string
		finished, running    int
		maxRunning, wantSeen int
	}{
		{"500 finished, 2 running", 500, 2, 20, 3},
		{"history only", 300, 0, 20, 1},
		{"running beyond the cap", 10, 8, 5, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := fakegraph.NewManualClock(t0)
			sim := fakegraph.New(fakegraph.Options{Clock: clock, Token: simToken, PageSize: 100, MaxSessionsPerStore: 1000})
			sim.AddStore(fakegraph.Store{ID: "store-1", DisplayName: "Big"})
			for i := range tc.finished {
				_, _ = sim.AddSession("store-1", fakegraph.SessionSpec{FileName: fmt.Sprintf("old-%03d.csv", i),
					Created: t0.Add(-time.Duration(i+2) * time.Hour), TotalBlocks: 1, BlocksPerMinute: 60, TotalJobs: 1, JobsPerMinute: 60, AutoCommit: true})
			}
			for i := range tc.running {
				_, _ = sim.AddSession("store-1", fakegraph.SessionSpec{FileName: fmt.Sprintf("new-%03d.csv", i),
					Created: t0.Add(-time.Duration(i+1) * time.Minute), TotalBlocks: 1000, BlocksPerMinute: 1, TotalJobs: 10})
			}
			r := newRig(t, sim, clock, exporter.Options{MaxRunning: tc.maxRunning})
			r.poll(t)
			states := withPrefix(samples(t, r.exp), "edm_session_state")
			if len(states) != tc.wantSeen {
				t.Errorf("%d session series, want %d: %v", len(states), tc.wantSeen, states)
			}
			for k := range states {
				if strings.Contains(k, "old-") && !strings.Contains(k, "old-000.csv") {
					t.Errorf("an old final session is exported: %s", k)
				}
			}
		})
	}
}

// TestExpositionHasNoSecrets scrapes the demo and looks for the token,
// every salt, SAS signatures and the upload host.
func TestExpositionHasNoSecrets(t *testing.T) {
	clock := fakegraph.NewManualClock(t0)
	sim := fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: simToken})
	_, _ = sim.AddSession(fakegraph.DemoCardsStore, fakegraph.SessionSpec{
		FileName: "evil\x1b]52;c;aGk=\x07\u202e.csv\nrow", TotalBlocks: 10, BlocksPerMinute: 1, TotalJobs: 1,
	})
	r := newRig(t, sim, clock, exporter.Options{})
	r.poll(t)
	code, body := r.get(t, "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "edm_up 1") {
		t.Fatalf("scrape: %d\n%s", code, body)
	}
	secrets := []string{simToken, "sig=", "edmupload.blob.core.windows.net", "\x1b", "\u202e"}
	for _, ds := range []string{fakegraph.DemoEmployeesStore, fakegraph.DemoPatientsStore, fakegraph.DemoCardsStore} {
		sessions, err := r.client.ListSessions(context.Background(), ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sessions {
			if s.Salt == "" || s.DataUploadURI == "" {
				t.Fatalf("the demo session %s has no salt or URI to look for", s.FileName)
			}
			secrets = append(secrets, s.Salt, s.DataUploadURI)
		}
	}
	for _, secret := range secrets {
		if strings.Contains(body, secret) {
			t.Errorf("the exposition contains %q", secret)
		}
	}
	if !strings.Contains(body, `file_name="evil`) || !strings.Contains(body, `.csv row"`) {
		t.Errorf("the hostile file name is not there, sanitized:\n%s", body)
	}
}

// TestFailedPollKeepsValues: a failed poll changes nothing but edm_up;
// the next good poll takes over.
func TestFailedPollKeepsValues(t *testing.T) {
	cases := []struct {
		name  string
		route fakegraph.Route
	}{
		{"sessions fail, stores listed", fakegraph.RouteListSessions},
		{"everything fails", fakegraph.RouteListStores},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil, exporter.Options{})
			r.poll(t)
			before := samples(t, r.exp)
			routes := []fakegraph.Route{fakegraph.RouteListSessions, fakegraph.RouteGetSession, tc.route}
			for _, route := range routes {
				r.sim.Inject(route, fakegraph.Fault{Status: http.StatusBadGateway, Times: -1})
			}
			r.clock.Advance(3 * time.Hour) // long enough for the running sessions to look stalled
			if err := r.exp.Poll(context.Background()); err == nil {
				t.Fatal("the poll did not fail")
			}
			after := samples(t, r.exp)
			if after["edm_up{}"] != 0 {
				t.Errorf("edm_up = %v after a failed poll", after["edm_up{}"])
			}
			for k, v := range before {
				if k == "edm_up{}" || strings.HasPrefix(k, "edm_graph_requests_total") {
					continue
				}
				if got, ok := after[k]; !ok || got != v {
					t.Errorf("%s: %v -> %v (present %v)", k, v, got, ok)
				}
			}
			r.sim.ClearFaults()
			r.poll(t)
			if got := samples(t, r.exp); got["edm_up{}"] != 1 || got["edm_last_poll_timestamp_seconds{}"] != float64(r.clock.Now().Unix()) {
				t.Errorf("after recovery: up %v, last poll %v", got["edm_up{}"], got["edm_last_poll_timestamp_seconds{}"])
			}
		})
	}
}

// TestScrapesCallNoGraph: scrapes and health checks are served from the
// last poll.
func TestScrapesCallNoGraph(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{})
	r.poll(t)
	before := len(r.sim.Requests())
	for range 5 {
		if code, _ := r.get(t, "/metrics"); code != http.StatusOK {
			t.Fatalf("scrape: %d", code)
		}
		r.get(t, "/healthz")
	}
	if got := len(r.sim.Requests()); got != before {
		t.Errorf("scrapes made %d Graph requests", got-before)
	}
}

// TestGraphRequestsCounted: every HTTP answer counts, by status code.
func TestGraphRequestsCounted(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{})
	r.sim.Inject(fakegraph.RouteListStores, fakegraph.Fault{Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"0"}}})
	r.poll(t) // the 503 is retried
	r.clock.Advance(time.Minute)
	r.poll(t)
	s := samples(t, r.exp)
	reqs := r.sim.Requests()
	if got := s[`edm_graph_requests_total{code=503}`]; got != 1 {
		t.Errorf("503s counted: %v, want 1", got)
	}
	if got := s[`edm_graph_requests_total{code=200}`]; got != float64(len(reqs)-1) || got < 5 {
		t.Errorf("200s counted: %v, want %d", got, len(reqs)-1)
	}
}

func TestHealthz(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Interval: time.Minute})
	steps := []struct {
		name     string
		do       func()
		wantCode int
		wantText string
	}{
		{"before any poll", func() {}, 503, "no poll has finished yet"},
		{"after a good poll", func() { r.poll(t) }, 200, "ok: last successful poll 0s ago"},
		{"one failed poll is tolerated", func() {
			r.sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{Status: 500, Times: -1})
			r.sim.Inject(fakegraph.RouteGetSession, fakegraph.Fault{Status: 500, Times: -1})
			r.clock.Advance(time.Minute)
			_ = r.exp.Poll(context.Background())
		}, 200, "the last poll failed"},
		{"three intervals without success", func() { r.clock.Advance(2*time.Minute + time.Second) }, 503, "more than 3 intervals"},
		{"each store's error told apart", func() {}, 503, "]; get session: HTTP 500"},
		{"recovered", func() { r.sim.ClearFaults(); r.poll(t) }, 200, "ok"},
	}
	for _, step := range steps {
		step.do()
		code, body := r.get(t, "/healthz")
		if code != step.wantCode || !strings.Contains(body, step.wantText) {
			t.Errorf("%s: %d %q, want %d with %q", step.name, code, body, step.wantCode, step.wantText)
		}
		if strings.Contains(body, simToken) {
			t.Errorf("%s: the token in /healthz", step.name)
		}
	}
}

// TestRunPollsOnItsInterval: Run polls at once and then on its ticker,
// and stops with its context.
func TestRunPollsOnItsInterval(t *testing.T) {
	r := newRig(t, nil, nil, exporter.Options{Interval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.exp.Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.sim.RequestsTo(fakegraph.RouteListStores)) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if n := len(r.sim.RequestsTo(fakegraph.RouteListStores)); n < 2 {
		t.Errorf("%d polls, want at least 2", n)
	}
	if ok, reason := r.exp.Healthy(); !ok {
		t.Errorf("unhealthy after Run: %s", reason)
	}
}
