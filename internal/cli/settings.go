package cli

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/config"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/keymap"
	"github.com/edmtop/edmtop/ui"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// settingKind is how a setting's text is parsed.
type settingKind int

const (
	settingString settingKind = iota
	settingDuration
	settingBool
	settingInt
)

// setting is a value that can come from a flag, an EDMTOP_* variable or the
// config file, in that order of precedence, else its default. It is
// declared once, here: the flags, the resolver, the config file reader and
// `config show` all read this table.
type setting struct {
	name  string // the flag's name and the config file's key
	env   string
	kind  settingKind
	def   string // the default, as text of its kind
	usage string
	// check validates the parsed value; nil accepts any value of the kind.
	check func(v any) error
	// secret: a bad value is not echoed (the check's own message names it
	// safely), as an endpoint may carry user info.
	secret bool
	// fromFile reads a value the file does not hold as a top-level scalar.
	fromFile func(f *config.File) (text, where string, ok bool)
}

// minRefresh bounds the refresh interval: faster would only spend the
// service's throttling budget.
const minRefresh = 2 * time.Second

var settings = []setting{
	{name: "endpoint", env: "EDMTOP_ENDPOINT", secret: true, check: checkEndpoint,
		usage: "Microsoft Graph endpoint (default: the cloud's, e.g. https://graph.microsoft.com/beta); https, or http to a loopback host"},
	{name: "cloud", env: "EDMTOP_CLOUD", def: "global", check: checkCloud,
		usage: "Microsoft cloud: global, usgov, usgovdod or china"},
	{name: "auth", env: "EDMTOP_AUTH", def: "auto", check: checkAuth,
		usage: "sign-in: auto, cli, device, browser, env, managed-identity or token (EDMTOP_TOKEN)"},
	{name: "tenant", env: "EDMTOP_TENANT", usage: "tenant id or domain to sign in to"},
	{name: "client-id", env: "EDMTOP_CLIENT_ID", usage: "application (client) id for device/browser sign-in, or a user-assigned managed identity"},
	{name: "client-secret-file", env: "EDMTOP_CLIENT_SECRET_FILE",
		usage: "file holding an app registration's client secret, for --auth env without AZURE_CLIENT_SECRET (tenant and client id from --tenant and --client-id, or AZURE_TENANT_ID and AZURE_CLIENT_ID)"},
	{name: "datastore", env: "EDMTOP_DATASTORE", check: checkStoreID,
		usage: "the data store to open: its id or name (without one the dashboard opens on the fleet, every store)"},
	{name: "refresh", env: "EDMTOP_REFRESH", kind: settingDuration, def: "10s", check: checkRefresh,
		usage: "auto-refresh interval, 0 turns it off"},
	{name: "mouse", env: "EDMTOP_MOUSE", kind: settingBool, def: "false",
		usage: "click to select, wheel to scroll (off by default so terminal text selection works)"},
	{name: "bell", env: "EDMTOP_BELL", kind: settingBool, def: "false",
		usage: "ring the terminal bell when a session fails or a store turns failed or stalled"},
	{name: "theme", env: "EDMTOP_THEME", def: "auto", check: checkOneOf("auto", "light", "dark"), fromFile: themeMode,
		usage: "colours for a light or dark background: auto (ask the terminal), light or dark"},
	{name: "stall-after", env: "EDMTOP_STALL_AFTER", kind: settingDuration, def: health.DefaultStallAfter.String(), check: checkNeverOrPositive,
		usage: "a running session with no update for this long is stalled"},
	{name: "max-age", env: "EDMTOP_MAX_AGE", kind: settingDuration, def: health.DefaultMaxAge.String(), check: checkNeverOrPositive,
		usage: "a store whose last index is older than this is stale"},
	{name: "request-timeout", env: "EDMTOP_REQUEST_TIMEOUT", kind: settingDuration, def: defaultRequestTimeout.String(), check: checkRequestTimeout,
		usage: "give up on a Graph request that has not answered within this long, retries included; it then counts as a failure"},
	{name: "upload-limit", env: "EDMTOP_UPLOAD_LIMIT", kind: settingInt, def: strconv.Itoa(health.DefaultUploadLimit), check: checkAtLeastOne,
		usage: "uploads the service allows per data store in 24 hours"},
}

// signInSettings are the settings of every command that talks to Graph.
var signInSettings = []string{"endpoint", "cloud", "auth", "tenant", "client-id", "client-secret-file", "request-timeout"}

// defaultRequestTimeout bounds one Graph request with its retries: a hung
// service is reported as not answering within it, not after minutes.
const defaultRequestTimeout = 30 * time.Second

// maxTryTimeout bounds one HTTP attempt of a request; a request timeout
// below it bounds the attempt too.
const maxTryTimeout = 30 * time.Second

func settingNamed(name string) (setting, bool) {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.name == name })
	if i < 0 {
		return setting{}, false
	}
	return settings[i], true
}

// addSettingFlags gives cmd a flag for each named setting, typed, with the
// registry's default and help.
func addSettingFlags(cmd *cobra.Command, names ...string) {
	addSettingFlagsTo(cmd.Flags(), names...)
}

// addSettingFlagsTo adds the named settings' flags to fl.
func addSettingFlagsTo(fl *pflag.FlagSet, names ...string) {
	for _, name := range names {
		s, ok := settingNamed(name)
		if !ok {
			panic("cli: no setting " + name) // a programming error, caught by any test
		}
		v, _ := s.parse(s.def)
		switch s.kind {
		case settingDuration:
			fl.Duration(s.name, v.(time.Duration), s.usage)
		case settingBool:
			fl.Bool(s.name, v.(bool), s.usage)
		case settingInt:
			fl.Int(s.name, v.(int), s.usage)
		default:
			fl.String(s.name, s.def, s.usage)
		}
	}
}

// parse reads text as the setting's kind and validates it.
func (s setting) parse(text string) (any, error) {
	var v any
	var err error
	switch s.kind {
	case settingDuration:
		v, err = time.ParseDuration(text)
	case settingBool:
		v, err = strconv.ParseBool(text)
	case settingInt:
		v, err = strconv.Atoi(text)
	default:
		v = text
	}
	if err == nil && s.check != nil {
		err = s.check(v)
	}
	return v, err
}

// format is a value's text as `config show` prints it.
func formatSetting(v any) string {
	switch v := v.(type) {
	case time.Duration:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}

func checkEndpoint(v any) error {
	if v == "" {
		return nil
	}
	_, err := graphapi.CheckEndpoint(v.(string))
	return err
}

func checkCloud(v any) error {
	_, err := auth.LookupCloud(v.(string))
	return err
}

func checkAuth(v any) error {
	_, err := auth.ParseMode(v.(string))
	return err
}

func checkStoreID(v any) error {
	if v == "" {
		return nil
	}
	return graphapi.ValidateID("data store", v.(string))
}

func checkRefresh(v any) error {
	if d := v.(time.Duration); d < 0 || (d > 0 && d < minRefresh) {
		return fmt.Errorf("use 0 (off) or at least %s", minRefresh)
	}
	return nil
}

// checkRequestTimeout keeps a request's bound between a second and an hour.
func checkRequestTimeout(v any) error {
	if d := v.(time.Duration); d < time.Second || d > time.Hour {
		return errors.New("use a duration from 1s to 1h")
	}
	return nil
}

// checkNeverOrPositive allows 0 to turn a threshold off.
func checkNeverOrPositive(v any) error {
	if v.(time.Duration) < 0 {
		return errors.New("use 0 (never) or a positive duration")
	}
	return nil
}

func checkAtLeastOne(v any) error {
	if v.(int) < 1 {
		return errors.New("must be at least 1")
	}
	return nil
}

func checkOneOf(values ...string) func(any) error {
	return func(v any) error {
		if !slices.Contains(values, v.(string)) {
			return fmt.Errorf("use %s", strings.Join(values, ", "))
		}
		return nil
	}
}

func themeMode(f *config.File) (string, string, bool) {
	if f.Theme.Mode == "" {
		return "", "", false
	}
	if f.Has("theme.mode") {
		return f.Theme.Mode, f.Where("theme.mode"), true
	}
	return f.Theme.Mode, f.Where("theme"), true
}

// settingValue is a setting in effect: parsed, with where it came from.
type settingValue struct {
	v      any
	source string // "flag --x", "env X", "config file:line (x)" or "default"
}

// resolved is the configuration in effect for this run.
type resolved struct {
	file    *config.File
	path    string
	values  map[string]settingValue
	sources map[string]string // of keys, theme colours and columns
	keys    keymap.KeyMap
	theme   ui.Theme
	columns ui.Columns
}

func (r *resolved) str(name string) string { s, _ := r.values[name].v.(string); return s }
func (r *resolved) duration(name string) time.Duration {
	d, _ := r.values[name].v.(time.Duration)
	return d
}
func (r *resolved) boolean(name string) bool { b, _ := r.values[name].v.(bool); return b }
func (r *resolved) integer(name string) int  { n, _ := r.values[name].v.(int); return n }

// from says where a setting's value came from when that was not a flag on
// this command line (" (from EDMTOP_DATASTORE)"), for error messages.
func (r *resolved) from(name string) string {
	if r == nil {
		return ""
	}
	src := r.values[name].source
	for _, prefix := range []string{"env ", "config "} {
		if rest, ok := strings.CutPrefix(src, prefix); ok {
			return " (from " + rest + ")"
		}
	}
	return ""
}

// healthRules are the thresholds of the health verdicts, as configured.
func (r *resolved) healthRules() health.Rules {
	return health.Rules{StallAfter: r.duration("stall-after"), MaxAge: r.duration("max-age"), UploadLimit: r.integer("upload-limit")}
}

// loadSettings reads the config file and resolves every setting for cmd.
// Invalid values fail here, for every command alike, naming the flag, the
// variable or the file and line.
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
	if err := checkFileKeys(file); err != nil {
		return nil, err
	}
	r := &resolved{file: file, path: path, values: map[string]settingValue{}, sources: map[string]string{},
		keys: keymap.Default(), theme: ui.DefaultTheme(), columns: ui.AllColumns()}
	for _, s := range settings {
		v, err := resolveSetting(s, cmd.Flags().Lookup(s.name), file, getenv)
		if err != nil {
			return nil, err
		}
		r.values[s.name] = v
	}
	if err := r.applyFile(file); err != nil {
		return nil, err
	}
	return r, nil
}

// resolveSetting picks one setting's text by precedence and parses it.
func resolveSetting(s setting, fl *pflag.Flag, file *config.File, getenv func(string) string) (settingValue, error) {
	text, source, where := s.def, "default", "default "+s.name
	switch {
	case fl != nil && fl.Changed:
		text, source, where = fl.Value.String(), "flag --"+s.name, "--"+s.name
	case getenv(s.env) != "":
		text, source, where = getenv(s.env), "env "+s.env, s.env
	default:
		if t, w, ok := fileValue(s, file); ok {
			text, source, where = t, "config "+w, w
		}
	}
	v, err := s.parse(text)
	switch {
	case err == nil:
		return settingValue{v, source}, nil
	case s.secret:
		return settingValue{}, usageErrorf("%s: %v", where, err)
	case source == "env "+s.env:
		return settingValue{}, usageErrorf("%s=%q: %v", where, text, err)
	case source == "flag --"+s.name:
		return settingValue{}, usageErrorf("%s %q: %v", where, text, err)
	}
	return settingValue{}, usageErrorf("%s: %q: %v", where, text, err)
}

func fileValue(s setting, file *config.File) (text, where string, ok bool) {
	if s.fromFile != nil {
		return s.fromFile(file)
	}
	text, ok = file.Value(s.name)
	return text, file.Where(s.name), ok
}

// structuredKeys are the file's keys that are not registry settings.
var structuredKeys = []string{"keys", "theme", "columns"}

// checkFileKeys refuses a top-level key that is no setting.
func checkFileKeys(file *config.File) error {
	for _, key := range sortedKeys(file.Scalars) {
		if _, ok := settingNamed(key); ok {
			continue
		}
		allowed := make([]string, 0, len(settings)+len(structuredKeys))
		for _, s := range settings {
			allowed = append(allowed, s.name)
		}
		for _, k := range structuredKeys {
			if !slices.Contains(allowed, k) {
				allowed = append(allowed, k)
			}
		}
		return usageErrorf("config %s: line %d: field %s is not a setting (allowed: %s)", file.Path, file.Line(key), key, strings.Join(allowed, ", "))
	}
	return nil
}

// applyFile applies the file's key bindings, theme colours and columns.
func (r *resolved) applyFile(file *config.File) error {
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
		return usageErrorf("%s: %v", where, err)
	}
	if len(file.Keys) > 0 {
		r.sources["keys"] = "config " + file.Where("keys")
	}
	for _, name := range sortedKeys(file.Theme.Colors) {
		c := file.Theme.Colors[name]
		if err := r.theme.Set(name, c.Light, c.Dark); err != nil {
			return usageErrorf("%s: %v", file.Where("theme."+name), err)
		}
		r.sources["colours"] = "config " + file.Where("theme")
	}
	if file.Columns != nil {
		var err error
		if r.columns, err = ui.ParseColumns(*file.Columns); err != nil {
			return usageErrorf("%s: %v", file.Where("columns"), err)
		}
		r.sources["columns"] = "config " + file.Where("columns")
	}
	return nil
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
