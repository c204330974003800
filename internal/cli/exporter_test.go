package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"golang.org/x/crypto/bcrypt"
)

func TestExporterUsageErrors(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "tok-PRIVATE-123"}
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yml")
	plainPassword := filepath.Join(dir, "plain.yml")
	_ = os.WriteFile(badYAML, []byte("tls_server_config: [\n"), 0o600)
	_ = os.WriteFile(plainPassword, []byte("basic_auth_users:\n  prometheus: not-a-bcrypt-hash\n"), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"interval too short", []string{"--interval", "5s"}, "at least 10s"},
		{"listen without a port", []string{"--web.listen-address", "localhost"}, "host:port"},
		{"listen on a bad port", []string{"--web.listen-address", "127.0.0.1:99999"}, "host:port"},
		{"listen without a host", []string{"--web.listen-address", ":9716"}, "name the host"},
		{"the old --listen, checked too", []string{"--listen", ":9716"}, "name the host"},
		{"both names", []string{"--listen", "127.0.0.1:1", "--web.listen-address", "127.0.0.1:2"}, "give only --web.listen-address"},
		{"telemetry path at the root", []string{"--web.telemetry-path", "/"}, "--web.telemetry-path"},
		{"telemetry path on a probe", []string{"--web.telemetry-path", "/-/ready"}, "--web.telemetry-path"},
		{"telemetry path without a slash", []string{"--web.telemetry-path", "metrics"}, "--web.telemetry-path"},
		{"web config missing", []string{"--web.config.file", filepath.Join(dir, "none.yml")}, "--web.config.file"},
		{"web config not YAML", []string{"--web.config.file", badYAML}, "--web.config.file"},
		{"web config password not bcrypt", []string{"--web.config.file", plainPassword}, "--web.config.file"},
		{"bad data store", []string{"--datastore", "a\x1b[2Jb"}, "control character"},
		{"negative stall", []string{"--stall-after", "-1s"}, "--stall-after"},
		{"negative age", []string{"--max-age", "-1h"}, "--max-age"},
		{"negative limit", []string{"--upload-limit", "-1"}, "--upload-limit"},
		{"a bad secret file", []string{"--auth", "env", "--tenant", "t.example", "--client-id", "c1", "--client-secret-file", dir}, "not a regular file"},
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

var servingAt = regexp.MustCompile(`msg="exporter serving" address=(127\.0\.0\.1:\d+)`)

// runningExporter is the command running until the test stops it.
type runningExporter struct {
	addr   string
	stderr *lockedBuffer
	stop   func() int // cancels the command and returns its exit code
}

// startExporter runs the command on a free loopback port until the test
// stops it.
func startExporter(t *testing.T, env map[string]string, args ...string) runningExporter {
	t.Helper()
	isolate(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	if !strings.Contains(strings.Join(args, " "), "listen") {
		args = append([]string{"--web.listen-address", "127.0.0.1:0"}, args...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"exporter"}, args...), strings.NewReader(""), io.Discard, stderr)
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
			return runningExporter{addr: m[1], stderr: stderr, stop: stop}
		}
		select {
		case code := <-exit:
			t.Fatalf("the exporter exited %d; stderr:\n%s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	t.Fatalf("the exporter never said where it serves; stderr:\n%s", stderr)
	return runningExporter{}
}

// getText fetches url with client and returns the status and body.
func getText(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitForMetric waits until /metrics contains want, and returns it.
func waitForMetric(t *testing.T, base, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var body string
	for time.Now().Before(deadline) {
		if _, body = getText(t, http.DefaultClient, base+"/metrics"); strings.Contains(body, want) {
			return body
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("/metrics never had %q:\n%s", want, body)
	return ""
}

func TestExporterDemo(t *testing.T) {
	e := startExporter(t, nil, "--demo", "--interval", "10s")
	metrics := waitForMetric(t, "http://"+e.addr, "\nedm_up 1\n")
	for _, want := range []string{`edm_datastore_info{datastore="Employee records"`, `health="stale"} 1`,
		"edm_session_state{", `edm_graph_requests_total{code="200"}`, "edm_build_info{"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, secret := range []string{"demo-", "sig=", "salt"} {
		if strings.Contains(metrics, secret) {
			t.Errorf("/metrics contains %q", secret)
		}
	}
	if code := e.stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}

func TestExporterSignsInAndWatchesNamedStores(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{})
	// By id, by name as typed, by the start of a name: the matcher
	// every command uses (issue 26, item 1).
	e := startExporter(t, env, "--datastore", store, "--datastore", "PatientRecords", "--datastore", "claims", "--upload-limit", "7")
	metrics := waitForMetric(t, "http://"+e.addr, "\nedm_up 1\n")
	if n := strings.Count(metrics, "edm_datastore_info{"); n != 3 {
		t.Errorf("%d stores exported, want the 3 named (by id, by name as typed, by its start)", n)
	}
	if !strings.Contains(metrics, `edm_datastore_upload_limit{datastore_id="`+store+`"} 7`) {
		t.Errorf("--upload-limit not applied")
	}
	assertClean(t, metrics)
	if code := e.stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}

// TestExporterOutlivesGraph: with Graph down at start, and a store named,
// the exporter serves and says so; it does not exit (a restart loop under
// systemd or Kubernetes).
func TestExporterOutlivesGraph(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	e := startExporter(t, env, "--datastore", store, "--listen", "127.0.0.1:0")
	base := "http://" + e.addr
	metrics := waitForMetric(t, base, `edm_poll_errors_total{reason="unreachable"} 1`)
	if !strings.Contains(metrics, "\nedm_up 0\n") {
		t.Errorf("edm_up is not 0 with Graph down:\n%s", metrics)
	}
	for path, want := range map[string]int{"/-/healthy": 200, "/healthz": 200, "/-/ready": 503} {
		if code, body := getText(t, http.DefaultClient, base+path); code != want {
			t.Errorf("%s: %d %q, want %d", path, code, body, want)
		}
	}
	if log := e.stderr.String(); !strings.Contains(log, `msg="poll failed" reason=unreachable`) {
		t.Errorf("stderr lacks the failed poll:\n%s", log)
	}
	if code := e.stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}

// TestExporterRequestTimeout: --request-timeout bounds the exporter's
// requests too: a hung Graph fails the poll within it.
func TestExporterRequestTimeout(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	t.Cleanup(func() { sim.SetConditions() }) // before the server's Close
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	e := startExporter(t, env, "--request-timeout", "1s")
	waitForMetric(t, "http://"+e.addr, `edm_poll_errors_total{reason="timeout"} 1`)
	e.stop()
}

// TestExporterTLSAndBasicAuth: --web.config.file serves TLS and asks for a
// bcrypt-checked password, as every Prometheus exporter does.
func TestExporterTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	certPEM := selfSignedCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-pass-9"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	conf := fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: %s\n",
		filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), hash)
	if err := os.WriteFile(webConfig, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, nil, "--demo", "--web.config.file", webConfig)
	defer e.stop()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	cases := []struct {
		name     string
		user     string
		password string
		want     int
	}{
		{"no password", "", "", http.StatusUnauthorized},
		{"a wrong password", "prometheus", "guess", http.StatusUnauthorized},
		{"another user", "grafana", "scrape-pass-9", http.StatusUnauthorized},
		{"the password", "prometheus", "scrape-pass-9", http.StatusOK},
	}
	for _, tc := range cases {
		for _, path := range []string{"/metrics", "/-/healthy"} {
			req, _ := http.NewRequest(http.MethodGet, "https://"+e.addr+path, nil)
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.password)
			}
			resp, err := trusting.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.name, path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || (tc.want == 200 && path == "/metrics" && !strings.Contains(string(body), "edm_up")) {
				t.Errorf("%s %s: %d, want %d", tc.name, path, resp.StatusCode, tc.want)
			}
		}
	}
	if code, _ := getText(t, http.DefaultClient, "http://"+e.addr+"/metrics"); code != http.StatusBadRequest {
		t.Errorf("plain HTTP to the TLS port: %d, want 400", code)
	}
	if _, err := http.DefaultClient.Get("https://" + e.addr + "/metrics"); err == nil {
		t.Error("a client that does not trust the certificate connected")
	}
}

// selfSignedCert writes cert.pem and key.pem for 127.0.0.1 into dir and
// returns the certificate.
func selfSignedCert(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "edmtop exporter test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM
}
