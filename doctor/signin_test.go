package doctor

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/golang-jwt/jwt/v5"
)

// jwtRun points a run at a demo tenant (which takes any token) with a JWT
// of claims; aud gets the endpoint's root, which the server's port names.
func jwtRun(t *testing.T, claims func(aud string) jwt.MapClaims) (Options, string) {
	t.Helper()
	clock := fakegraph.NewManualClock(t0)
	tn := serve(t, fakegraph.NewDemo(fakegraph.Options{Clock: clock}), clock)
	o := tn.options()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(strings.TrimSuffix(o.Target.Scope, "/.default"))).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	o.Credential = func() (*auth.Credential, error) {
		return auth.New(auth.Options{Mode: auth.ModeToken, Getenv: func(string) string { return tok }})
	}
	o.Target.Mode = auth.ModeToken
	return o, tok
}

func TestTokenClaims(t *testing.T) {
	in := func(d time.Duration) int64 { return t0.Add(d).Unix() }
	cases := []struct {
		name   string
		claims func(aud string) jwt.MapClaims
		want   map[string]Verdict
		says   []string
		exit   int
	}{
		{"user token", func(aud string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "tenant-guid-1", "upn": "admin@contoso.com", "scp": "User.Read Files.Read", "aud": aud, "exp": in(time.Hour)}
		}, map[string]Verdict{"signin.token": OK, "signin.expiry": OK, "signin.audience": OK, "signin.claims": OK},
			[]string{"user token for admin@contoso.com in tenant tenant-guid-1", "in 1h (2026-11-28 10:00:00Z)", "scp: User.Read Files.Read"}, 0},
		{"app-only token", func(aud string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "appid": "app-guid", "idtyp": "app", "roles": []string{"Sites.Read.All"}, "aud": aud, "exp": in(time.Hour)}
		}, map[string]Verdict{"signin.token": OK, "signin.claims": OK},
			[]string{"app-only token for app-guid", "not documented", "roles: Sites.Read.All"}, 0},
		{"expired", func(aud string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "upn": "u@x", "scp": "a", "aud": aud, "exp": in(-10 * time.Minute)}
		}, map[string]Verdict{"signin.expiry": Fail},
			[]string{"expired 10m ago", "put a new token in EDMTOP_TOKEN"}, 1},
		{"about to expire", func(aud string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "upn": "u@x", "scp": "a", "aud": aud, "exp": in(2 * time.Minute)}
		}, map[string]Verdict{"signin.expiry": Warn}, []string{"a ready token is not renewed"}, 0},
		{"another cloud's Graph", func(string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "upn": "u@x", "scp": "a", "aud": "https://graph.microsoft.us", "exp": in(time.Hour)}
		}, map[string]Verdict{"signin.audience": Fail}, []string{"for https://graph.microsoft.us, but the endpoint is", "the usgov cloud's Graph"}, 1},
		{"Graph by app id", func(string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "upn": "u@x", "scp": "a", "aud": graphAppID, "exp": in(time.Hour)}
		}, map[string]Verdict{"signin.audience": OK}, []string{"Microsoft Graph (by its application id)"}, 0},
		{"no permissions", func(aud string) jwt.MapClaims {
			return jwt.MapClaims{"tid": "t", "upn": "u@x", "aud": aud, "exp": in(time.Hour)}
		}, map[string]Verdict{"signin.claims": Warn}, []string{"no scp or roles"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, tok := jwtRun(t, tc.claims)
			rep, out := runPrinted(t, o)
			for id, want := range tc.want {
				if c := check(t, rep, id); c.Verdict != want {
					t.Errorf("%s: %s %q", id, c.Verdict, c.Detail)
				}
			}
			for _, s := range tc.says {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if rep.Exit != tc.exit {
				t.Errorf("exit %d, want %d\n%s", rep.Exit, tc.exit, out)
			}
			b, _ := json.Marshal(rep)
			red, _ := json.Marshal(rep.Redacted())
			sig := tok[strings.LastIndex(tok, ".")+1:]
			for _, leak := range []string{tok, sig} {
				if strings.Contains(out+string(b)+string(red), leak) {
					t.Fatal("the token, or its signature, is printed or reported")
				}
			}
		})
	}
}

// A credential that cannot be built is a failed sign-in with auth's
// advice, and every check that needs a token is not run.
func TestSignInFails(t *testing.T) {
	tn := demoTenant(t, 0)
	o := tn.options()
	o.Target.Mode = auth.ModeEnv
	o.Credential = func() (*auth.Credential, error) {
		return nil, auth.Explain(auth.ModeEnv, errors.New("EnvironmentCredential: missing environment variable AZURE_TENANT_ID"))
	}
	rep, out := runPrinted(t, o)
	c := check(t, rep, "signin.mode")
	if c.Verdict != Fail || !strings.Contains(c.Fix, "AZURE_CLIENT_SECRET") {
		t.Errorf("%+v", c)
	}
	if s := check(t, rep, "access.stores"); s.Verdict != NotRun || !strings.Contains(s.Detail, "sign-in did not succeed") {
		t.Errorf("%+v", s)
	}
	// The sign-in service is still tried: it may be why sign-in fails.
	if rep.Exit != 1 || !strings.Contains(out, "sign-in service") {
		t.Errorf("exit %d\n%s", rep.Exit, out)
	}
}

func TestWhyAuto(t *testing.T) {
	r := &runner{o: Options{
		Target: Target{Mode: auth.ModeAuto},
		Getenv: func(k string) string {
			return map[string]string{"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s", "AZURE_FEDERATED_TOKEN_FILE": "/f"}[k]
		},
		LookPath: func(bin string) (string, error) {
			if bin == "az" {
				return "/usr/bin/az", nil
			}
			return "", errors.New("no")
		},
	}}
	got := r.whyMode(&auth.Credential{Mode: auth.ModeAuto})
	for _, want := range []string{"environment credentials", "workload identity", "the Azure CLI (on PATH)"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "azd") || strings.Contains(got, "Developer") {
		t.Errorf("names a tool not installed: %s", got)
	}
	r.o.Getenv = func(string) string { return "" }
	r.o.LookPath = func(string) (string, error) { return "", errors.New("no") }
	if got := r.whyMode(&auth.Credential{Mode: auth.ModeAuto}); !strings.Contains(got, "none looks set up here") {
		t.Errorf("nothing set up: %s", got)
	}
	if got := r.whyMode(&auth.Credential{Mode: auth.ModeToken}); !strings.Contains(got, graphapi.TokenEnvVar+" is set") {
		t.Errorf("auto to token: %s", got)
	}
}
