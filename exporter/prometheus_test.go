package exporter_test

// Tests with the real Prometheus tools (Debian's prometheus package:
// promtool and prometheus). They skip, saying why, where those are
// missing, and under a mutation run (EDMTOP_MUTATION=1). The rules'
// own unit tests are in deploy/.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

const (
	rulesFile     = "../deploy/prometheus/edm-alerts.yml"
	dashboardFile = "../deploy/grafana/edmtop.json"
)

func needBinary(t *testing.T, name string) string {
	t.Helper()
	skipUnderMutation(t)
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: apt-get install prometheus); skipping", name)
	}
	return path
}

// TestPromtoolCheckMetrics: a real scrape passes promtool's lint, with a
// store that cannot be read among the stores.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := needBinary(t, "promtool")
	r := newRig(t, nil, nil, exporter.Options{})
	r.poll(t)
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore})
	r.clock.Advance(time.Minute)
	_ = r.exp.Poll(context.Background())
	code, body := r.get(t, "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `health="unknown"} 1`) {
		t.Fatalf("scrape: %d\n%s", code, body)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// liveRig is an exporter on the real clock, polling every second, over
// the demo simulator, scraped by a real Prometheus with the shipped rules.
type liveRig struct {
	sim *fakegraph.Server
	api string
}

func startLiveRig(t *testing.T, bin string) *liveRig {
	t.Helper()
	sim := fakegraph.NewDemo(fakegraph.Options{Token: simToken, PageSize: 5})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	t.Cleanup(func() { sim.SetConditions() }) // runs first: a Hang would hold Close
	transport := exporter.NewTransport(hs.Client(), nil)
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	client, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: transport,
		RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond, CallTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Every poll lists every store, so each fault shows in every poll.
	exp := exporter.New(client, exporter.Options{Interval: time.Second, Transport: transport,
		Monitor: monitor.Options{FullEvery: 1, ListEvery: time.Nanosecond, FullAfter: time.Nanosecond, ListBudget: 1 << 20, TotalListBudget: 1 << 20}})
	ms := httptest.NewServer(exp.Handler())
	t.Cleanup(ms.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { exp.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &liveRig{sim: sim, api: startPrometheus(t, bin, strings.TrimPrefix(ms.URL, "http://"), fastRules(t))}
}

// fastRules is a copy of the shipped rules that fire within seconds: every
// for: is 2s and every range 5s.
func fastRules(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	fast := regexp.MustCompile(`(?m)^(\s+for:) \S+$`).ReplaceAll(data, []byte("$1 2s"))
	fast = regexp.MustCompile(`\[\d+m\]`).ReplaceAll(fast, []byte("[5s]"))
	path := filepath.Join(t.TempDir(), "edm-alerts.yml")
	if err := os.WriteFile(path, fast, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRealPrometheus runs Prometheus against the exporter while the
// simulator forbids one store, goes down, hangs and throttles, and reads
// the metrics and the alerts through Prometheus' API; every Grafana panel's
// query must return data.
func TestRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server; skipped with -short")
	}
	lr := startLiveRig(t, needBinary(t, "prometheus"))
	cards := fakegraph.DemoCardsStore
	cardsSel := `{datastore_id="` + cards + `"}`

	t.Log("healthy")
	lr.want(t, `edm_up`, equals(1))
	lr.want(t, `edm_datastores`, equals(4))
	lr.want(t, `count(edm_datastore_up == 1)`, equals(4))
	lr.want(t, `ALERTS{alertname="EDMIndexStale",alertstate="firing",datastore="Card holders"}`, present)
	lr.everyPanelHasData(t)

	t.Log("one store forbidden")
	lr.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: cards})
	lr.want(t, `edm_datastore_up`+cardsSel, equals(0))
	lr.want(t, `edm_datastore_health{datastore_id="`+cards+`",health="unknown"}`, equals(1))
	lr.want(t, `edm_datastore_info`+cardsSel, equals(1))
	lr.want(t, `edm_up`, equals(1))
	lr.want(t, `ALERTS{alertname="EDMDataStoreUnreadable",alertstate="firing",datastore="Card holders"}`, present)
	lr.want(t, `ALERTS{alertname="EDMIndexStale",datastore="Card holders"}`, absent)

	t.Log("Graph down")
	lr.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	lr.want(t, `edm_up`, equals(0))
	lr.want(t, `count(edm_datastore_health{health="unknown"} == 1)`, equals(4))
	lr.want(t, `count(edm_datastore_info)`, equals(4))
	lr.want(t, `edm_graph_requests_total{code="error"} > 0`, present)
	lr.want(t, `edm_poll_errors_total{reason="unreachable"} > 0`, present)
	lr.want(t, `ALERTS{alertname="EDMGraphUnreachable",alertstate="firing"}`, present)
	lr.want(t, `ALERTS{alertname="EDMDataStoreUnreadable"}`, absent) // Graph's fault, not the store's

	t.Log("healed")
	lr.sim.SetConditions()
	lr.want(t, `count(edm_datastore_up == 1)`, equals(4))
	lr.want(t, `ALERTS{alertname="EDMGraphUnreachable"}`, absent)

	t.Log("Graph hangs")
	lr.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	lr.want(t, `edm_up`, equals(0))
	lr.want(t, `count(edm_datastore_health{health="unknown"} == 1)`, equals(4))
	lr.want(t, `ALERTS{alertname="EDMExporterDataOld",alertstate="firing"}`, present)
	lr.want(t, `ALERTS{alertname="EDMGraphUnreachable",alertstate="firing"}`, present)
	lr.sim.SetConditions()
	lr.want(t, `edm_up`, equals(1))

	t.Log("throttled, Retry-After 60 s")
	before := len(lr.sim.Requests())
	lr.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Throttled, RetryAfter: time.Minute})
	lr.want(t, `edm_graph_retry_after_seconds > 30`, present)
	lr.want(t, `edm_up`, equals(0))
	lr.want(t, `ALERTS{alertname="EDMGraphThrottled",alertstate="firing"}`, present)
	// The polls in flight when the first 429 came may each have got one;
	// none has asked since.
	if asked := len(lr.sim.Requests()) - before; asked > monitor.DefaultParallel+1 {
		t.Errorf("%d requests while a 60 s Retry-After ran, want at most %d", asked, monitor.DefaultParallel+1)
	}
}

// present and absent judge whether a query returned series; equals that
// every series it returned has the value.
func present(s []sample) bool { return len(s) > 0 }
func absent(s []sample) bool  { return len(s) == 0 }

func equals(v float64) func([]sample) bool {
	return func(s []sample) bool {
		for _, x := range s {
			if f, err := strconv.ParseFloat(x.value, 64); err != nil || f != v {
				return false
			}
		}
		return len(s) > 0
	}
}

// want waits (20 s at most) until query's result satisfies ok.
func (lr *liveRig) want(t *testing.T, query string, ok func([]sample) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := queryPrometheus(lr.api, query)
		if err == nil && ok(got) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s: %v %+v (waited 20s)", query, err, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// everyPanelHasData runs each query of the shipped Grafana dashboard, its
// variables given their "all" values.
func (lr *liveRig) everyPanelHasData(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	exprs := collect(d, "expr")
	if len(exprs) < 10 {
		t.Fatalf("%d queries in the dashboard", len(exprs))
	}
	vars := strings.NewReplacer("$instance", ".*", "$__rate_interval", "10s")
	for _, e := range exprs {
		lr.want(t, vars.Replace(e), present)
	}
	t.Logf("%d dashboard queries return data", len(exprs))
}

// collect gathers every string under key in a JSON document.
func collect(v any, key string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == key {
				out = append(out, s)
			}
			out = append(out, collect(x, key)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, collect(x, key)...)
		}
	}
	return out
}

// startPrometheus runs Prometheus with a temporary configuration and
// storage, scraping target every second with rules, and returns its API's
// base URL. It is killed when the test ends.
func startPrometheus(t *testing.T, bin, target, rules string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: edmtop
    static_configs:
      - targets: [%q]
`, rules, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start prometheus: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		cancel()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	return "http://" + addr
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

type sample struct {
	labels map[string]string
	value  string
}

// queryPrometheus runs an instant query through the HTTP API.
func queryPrometheus(api, query string) ([]sample, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(api + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body.Error)
	}
	out := make([]sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		v, _ := r.Value[1].(string)
		out = append(out, sample{labels: r.Metric, value: v})
	}
	return out, nil
}
