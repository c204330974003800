package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/edmtop/edmtop/config"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/spf13/cobra"
)

func newConfigCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show where the configuration file is and what is in effect", Args: noArgs}
	cmd.AddCommand(&cobra.Command{
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
	}, &cobra.Command{
		Use:   "show",
		Short: "Print every setting in effect and where it came from (never secrets)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := g.settings
			var rows [][]string
			for _, s := range settings {
				fl := lookupSetting(cmd, s.name)
				if fl == nil {
					continue
				}
				value := fl.Value.String()
				if s.name == "endpoint" && value == "" {
					value = "(the cloud's Graph endpoint)"
				}
				rows = append(rows, []string{s.name, orDash(value), r.sources[s.name]})
			}
			rows = append(rows,
				[]string{"keys", describeKeys(r.file), orDefault(r.sources["keys"])},
				[]string{"theme", describeTheme(r.file), orDefault(r.sources["theme"])},
				[]string{"columns", describeColumns(r.file), orDefault(r.sources["columns"])},
			)
			token := "not set"
			if os.Getenv(graphapi.TokenEnvVar) != "" {
				token = "set (hidden)"
			}
			rows = append(rows, []string{"token", token, "env " + graphapi.TokenEnvVar})
			fmt.Fprintf(cmd.OutOrStdout(), "config file: %s\n\n", r.path)
			return writeTable(cmd.OutOrStdout(), []string{"SETTING", "VALUE", "SOURCE"}, rows)
		},
	})
	return cmd
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
	if len(f.Theme) == 0 {
		return "(defaults)"
	}
	var parts []string
	for _, k := range sortedKeys(f.Theme) {
		c := f.Theme[k]
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
