package cli

import (
	"fmt"

	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/present"
	"github.com/spf13/cobra"
)

func newAuthCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign-in commands",
		Args:  noArgs,
	}
	var check bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Sign in as the dashboard would and show who the token is for (never the token)",
		Long: `Status signs in as the dashboard would and shows the cloud, the endpoint, the
sign-in and what the token says about who it is for; never the token itself.
An expiry the token does not state (an opaque EDMTOP_TOKEN) is shown as unknown.

With --check it also lists the data stores once, to try EDM access: the token
does not show membership of the EDM_DataUploaders group, only a call does.
Exit status: 0 signed in (and with --check, EDM access works), 1 otherwise.`,
		Example: `  edmtop auth status --auth cli
  edmtop auth status --check --auth env || echo "no EDM access"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSignIn(cmd, g, func(t target, a *app, cred *auth.Credential, tok azcore.AccessToken) error {
				writeStatus(cmd, t, cred, cred.Inspect(tok), !check)
				if !check {
					return nil
				}
				client, err := a.client(t, cred)
				if err != nil {
					return err
				}
				return checkAccess(cmd, client)
			})
		},
	}
	status.Flags().BoolVar(&check, "check", false, "also list the data stores once, to see whether EDM access works (exit 1 if not)")
	cmd.AddCommand(status, newLoginCmd(g), newLogoutCmd(g))
	return cmd
}

// checkAccess lists the data stores once and says whether that worked; a
// refusal goes to stderr with its advice (403: EDM_DataUploaders).
func checkAccess(cmd *cobra.Command, client storeLister) error {
	out := cmd.OutOrStdout()
	stores, err := client.ListDataStores(cmd.Context())
	switch {
	case err != nil:
		fmt.Fprintf(out, statusRow, "edm access:", "no: listing the data stores failed")
		apiError(cmd.ErrOrStderr(), "", err)
		return errReported
	case len(stores) == 0:
		fmt.Fprintf(out, statusRow, "edm access:", "yes, but the account sees no data stores (is this the tenant that holds them?)")
	default:
		fmt.Fprintf(out, statusRow, "edm access:", fmt.Sprintf("yes: %d data store(s) listed", len(stores)))
	}
	return nil
}

// statusRow is one "label: value" line of auth status.
const statusRow = "%-12s %s\n"

func writeStatus(cmd *cobra.Command, t target, cred *auth.Credential, info auth.TokenInfo, groupNote bool) {
	out := cmd.OutOrStdout()
	row := func(label, value string) {
		fmt.Fprintf(out, statusRow, label+":", present.OrDash(value))
	}
	row("cloud", t.cloud.Name+" ("+t.cloud.GraphRoot+")")
	row("endpoint", t.endpoint)
	how := string(cred.Mode) + " (" + cred.Kind + ")"
	if cred.Saved {
		how += ", the sign-in 'edmtop auth login' saved"
	}
	row("auth", how)
	row("scope", t.scope)
	row("tokens", cred.TokenCache)
	if info.Opaque {
		row("token", "not a readable JWT: tenant and account unknown")
	} else {
		row("tenant", info.Tenant)
		row("account", info.Account)
		row("app", info.App)
		row("audience", info.Audience)
		row("scopes", strings.Join(info.Scopes, " "))
		if len(info.Roles) > 0 {
			row("roles", strings.Join(info.Roles, " "))
		}
	}
	if info.Expires.IsZero() {
		row("expires", "unknown (the token does not say)")
	} else {
		row("expires", info.Expires.UTC().Format("2006-01-02 15:04:05Z")+" (in "+time.Until(info.Expires).Round(time.Minute).String()+")")
	}
	if groupNote {
		fmt.Fprintln(out, "\nEDM also needs membership of the EDM_DataUploaders security group, which the token does not show:")
		fmt.Fprintln(out, "'edmtop auth status --check' tries it.")
	}
}
