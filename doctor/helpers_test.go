package doctor

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// simToken is distinctive, so a leak into any output is easy to find.
const simToken = "doc-SECRET-token-5c1f9a"

// t0 is the fixed time of the simulator and the doctor's clock.
var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// steady is a stopwatch that always says 12ms: stable output.
func steady() func() time.Duration { return func() time.Duration { return 12 * time.Millisecond } }

type tenant struct {
	sim   *fakegraph.Server
	hs    *httptest.Server
	clock *fakegraph.ManualClock
}

// demoTenant serves the demo scenario on loopback, on a manual clock.
func demoTenant(t *testing.T, pageSize int) *tenant {
	t.Helper()
	clock := fakegraph.NewManualClock(t0)
	return serve(t, fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: simToken, PageSize: pageSize}), clock)
}

func serve(t *testing.T, sim *fakegraph.Server, clock *fakegraph.ManualClock) *tenant {
	t.Helper()
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	// Registered after Close, so it runs first: held requests are let go.
	t.Cleanup(func() { sim.SetConditions() })
	return &tenant{sim: sim, hs: hs, clock: clock}
}

// options point a run at the tenant with a ready token, a steady
// stopwatch, the simulator's time and no real network.
func (tn *tenant) options() Options {
	endpoint := tn.hs.URL + "/beta"
	return Options{
		Config: Config{File: "~/.config/edmtop/config.yaml", Settings: []Setting{
			{Name: "endpoint", Value: endpoint, Source: "env EDMTOP_ENDPOINT"},
			{Name: "cloud", Value: "global", Source: "default"},
		}},
		Target: Target{Cloud: auth.Clouds[0], Mode: auth.ModeAuto, Endpoint: endpoint, Scope: "http://" + tn.hs.Listener.Addr().String() + "/.default"},
		Credential: func() (*auth.Credential, error) {
			return auth.New(auth.Options{Mode: auth.ModeAuto, Cloud: auth.Clouds[0],
				Getenv: func(k string) string { return map[string]string{graphapi.TokenEnvVar: simToken}[k] }})
		},
		Timeout:   10 * time.Second,
		Transport: tn.hs.Client(),
		Reach: ReachOptions{
			LookupHost: func(context.Context, string) ([]string, error) { return nil, errors.New("no DNS in tests") },
		},
		Getenv:    func(string) string { return "" },
		LookPath:  func(string) (string, error) { return "", errors.New("not found") },
		Now:       func() time.Time { return t0 },
		Stopwatch: steady,
		Build:     Build{Version: "v9.9.9-test", OS: "linux", Arch: "amd64", Go: "go1.26"},
	}
}

// runPrinted runs with a printer and returns the report and the text.
func runPrinted(t *testing.T, o Options) (*Report, string) {
	t.Helper()
	var out bytes.Buffer
	p := NewPrinter(&out, false, false)
	o.Progress = p
	p.Begin(o.Build, o.Timeout)
	rep := Run(context.Background(), o)
	p.End(rep, "")
	return rep, out.String()
}

// check finds a check by id (and store, for per-store checks).
func check(t *testing.T, rep *Report, id string, store ...string) Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id && (len(store) == 0 || c.Store == store[0]) {
			return c
		}
	}
	t.Fatalf("no check %s %v in %+v", id, store, rep.Checks)
	return Check{}
}

// refusedPort is a loopback port nothing listens on.
func refusedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// normalize replaces the server's address so goldens do not depend on it.
func (tn *tenant) normalize(s string) string {
	return strings.ReplaceAll(s, tn.hs.Listener.Addr().String(), "127.0.0.1:PORT")
}
