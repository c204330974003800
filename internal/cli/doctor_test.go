package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/edmtop/edmtop/doctor"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// doctorTime is the simulator's time and the doctor's.
var doctorTime = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// fixDoctor makes a doctor run stable and loopback-only: the simulator's
// clock, a stopwatch that always says 12ms, a fixed build, no DNS, no proxy.
func fixDoctor(t *testing.T) {
	t.Helper()
	old := doctorSeams
	doctorSeams.now = func() time.Time { return doctorTime }
	doctorSeams.stopwatch = func() func() time.Duration { return func() time.Duration { return 12 * time.Millisecond } }
	doctorSeams.build = func() doctor.Build {
		return doctor.Build{Version: "v1.2.3-test", OS: "linux", Arch: "amd64", Go: "go1.26"}
	}
	doctorSeams.reach = doctor.ReachOptions{
		LookupHost: func(context.Context, string) ([]string, error) { return nil, errors.New("no DNS in tests") },
		Proxy:      func(*http.Request) (*url.URL, error) { return nil, nil },
	}
	t.Cleanup(func() { doctorSeams = old })
}

// doctorEnv is the environment of a run against a demo tenant, with the
// config directory named so output can say where it is.
func doctorEnv(t *testing.T, conds ...fakegraph.Condition) (*fakegraph.Server, map[string]string) {
	t.Helper()
	fixDoctor(t)
	sim, env := simulator(t, fakegraph.Options{PageSize: 3})
	sim.SetConditions(conds...)
	// After the server's Close: held requests are let go first.
	t.Cleanup(func() { sim.SetConditions() })
	env["XDG_CONFIG_HOME"] = t.TempDir()
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		env[v] = ""
	}
	return sim, env
}

var (
	portPattern      = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	requestIDPattern = regexp.MustCompile(`request-id [0-9a-f-]{36}`)
)

// stable replaces what changes between runs: ports, request ids, the
// config directory.
func stable(out string, env map[string]string) string {
	out = portPattern.ReplaceAllString(out, "127.0.0.1:PORT")
	out = requestIDPattern.ReplaceAllString(out, "request-id REQUEST-ID")
	return strings.ReplaceAll(out, env["XDG_CONFIG_HOME"], "$XDG_CONFIG_HOME")
}

func TestDoctorGolden(t *testing.T) {
	cases := []struct {
		name  string
		conds []fakegraph.Condition
		env   map[string]string
		args  []string
		exit  int
	}{
		{"healthy", nil, nil, nil, 0},
		{"one_store_forbidden", []fakegraph.Condition{{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoPatientsStore}}, nil, nil, 1},
		{"store_list_forbidden", []fakegraph.Condition{{Kind: fakegraph.Forbidden}}, nil, nil, 1},
		{"no_count", []fakegraph.Condition{{Kind: fakegraph.NoCount}}, nil, nil, 0},
		{"hang_past_the_timeout", []fakegraph.Condition{{Kind: fakegraph.Hang}}, nil, []string{"--timeout", "2s"}, 1},
		{"ascii", nil, map[string]string{"TERM": "linux"}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env := doctorEnv(t, tc.conds...)
			for k, v := range tc.env {
				env[k] = v
			}
			code, out, stderr := runCLI(t, env, append([]string{"doctor"}, tc.args...)...)
			if code != tc.exit {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.exit, out, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr: %q", stderr)
			}
			assertClean(t, out)
			golden.RequireEqual(t, []byte(stable(out, env)))
		})
	}
}

func TestDoctorExitCodes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(filepath.Join(dir, "target"), link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		says string
	}{
		{"works", nil, nil, 0, "edmtop has what it needs"},
		{"bad flag", []string{"--nope"}, nil, 2, "unknown flag"},
		{"stray argument", []string{"now"}, nil, 2, "unknown command"},
		{"timeout too short", []string{"--timeout", "0s"}, nil, 2, "--timeout 0s: use 1s to 1h0m0s"},
		{"names without a report", []string{"--include-names"}, nil, 2, "--include-names applies to --report"},
		{"report through a link", []string{"--report", link}, nil, 2, "symbolic link"},
		{"report in no directory", []string{"--report", filepath.Join(dir, "no", "r.json")}, nil, 2, "no such directory"},
		{"unknown cloud flag", []string{"--cloud", "moon"}, nil, 2, "--cloud"},
		{"contradicting cloud", []string{"--cloud", "usgov", "--endpoint", "https://graph.microsoft.com/beta"}, nil, 2, "pass --cloud global"},
		{"unknown cloud variable", nil, map[string]string{"EDMTOP_CLOUD": "moon"}, 1, "EDMTOP_CLOUD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env := doctorEnv(t)
			for k, v := range tc.env {
				env[k] = v
			}
			code, out, stderr := runCLI(t, env, append([]string{"doctor"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out+stderr, tc.says) {
				t.Errorf("exit %d (want %d), lacks %q:\n%s%s", code, tc.code, tc.says, out, stderr)
			}
			if tc.code == 2 && out != "" {
				t.Errorf("a usage error ran checks: %q", out)
			}
		})
	}
}

// A config file others could change stops every command; the doctor
// reports it as its first check, with the fix, instead.
func TestDoctorReportsABadConfigFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps files private with ACLs, not mode bits")
	}
	_, env := doctorEnv(t)
	path := filepath.Join(env["XDG_CONFIG_HOME"], "edmtop", "config.yaml")
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte("refresh: 30s\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o666)
	code, out, _ := runCLI(t, env, "doctor")
	if code != 1 || !strings.Contains(out, "✗ config file") || !strings.Contains(out, "fix: chmod go-w") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "? data stores      not run: fix the configuration first") {
		t.Errorf("later checks ran:\n%s", out)
	}
	os.Chmod(path, 0o600)
	code, out, _ = runCLI(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "config.yaml (mode 0600)") || !strings.Contains(out, "refresh            30s  (config ") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// The report: 0600, placeholders unless --include-names, and never the
// token, a salt, a SAS signature or an upload URL.
func TestDoctorReportFile(t *testing.T) {
	sim, env := doctorEnv(t, fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoClaimsStore})
	secrets, names := tenantSecrets(t, sim, env)
	dir := t.TempDir()
	shared, full := filepath.Join(dir, "shared.json"), filepath.Join(dir, "full.json")
	env["EDMTOP_DATASTORE"] = "Patient records"
	if code, out, stderr := runCLI(t, env, "doctor", "--report", shared); code != 1 || !strings.Contains(out, "Report: "+shared+" (names replaced by placeholders; no token or secret).") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runCLI(t, env, "doctor", "--report", full, "--include-names"); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for path, hidden := range map[string][]string{shared: append(secrets, names...), full: secrets} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range hidden {
			if s != "" && bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", filepath.Base(path), s)
			}
		}
		if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", path, fi.Mode().Perm())
		}
	}
	b, _ := os.ReadFile(full)
	if !bytes.Contains(b, []byte("Patient records")) || !bytes.Contains(b, []byte(`"names": "included"`)) {
		t.Error("--include-names lost the names")
	}
}

// tenantSecrets lists what no report may hold (the token, salts,
// signatures, upload URLs) and the tenant's names and ids.
func tenantSecrets(t *testing.T, sim *fakegraph.Server, env map[string]string) (secrets, names []string) {
	t.Helper()
	conds := sim.Conditions()
	sim.SetConditions()
	defer sim.SetConditions(conds...)
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(env["EDMTOP_ENDPOINT"], cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	stores, err := c.ListDataStores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secrets = []string{simToken, "sig=", "?sv="}
	for _, st := range stores {
		names = append(names, st.DisplayName, st.ID)
		list, err := c.ListSessions(context.Background(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			secrets = append(secrets, s.Salt, s.DataUploadURI)
			names = append(names, s.FileName, s.ID, s.UploadAgentID)
		}
	}
	return secrets, names
}

func TestDoctorDemo(t *testing.T) {
	fixDoctor(t)
	code, out, stderr := runCLI(t, map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, "doctor", "--demo")
	if code != 0 || !strings.Contains(out, "--demo: the built-in simulator") || !strings.Contains(out, "4 data stores listed") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out, "demo-") {
		t.Error("the demo's token is printed")
	}
}

// doctor --report against a tenant, simulate --from-report of that report,
// doctor --report again: the same shape.
func TestDoctorRoundTrip(t *testing.T) {
	for name, conds := range map[string][]fakegraph.Condition{
		"healthy":                        nil,
		"one store forbidden, no $count": {{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoPatientsStore}, {Kind: fakegraph.NoCount}},
		"store list forbidden":           {{Kind: fakegraph.Forbidden}},
	} {
		t.Run(name, func(t *testing.T) {
			_, env := doctorEnv(t, conds...)
			first := filepath.Join(t.TempDir(), "first.json")
			runCLI(t, env, "doctor", "--report", first)
			endpoint := simulateFromReport(t, first, "round-trip-token")
			env["EDMTOP_ENDPOINT"], env["EDMTOP_TOKEN"] = endpoint, "round-trip-token"
			second := filepath.Join(t.TempDir(), "second.json")
			code, out, stderr := runCLI(t, env, "doctor", "--report", second)
			a, b := readShape(t, first), readShape(t, second)
			a.LatencyMs, b.LatencyMs = 0, 0
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Errorf("shapes differ:\n%s\n%s\n(second run exit %d)\n%s%s", ja, jb, code, out, stderr)
			}
			if len(a.Stores) == 0 && !a.ListForbidden {
				t.Error("an empty shape proves nothing")
			}
		})
	}
}

// simulateFromReport runs `simulate --from-report` until the test ends and
// returns its endpoint.
func simulateFromReport(t *testing.T, report, token string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr bytes.Buffer
		done <- run(ctx, []string{"simulate", "--from-report", report, "--listen", "127.0.0.1:0", "--token", token}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	sc := bufio.NewScanner(pr)
	endpoint := ""
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "endpoint:"); ok {
			endpoint = strings.TrimSpace(rest)
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if endpoint == "" {
		t.Fatal("simulate printed no endpoint")
	}
	return endpoint
}

func readShape(t *testing.T, path string) doctor.Shape {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := doctor.ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Shape
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestShapeOf(t *testing.T) {
	got := shapeOf(doctor.Shape{PageSize: 50, Count: false, LatencyMs: 123.4, Stores: []doctor.ShapeStore{
		{Name: "store-1", Sessions: 10, States: []doctor.StateCount{{State: "Completed", Count: 2}, {State: "Failed", Count: 5}}},
		{Name: "store-2", Sessions: 3},
		{Name: "store-3", Forbidden: true},
	}})
	want := fakegraph.Shape{PageSize: 50, NoCount: true, Latency: 123 * time.Millisecond, Stores: []fakegraph.ShapeStore{
		{Name: "store-1", Sessions: []fakegraph.StateCount{{State: "Completed", Count: 2}, {State: "Failed", Count: 8}}},
		{Name: "store-2", Sessions: []fakegraph.StateCount{{State: fakegraph.StateCompleted, Count: 3}}},
		{Name: "store-3", Forbidden: true},
	}}
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Errorf("%+v\nwant %+v", got, want)
	}
}

func TestSimulateRefusesABadReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	for name, path := range map[string]string{
		"missing":      filepath.Join(dir, "none.json"),
		"not json":     write("x.json", "hello"),
		"other schema": write("s.json", `{"schema": 7}`),
		"bad shape":    write("b.json", `{"schema": 1, "shape": {"stores": [{"name": "a", "states": [{"state": "Completed", "count": -3}]}]}}`),
	} {
		// Bounded: a report accepted by mistake would be served until then.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var out, stderr bytes.Buffer
		code := run(ctx, []string{"simulate", "--from-report", path, "--listen", "127.0.0.1:0"}, strings.NewReader(""), &out, &stderr)
		cancel()
		if code != 2 || out.Len() != 0 || !strings.Contains(stderr.String(), "--from-report") {
			t.Errorf("%s: exit %d %q %q", name, code, out.String(), stderr.String())
		}
	}
}

// A doctor run sends nothing but GET, whatever the tenant's shape.
func TestDoctorSendsOnlyGET(t *testing.T) {
	sim, env := doctorEnv(t)
	if code, out, _ := runCLI(t, env, "doctor"); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if len(sim.Requests()) == 0 {
		t.Fatal("no request")
	}
	for _, r := range sim.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s", r.Method, r.Path)
		}
	}
}

// On a terminal each step shows a progress line that its check replaces.
func TestDoctorProgressOnATerminal(t *testing.T) {
	_, env := doctorEnv(t)
	old := isTerminalWriter
	isTerminalWriter = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminalWriter = old })
	code, out, _ := runCLI(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "  … data stores\r\x1b[K  ✓ data stores") {
		t.Errorf("exit %d, no progress line:\n%q", code, out)
	}
}

// Ctrl+C stops the run: what did not run is said, and the status is 130.
func TestDoctorInterrupted(t *testing.T) {
	sim, env := doctorEnv(t, fakegraph.Condition{Kind: fakegraph.Hang})
	isolate(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"doctor"}, strings.NewReader(""), &out, &stderr) }()
	// The hang holds the first request (the HTTP check): interrupt there.
	for len(sim.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitInterrupted {
		t.Errorf("exit %d\n%s%s", code, out.String(), stderr.String())
	}
	for _, want := range []string{"? HTTP             interrupted", "? data stores      not run: interrupted", "Interrupted before every check ran."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
}
