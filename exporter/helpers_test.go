package exporter_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

const simToken = "exporter-SECRET-token-41c9"

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// rig is an exporter over a simulator through the real Graph client.
type rig struct {
	sim      *fakegraph.Server
	clock    *fakegraph.ManualClock
	client   *graphapi.Client // a second client, uncounted, for expectations
	exp      *exporter.Exporter
	metrics  *httptest.Server
	interval time.Duration
}

// newRig serves sim (the demo when nil) and an exporter watching every store.
func newRig(t *testing.T, sim *fakegraph.Server, clock *fakegraph.ManualClock, opts exporter.Options) *rig {
	t.Helper()
	if sim == nil {
		clock = fakegraph.NewManualClock(t0)
		sim = fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: simToken, PageSize: 5})
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	counter := exporter.NewRequestCounter()
	newClient := func(tr graphapi.Options) *graphapi.Client {
		cred, _ := graphapi.NewStaticTokenCredential(simToken)
		tr.RetryDelay, tr.MaxRetryDelay = time.Millisecond, 5*time.Millisecond
		c, err := graphapi.New(hs.URL+"/beta", cred, &tr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	client := newClient(graphapi.Options{Transport: counter.Wrap(hs.Client())})
	opts.Requests, opts.Now = counter, clock.Now
	if opts.Interval == 0 {
		opts.Interval = time.Minute
	}
	exp := exporter.New(monitor.New(client, monitor.Options{Now: clock.Now}), opts)
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
	resp, err := http.Get(r.metrics.URL + path)
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

// samples gathers the registry as "name{a="x",b="y"}" -> value, for the
// edm_ families only.
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

// withPrefix keeps the samples of one metric.
func withPrefix(s map[string]float64, name string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range s {
		if strings.HasPrefix(k, name+"{") {
			out[k] = v
		}
	}
	return out
}
