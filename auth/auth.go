package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// Mode is a way of signing in.
type Mode string

// The --auth modes.
const (
	ModeAuto            Mode = "auto"
	ModeCLI             Mode = "cli"
	ModeDevice          Mode = "device"
	ModeBrowser         Mode = "browser"
	ModeEnv             Mode = "env"
	ModeManagedIdentity Mode = "managed-identity"
	ModeToken           Mode = "token"
)

// Modes lists every mode, for flag help and validation.
var Modes = []Mode{ModeAuto, ModeCLI, ModeDevice, ModeBrowser, ModeEnv, ModeManagedIdentity, ModeToken}

// ParseMode validates a --auth value.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if strings.EqualFold(string(m), s) {
			return m, nil
		}
	}
	names := make([]string, len(Modes))
	for i, m := range Modes {
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown --auth %q: use one of %s", s, strings.Join(names, ", "))
}

// Options choose and configure the credential.
type Options struct {
	Mode     Mode
	Cloud    Cloud
	TenantID string
	ClientID string
	// ClientSecretFile names a file holding an app registration's client
	// secret (systemd's LoadCredential=, a mounted Kubernetes Secret). With
	// --auth env or auto it signs in as that app, its tenant and client id
	// from TenantID and ClientID or AZURE_TENANT_ID and AZURE_CLIENT_ID, so
	// the secret never passes through the environment. The file is read
	// only when no other user can change it (as the config file).
	ClientSecretFile string
	// Prompt receives the device-code instructions (azidentity would print
	// them to stdout, where the dashboard is about to draw).
	Prompt io.Writer
	// StateDir keeps authentication records; empty disables them.
	StateDir string
	// Getenv reads the environment (default os.Getenv), for tests.
	Getenv func(string) string
	Logger *slog.Logger
	// NewCache makes a persistent token cache for the interactive modes
	// (NewPersistentCache in edmtop, nil in tests); nil or a failure means
	// memory only.
	NewCache func() (azidentity.Cache, error)
}

// Credential is the chosen credential and what is known about it.
type Credential struct {
	azcore.TokenCredential
	// Mode is the mode in effect (auto resolves to token when EDMTOP_TOKEN is set).
	Mode Mode
	// Kind names the azidentity type, for status output and tests.
	Kind string
	// TokenCache says where this credential keeps its tokens, for status
	// output: "persistent (macOS keychain)", "memory only (built without
	// cgo)", "kept by the Azure CLI", ...
	TokenCache string
	// Saved says the credential is the sign-in `edmtop auth login` saved,
	// which --auth auto uses when EDMTOP_TOKEN is not set.
	Saved bool
	// recordPath is where an interactive credential keeps its record.
	recordPath string
	// login is the mode of the `auth login` that saved the record ("" for
	// a record an interactive start saved): kept when the record is.
	login Mode
	// fresh is set when an interactive credential has no record yet.
	fresh bool
}

// tenantPattern is a tenant GUID or a domain name.
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$`)

// New builds the credential for o. It does not contact anything.
func New(o Options) (*Credential, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Prompt == nil {
		o.Prompt = os.Stderr
	}
	if o.TenantID != "" && !tenantPattern.MatchString(o.TenantID) {
		return nil, fmt.Errorf("--tenant %q is not a tenant id or domain", termtext.OneLine(o.TenantID))
	}
	if o.ClientID != "" && !tenantPattern.MatchString(o.ClientID) {
		return nil, fmt.Errorf("--client-id %q is not an application id", termtext.OneLine(o.ClientID))
	}
	mode := o.Mode
	if mode == "" {
		mode = ModeAuto
	}
	client := azcore.ClientOptions{Cloud: o.Cloud.Configuration()}
	if o.ClientSecretFile != "" {
		return secretFileCredential(o, mode, getenv, client)
	}
	if mode == ModeAuto && strings.TrimSpace(getenv(graphapi.TokenEnvVar)) != "" {
		mode = ModeToken
	}
	saved := false
	if mode == ModeAuto {
		// A sign-in `edmtop auth login` saved comes before the chain.
		if m := savedLogin(o); m != "" {
			mode, saved = m, true
		}
	}
	// Only the interactive modes take a cache; the others keep tokens in
	// memory (azidentity) or leave them to az.
	c := &Credential{Mode: mode, TokenCache: "memory only", Saved: saved}
	var err error
	switch mode {
	case ModeToken:
		c.Kind = "StaticToken"
		v := getenv(graphapi.TokenEnvVar)
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("--auth token needs %s set to a Microsoft Graph access token", graphapi.TokenEnvVar)
		}
		c.TokenCredential, err = graphapi.NewStaticTokenCredential(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", graphapi.TokenEnvVar, err)
		}
	case ModeAuto:
		c.Kind = "DefaultAzureCredential"
		c.TokenCredential, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: client, TenantID: o.TenantID})
	case ModeCLI:
		c.Kind = "AzureCLICredential"
		c.TokenCache = "kept by the Azure CLI"
		c.TokenCredential, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: o.TenantID})
	case ModeEnv:
		c.Kind = "EnvironmentCredential"
		c.TokenCredential, err = azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: client})
	case ModeManagedIdentity:
		c.Kind = "ManagedIdentityCredential"
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: client}
		if o.ClientID != "" {
			mo.ID = azidentity.ClientID(o.ClientID)
		}
		c.TokenCredential, err = azidentity.NewManagedIdentityCredential(mo)
	case ModeDevice, ModeBrowser:
		err = c.interactive(o, client)
	default:
		return nil, fmt.Errorf("unknown --auth %q", mode)
	}
	if err != nil {
		return nil, Explain(mode, err)
	}
	return c, nil
}

// interactive builds a device-code or browser credential that reuses the
// record (and, where the platform has one, the persistent cache) of an
// earlier sign-in, so the user is not asked again on every start.
func (c *Credential) interactive(o Options, client azcore.ClientOptions) error {
	var cache azidentity.Cache
	if o.NewCache != nil {
		cc, err := o.NewCache()
		if err == nil {
			cache = cc
		} else {
			o.Logger.Info("no persistent token cache; tokens stay in memory", "reason", err.Error())
		}
		c.TokenCache = tokenCacheText(runtime.GOOS, err == nil, err)
	}
	var record azidentity.AuthenticationRecord
	if o.StateDir != "" {
		c.recordPath = filepath.Join(o.StateDir, recordName(o))
		if r, login, err := loadRecord(c.recordPath); err == nil {
			record, c.login = r, login
		} else if !errors.Is(err, os.ErrNotExist) {
			o.Logger.Warn("ignoring an unreadable authentication record", "path", c.recordPath, "err", err)
		}
	}
	c.fresh = record == (azidentity.AuthenticationRecord{})
	if c.Mode == ModeDevice {
		c.Kind = "DeviceCodeCredential"
		// No automatic prompts: one while the dashboard draws would garble
		// the screen. SignIn prompts, before the screen is taken.
		cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: client, TenantID: o.TenantID, ClientID: o.ClientID,
			AuthenticationRecord: record, Cache: cache, UserPrompt: DevicePrompt(o.Prompt),
			DisableAutomaticAuthentication: true,
		})
		c.TokenCredential = cred
		return err
	}
	c.Kind = "InteractiveBrowserCredential"
	cred, err := azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
		ClientOptions: client, TenantID: o.TenantID, ClientID: o.ClientID,
		AuthenticationRecord: record, Cache: cache, DisableAutomaticAuthentication: true,
	})
	c.TokenCredential = cred
	return err
}

// DevicePrompt writes Entra's device-code instructions to w, sanitized.
func DevicePrompt(w io.Writer) func(context.Context, azidentity.DeviceCodeMessage) error {
	return func(_ context.Context, m azidentity.DeviceCodeMessage) error {
		msg := termtext.OneLine(m.Message)
		if msg == "" {
			msg = fmt.Sprintf("To sign in, open %s and enter the code %s.", termtext.OneLine(m.VerificationURL), termtext.OneLine(m.UserCode))
		}
		_, err := fmt.Fprintln(w, msg)
		return err
	}
}

func recordName(o Options) string {
	tenant := o.TenantID
	if tenant == "" {
		tenant = "organizations"
	}
	client := o.ClientID
	if client == "" {
		client = "default-client"
	}
	return fmt.Sprintf("auth-record-%s-%s-%s.json", o.Cloud.Name, tenant, client)
}

// storedRecord is a record as edmtop keeps it: azidentity's, and the
// mode of the `auth login` that saved it, if one did.
type storedRecord struct {
	azidentity.AuthenticationRecord
	Login Mode `json:"edmtopLogin,omitempty"`
}

func loadRecord(path string) (azidentity.AuthenticationRecord, Mode, error) {
	var r azidentity.AuthenticationRecord
	b, err := os.ReadFile(path)
	if err != nil {
		return r, "", err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, "", err
	}
	// Read apart: the record's own UnmarshalJSON would be storedRecord's.
	var mark struct {
		Login Mode `json:"edmtopLogin"`
	}
	_ = json.Unmarshal(b, &mark)
	if mark.Login != ModeDevice && mark.Login != ModeBrowser {
		mark.Login = ""
	}
	return r, mark.Login, nil
}

// savedLogin is the mode of the sign-in `auth login` saved for o's cloud,
// tenant and client, or "" when there is none.
func savedLogin(o Options) Mode {
	if o.StateDir == "" {
		return ""
	}
	_, login, err := loadRecord(filepath.Join(o.StateDir, recordName(o)))
	if err != nil {
		return ""
	}
	return login
}

// saveRecord keeps the record (account and tenant ids, no secret) with
// owner-only permissions; login marks one `auth login` saved.
func saveRecord(path string, r azidentity.AuthenticationRecord, login Mode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(storedRecord{r, login}, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// StateDir is $XDG_STATE_HOME/edmtop; on Windows %LOCALAPPDATA%\edmtop;
// else ~/.local/state/edmtop.
func StateDir(getenv func(string) string) string {
	return stateDir(runtime.GOOS, getenv)
}

func stateDir(goos string, getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "edmtop")
	}
	if d := getenv("LOCALAPPDATA"); goos == "windows" && filepath.IsAbs(d) {
		return filepath.Join(d, "edmtop")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "state", "edmtop")
}

type authenticator interface {
	Authenticate(context.Context, *policy.TokenRequestOptions) (azidentity.AuthenticationRecord, error)
}

// SignIn gets the first token before any screen is drawn, so prompts print
// normally; an interactive sign-in's record is saved for the next start.
func (c *Credential) SignIn(ctx context.Context, scope string, timeout time.Duration) (azcore.AccessToken, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts := policy.TokenRequestOptions{Scopes: []string{scope}}
	if !c.fresh {
		tok, err := c.GetToken(ctx, opts)
		var needed *azidentity.AuthenticationRequiredError
		if !errors.As(err, &needed) {
			if err != nil {
				return azcore.AccessToken{}, Explain(c.Mode, err)
			}
			return tok, nil
		}
		// The record's account needs to sign in again (no cached token).
	}
	if a, ok := c.TokenCredential.(authenticator); ok {
		record, err := a.Authenticate(ctx, &opts)
		if err != nil {
			return azcore.AccessToken{}, Explain(c.Mode, err)
		}
		if c.recordPath != "" {
			if err := saveRecord(c.recordPath, record, c.login); err != nil {
				return azcore.AccessToken{}, fmt.Errorf("signed in, but could not save the sign-in record: %w", err)
			}
		}
		c.fresh = false
	}
	tok, err := c.GetToken(ctx, opts)
	if err != nil {
		return azcore.AccessToken{}, Explain(c.Mode, err)
	}
	return tok, nil
}
