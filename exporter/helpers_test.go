package exporter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

const simToken = "exporter-SECRET-token-41c9"

// t0 is the fixed clock's start: 2026-11-28 09:00:00 UTC, Unix 1795856400.
var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// mutationRun: the CI's gremlins step sets EDMTOP_MUTATION=1, and tests
// that start Prometheus (seconds each, run once per mutant) skip.
func skipUnderMutation(t *testing.T) {
	t.Helper()
	if os.Getenv("EDMTOP_MUTATION") == "1" {
		t.Skip("EDMTOP_MUTATION=1: a mutation run skips the tests that start Prometheus")
	}
}

// rig is an exporter over a simulator through the real Graph client.
type rig struct {
	sim      *fakegraph.Server
	clock    *fakegraph.ManualClock
	client   *graphapi.Client // a second client, uncounted, for expectations
	exp      *exporter.Exporter
	metrics  *httptest.Server
	interval time.Duration
}

// rigOptions tune a rig beyond the exporter's options.
type rigOptions struct {
	callTimeout time.Duration // the Graph client's bound on one request (default: graphapi's)
}

// newRig serves sim (the demo when nil) and an exporter watching every store.
func newRig(t *testing.T, sim *fakegraph.Server, clock *fakegraph.ManualClock, opts exporter.Options, ro ...rigOptions) *rig {
	t.Helper()
	if sim == nil {
		clock = fakegraph.NewManualClock(t0)
		sim = fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: simToken, PageSize: 5})
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	var o rigOptions
	if len(ro) > 0 {
		o = ro[0]
	}
	newClient := func(tr graphapi.Options) *graphapi.Client {
		cred, _ := graphapi.NewStaticTokenCredential(simToken)
		tr.RetryDelay, tr.MaxRetryDelay, tr.CallTimeout = time.Millisecond, 5*time.Millisecond, o.callTimeout
		c, err := graphapi.New(hs.URL+"/beta", cred, &tr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	opts.Transport = exporter.NewTransport(hs.Client(), opts.Now)
	if opts.Interval == 0 {
		opts.Interval = time.Minute
	}
	exp := exporter.New(newClient(graphapi.Options{Transport: opts.Transport}), opts)
	ms := httptest.NewServer(exp.Handler())
	t.Cleanup(ms.Close)
	return &rig{sim: sim, clock: clock, client: newClient(graphapi.Options{Transport: hs.Client()}), exp: exp, metrics: ms, interval: opts.Interval}
}

func (r *rig) poll(t *testing.T) {
	t.Helper()
	if err := r.exp.Poll(context.Background()); err != nil {
		t.Fatalf("poll: %v", err)
	}
}

// get fetches a path of the exporter and returns its status and body.
func (r *rig) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return get(t, r.metrics.URL+path)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// samples gathers the registry as "name{a=x,b=y}" -> value, for the edm_
// families only.
func samples(t *testing.T, e *exporter.Exporter) map[string]float64 {
	t.Helper()
	mfs, err := e.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "edm_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName()+"="+lp.GetValue())
			}
			slices.Sort(labels)
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// withPrefix keeps the samples of the metrics whose name starts with name.
func withPrefix(s map[string]float64, name string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range s {
		if strings.HasPrefix(k, name) {
			out[k] = v
		}
	}
	return out
}

// key names a sample as samples does.
func key(name string, labels ...string) string {
	slices.Sort(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

// diff lists the differences between want and got, sorted.
func diff(want, got map[string]float64) []string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("missing %s (want %v)", k, w))
		} else if g != w {
			out = append(out, fmt.Sprintf("%s = %v, want %v", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("unexpected %s = %v", k, g))
		}
	}
	slices.Sort(out)
	return out
}

// ofStore keeps the samples of one store.
func ofStore(s map[string]float64, id string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range s {
		if strings.Contains(k, "datastore_id="+id+",") || strings.Contains(k, "datastore_id="+id+"}") {
			out[k] = v
		}
	}
	return out
}

// setClock moves clock on to at.
func setClock(clock *fakegraph.ManualClock, at time.Time) {
	clock.Advance(at.Sub(clock.Now()))
}

// ts reads an RFC 3339 time for a fixture.
func ts(s string) graphapi.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return graphapi.Time{Time: t}
}

// fakeService is a Graph of fixed stores and sessions, so expectations can
// be literal values. Each call moves the clock on by step, as a real poll
// takes time.
type fakeService struct {
	mu       sync.Mutex
	clock    *fakegraph.ManualClock
	step     time.Duration
	stores   []graphapi.DataStore
	sessions map[string][]*graphapi.Session
	errs     map[string]error // by store id; "" fails the store listing
	onCall   func(ctx context.Context)
}

func (f *fakeService) call(ctx context.Context, storeID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onCall != nil {
		f.onCall(ctx)
	}
	f.clock.Advance(f.step)
	return f.errs[storeID]
}

func (f *fakeService) setErr(storeID string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errs == nil {
		f.errs = map[string]error{}
	}
	f.errs[storeID] = err
}

func (f *fakeService) ListDataStores(ctx context.Context) ([]graphapi.DataStore, error) {
	if err := f.call(ctx, ""); err != nil {
		return nil, err
	}
	return slices.Clone(f.stores), nil
}

func (f *fakeService) ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error) {
	if err := f.call(ctx, storeID); err != nil {
		return nil, err
	}
	return slices.Clone(f.sessions[storeID]), nil
}

func (f *fakeService) GetSession(ctx context.Context, storeID, id string) (graphapi.Session, error) {
	if err := f.call(ctx, storeID); err != nil {
		return graphapi.Session{}, err
	}
	for _, s := range f.sessions[storeID] {
		if s.ID == id {
			return *s, nil
		}
	}
	return graphapi.Session{}, &graphapi.Error{StatusCode: http.StatusNotFound, Message: "gone"}
}

// fixture is four stores at t0, one of each verdict:
//
//	Ledger  ok       two completed runs, finished 40 h and 1 h ago
//	Vault   stale    never indexed, no sessions
//	Claims  failed   completed 12 h ago, then a run that failed 3 h ago
//	Cards   stalled  an upload last updated 3 h ago (stall after 2 h)
func fixture(clock *fakegraph.ManualClock) *fakeService {
	cnt := func(n int64) graphapi.Count { return graphapi.Count{Value: n, Valid: true} }
	return &fakeService{clock: clock,
		stores: []graphapi.DataStore{{ID: "s-ledger", DisplayName: "Ledger"}, {ID: "s-vault", DisplayName: "Vault"},
			{ID: "s-claims", DisplayName: "Claims"}, {ID: "s-cards", DisplayName: "Cards"}},
		sessions: map[string][]*graphapi.Session{
			"s-ledger": {
				{ID: "l-old", FileName: "ledger-1.csv", State: "Completed", CreationDateTime: ts("2026-11-26T16:00:00Z"),
					LastUpdatedDateTime: ts("2026-11-26T17:00:00Z"), CompletionDateTime: ts("2026-11-26T17:00:00Z")},
				{ID: "l-new", FileName: "ledger-2.csv", State: "Completed", CreationDateTime: ts("2026-11-28T07:00:00Z"),
					LastUpdatedDateTime: ts("2026-11-28T08:00:00Z"), CompletionDateTime: ts("2026-11-28T08:00:00Z"),
					TotalBlockCount: cnt(8), RemainingBlockCount: cnt(0), TotalJobCount: cnt(2), RemainingJobCount: cnt(0)},
			},
			"s-claims": {
				{ID: "c-ok", FileName: "claims-1.csv", State: "Completed", CreationDateTime: ts("2026-11-27T20:00:00Z"),
					LastUpdatedDateTime: ts("2026-11-27T21:00:00Z"), CompletionDateTime: ts("2026-11-27T21:00:00Z")},
				{ID: "c-bad", FileName: "claims-2.csv", State: "Failed", CreationDateTime: ts("2026-11-28T05:30:00Z"),
					LastUpdatedDateTime: ts("2026-11-28T06:00:00Z")},
			},
			"s-cards": {
				{ID: "k-run", FileName: "cards.csv", State: "UploadInProgress", CreationDateTime: ts("2026-11-28T05:00:00Z"),
					LastUpdatedDateTime: ts("2026-11-28T06:00:00Z"), TotalBlockCount: cnt(10), RemainingBlockCount: cnt(4),
					TotalJobCount: cnt(5), RemainingJobCount: cnt(5)},
				{ID: "k-done", FileName: "cards-0.csv", State: "Completed", CreationDateTime: ts("2026-11-27T10:00:00Z"),
					LastUpdatedDateTime: ts("2026-11-27T12:00:00Z"), CompletionDateTime: ts("2026-11-27T12:00:00Z")},
			},
		}}
}

// storeSeries is the literal store-level series of one store.
type storeSeries struct {
	id, name, health string
	up, lastSuccess  float64
	lastIndex        float64 // 0: absent
	uploads          float64 // -1: absent
}

func (s storeSeries) add(m map[string]float64) {
	id := "datastore_id=" + s.id
	m[key("edm_datastore_info", id, "datastore="+s.name)] = 1
	for _, h := range []string{"ok", "stale", "stalled", "failed", "unknown"} {
		v := 0.0
		if h == s.health {
			v = 1
		}
		m[key("edm_datastore_health", id, "datastore="+s.name, "health="+h)] = v
	}
	m[key("edm_datastore_up", id)] = s.up
	m[key("edm_datastore_upload_limit", id)] = 5
	if s.lastSuccess != 0 {
		m[key("edm_datastore_last_success_timestamp_seconds", id)] = s.lastSuccess
	}
	if s.lastIndex != 0 {
		m[key("edm_datastore_last_index_timestamp_seconds", id)] = s.lastIndex
	}
	if s.uploads >= 0 {
		m[key("edm_datastore_uploads_24h", id)] = s.uploads
	}
}

func storeWant(stores ...storeSeries) map[string]float64 {
	m := map[string]float64{}
	for _, s := range stores {
		s.add(m)
	}
	return m
}
