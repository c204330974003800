package doctor

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
)

// graphAppID is Microsoft Graph's application id, an audience some tokens
// carry instead of its URL.
const graphAppID = "00000003-0000-0000-c000-000000000000"

func (r *runner) signIn(ctx context.Context) {
	t := r.o.Target
	f := &r.rep.SignIn
	*f = SignInFacts{Mode: string(t.Mode), Cloud: t.Cloud.Name, Authority: r.authority(), Endpoint: t.Endpoint, Scope: t.Scope}
	r.noToken = "no token: sign-in did not succeed"
	if !r.ready(ctx, SectionSignIn, "signin.mode", "mode", r.noConfig) {
		return
	}
	cred, err := r.o.Credential()
	if err != nil {
		f.Error = graphapi.Scrub(err.Error())
		r.emit(Check{ID: "signin.mode", Section: SectionSignIn, Title: "mode", Verdict: Fail, Detail: firstLine(f.Error), Fix: signInAdvice(err)})
		return
	}
	r.cred = cred
	f.Effective, f.Credential, f.Why = string(cred.Mode), cred.Kind, r.whyMode(cred)
	r.emit(Check{ID: "signin.mode", Section: SectionSignIn, Title: "mode", Verdict: OK, Detail: f.Effective + " (" + f.Credential + "): " + f.Why})
	r.emit(Check{ID: "signin.cloud", Section: SectionSignIn, Title: "cloud", Verdict: OK,
		Detail: t.Cloud.Name + ": sign-in " + f.Authority + ", Graph " + t.Endpoint + ", scope " + t.Scope})
	if cred.Mode == auth.ModeCLI {
		r.cliCloud(ctx)
	}
	if !r.ready(ctx, SectionSignIn, "signin.token", "token") {
		return
	}
	tok, err := cred.SignIn(ctx, t.Scope, r.o.Timeout)
	if err != nil {
		f.Error = graphapi.Scrub(err.Error())
		c := Check{ID: "signin.token", Section: SectionSignIn, Title: "token", Verdict: Fail, Detail: "sign-in failed: " + firstLine(f.Error), Fix: signInAdvice(err)}
		if r.cut(ctx) != "" {
			c.Detail = "sign-in did not finish: " + r.noAnswer()
		}
		r.emit(c)
		return
	}
	f.SignedIn, r.noToken = true, ""
	r.tokenChecks(tok)
}

// authority is the sign-in service the cloud (or the seam) names.
func (r *runner) authority() string {
	if r.o.Reach.Authority != "" {
		return r.o.Reach.Authority
	}
	return r.o.Target.Cloud.Authority
}

// whyMode says why this credential is the one in use.
func (r *runner) whyMode(c *auth.Credential) string {
	switch {
	case r.o.Demo:
		return "--demo: the built-in simulator takes its own token, no sign-in"
	case c.Mode == auth.ModeToken && r.o.Target.Mode == auth.ModeAuto:
		return "auto chose it: " + graphapi.TokenEnvVar + " is set"
	case c.Mode == auth.ModeToken:
		return "the token in " + graphapi.TokenEnvVar + ", used as it is"
	case c.Mode == auth.ModeAuto:
		return "azidentity's chain, the first that works of: " + r.autoChain()
	}
	return "as set (--auth " + string(c.Mode) + ")"
}

// autoChain names the credentials of azidentity's default chain that look
// set up here, in the chain's order.
func (r *runner) autoChain() string {
	env := r.o.Getenv
	var found []string
	if env("AZURE_CLIENT_ID") != "" && env("AZURE_TENANT_ID") != "" &&
		(env("AZURE_CLIENT_SECRET") != "" || env("AZURE_CLIENT_CERTIFICATE_PATH") != "" || env("AZURE_USERNAME") != "") {
		found = append(found, "environment credentials (AZURE_CLIENT_ID is set)")
	}
	if env("AZURE_FEDERATED_TOKEN_FILE") != "" {
		found = append(found, "workload identity (AZURE_FEDERATED_TOKEN_FILE)")
	}
	if env("IDENTITY_ENDPOINT") != "" || env("MSI_ENDPOINT") != "" {
		found = append(found, "a managed identity (IDENTITY_ENDPOINT)")
	}
	for _, tool := range []struct{ bin, name string }{{"az", "the Azure CLI"}, {"azd", "the Azure Developer CLI"}} {
		if _, err := r.o.LookPath(tool.bin); err == nil {
			found = append(found, tool.name+" (on PATH)")
		}
	}
	if len(found) == 0 {
		return "environment, workload identity, managed identity, Azure CLI, azd: none looks set up here"
	}
	return strings.Join(found, "; ")
}

func (r *runner) cliCloud(ctx context.Context) {
	c := Check{ID: "signin.azcli", Section: SectionSignIn, Title: "Azure CLI cloud", Verdict: OK, Detail: "agrees with " + r.o.Target.Cloud.Name}
	if w := auth.CheckCLICloud(ctx, r.o.Target.Cloud, r.o.RunCommand); w != "" {
		msg, fix, _ := strings.Cut(strings.TrimPrefix(w, "warning: "), "; ")
		c.Verdict, c.Detail, c.Fix = Warn, msg, fix
	}
	r.emit(c)
}

// signInAdvice is what auth says to do about a sign-in failure.
func signInAdvice(err error) string {
	if ae, ok := errors.AsType[*auth.Error](err); ok && ae.Advice != "" {
		return ae.Advice
	}
	return "check --auth and its credentials (edmtop --help lists the modes)"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// tokenChecks say who the token is for, until when, for which service and
// with which permissions: read without verification, never printed.
func (r *runner) tokenChecks(tok azcore.AccessToken) {
	info := r.cred.Inspect(tok)
	tf := &TokenFacts{JWT: !info.Opaque, Kind: tokenKind(info, info.IDType),
		Tenant: info.Tenant, Account: info.Account, App: info.App, Audience: info.Audience, Scopes: info.Scopes, Roles: info.Roles}
	if !info.Expires.IsZero() {
		exp := info.Expires.UTC()
		tf.Expires = &exp
	}
	r.rep.SignIn.Token = tf
	r.emit(r.whoCheck(tf))
	r.emit(r.expiryCheck(tf))
	r.emit(r.audienceCheck(tf))
	r.emit(claimsCheck(tf))
}

func tokenKind(info auth.TokenInfo, idtyp string) string {
	switch {
	case info.Opaque:
		return "unknown"
	case idtyp == "app" || idtyp == "user":
		return idtyp
	case len(info.Scopes) > 0 || info.Account != "":
		return "user"
	case info.App != "" || len(info.Roles) > 0:
		return "app"
	}
	return "unknown"
}

func (r *runner) whoCheck(tf *TokenFacts) Check {
	c := Check{ID: "signin.token", Section: SectionSignIn, Title: "token", Verdict: OK}
	switch {
	case !tf.JWT && r.loopback():
		c.Detail = "not a JWT (the simulator's own token): no claims to read"
	case !tf.JWT:
		c.Verdict, c.Detail = Warn, "not a JWT: who it is for cannot be read"
		c.Fix = "Microsoft Graph's tokens are JWTs: check that " + graphapi.TokenEnvVar + " holds a Graph access token"
	case tf.Kind == "user":
		c.Detail = "user token for " + orUnknown(tf.Account) + " in tenant " + orUnknown(tf.Tenant)
	case tf.Kind == "app":
		c.Detail = "app-only token for " + orUnknown(tf.App) + " in tenant " + orUnknown(tf.Tenant) +
			": whether EDM accepts app-only tokens is not documented, the access checks tell"
	default:
		c.Detail = "token for tenant " + orUnknown(tf.Tenant) + ", naming neither a user nor an app"
	}
	return c
}

func (r *runner) expiryCheck(tf *TokenFacts) Check {
	c := Check{ID: "signin.expiry", Section: SectionSignIn, Title: "expiry", Verdict: OK}
	if tf.Expires == nil {
		c.Verdict, c.Detail = Skip, "unknown: the token does not say"
		return c
	}
	left := tf.Expires.Sub(r.o.Now())
	at := tf.Expires.Format("2006-01-02 15:04:05Z")
	fresh := "sign in again"
	if r.cred.Mode == auth.ModeToken {
		fresh = "put a new token in " + graphapi.TokenEnvVar
	}
	switch {
	case left <= 0:
		c.Verdict, c.Detail, c.Fix = Fail, "expired "+present.Elapsed(-left)+" ago ("+at+")", fresh
	case left < 5*time.Minute && r.cred.Mode == auth.ModeToken:
		c.Verdict, c.Detail, c.Fix = Warn, "expires in "+present.Elapsed(left)+" ("+at+"); a ready token is not renewed", fresh
	default:
		c.Detail = "in " + present.Elapsed(left) + " (" + at + ")"
	}
	return c
}

// audienceCheck compares the service the token is for with the endpoint:
// a token of another cloud's Graph is refused there.
func (r *runner) audienceCheck(tf *TokenFacts) Check {
	c := Check{ID: "signin.audience", Section: SectionSignIn, Title: "audience", Verdict: OK}
	if !tf.JWT {
		c.Verdict, c.Detail = Skip, "not a JWT"
		return c
	}
	want := strings.TrimSuffix(r.o.Target.Scope, "/.default")
	aud := strings.TrimRight(tf.Audience, "/")
	match := func(ok bool) { tf.AudienceMatches = &ok }
	u, err := url.Parse(aud)
	switch {
	case aud == "":
		match(false)
		c.Verdict, c.Detail, c.Fix = Warn, "the token names no audience", "get a token for "+r.o.Target.Scope
	case strings.EqualFold(aud, graphAppID):
		match(true)
		c.Detail = "Microsoft Graph (by its application id)"
	case strings.EqualFold(aud, want):
		match(true)
		c.Detail = aud + ", the endpoint's"
	case err == nil && u.Host != "":
		match(false)
		c.Verdict, c.Detail, c.Fix = Fail, "for "+aud+", but the endpoint is "+want, audienceFix(u.Hostname(), r.o.Target.Scope)
	default:
		match(false)
		c.Verdict, c.Detail, c.Fix = Warn, "for "+aud+", not Microsoft Graph", "get a token for "+r.o.Target.Scope
	}
	return c
}

func audienceFix(host, scope string) string {
	if cl, ok := auth.CloudOfGraphHost(host); ok {
		return "the token is for the " + cl.Name + " cloud's Graph: pass the --cloud of your tenant, or get a token for " + scope
	}
	return "get a token for " + scope
}

func claimsCheck(tf *TokenFacts) Check {
	c := Check{ID: "signin.claims", Section: SectionSignIn, Title: "claims", Verdict: OK}
	var parts []string
	if len(tf.Scopes) > 0 {
		parts = append(parts, "scp: "+strings.Join(tf.Scopes, " "))
	}
	if len(tf.Roles) > 0 {
		parts = append(parts, "roles: "+strings.Join(tf.Roles, " "))
	}
	switch {
	case !tf.JWT:
		c.Verdict, c.Detail = Skip, "not a JWT"
	case len(parts) == 0:
		c.Verdict, c.Detail = Warn, "no scp or roles: the token grants no Graph permission"
		c.Fix = "sign in with an application that has Microsoft Graph permissions (--client-id)"
	default:
		c.Detail = strings.Join(parts, "; ")
	}
	return c
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// loopback reports an endpoint on this machine (the simulator).
func (r *runner) loopback() bool {
	u, err := url.Parse(r.o.Target.Endpoint)
	return err == nil && graphapi.IsLoopbackHost(u.Hostname())
}
