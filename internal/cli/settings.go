package cli

import (
	"errors"
	"sort"
	"strings"

	"github.com/edmtop/edmtop/config"
	"github.com/edmtop/edmtop/keymap"
	"github.com/edmtop/edmtop/ui"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// settings are the values that can come from a flag, an EDMTOP_* variable
// or the config file, in that order of precedence.
var settings = []struct{ name, env string }{
	{"endpoint", "EDMTOP_ENDPOINT"},
	{"cloud", "EDMTOP_CLOUD"},
	{"auth", "EDMTOP_AUTH"},
	{"tenant", "EDMTOP_TENANT"},
	{"client-id", "EDMTOP_CLIENT_ID"},
	{"datastore", "EDMTOP_DATASTORE"},
	{"refresh", "EDMTOP_REFRESH"},
	{"mouse", "EDMTOP_MOUSE"},
	{"bell", "EDMTOP_BELL"},
}

// resolved is the configuration in effect for this run.
type resolved struct {
	file    *config.File
	path    string
	sources map[string]string
	keys    keymap.KeyMap
	theme   ui.Theme
	columns ui.Columns
}

// from says where a setting came from, for error messages: "" for a flag.
func (r *resolved) from(name string) string {
	if r == nil {
		return ""
	}
	switch src := r.sources[name]; {
	case strings.HasPrefix(src, "env "):
		return " (from " + strings.TrimPrefix(src, "env ") + ")"
	case strings.HasPrefix(src, "config "):
		return " (from " + strings.TrimPrefix(src, "config ") + ")"
	}
	return ""
}

// lookupSetting finds the flag a setting applies to for this command: its
// own, an inherited one, or the root's (so `config show` sees them all).
func lookupSetting(cmd *cobra.Command, name string) *pflag.Flag {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	return cmd.Root().Flags().Lookup(name)
}

// loadSettings reads the config file and fills every flag the user did not
// give from the environment or the file. Invalid values fail here, naming
// the variable or the file and line.
func loadSettings(cmd *cobra.Command, configFlag string, getenv func(string) string) (*resolved, error) {
	path, optional := configFlag, false
	if path == "" {
		if path = getenv("EDMTOP_CONFIG"); path == "" {
			path, optional = config.DefaultPath(getenv), true
		}
	}
	file, err := config.Load(path, optional)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	r := &resolved{file: file, path: path, sources: map[string]string{}, keys: keymap.Default(), theme: ui.DefaultTheme(), columns: ui.AllColumns()}
	for _, s := range settings {
		fl := lookupSetting(cmd, s.name)
		if fl == nil {
			continue
		}
		switch {
		case fl.Changed:
			r.sources[s.name] = "flag --" + s.name
		case getenv(s.env) != "":
			if err := fl.Value.Set(getenv(s.env)); err != nil {
				return nil, usageErrorf("%s=%q: %v", s.env, getenv(s.env), err)
			}
			r.sources[s.name] = "env " + s.env
		default:
			v, ok := file.Value(s.name)
			if !ok {
				r.sources[s.name] = "default"
				continue
			}
			if err := fl.Value.Set(v); err != nil {
				return nil, usageErrorf("%s: %q: %v", file.Where(s.name), v, err)
			}
			r.sources[s.name] = "config " + file.Where(s.name)
		}
	}
	if err := r.keys.Apply(keyOverrides(file)); err != nil {
		where := file.Where("keys")
		var conflict *keymap.ConflictError
		if errors.As(err, &conflict) {
			// Point at the override that caused the clash.
			for _, a := range conflict.Actions {
				if _, ok := file.Keys[a]; ok {
					where = file.Where("keys." + a)
				}
			}
		}
		return nil, usageErrorf("%s: %v", where, err)
	}
	if len(file.Keys) > 0 {
		r.sources["keys"] = "config " + file.Where("keys")
	}
	for _, name := range sortedKeys(file.Theme) {
		c := file.Theme[name]
		if err := r.theme.Set(name, c.Light, c.Dark); err != nil {
			return nil, usageErrorf("%s: %v", file.Where("theme."+name), err)
		}
		r.sources["theme"] = "config " + file.Where("theme")
	}
	if file.Columns != nil {
		if r.columns, err = ui.ParseColumns(*file.Columns); err != nil {
			return nil, usageErrorf("%s: %v", file.Where("columns"), err)
		}
		r.sources["columns"] = "config " + file.Where("columns")
	}
	return r, nil
}

func keyOverrides(f *config.File) map[string][]string {
	out := map[string][]string{}
	for k, v := range f.Keys {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
