package auth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/golang-jwt/jwt/v5"
)

const secretToken = "eyFAKE-SECRET-token-value"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestCredentialMatrix(t *testing.T) {
	global, _ := LookupCloud("global")
	cases := []struct {
		name    string
		mode    Mode
		env     map[string]string
		osEnv   map[string]string
		kind    string
		mode2   Mode
		wantErr string
	}{
		{"auto without token is the default chain", ModeAuto, nil, nil, "DefaultAzureCredential", ModeAuto, ""},
		{"auto with EDMTOP_TOKEN is token", ModeAuto, map[string]string{"EDMTOP_TOKEN": secretToken}, nil, "StaticToken", ModeToken, ""},
		{"empty mode is auto", "", nil, nil, "DefaultAzureCredential", ModeAuto, ""},
		{"cli", ModeCLI, map[string]string{"EDMTOP_TOKEN": secretToken}, nil, "AzureCLICredential", ModeCLI, ""},
		{"device", ModeDevice, nil, nil, "DeviceCodeCredential", ModeDevice, ""},
		{"browser", ModeBrowser, nil, nil, "InteractiveBrowserCredential", ModeBrowser, ""},
		{"managed identity", ModeManagedIdentity, nil, nil, "ManagedIdentityCredential", ModeManagedIdentity, ""},
		{"env with secrets", ModeEnv, nil, map[string]string{"AZURE_TENANT_ID": "contoso.onmicrosoft.com", "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001", "AZURE_CLIENT_SECRET": "s3cret"}, "EnvironmentCredential", ModeEnv, ""},
		{"env without secrets", ModeEnv, nil, map[string]string{"AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": ""}, "", "", "AZURE_TENANT_ID"},
		{"token without EDMTOP_TOKEN", ModeToken, nil, nil, "", "", "EDMTOP_TOKEN"},
		{"token with a bad token", ModeToken, map[string]string{"EDMTOP_TOKEN": "two words"}, nil, "", "", "spaces"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.osEnv {
				t.Setenv(k, v)
			}
			c, err := New(Options{Mode: tc.mode, Cloud: global, Getenv: env(tc.env)})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error with %q, got %v", tc.wantErr, err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Error("error leaks a secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != tc.kind || c.Mode != tc.mode2 {
				t.Errorf("got %s/%s, want %s/%s", c.Kind, c.Mode, tc.kind, tc.mode2)
			}
		})
	}
}

func TestInvalidTenantAndClient(t *testing.T) {
	global, _ := LookupCloud("global")
	for _, o := range []Options{{Mode: ModeDevice, TenantID: "bad tenant"}, {Mode: ModeDevice, ClientID: "x\x1b[2J"}} {
		o.Cloud = global
		if _, err := New(o); err == nil || strings.ContainsRune(err.Error(), '\x1b') {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := ParseMode("kerberos"); err == nil || !strings.Contains(err.Error(), "managed-identity") {
		t.Errorf("ParseMode: %v", err)
	}
	if m, err := ParseMode("Device"); err != nil || m != ModeDevice {
		t.Errorf("ParseMode(Device) = %v %v", m, err)
	}
}

func TestCloudTable(t *testing.T) {
	want := map[string][3]string{
		"global":   {"https://graph.microsoft.com/beta", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com/"},
		"usgov":    {"https://graph.microsoft.us/beta", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		"usgovdod": {"https://dod-graph.microsoft.us/beta", "https://dod-graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		"china":    {"https://microsoftgraph.chinacloudapi.cn/beta", "https://microsoftgraph.chinacloudapi.cn/.default", "https://login.chinacloudapi.cn/"},
	}
	for name, w := range want {
		c, err := LookupCloud(strings.ToUpper(name))
		if err != nil {
			t.Fatal(err)
		}
		if c.Endpoint() != w[0] || c.Scope() != w[1] || c.Configuration().ActiveDirectoryAuthorityHost != w[2] {
			t.Errorf("%s: %s %s %s", name, c.Endpoint(), c.Scope(), c.Configuration().ActiveDirectoryAuthorityHost)
		}
	}
	if _, err := LookupCloud("moon"); err == nil || !strings.Contains(err.Error(), "usgovdod") {
		t.Errorf("unknown cloud: %v", err)
	}
}

func TestDevicePromptGoesWhereSent(t *testing.T) {
	var buf bytes.Buffer
	err := DevicePrompt(&buf)(context.Background(), azidentity.DeviceCodeMessage{
		Message: "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC123\x1b]0;x\x07 to authenticate.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "ABC123") || strings.ContainsRune(buf.String(), '\x1b') {
		t.Errorf("prompt = %q", buf.String())
	}
	buf.Reset()
	DevicePrompt(&buf)(context.Background(), azidentity.DeviceCodeMessage{UserCode: "XYZ", VerificationURL: "https://microsoft.com/devicelogin"})
	if !strings.Contains(buf.String(), "XYZ") {
		t.Errorf("fallback prompt = %q", buf.String())
	}
}

// fakeInteractive is a credential with Authenticate, counting sign-ins.
type fakeInteractive struct{ authenticated, tokens int }

func (f *fakeInteractive) Authenticate(context.Context, *policy.TokenRequestOptions) (azidentity.AuthenticationRecord, error) {
	f.authenticated++
	return azidentity.AuthenticationRecord{Authority: "login.microsoftonline.com", ClientID: "c", HomeAccountID: "h", TenantID: "t", Username: "admin@contoso.com", Version: "1.0"}, nil
}

func (f *fakeInteractive) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.tokens++
	return azcore.AccessToken{Token: secretToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestSignInSavesTheRecordPrivately(t *testing.T) {
	dir := t.TempDir()
	global, _ := LookupCloud("global")
	o := Options{Mode: ModeDevice, Cloud: global, StateDir: filepath.Join(dir, "state"), TenantID: "contoso.onmicrosoft.com"}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if !c.fresh {
		t.Fatal("a first run should need an interactive sign-in")
	}
	fake := &fakeInteractive{}
	c.TokenCredential = fake
	if _, err := c.SignIn(context.Background(), global.Scope(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if fake.authenticated != 1 || fake.tokens != 1 {
		t.Errorf("authenticate %d, token %d", fake.authenticated, fake.tokens)
	}
	info, err := os.Stat(c.recordPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v", info.Mode().Perm())
	}
	b, _ := os.ReadFile(c.recordPath)
	if strings.Contains(string(b), secretToken) || !strings.Contains(string(b), "admin@contoso.com") {
		t.Errorf("record: %s", b)
	}
	// The next start finds the record and signs in silently.
	c2, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if c2.fresh {
		t.Error("the saved record was not used")
	}
	fake2 := &fakeInteractive{}
	c2.TokenCredential = fake2
	c2.SignIn(context.Background(), global.Scope(), time.Minute)
	if fake2.authenticated != 0 {
		t.Error("signed in interactively again despite the record")
	}
}

func TestStateDir(t *testing.T) {
	if got := StateDir(env(map[string]string{"XDG_STATE_HOME": "/x/state"})); got != "/x/state/edmtop" {
		t.Errorf("got %s", got)
	}
	if got := StateDir(env(nil)); !strings.HasSuffix(got, filepath.Join(".local", "state", "edmtop")) {
		t.Errorf("got %s", got)
	}
}

func TestInspectToken(t *testing.T) {
	exp := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"tid": "72f988bf-86f1-41af-91ab-2d7cd011db47", "upn": "admin@contoso.com", "app_displayname": "edmtop",
		"appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "aud": "https://graph.microsoft.com",
		"scp": "User.Read InformationProtectionPolicy.Read", "exp": exp.Unix(),
	}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	info := Inspect(azcore.AccessToken{Token: tok})
	if info.Opaque || info.Tenant != "72f988bf-86f1-41af-91ab-2d7cd011db47" || info.Account != "admin@contoso.com" ||
		info.App != "edmtop (04b07795-8ddb-461a-bbee-02f9e1bf7b46)" || info.Audience != "https://graph.microsoft.com" ||
		len(info.Scopes) != 2 || !info.Expires.Equal(exp) {
		t.Errorf("info = %+v", info)
	}
	opaque := Inspect(azcore.AccessToken{Token: "not-a-jwt", ExpiresOn: exp})
	if !opaque.Opaque || !opaque.Expires.IsZero() {
		t.Errorf("opaque = %+v", opaque)
	}
}

// An expiry is shown only when someone stated it: the token's exp claim, or
// the sign-in that issued it; a ready-made token's is unknown (issue 14).
func TestCredentialInspectNeverInventsAnExpiry(t *testing.T) {
	exp := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	claimed := time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC)
	jwtTok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": claimed.Unix()}).SignedString([]byte("k"))
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"tid": "t"}).SignedString([]byte("k"))
	cases := []struct {
		name  string
		mode  Mode
		token string
		want  time.Time
	}{
		{"ready-made opaque token", ModeToken, "opaque", time.Time{}},
		{"ready-made JWT without exp", ModeToken, noExp, time.Time{}},
		{"ready-made JWT with exp", ModeToken, jwtTok, claimed},
		{"Azure CLI opaque token: az states the expiry", ModeCLI, "opaque", exp},
		{"the claim wins over the sign-in", ModeDevice, jwtTok, claimed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Credential{Mode: tc.mode}
			if got := c.Inspect(azcore.AccessToken{Token: tc.token, ExpiresOn: exp}).Expires; !got.Equal(tc.want) {
				t.Errorf("expires %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckCLICloud(t *testing.T) {
	usgov, _ := LookupCloud("usgov")
	global, _ := LookupCloud("global")
	answer := func(out string, err error) CommandRunner {
		return func(_ context.Context, name string, args ...string) ([]byte, error) {
			if name != "az" || strings.Join(args, " ") != "cloud show --query name -o tsv" {
				t.Errorf("ran %s %v", name, args)
			}
			return []byte(out), err
		}
	}
	if w := CheckCLICloud(context.Background(), global, answer("AzureCloud\n", nil)); w != "" {
		t.Errorf("same cloud warned: %s", w)
	}
	w := CheckCLICloud(context.Background(), usgov, answer("AzureCloud\n", nil))
	if !strings.Contains(w, "AzureCloud") || !strings.Contains(w, "az cloud set --name AzureUSGovernment") {
		t.Errorf("warning = %q", w)
	}
	if w := CheckCLICloud(context.Background(), usgov, answer("", errors.New("exec: az not found"))); w != "" {
		t.Errorf("no az, but warned: %s", w)
	}
}

func TestExplainAdvice(t *testing.T) {
	cases := []struct {
		mode Mode
		err  string
		want string
	}{
		{ModeCLI, "AzureCLICredential: ERROR: Please run 'az login' to setup account.", "run `az login`"},
		{ModeCLI, "AzureCLICredential: Azure CLI not found on path", "not installed"},
		{ModeCLI, "AzureCLICredential: executable not found on path", "install it (https://aka.ms/installazurecli) and run `az login`, or use --auth device"},
		{ModeDevice, "AADSTS50020: User account from identity provider does not exist in tenant", "--tenant"},
		{ModeDevice, "AADSTS65001: The user or administrator has not consented", "consent"},
		{ModeManagedIdentity, "no response from IMDS", "managed identity"},
		{ModeAuto, "DefaultAzureCredential: failed to acquire a token.", "az login"},
	}
	for _, tc := range cases {
		err := Explain(tc.mode, errors.New(tc.err))
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v", tc.mode, tc.err, err)
		}
	}
	if Explain(ModeCLI, nil) != nil {
		t.Error("nil error explained")
	}
}

// expiringInteractive needs a new interactive sign-in until Authenticate runs.
type expiringInteractive struct{ fakeInteractive }

func (f *expiringInteractive) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if f.authenticated == 0 {
		return azcore.AccessToken{}, &azidentity.AuthenticationRequiredError{}
	}
	return f.fakeInteractive.GetToken(ctx, o)
}

func TestSignInAgainWhenTheRecordIsNotEnough(t *testing.T) {
	global, _ := LookupCloud("global")
	c := &Credential{Mode: ModeDevice, Kind: "DeviceCodeCredential", recordPath: filepath.Join(t.TempDir(), "r.json")}
	fake := &expiringInteractive{}
	c.TokenCredential = fake
	tok, err := c.SignIn(context.Background(), global.Scope(), time.Minute)
	if err != nil || tok.Token != secretToken || fake.authenticated != 1 {
		t.Errorf("token %v, err %v, authenticated %d", tok.Token != "", err, fake.authenticated)
	}
}

func TestCloudOfGraphHost(t *testing.T) {
	for host, want := range map[string]string{
		"graph.microsoft.com": "global", "graph.microsoft.us": "usgov", "DOD-GRAPH.microsoft.us": "usgovdod",
		"microsoftgraph.chinacloudapi.cn": "china", "127.0.0.1": "", "graph.microsoft.us.evil.example": "",
	} {
		c, ok := CloudOfGraphHost(host)
		if c.Name != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", host, c.Name, ok, want)
		}
	}
}

func TestStateDirOnWindows(t *testing.T) {
	env := map[string]string{"LOCALAPPDATA": "/Users/ann/AppData/Local"}
	getenv := func(k string) string { return env[k] }
	if got := stateDir("windows", getenv); got != filepath.Join("/Users/ann/AppData/Local", "edmtop") {
		t.Errorf("windows: %q", got)
	}
	if got := stateDir("linux", getenv); got == filepath.Join("/Users/ann/AppData/Local", "edmtop") {
		t.Errorf("linux took LOCALAPPDATA: %q", got)
	}
}
