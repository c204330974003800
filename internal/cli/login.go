package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// loginTimeout bounds an interactive sign-in: a person reads a code or
// finds a browser window.
const loginTimeout = 15 * time.Minute

const loginLong = `Login signs in with a device code (the default: it works over SSH and in
containers) or a browser (--auth browser), even when a sign-in is saved, and
saves the sign-in record as the dashboard does: the account and tenant ids,
never a token, in the state directory, owner-only. Tokens go to the
platform's token cache (auth status says which).

From then on --auth auto, the default, signs in this way for this cloud,
tenant and client id without asking (EDMTOP_TOKEN still comes first), until
'edmtop auth logout'.`

func newLoginCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Sign in with a device code or a browser and keep the sign-in",
		Long:  loginLong,
		Example: `  edmtop auth login
  edmtop auth login --auth browser --tenant contoso.onmicrosoft.com
  edmtop auth login --cloud usgov`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			mode, err := loginMode(g)
			if err != nil {
				return err
			}
			return withApp(g, cmd.ErrOrStderr(), func(t target, a *app) error {
				t.mode = mode
				cred, err := a.credential(t)
				if err != nil {
					return err
				}
				acct, err := cred.Login(cmd.Context(), t.scope, loginTimeout)
				if err != nil {
					return err
				}
				writeLogin(cmd.OutOrStdout(), t, cred, acct)
				return nil
			})
		},
	}
}

// loginMode is the interactive sign-in --auth asks for: device unless it
// says browser; a mode without an interactive sign-in is a usage error.
func loginMode(g *globalFlags) (auth.Mode, error) {
	m, err := auth.ParseMode(g.settings.str("auth"))
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	switch m {
	case auth.ModeAuto, auth.ModeDevice:
		return auth.ModeDevice, nil
	case auth.ModeBrowser:
		return auth.ModeBrowser, nil
	case auth.ModeCLI:
		return "", usageErrorf("--auth cli%s signs in with the Azure CLI: run 'az login' instead", g.settings.from("auth"))
	}
	return "", usageErrorf("--auth %s%s needs no login (it reads its credential each time): auth login takes --auth device or browser", m, g.settings.from("auth"))
}

func writeLogin(w io.Writer, t target, cred *auth.Credential, acct auth.Account) {
	how := map[auth.Mode]string{auth.ModeDevice: "a device code", auth.ModeBrowser: "a browser"}[cred.Mode]
	fmt.Fprintf(w, "Signed in to the %s cloud as %s (tenant %s) with %s.\n", t.cloud.Name,
		termtext.OneLine(orDash(acct.Username)), termtext.OneLine(orDash(acct.TenantID)), how)
	if acct.RecordPath != "" {
		fmt.Fprintf(w, "%-9s %s\n", "saved:", acct.RecordPath)
	}
	fmt.Fprintf(w, "%-9s %s\n", "tokens:", cred.TokenCache)
	fmt.Fprintln(w, "edmtop now signs in this way by default (--auth auto; EDMTOP_TOKEN comes first); 'edmtop auth logout' forgets it.")
}

func newLogoutCmd(g *globalFlags) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Forget the saved sign-in and remove the token cache",
		Long: `Logout removes the sign-in record of this cloud, tenant and client id (with
--all, every record edmtop saved) and, when no other saved sign-in uses it,
edmtop's token cache, and says what it removed. It contacts nothing: the
tokens already issued expire on their own (an hour or so). Nothing to
remove is no error (exit 0). The Azure CLI's sign-in is az's: 'az logout'.`,
		Example: `  edmtop auth logout
  edmtop auth logout --cloud usgov --tenant contoso.onmicrosoft.us
  edmtop auth logout --all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := g.resolveTarget()
			if err != nil {
				return err
			}
			o := auth.Options{Cloud: t.cloud, TenantID: g.settings.str("tenant"), ClientID: g.settings.str("client-id"), StateDir: auth.StateDir(os.Getenv)}
			l, err := auth.LogOut(o, all)
			if err != nil {
				return fmt.Errorf("logout: %w", err)
			}
			writeLogout(cmd.OutOrStdout(), o, all, l)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every saved sign-in (every cloud, tenant and client id) and the token cache")
	readsGlobals(cmd, "config", "cloud", "tenant", "client-id")
	return cmd
}

func writeLogout(w io.Writer, o auth.Options, all bool, l auth.Logout) {
	if l.Nothing() {
		which := fmt.Sprintf("for the %s cloud, tenant %s, client id %s", o.Cloud.Name, orDefaultText(o.TenantID, "organizations"), orDefaultText(o.ClientID, "default"))
		if all {
			which = "at all"
		}
		fmt.Fprintf(w, "Nothing to remove: no sign-in is saved %s (in %s), and no token cache.\n", which, o.StateDir)
		return
	}
	for i, path := range l.Records {
		who := ""
		if l.Accounts[i] != "" {
			who = " of " + termtext.OneLine(l.Accounts[i])
		}
		fmt.Fprintf(w, "Removed the sign-in%s: %s\n", who, path)
	}
	if len(l.Records) == 0 {
		fmt.Fprintf(w, "No sign-in was saved for the %s cloud, tenant %s.\n", o.Cloud.Name, orDefaultText(o.TenantID, "organizations"))
	}
	switch {
	case len(l.Cache) > 0:
		fmt.Fprintf(w, "Removed the token cache: %s\n", strings.Join(l.Cache, ", "))
	case l.CacheKept == "":
		fmt.Fprintln(w, "No token cache to remove.")
	}
	if l.CacheKept != "" {
		fmt.Fprintf(w, "Kept the token cache: %s.\n", l.CacheKept)
		if !all && len(l.Cache) == 0 {
			fmt.Fprintln(w, "'edmtop auth logout --all' removes every saved sign-in and the cache.")
		}
	}
}

func orDefaultText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
