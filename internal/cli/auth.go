package cli

import (
	"fmt"

	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/edmtop/edmtop/auth"
	"github.com/spf13/cobra"
)

func newAuthCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign-in commands",
		Args:  noArgs,
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Sign in as the dashboard would and show who the token is for (never the token)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSignIn(cmd, g, func(t target, _ *app, cred *auth.Credential, tok azcore.AccessToken) error {
				writeStatus(cmd, t, cred, auth.Inspect(tok))
				return nil
			})
		},
	}
	g.signInFlags(status)
	cmd.AddCommand(status)
	return cmd
}

func writeStatus(cmd *cobra.Command, t target, cred *auth.Credential, info auth.TokenInfo) {
	out := cmd.OutOrStdout()
	row := func(label, value string) {
		if value == "" {
			value = "—"
		}
		fmt.Fprintf(out, "%-10s %s\n", label+":", value)
	}
	row("cloud", t.cloud.Name+" ("+t.cloud.GraphRoot+")")
	row("endpoint", t.endpoint)
	row("auth", string(cred.Mode)+" ("+cred.Kind+")")
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
		row("expires", "unknown")
	} else {
		row("expires", info.Expires.UTC().Format("2006-01-02 15:04:05Z")+" (in "+time.Until(info.Expires).Round(time.Minute).String()+")")
	}
	fmt.Fprintln(out, "\nEDM also needs membership of the EDM_DataUploaders security group, which the token does not show.")
}
