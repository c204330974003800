package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/internal/logfile"
	"github.com/spf13/cobra"
)

// globalFlags are shared by the dashboard and every command that talks to
// Graph.
type globalFlags struct {
	logFile string
	config  string
	// settings is filled before any command runs (loadSettings).
	settings *resolved
}

// persistentFlags gives the root the flags of every command that talks to
// Graph: the sign-in settings, --config and --log-file. Every command has
// them; help shows them once, under "Global Flags" (help.go). Commands that never
// sign in (simulate, config path, completion) say which they read
// (readsGlobals), and neither list nor take the others.
func (g *globalFlags) persistentFlags(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&g.config, "config", "", "configuration file (default $XDG_CONFIG_HOME/edmtop/config.yaml, or EDMTOP_CONFIG)")
	addSettingFlagsTo(fl, signInSettings...)
	fl.StringVar(&g.logFile, "log-file", "", "write debug logs to this file (never tokens)")
	var clouds, modes []string
	for _, c := range auth.Clouds {
		clouds = append(clouds, c.Name)
	}
	for _, m := range auth.Modes {
		modes = append(modes, string(m))
	}
	_ = root.RegisterFlagCompletionFunc("cloud", fixedCompletions(clouds...))
	_ = root.RegisterFlagCompletionFunc("auth", fixedCompletions(modes...))
}

// target is where and how to talk to Graph, checked but not yet signed in.
type target struct {
	cloud    auth.Cloud
	mode     auth.Mode
	endpoint string
	scope    string
}

// resolveTarget is the target the settings in effect name. A cloud left
// at its default is taken from a known Graph host in --endpoint.
func (g *globalFlags) resolveTarget() (target, error) {
	r := g.settings
	cloud := r.str("cloud")
	if r.values["cloud"].source == "default" {
		cloud = ""
	}
	return newTarget(cloud, r.from("cloud"), r.str("auth"), r.str("endpoint"))
}

// newTarget combines a cloud ("" when not given), a sign-in mode and an
// endpoint override ("" for the cloud's own); cloudFrom says where a given
// cloud came from, for errors. The registry has validated each; this checks
// them again for callers that did not come through it.
func newTarget(cloud, cloudFrom, mode, endpoint string) (target, error) {
	name := cloud
	if name == "" {
		name = auth.Clouds[0].Name
	}
	c, err := auth.LookupCloud(name)
	if err != nil {
		return target{}, usageErrorf("--cloud: %v", err)
	}
	m, err := auth.ParseMode(mode)
	if err != nil {
		return target{}, usageErrorf("%v", err)
	}
	if endpoint == "" {
		return target{cloud: c, mode: m, endpoint: c.Endpoint(), scope: c.Scope()}, nil
	}
	u, err := graphapi.CheckEndpoint(endpoint)
	if err != nil {
		return target{}, usageErrorf("--endpoint: %v", err)
	}
	// A national cloud's Graph takes tokens from that cloud's sign-in only:
	// follow the endpoint, or refuse a --cloud that says otherwise.
	if owner, ok := auth.CloudOfGraphHost(u.Hostname()); ok && owner.Name != c.Name {
		if cloud != "" {
			return target{}, usageErrorf("--endpoint %s is the %s cloud's Microsoft Graph, but --cloud%s is %s, whose sign-in (%s) cannot give tokens for it: "+
				"pass --cloud %s, or leave --cloud out to follow the endpoint", u.Scheme+"://"+u.Host, owner.Name, cloudFrom, c.Name, c.Authority, owner.Name)
		}
		c = owner
	}
	t := target{cloud: c, mode: m, endpoint: u.String(), scope: c.Scope()}
	// Tokens are issued for the Graph root they are sent to.
	if root := u.Scheme + "://" + u.Host; !strings.EqualFold(root, c.GraphRoot) {
		t.scope = root + "/.default"
	}
	return t, nil
}

// app holds what one command run opens: the log and the credential.
type app struct {
	flags  *globalFlags
	stderr io.Writer
	log    *slog.Logger
	close  func()
}

func newApp(g *globalFlags, stderr io.Writer) (*app, error) {
	logger, closeLog, err := openLog(g.logFile)
	if err != nil {
		return nil, err
	}
	return &app{flags: g, stderr: stderr, log: logger, close: closeLog}, nil
}

// newCredential builds credentials: auth.New, or a fake in tests (the
// device and browser flows need a person and the network).
var newCredential = auth.New

// credential builds the credential for the target; it contacts nothing,
// so flag mistakes surface before any prompt or screen.
func (a *app) credential(t target) (*auth.Credential, error) {
	cred, err := newCredential(auth.Options{
		Mode: t.mode, Cloud: t.cloud, TenantID: a.flags.settings.str("tenant"), ClientID: a.flags.settings.str("client-id"),
		ClientSecretFile: a.flags.settings.str("client-secret-file"),
		Prompt:           a.stderr, StateDir: auth.StateDir(os.Getenv), Logger: a.log,
		NewCache: auth.NewPersistentCache,
	})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return cred, nil
}

// signIn gets the first token, printing any prompt or warning to stderr
// while no screen is drawn.
func (a *app) signIn(ctx context.Context, t target, cred *auth.Credential) (azcore.AccessToken, error) {
	if cred.Mode == auth.ModeCLI {
		if w := auth.CheckCLICloud(ctx, t.cloud, auth.RunCommand); w != "" {
			fmt.Fprintln(a.stderr, w)
		}
	}
	tok, err := cred.SignIn(ctx, t.scope, 15*time.Minute)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	a.log.Info("signed in", "mode", string(cred.Mode), "credential", cred.Kind, "cloud", t.cloud.Name, "endpoint", redactedHost(t.endpoint))
	return tok, nil
}

// client is a Graph client for the target, signing with cred.
func (a *app) client(t target, cred *auth.Credential) (*graphapi.Client, error) {
	client, err := graphapi.New(t.endpoint, cred, a.flags.graphOptions(&graphapi.Options{Scope: t.scope}))
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return client, nil
}

// graphOptions bounds a client's requests by --request-timeout: a call
// with all its retries, and each attempt at most as long.
func (g *globalFlags) graphOptions(o *graphapi.Options) *graphapi.Options {
	d := g.settings.duration("request-timeout")
	if d <= 0 {
		d = defaultRequestTimeout
	}
	o.CallTimeout, o.TryTimeout = d, min(d, maxTryTimeout)
	return o
}

func redactedHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// openLog routes edmtop's and azcore's logs to path, or drops them. azcore
// would otherwise write to stderr (AZURE_SDK_GO_LOGGING) over the dashboard.
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		azlog.SetListener(nil)
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	file, err := logfile.Open(path)
	if err != nil {
		return nil, nil, usageErrorf("--log-file: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// azcore redacts the Authorization header and query values itself.
	azlog.SetListener(func(ev azlog.Event, msg string) {
		logger.Debug(msg, "azcore", string(ev))
	})
	azlog.SetEvents(azlog.EventRequest, azlog.EventResponse, azlog.EventResponseError, azlog.EventRetryPolicy)
	return logger, func() {
		azlog.SetListener(nil)
		_ = file.Close()
	}, nil
}

// withApp checks the global flags (where Graph is and how to sign in),
// opens the log and runs do; the log is closed after.
func withApp(g *globalFlags, stderr io.Writer, do func(t target, a *app) error) error {
	t, err := g.resolveTarget()
	if err != nil {
		return err
	}
	a, err := newApp(g, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	return do(t, a)
}

// withSignIn checks the global flags, signs in and runs do with what it
// got; the log is closed after.
func withSignIn(cmd *cobra.Command, g *globalFlags, do func(t target, a *app, cred *auth.Credential, tok azcore.AccessToken) error) error {
	return withApp(g, cmd.ErrOrStderr(), func(t target, a *app) error {
		return signedIn(cmd.Context(), t, a, do)
	})
}

func signedIn(ctx context.Context, t target, a *app, do func(t target, a *app, cred *auth.Credential, tok azcore.AccessToken) error) error {
	cred, err := a.credential(t)
	if err != nil {
		return err
	}
	tok, err := a.signIn(ctx, t, cred)
	if err != nil {
		return err
	}
	return do(t, a, cred, tok)
}

// withClient signs in and runs do with a Graph client.
func withClient(cmd *cobra.Command, g *globalFlags, do func(*graphapi.Client) error) error {
	return withSignIn(cmd, g, func(t target, a *app, cred *auth.Credential, _ azcore.AccessToken) error {
		client, err := a.client(t, cred)
		if err != nil {
			return err
		}
		return do(client)
	})
}
