package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
)

// withAuthority makes the run sign in as a service principal would (the
// token is still the simulator's), so the sign-in service is checked, at
// authority.
func withAuthority(o Options, authority string) Options {
	o.Target.Mode = auth.ModeEnv
	o.Credential = func() (*auth.Credential, error) {
		cred, _ := graphapi.NewStaticTokenCredential(simToken)
		return &auth.Credential{TokenCredential: cred, Mode: auth.ModeEnv, Kind: "EnvironmentCredential"}, nil
	}
	o.Reach.Authority = authority
	return o
}

func TestReachTheSignInService(t *testing.T) {
	tlsServer := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsServer.Close)
	roots := x509.NewCertPool()
	roots.AddCert(tlsServer.Certificate())
	noSuchHost := func(_ context.Context, host string) ([]string, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	cases := []struct {
		name      string
		authority string
		lookup    func(context.Context, string) ([]string, error)
		roots     *x509.CertPool
		verdict   Verdict
		says      []string
	}{
		{"answers over TLS", tlsServer.URL + "/", nil, roots, OK, []string{"TCP 12ms", "TLS 1.3", "certificate from"}},
		{"untrusted certificate", tlsServer.URL + "/", nil, x509.NewCertPool(), Fail, []string{"an authority this machine does not trust", "trust its root certificate"}},
		{"refused", "https://" + refusedPort(t) + "/", nil, nil, Fail, []string{"connection refused", "allow outbound connections to 127.0.0.1:"}},
		{"cannot resolve", "https://login.example.invalid/", noSuchHost, nil, Fail, []string{"cannot resolve login.example.invalid: no such host", "check this machine's DNS"}},
		{"resolves, then refused", "https://login.example.test:" + portOnly(refusedPort(t)) + "/", func(context.Context, string) ([]string, error) { return []string{"127.0.0.1"}, nil }, nil, Fail, []string{"DNS 12ms", "connection refused"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := demoTenant(t, 0)
			o := withAuthority(tn.options(), tc.authority)
			if tc.lookup != nil {
				o.Reach.LookupHost = tc.lookup
			}
			// Only loopback: a resolved name dials 127.0.0.1.
			o.Reach.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, port, _ := net.SplitHostPort(addr)
				if net.ParseIP(host) == nil {
					addr = net.JoinHostPort("127.0.0.1", port)
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			if tc.roots != nil {
				o.Reach.TLS = &tls.Config{RootCAs: tc.roots}
			}
			rep, out := runPrinted(t, o)
			c := check(t, rep, "reach.authority")
			if c.Verdict != tc.verdict {
				t.Errorf("%s: %s\n%s", c.Verdict, c.Detail, out)
			}
			for _, s := range tc.says {
				if !strings.Contains(c.Detail+" "+c.Fix, s) {
					t.Errorf("lacks %q: %+v", s, c)
				}
			}
			// Graph itself answers: a failing sign-in service is its own ✗.
			if g := check(t, rep, "access.stores"); g.Verdict != OK {
				t.Errorf("stores: %+v", g)
			}
		})
	}
}

func portOnly(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// A proxy from the environment is named without its password, and the
// hosts are reached through it.
func TestReachThroughAProxy(t *testing.T) {
	tn := demoTenant(t, 0)
	proxyAddr := tn.hs.Listener.Addr().String() // anything that listens
	o := withAuthority(tn.options(), "https://login.microsoftonline.com/")
	env := map[string]string{"HTTPS_PROXY": "http://alice:s3cret-pw@" + proxyAddr, "NO_PROXY": "localhost"}
	o.Getenv = func(k string) string { return env[k] }
	o.Reach.Proxy = func(*http.Request) (*url.URL, error) { return url.Parse(env["HTTPS_PROXY"]) }
	rep, out := runPrinted(t, o)
	p := check(t, rep, "reach.proxy")
	if !strings.Contains(p.Detail, "sign-in through "+proxyAddr) || !strings.Contains(p.Detail, "NO_PROXY=localhost") {
		t.Errorf("proxy: %+v", p)
	}
	a := check(t, rep, "reach.authority")
	if a.Verdict != OK || !strings.Contains(a.Detail, "login.microsoftonline.com:443 through the proxy "+proxyAddr) {
		t.Errorf("authority: %+v\n%s", a, out)
	}
	b, _ := json.Marshal(rep.Redacted())
	if strings.Contains(string(b)+out, "s3cret-pw") || strings.Contains(string(b)+out, "alice") {
		t.Error("the proxy's user info leaks")
	}
}

func TestClockSkew(t *testing.T) {
	for _, tc := range []struct {
		offset  time.Duration
		verdict Verdict
		says    string
	}{
		{0, OK, "agrees with the service's Date"},
		{90 * time.Second, OK, "within 1m"},
		{5 * time.Minute, Warn, "5m behind the service's"},
		{-3 * time.Minute, Warn, "3m ahead of the service's"},
	} {
		tn := demoTenant(t, 0)
		tn.clock.Advance(tc.offset) // the service's clock; the doctor's stays at t0
		rep, _ := runPrinted(t, tn.options())
		c := check(t, rep, "reach.clock")
		if c.Verdict != tc.verdict || !strings.Contains(c.Detail, tc.says) {
			t.Errorf("offset %s: %+v", tc.offset, c)
		}
		if tc.verdict == Warn && !strings.Contains(c.Fix, "NTP") {
			t.Errorf("no fix: %+v", c)
		}
		if got := *rep.Reach.ClockSkewSeconds; got != tc.offset.Seconds() {
			t.Errorf("skew %vs, want %v", got, tc.offset.Seconds())
		}
	}
}

// When Graph's port refuses, that is the one problem: what needs Graph is
// not run, rather than failing again after retries.
func TestGraphUnreachable(t *testing.T) {
	tn := demoTenant(t, 0)
	o := tn.options()
	addr := refusedPort(t)
	o.Target.Endpoint = "http://" + addr + "/beta"
	rep, out := runPrinted(t, o)
	if c := check(t, rep, "reach.graph"); c.Verdict != Fail || !strings.Contains(c.Detail, "connection refused") {
		t.Errorf("%+v", c)
	}
	for _, id := range []string{"reach.http", "reach.clock", "access.stores", "service.states"} {
		if c := check(t, rep, id); c.Verdict != NotRun || !strings.Contains(c.Detail, "Microsoft Graph cannot be reached") {
			t.Errorf("%s: %+v", id, c)
		}
	}
	if rep.Summary.Fail != 1 || rep.Exit != 1 {
		t.Errorf("%d failures, exit %d\n%s", rep.Summary.Fail, rep.Exit, out)
	}
}
