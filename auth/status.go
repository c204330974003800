package auth

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/edmtop/edmtop/termtext"
	"github.com/golang-jwt/jwt/v5"
)

// TokenInfo is what a token says about who it is for; never the token.
type TokenInfo struct {
	Tenant   string
	Account  string // a user's name, for delegated tokens
	App      string // the application's name or id
	Audience string
	Scopes   []string // delegated permissions (scp)
	Roles    []string // application permissions (roles)
	Expires  time.Time
	// IDType is the idtyp claim ("app", "user"), when the token has one.
	IDType string
	// Opaque is set when the token is not a readable JWT.
	Opaque bool
}

// Inspect reads a token's claims without verifying them: it only
// describes, it grants nothing. Expires is the token's own exp claim, zero
// when it has none (an opaque token): tok.ExpiresOn may be a guess, see
// Credential.Inspect.
func Inspect(tok azcore.AccessToken) TokenInfo {
	var info TokenInfo
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok.Token, claims); err != nil {
		info.Opaque = true
		return info
	}
	str := func(names ...string) string {
		for _, n := range names {
			if v, ok := claims[n].(string); ok && v != "" {
				return termtext.OneLine(v)
			}
		}
		return ""
	}
	info.Tenant, info.IDType = str("tid"), str("idtyp")
	info.Account = str("upn", "preferred_username", "unique_name", "email")
	info.App = str("app_displayname")
	if id := str("appid", "azp"); id != "" {
		if info.App != "" {
			info.App += " (" + id + ")"
		} else {
			info.App = id
		}
	}
	switch aud := claims["aud"].(type) {
	case string:
		info.Audience = termtext.OneLine(aud)
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok {
				info.Audience = termtext.OneLine(s)
				break
			}
		}
	}
	if scp := str("scp"); scp != "" {
		info.Scopes = strings.Fields(scp)
	}
	if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				info.Roles = append(info.Roles, termtext.OneLine(s))
			}
		}
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		info.Expires = exp.Time
	}
	return info
}

// Inspect describes a token c handed out. Without an exp claim the expiry
// is the one the sign-in reported, except for a ready-made token
// (EDMTOP_TOKEN), whose expiry nobody told edmtop: it stays unknown.
func (c *Credential) Inspect(tok azcore.AccessToken) TokenInfo {
	info := Inspect(tok)
	if info.Expires.IsZero() && c.Mode != ModeToken {
		info.Expires = tok.ExpiresOn
	}
	return info
}

// CommandRunner runs a program and returns its standard output.
type CommandRunner func(ctx context.Context, name string, args ...string) ([]byte, error)

// RunCommand is the real CommandRunner.
func RunCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).Output()
}

// CheckCLICloud returns a warning when the Azure CLI's active cloud is not
// the one edmtop signs in to (its tokens would be for the wrong Graph), or
// "" when they agree or az cannot tell.
func CheckCLICloud(ctx context.Context, c Cloud, run CommandRunner) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := run(ctx, "az", "cloud", "show", "--query", "name", "-o", "tsv")
	if err != nil {
		return ""
	}
	active := strings.TrimSpace(string(out))
	if active == "" || slices.ContainsFunc(c.AzCLINames, func(n string) bool { return strings.EqualFold(n, active) }) {
		return ""
	}
	return fmt.Sprintf("warning: the Azure CLI's active cloud is %s, but edmtop signs in to the %s cloud (%s); "+
		"run `az cloud set --name %s` or pass the matching --cloud", termtext.OneLine(active), c.Name, c.GraphRoot, c.AzCLINames[0])
}
