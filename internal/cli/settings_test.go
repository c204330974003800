package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/spf13/cobra"
)

func TestRegistryIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.name] || seen[s.env] {
			t.Errorf("%s: name or variable declared twice", s.name)
		}
		seen[s.name], seen[s.env] = true, true
		if !strings.HasPrefix(s.env, "EDMTOP_") || s.usage == "" {
			t.Errorf("%s: variable %q, usage %q", s.name, s.env, s.usage)
		}
		if _, err := s.parse(s.def); err != nil {
			t.Errorf("%s: default %q rejected: %v", s.name, s.def, err)
		}
	}
}

// showRow runs `config show` and returns the named row's fields.
func showRow(t *testing.T, env map[string]string, name string, args ...string) (int, []string, string) {
	t.Helper()
	code, out, stderr := runCLI(t, env, append([]string{"config", "show"}, args...)...)
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return code, f, stderr
		}
	}
	return code, nil, stderr
}

func TestConfigShowListsEverySetting(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "config", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range settings {
		if !strings.Contains(out, "\n"+s.name+" ") {
			t.Errorf("config show lacks %s:\n%s", s.name, out)
		}
	}
}

// config show rejects exactly what the commands reject: one validation, in
// the registry (issue 18, item 15).
func TestConfigShowRejectsWhatTheDashboardRejects(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"refresh too fast", map[string]string{"EDMTOP_REFRESH": "1s"}, nil, `EDMTOP_REFRESH="1s": use 0 (off) or at least 2s`},
		{"negative refresh flag", nil, []string{"--refresh", "-5s"}, `--refresh "-5s"`},
		{"bad store id", map[string]string{"EDMTOP_DATASTORE": "a\tb"}, nil, "EDMTOP_DATASTORE"},
		{"bad cloud", map[string]string{"EDMTOP_CLOUD": "moon"}, nil, "usgovdod"},
		{"bad auth", map[string]string{"EDMTOP_AUTH": "kerberos"}, nil, "managed-identity"},
		{"http endpoint", map[string]string{"EDMTOP_ENDPOINT": "http://graph.example.com/beta"}, nil, "only https"},
		{"bad theme", map[string]string{"EDMTOP_THEME": "blue"}, nil, "use auto, light, dark"},
		{"zero upload limit", map[string]string{"EDMTOP_UPLOAD_LIMIT": "0"}, nil, "at least 1"},
		{"negative stall", map[string]string{"EDMTOP_STALL_AFTER": "-1h"}, nil, "use 0 (never) or a positive duration"},
		{"max age not a duration", map[string]string{"EDMTOP_MAX_AGE": "a day"}, nil, "EDMTOP_MAX_AGE"},
		{"request timeout too short", nil, []string{"--request-timeout", "500ms"}, "use a duration from 1s to 1h"},
		{"request timeout off", map[string]string{"EDMTOP_REQUEST_TIMEOUT": "0"}, nil, "use a duration from 1s to 1h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, cmd := range [][]string{{"config", "show"}, {}} { // {}: the dashboard
				code, out, stderr := runCLI(t, tc.env, append(cmd, tc.args...)...)
				if code != 2 || !strings.Contains(stderr, tc.want) || out != "" {
					t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", cmd, code, out, stderr, tc.want)
				}
			}
		})
	}
}

func TestNewSettingsResolveByPrecedence(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("stall-after: 3h\nupload-limit: 8\ntheme: light\n"), 0o600)
	env := map[string]string{"EDMTOP_CONFIG": cfg, "EDMTOP_MAX_AGE": "48h"}
	want := map[string]string{
		"stall-after":  "stall-after 3h0m0s config " + cfg + ":1",
		"upload-limit": "upload-limit 8 config " + cfg + ":2",
		"theme":        "theme light config " + cfg + ":3",
		"max-age":      "max-age 48h0m0s env EDMTOP_MAX_AGE",
	}
	for name, w := range want {
		code, row, stderr := showRow(t, env, name)
		if code != 0 || !strings.HasPrefix(strings.Join(row, " "), w) {
			t.Errorf("%s: exit %d, row %q, want %q (%s)", name, code, row, w, stderr)
		}
	}
	code, row, _ := showRow(t, env, "theme", "--theme", "dark")
	if code != 0 || strings.Join(row, " ") != "theme dark flag --theme" {
		t.Errorf("flag over file: %q", row)
	}
}

func TestUnknownFileKeyNamesTheAllowedOnes(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("cloud: global\nstall_after: 3h\n"), 0o600)
	code, _, stderr := runCLI(t, map[string]string{"EDMTOP_CONFIG": cfg}, "config", "show")
	if code != 2 || !strings.Contains(stderr, "line 2: field stall_after is not a setting") || !strings.Contains(stderr, "stall-after") {
		t.Errorf("exit %d: %q", code, stderr)
	}
}

// resolveFor resolves the registry for a command with no flags.
func resolveFor(t *testing.T, env map[string]string) *resolved {
	t.Helper()
	isolate(t)
	r, err := loadSettings(&cobra.Command{}, "", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestHealthRulesFromSettings(t *testing.T) {
	if got := resolveFor(t, nil).healthRules(); got != health.DefaultRules() {
		t.Errorf("defaults: %+v, want %+v", got, health.DefaultRules())
	}
	got := resolveFor(t, map[string]string{"EDMTOP_STALL_AFTER": "90m", "EDMTOP_MAX_AGE": "50h", "EDMTOP_UPLOAD_LIMIT": "3"}).healthRules()
	want := health.Rules{StallAfter: 90 * time.Minute, MaxAge: 50 * time.Hour, UploadLimit: 3}
	if got != want {
		t.Errorf("from env: %+v, want %+v", got, want)
	}
}

// config show names the cloud a national endpoint implies, as sign-in uses.
func TestConfigShowFollowsTheEndpointsCloud(t *testing.T) {
	code, out, errOut := runCLI(t, map[string]string{"EDMTOP_ENDPOINT": "https://graph.microsoft.us/beta"}, "config", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "cloud") {
			if !strings.Contains(line, "usgov") || !strings.Contains(line, "the endpoint's host") {
				t.Errorf("cloud line: %q", line)
			}
			return
		}
	}
	t.Errorf("no cloud line:\n%s", out)
}

// --request-timeout bounds each Graph request with its retries (30s by
// default), and each attempt no longer than that.
func TestRequestTimeoutBoundsTheClient(t *testing.T) {
	g := &globalFlags{settings: resolveFor(t, nil)}
	if o := g.graphOptions(&graphapi.Options{}); o.CallTimeout != 30*time.Second || o.TryTimeout != 30*time.Second {
		t.Errorf("default: call %s, try %s; want 30s each", o.CallTimeout, o.TryTimeout)
	}
	g.settings = resolveFor(t, map[string]string{"EDMTOP_REQUEST_TIMEOUT": "5s"})
	if o := g.graphOptions(&graphapi.Options{Scope: "s"}); o.CallTimeout != 5*time.Second || o.TryTimeout != 5*time.Second || o.Scope != "s" {
		t.Errorf("5s: %+v", o)
	}
	g.settings = resolveFor(t, map[string]string{"EDMTOP_REQUEST_TIMEOUT": "2m"})
	if o := g.graphOptions(&graphapi.Options{}); o.CallTimeout != 2*time.Minute || o.TryTimeout != 30*time.Second {
		t.Errorf("2m: call %s, try %s; want 2m and 30s", o.CallTimeout, o.TryTimeout)
	}
}
