package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `# edmtop settings
endpoint: https://graph.microsoft.us/beta
cloud: usgov
auth: device
tenant: contoso.onmicrosoft.us
client-id: 11111111-2222-3333-4444-555555555555
datastore: 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11
refresh: 30s
mouse: true
bell: false
keys:
  renew: R
  quit: [q, ctrl+q]
theme:
  accent: "#FF8800"
  failed: {light: "#AA0000", dark: "#FF5555"}
  busy: 39
columns: [state, upload, updated]
`

func TestParseSample(t *testing.T) {
	f, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	f.Path = "config.yaml"
	for key, want := range map[string]string{"cloud": "usgov", "auth": "device", "refresh": "30s", "mouse": "true", "bell": "false"} {
		if got, ok := f.Value(key); !ok || got != want {
			t.Errorf("Value(%s) = %q %v, want %q", key, got, ok, want)
		}
	}
	if len(f.Keys["renew"]) != 1 || f.Keys["renew"][0] != "R" || len(f.Keys["quit"]) != 2 {
		t.Errorf("keys: %v", f.Keys)
	}
	if f.Theme.Colors["accent"] != (Color{"#FF8800", "#FF8800"}) || f.Theme.Colors["failed"] != (Color{"#AA0000", "#FF5555"}) || f.Theme.Colors["busy"].Dark != "39" || f.Theme.Mode != "" {
		t.Errorf("theme: %v", f.Theme)
	}
	if f.Columns == nil || strings.Join(*f.Columns, ",") != "state,upload,updated" {
		t.Errorf("columns: %v", f.Columns)
	}
	if got := f.Where("keys.renew"); got != "config.yaml:12 (keys.renew)" {
		t.Errorf("Where = %q", got)
	}
	if v, ok := f.Value("mouse"); !ok || v != "true" {
		t.Errorf("Value(mouse) = %q %v", v, ok)
	}
	if _, ok := f.Value("tenant"); !ok {
		t.Error("tenant not set")
	}
}

func TestInvalidFilesFailWithLine(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"setting as a list": {"cloud: global\nrefresh: [10s]\n", "line 2: refresh takes one value"},
		"theme mode a list": {"theme:\n  mode: [dark]\n", "line 2: theme mode"},
		"nested unknown":    {"theme:\n  accent: {light: \"#000\", dark: \"#fff\", dim: 1}\n", "line 2"},
		"bad colour":        {"theme:\n  accent: red\n", "line 2: colour \"red\""},
		"half pair":         {"theme:\n  accent: {light: \"#000\"}\n", "both a light and a dark value"},
		"theme a list":      {"theme: [dark]\n", "line 1: theme is light, dark or auto"},
		"key binding map":   {"keys:\n  renew: {a: b}\n", "line 2: a key binding"},
		"not a mapping":     {"- a\n- b\n", "line 1"},
		"syntax":            {"cloud: [unclosed\n", "yaml"},
		"columns not list":  {"columns: upload\n", "line 1"},
		"second document":   {"cloud: global\n---\ncloud: china\n", "line 2: a second YAML document"},
		"trailing ---":      {"cloud: global\n---\n", "line 2: a second YAML document"},
		"bad second doc":    {"cloud: global\n---\n[\n", "line 3"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.yaml")
	if f, err := Load(missing, true); err != nil || f.Path != "" {
		t.Errorf("optional missing file: %v", err)
	}
	if _, err := Load(missing, false); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("named missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("nope: [1]\n"), 0o600)
	if _, err := Load(bad, true); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad file: %v", err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("# nothing yet\n"), 0o600)
	if f, err := Load(empty, false); err != nil || f.Has("cloud") {
		t.Errorf("empty file: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	get := func(v string) func(string) string { return func(string) string { return v } }
	if got := DefaultPath(get("/cfg")); got != "/cfg/edmtop/config.yaml" {
		t.Errorf("got %s", got)
	}
	if got := DefaultPath(get("relative")); !strings.HasSuffix(got, filepath.Join(".config", "edmtop", "config.yaml")) {
		t.Errorf("got %s", got)
	}
}

func TestThemeModeScalarOrInMapping(t *testing.T) {
	cases := []struct{ yaml, mode, accent string }{
		{"theme: dark\n", "dark", ""},
		{"theme:\n  mode: light\n  accent: \"#FF8800\"\n", "light", "#FF8800"},
		{"theme:\n  accent: \"#FF8800\"\n", "", "#FF8800"},
	}
	for _, tc := range cases {
		f, err := Parse([]byte(tc.yaml))
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		if f.Theme.Mode != tc.mode || f.Theme.Colors["accent"].Dark != tc.accent {
			t.Errorf("%q: mode %q accent %q", tc.yaml, f.Theme.Mode, f.Theme.Colors["accent"].Dark)
		}
	}
}

// zeros is an endless stream, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReadStopsAtTheLimit(t *testing.T) {
	if _, err := readAtMost(zeros{}, 4096); err == nil || !strings.Contains(err.Error(), "larger than 4096 bytes") {
		t.Errorf("endless input: %v", err)
	}
	if b, err := readAtMost(strings.NewReader("cloud: global\n"), 14); err != nil || len(b) != 14 {
		t.Errorf("input of exactly the limit: %d %v", len(b), err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	os.WriteFile(big, bytes.Repeat([]byte("#\n"), maxSize/2+1), 0o600)
	if _, err := Load(big, false); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, false); err == nil || !strings.Contains(err.Error(), "is a directory, not a regular file") {
		t.Errorf("directory: %v", err)
	}
	// The second document was silently dropped, with the settings in it.
	two := filepath.Join(dir, "two.yaml")
	os.WriteFile(two, []byte("cloud: usgov\n---\nendpoint: https://evil.example/beta\n"), 0o600)
	if _, err := Load(two, false); err == nil || !strings.Contains(err.Error(), two) || !strings.Contains(err.Error(), "second YAML document") {
		t.Errorf("two documents: %v", err)
	}
}

func TestDefaultPathOnWindows(t *testing.T) {
	env := map[string]string{"APPDATA": "/Users/ann/AppData/Roaming"}
	getenv := func(k string) string { return env[k] }
	if got := defaultPath("windows", getenv); got != filepath.Join("/Users/ann/AppData/Roaming", "edmtop", "config.yaml") {
		t.Errorf("windows: %q", got)
	}
	if got := defaultPath("linux", getenv); strings.Contains(got, "AppData") {
		t.Errorf("linux took APPDATA: %q", got)
	}
	env["XDG_CONFIG_HOME"] = "/xdg"
	if got := defaultPath("windows", getenv); got != filepath.Join("/xdg", "edmtop", "config.yaml") {
		t.Errorf("XDG_CONFIG_HOME does not win: %q", got)
	}
}
