package cli

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/config"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/spf13/cobra"
)

func newConfigCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show where the configuration file is and what is in effect", Args: noArgs}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print every setting in effect and where it came from (never secrets)",
		Long: `Print every setting in effect and where it came from: a flag, an EDMTOP_*
variable, the config file (with its line) or the default. Values are checked
as every command checks them, so a value shown here is one edmtop accepts.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := g.settings
			fmt.Fprintf(cmd.OutOrStdout(), "config file: %s\n\n", r.path)
			return writeTable(cmd.OutOrStdout(), []string{"SETTING", "VALUE", "SOURCE"}, settingRows(r, os.Getenv))
		},
	}
	// Every setting's flag, so its effect on the others can be tried here
	// (the sign-in ones are global flags).
	for _, s := range settings {
		if !slices.Contains(signInSettings, s.name) {
			addSettingFlags(show, s.name)
		}
	}
	path := &cobra.Command{
		Use:   "path",
		Short: "Print the configuration file's path",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			note := ""
			if _, err := os.Stat(g.settings.path); err != nil {
				note = "  (not found: defaults in use)"
			}
			fmt.Fprintln(cmd.OutOrStdout(), g.settings.path+note)
			return nil
		},
	}
	readsGlobals(path, "config")
	cmd.AddCommand(path, show)
	return cmd
}

// settingRows are the registry's settings in effect, then the file's key
// bindings, colours and columns, then whether a token is set.
func settingRows(r *resolved, getenv func(string) string) [][]string {
	var rows [][]string
	for _, s := range settings {
		v := r.values[s.name]
		text := formatSetting(v.v)
		source := v.source
		switch {
		case s.name == "endpoint" && text == "":
			text = "(the cloud's Graph endpoint)"
		case s.name == "cloud" && source == "default":
			// A national Graph endpoint picks its cloud (resolveTarget).
			if c, ok := endpointCloud(r.str("endpoint")); ok {
				text, source = c, "the endpoint's host"
			}
		}
		rows = append(rows, []string{s.name, orDash(text), source})
	}
	rows = append(rows,
		[]string{"keys", describeKeys(r.file), orDefault(r.sources["keys"])},
		[]string{"colours", describeTheme(r.file), orDefault(r.sources["colours"])},
		[]string{"columns", describeColumns(r.file), orDefault(r.sources["columns"])},
	)
	token := "not set"
	if getenv(graphapi.TokenEnvVar) != "" {
		token = "set (hidden)"
	}
	return append(rows, []string{"token", token, "env " + graphapi.TokenEnvVar})
}

func orDefault(s string) string {
	if s == "" {
		return "default"
	}
	return s
}

func describeKeys(f *config.File) string {
	if len(f.Keys) == 0 {
		return "(defaults)"
	}
	var parts []string
	for _, k := range sortedKeys(f.Keys) {
		parts = append(parts, k+"="+strings.Join(f.Keys[k], "/"))
	}
	return strings.Join(parts, " ")
}

func describeTheme(f *config.File) string {
	if len(f.Theme.Colors) == 0 {
		return "(defaults)"
	}
	var parts []string
	for _, k := range sortedKeys(f.Theme.Colors) {
		c := f.Theme.Colors[k]
		v := c.Light
		if c.Dark != c.Light {
			v += "/" + c.Dark
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, " ")
}

func describeColumns(f *config.File) string {
	if f.Columns == nil {
		return "(all that fit)"
	}
	return "file, " + strings.Join(*f.Columns, ", ")
}

// endpointCloud is the cloud a national Graph endpoint belongs to.
func endpointCloud(endpoint string) (string, bool) {
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil {
		return "", false
	}
	c, ok := auth.CloudOfGraphHost(u.Hostname())
	return c.Name, ok
}
