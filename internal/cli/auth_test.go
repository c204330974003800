package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/edmtop/edmtop/fakegraph"
)

func TestAuthStatusCheck(t *testing.T) {
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value": []}`))
	}))
	t.Cleanup(empty.Close)
	cases := []struct {
		name     string
		fault    *fakegraph.Fault
		endpoint string
		code     int
		stdout   []string
		stderr   []string
		lists    int
	}{
		{"access works", nil, "", 0, []string{"edm access:  yes: 4 data store(s) listed"}, nil, 1},
		{"not in EDM_DataUploaders", &fakegraph.Fault{Status: 403, Code: "accessDenied", Message: "Access denied.", Times: -1}, "", 1,
			[]string{"edm access:  no: listing the data stores failed"}, []string{"HTTP 403 accessDenied", "EDM_DataUploaders security group"}, 1},
		{"token refused", &fakegraph.Fault{Status: 401, Code: "InvalidAuthenticationToken", Message: "Expired.", Times: -1}, "", 1,
			[]string{"edm access:  no"}, []string{"HTTP 401", "Sign in again"}, 2}, // the client retries a 401 once, with a fresh token
		{"no stores in this tenant", nil, empty.URL + "/beta", 0, []string{"yes, but the account sees no data stores"}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, env := simulator(t, fakegraph.Options{})
			if tc.fault != nil {
				sim.Inject(fakegraph.RouteListStores, *tc.fault)
			}
			if tc.endpoint != "" {
				env["EDMTOP_ENDPOINT"] = tc.endpoint
			}
			code, out, stderr := runCLI(t, env, "auth", "status", "--check")
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if n := len(sim.RequestsTo(fakegraph.RouteListStores)); n != tc.lists {
				t.Errorf("%d store listings, want %d (once, not retried into a loop)", n, tc.lists)
			}
			if strings.Contains(out, "'edmtop auth status --check' tries it") {
				t.Error("--check still suggests --check")
			}
			assertClean(t, out+stderr)
		})
	}
}

// A ready-made opaque token states no expiry: status says unknown instead
// of the 24 hours the credential reports to azcore (issue 14).
func TestAuthStatusOpaqueTokenExpiryUnknown(t *testing.T) {
	code, out, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": "opaque-token-value"}, "auth", "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "expires:     unknown") || !strings.Contains(out, "auth status --check' tries it") {
		t.Errorf("status:\n%s", out)
	}
	if strings.Contains(out, "opaque-token-value") {
		t.Error("token printed")
	}
}
