package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/edmtop/edmtop/auth"
	"github.com/golang-jwt/jwt/v5"
)

// personAtTheKeyboard stands in for the device-code and browser flows at
// auth's seam (a credential with Authenticate): it signs in at once, as
// admin@contoso.com, and counts the interactive sign-ins.
type personAtTheKeyboard struct{ signIns *int }

func (p personAtTheKeyboard) Authenticate(context.Context, *policy.TokenRequestOptions) (azidentity.AuthenticationRecord, error) {
	*p.signIns++
	return azidentity.AuthenticationRecord{Authority: "login.microsoftonline.com", ClientID: "c", HomeAccountID: "h.t",
		TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", Username: "admin@contoso.com", Version: "1.0"}, nil
}

func (p personAtTheKeyboard) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"upn": "admin@contoso.com", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte("k"))
	return azcore.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// fakeInteractiveSignIn makes every device or browser credential a
// personAtTheKeyboard, without a persistent cache (no keyring in tests).
func fakeInteractiveSignIn(t *testing.T) *int {
	t.Helper()
	signIns := new(int)
	old := newCredential
	newCredential = func(o auth.Options) (*auth.Credential, error) {
		o.NewCache = nil
		c, err := auth.New(o)
		if err == nil && (c.Mode == auth.ModeDevice || c.Mode == auth.ModeBrowser) {
			c.TokenCredential = personAtTheKeyboard{signIns}
		}
		return c, err
	}
	t.Cleanup(func() { newCredential = old })
	return signIns
}

// auth login, then what auto signs in with, then auth logout, in a state
// directory of the test's own (issue 26, item 5).
func TestAuthLoginAndLogout(t *testing.T) {
	signIns := fakeInteractiveSignIn(t)
	state, cache := t.TempDir(), t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state, "XDG_CACHE_HOME": cache}
	record := filepath.Join(state, "edmtop", "auth-record-global-organizations-default-client.json")

	code, out, stderr := runCLI(t, env, "auth", "login")
	if code != 0 || *signIns != 1 {
		t.Fatalf("login: exit %d, %d sign-ins: %s", code, *signIns, stderr)
	}
	for _, want := range []string{"Signed in to the global cloud as admin@contoso.com (tenant 72f988bf-86f1-41af-91ab-2d7cd011db47) with a device code.",
		"saved:    " + record, "tokens:   memory only", "'edmtop auth logout' forgets it"} {
		if !strings.Contains(out, want) {
			t.Errorf("login lacks %q:\n%s", want, out)
		}
	}
	if info, err := os.Stat(record); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("record: %v", err)
	}
	// A second login signs in again (another account, say).
	if code, _, _ := runCLI(t, env, "auth", "login", "--auth", "browser"); code != 0 || *signIns != 2 {
		t.Errorf("login again: exit %d, %d sign-ins", code, *signIns)
	}
	// auto now uses the login, silently.
	code, out, stderr = runCLI(t, env, "auth", "status")
	if code != 0 || *signIns != 2 || !strings.Contains(out, "auth:        browser (InteractiveBrowserCredential), the sign-in 'edmtop auth login' saved") ||
		!strings.Contains(out, "account:     admin@contoso.com") {
		t.Errorf("status after login: exit %d, %d sign-ins:\n%s%s", code, *signIns, out, stderr)
	}

	for _, f := range []string{"edmtop", "edmtop.cae", "edmtop.lockfile"} {
		_ = os.MkdirAll(filepath.Join(cache, ".IdentityService"), 0o700)
		_ = os.WriteFile(filepath.Join(cache, ".IdentityService", f), []byte("x"), 0o600)
	}
	code, out, _ = runCLI(t, env, "auth", "logout")
	if code != 0 || !strings.Contains(out, "Removed the sign-in of admin@contoso.com: "+record+"\n") ||
		!strings.Contains(out, "Removed the token cache: "+filepath.Join(cache, ".IdentityService", "edmtop")) {
		t.Errorf("logout: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Errorf("record still there: %v", err)
	}
	code, out, _ = runCLI(t, env, "auth", "logout")
	if code != 0 || !strings.HasPrefix(out, "Nothing to remove: no sign-in is saved for the global cloud, tenant organizations, client id default") {
		t.Errorf("logout again: exit %d:\n%s", code, out)
	}
	// After the logout, auto is the default chain again.
	if code, out, _ := runCLI(t, env, "auth", "status", "--auth", "token"); code != 2 || out != "" {
		t.Errorf("status --auth token without a token: exit %d", code)
	}
}

func TestAuthLoginRefusesModesWithoutOne(t *testing.T) {
	for mode, want := range map[string]string{"cli": "run 'az login' instead", "env": "needs no login", "token": "needs no login"} {
		code, out, stderr := runCLI(t, nil, "auth", "login", "--auth", mode)
		if code != 2 || out != "" || !strings.Contains(stderr, want) {
			t.Errorf("--auth %s: exit %d, stderr %q", mode, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, nil, "auth", "logout", "--endpoint", "https://graph.microsoft.com/beta"); code != 2 || !strings.Contains(stderr, "does not apply") {
		t.Errorf("logout --endpoint: exit %d, %q", code, stderr)
	}
}

// The first run, with no credential anywhere, names the way to look
// around without one (issue 26, item 8).
func TestFirstRunSignInErrorOffersTheDemo(t *testing.T) {
	env := map[string]string{"PATH": t.TempDir(), "HOME": t.TempDir(), "AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "",
		"AZURE_CLIENT_SECRET": "", "AZURE_FEDERATED_TOKEN_FILE": "", "IDENTITY_ENDPOINT": "", "MSI_ENDPOINT": ""}
	code, out, stderr := runCLI(t, env, "stores")
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"sign-in (auto) failed", "edmtop auth login", "`edmtop --demo`", "`edmtop doctor`"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
