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
)

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
		"edm_datastores": "", "edm_graph_retry_after_seconds": "", "edm_poll_duration_seconds": "",
		"edm_poll_interval_seconds": "", "edm_poll_errors_total": "reason", "edm_max_age_seconds": "",
		"edm_build_info":   "branch,goarch,goos,goversion,revision,tags,version",
		"edm_datastore_up": "datastore_id", "edm_datastore_last_success_timestamp_seconds": "datastore_id",
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
	if code != http.StatusOK || !strings.Contains(body, "\nedm_up 1\n") {
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
	// A request that got no answer counts as code="error". net/http
	// resends a GET once by itself when a reused connection closes before
	// any answer: the service can see more requests than were counted.
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	before := len(r.sim.Requests())
	_ = r.exp.Poll(context.Background())
	sent := len(r.sim.Requests()) - before
	if got := samples(t, r.exp)[`edm_graph_requests_total{code=error}`]; got < 1 || got > float64(sent) {
		t.Errorf("unanswered requests counted: %v, want 1 to %d", got, sent)
	}
}
