package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

func TestExporterUsageErrors(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "tok-PRIVATE-123"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"interval too short", []string{"--interval", "5s"}, "at least 10s"},
		{"listen without a port", []string{"--listen", "localhost"}, "host:port"},
		{"listen on a bad port", []string{"--listen", "127.0.0.1:99999"}, "host:port"},
		{"listen without a host", []string{"--listen", ":9716"}, "name the host"},
		{"bad data store", []string{"--datastore", "a\x1b[2Jb"}, "control character"},
		{"negative stall", []string{"--stall-after", "-1s"}, "--stall-after"},
		{"negative age", []string{"--max-age", "-1h"}, "--max-age"},
		{"negative limit", []string{"--upload-limit", "-1"}, "--upload-limit"},
		{"stray argument", []string{"now"}, "unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, token, append([]string{"exporter"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 with %q", code, stderr, tc.want)
			}
			assertClean(t, stderr)
		})
	}
}

// lockedBuffer is stderr written by the running command and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingAt = regexp.MustCompile(`metrics=(http://127\.0\.0\.1:\d+)/metrics`)

// startExporter runs the command until the test cancels it and returns the
// base URL it serves, the cancel function and a channel with its exit code.
func startExporter(t *testing.T, env map[string]string, args ...string) (string, func() int) {
	t.Helper()
	isolate(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"exporter", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	stop := func() int {
		cancel()
		select {
		case code := <-exit:
			return code
		case <-time.After(10 * time.Second):
			t.Fatalf("the exporter did not stop; stderr:\n%s", stderr)
			return -1
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingAt.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stop
		}
		select {
		case code := <-exit:
			t.Fatalf("the exporter exited %d; stderr:\n%s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	t.Fatalf("the exporter never said where it serves; stderr:\n%s", stderr)
	return "", nil
}

// scrapeWhenHealthy waits for /healthz to pass and returns /metrics.
func scrapeWhenHealthy(t *testing.T, base string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never passed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestExporterDemo(t *testing.T) {
	base, stop := startExporter(t, nil, "--demo", "--interval", "10s")
	metrics := scrapeWhenHealthy(t, base)
	for _, want := range []string{"edm_up 1", `edm_datastore_info{datastore="Employee records"`, `health="stale"} 1`,
		"edm_session_state{", `edm_graph_requests_total{code="200"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, secret := range []string{"demo-", "sig=", "salt"} {
		if strings.Contains(metrics, secret) {
			t.Errorf("/metrics contains %q", secret)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}

func TestExporterSignsInAndWatchesNamedStores(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{})
	base, stop := startExporter(t, env, "--datastore", store, "--upload-limit", "7")
	metrics := scrapeWhenHealthy(t, base)
	if n := strings.Count(metrics, "edm_datastore_info{"); n != 1 {
		t.Errorf("%d stores exported, want only the named one", n)
	}
	if !strings.Contains(metrics, `edm_datastore_upload_limit{datastore_id="`+store+`"} 7`) {
		t.Errorf("--upload-limit not applied")
	}
	assertClean(t, metrics)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}
