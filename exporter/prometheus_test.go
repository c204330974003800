package exporter_test

// Tests with the real Prometheus tools (Debian's prometheus package:
// promtool and prometheus). They skip, saying why, where those are missing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
)

const rulesDir = "../deploy/prometheus"

func needBinary(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: apt-get install prometheus); skipping", name)
	}
	return path
}

func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := needBinary(t, "promtool")
	r := newRig(t, nil, nil, exporter.Options{})
	r.poll(t)
	code, body := r.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("scrape: %d", code)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	promtool := needBinary(t, "promtool")
	for _, args := range [][]string{{"check", "rules", "edm-alerts.yml"}, {"test", "rules", "edm-alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = rulesDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestRealPrometheus starts Prometheus on loopback, lets it scrape the
// exporter every second with the alert rules loaded, and queries its API.
func TestRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server; skipped with -short")
	}
	bin := needBinary(t, "prometheus")
	r := newRig(t, nil, nil, exporter.Options{})
	r.poll(t)
	api := startPrometheus(t, bin, strings.TrimPrefix(r.metrics.URL, "http://"))

	deadline := time.Now().Add(30 * time.Second)
	want := map[string]func([]sample) bool{
		`edm_up`: func(s []sample) bool { return len(s) == 1 && s[0].value == "1" },
		`edm_datastore_health == 1`: func(s []sample) bool {
			return len(s) == 4 && s[0].labels["job"] == "edmtop" && s[0].labels["health"] != ""
		},
		`sum(edm_graph_requests_total{code="200"})`: func(s []sample) bool { return len(s) == 1 && s[0].value != "0" },
		// The rules are loaded and judge the real series: the demo's
		// never-refreshed store is pending as stale (firing takes an hour).
		`ALERTS{alertname="EDMIndexStale",alertstate="pending"}`: func(s []sample) bool {
			return len(s) == 1 && s[0].labels["datastore"] == "Card holders"
		},
	}
	for query, ok := range want {
		var got []sample
		var err error
		for {
			got, err = queryPrometheus(api, query)
			if err == nil && ok(got) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("query %s: %v %+v (waited 30s)", query, err, got)
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Logf("%s -> %+v", query, got)
	}
}

// startPrometheus runs Prometheus with a temporary configuration and
// storage, scraping target, and returns its API's base URL. It is killed
// when the test ends.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs(filepath.Join(rulesDir, "edm-alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
