package cli

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/edmtop/edmtop/fakegraph"
)

const simToken = "cli-PRIVATE-token"

// simulator serves the demo scenario at a fixed time, so output is stable.
func simulator(t *testing.T, opts fakegraph.Options) (*fakegraph.Server, map[string]string) {
	t.Helper()
	opts.Clock = fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	opts.Token = simToken
	sim := fakegraph.NewDemo(opts)
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return sim, map[string]string{"EDMTOP_TOKEN": simToken, "EDMTOP_ENDPOINT": hs.URL + "/beta"}
}

const store = fakegraph.DemoEmployeesStore

func assertClean(t *testing.T, out string) {
	t.Helper()
	for _, secret := range []string{simToken, "sig=", "\x1b"} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains %q", secret)
		}
	}
}

func TestScriptingGoldenOutputs(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"stores_table", []string{"stores"}},
		{"stores_json", []string{"stores", "-o", "json"}},
		{"list_table", []string{"list", "--datastore", store}},
		{"list_json", []string{"list", "--datastore", store, "--output", "json"}},
		{"get_json", []string{"get", "--datastore", store, "-o", "json", "contractors.EdmHash"}},
		{"get_table", []string{"get", "--datastore", store, "contractors.EdmHash"}},
		{"get_table_running", []string{"get", "--datastore", store, "employees-delta.EdmHash"}},
	}
	_, env := simulator(t, fakegraph.Options{PageSize: 3})
	// get's spans still running ("5m so far") end at the simulator's now.
	old := pollClock
	pollClock.now = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { pollClock = old })
	ids := listIDs(t, env)
	for _, tc := range cases {
		// get takes ids: the file names above stand for them.
		if last := &tc.args[len(tc.args)-1]; ids[*last] != "" {
			*last = ids[*last]
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, env, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			assertClean(t, out+stderr)
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func listIDs(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	code, out, stderr := runCLI(t, env, "list", "--datastore", store, "-o", "json")
	if code != 0 {
		t.Fatalf("list: %d %s", code, stderr)
	}
	var sessions []map[string]any
	if err := json.Unmarshal([]byte(out), &sessions); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, s := range sessions {
		ids[s["fileName"].(string)] = s["id"].(string)
	}
	return ids
}

func TestListJSONHoldsEveryPageAndRedacts(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{PageSize: 2})
	code, out, _ := runCLI(t, env, "list", "--datastore", store, "-o", "json")
	var sessions []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &sessions) != nil || len(sessions) != 7 {
		t.Fatalf("exit %d, %d sessions", code, len(sessions))
	}
	first := sessions[0]
	if first["salt"] != "REDACTED" || !strings.HasSuffix(first["dataUploadURI"].(string), "?REDACTED") {
		t.Errorf("not redacted: %v %v", first["salt"], first["dataUploadURI"])
	}
	// Field order is Graph's and stable: id first, error last.
	if !strings.HasPrefix(strings.TrimSpace(out), "[\n  {\n    \"id\":") || !strings.Contains(out, "\"uploadAgentId\"") {
		t.Errorf("unexpected layout:\n%.300s", out)
	}
	code, out, _ = runCLI(t, env, "list", "--datastore", store, "-o", "json", "--reveal")
	if code != 0 || !strings.Contains(out, "sig=") || strings.Contains(out, "REDACTED") {
		t.Error("--reveal did not reveal")
	}
}

func TestScriptingExitCodes(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	ids := listIDs(t, env)
	uploading := ids["employees-delta.EdmHash"]
	waiting := ids["terminations-q4.EdmHash"]
	cases := []struct {
		name   string
		fault  *fakegraph.Fault
		route  fakegraph.Route
		args   []string
		code   int
		stdout string
		stderr []string
	}{
		{"renew ok", nil, "", []string{"renew", "--datastore", store, uploading}, 0, "employees-delta.EdmHash", nil},
		{"renew unknown name", nil, "", []string{"renew", "--datastore", store, "nope"}, 2, "",
			[]string{`no session of data store "Employee records" (` + store + `) has the id or file name "nope"; the newest are:`,
				"\n  FILE                            STATE                 CREATED               ID\n  employees-delta.EdmHash         UploadInProgress      2026-11-28 08:58:30Z  " + uploading + "\n"}},
		{"renew unknown id", nil, "", []string{"renew", "--datastore", store, "00000000-0000-4000-8000-00000000dead"}, 2, "", []string{"no session of data store"}},
		// A typo in one name: nothing is renewed.
		{"renew several, one unknown", nil, "", []string{"renew", "--datastore", store, uploading, "nope"}, 2, "", []string{`file name "nope"`}},
		{"renew by file name", nil, "", []string{"renew", "--datastore", store, "employees-delta.EdmHash"}, 0, uploading, nil},
		{"get by file name, store as typed", nil, "", []string{"get", "--datastore", "employee-records", "terminations-q4.EdmHash"}, 0, "state:                 UploadCompleted  (awaiting commit)\n", nil},
		{"forbidden", &fakegraph.Fault{Status: 403, Code: "accessDenied", Message: "The caller is not a member of EDM_DataUploaders."}, fakegraph.RouteListSessions,
			[]string{"list", "--datastore", store}, 1, "", []string{"HTTP 403 accessDenied", "EDM_DataUploaders security group"}},
		{"throttled beyond the cap", &fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}}, fakegraph.RouteListStores,
			[]string{"stores"}, 1, "", []string{"HTTP 429", "retry after 1h0m0s"}},
		{"sign-in page instead of JSON", &fakegraph.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>sign in</html>")}, fakegraph.RouteGetSession,
			[]string{"get", "--datastore", store, uploading}, 1, "", []string{"not valid JSON"}},
		{"commit conflict", nil, "", []string{"commit", "--yes", "--datastore", store, uploading}, 1, "", []string{"HTTP 409 InvalidSessionState"}},
		{"commit ok", nil, "", []string{"commit", "--yes", "--datastore", store, waiting}, 0, "committed " + waiting, nil},
		{"cancel json", nil, "", []string{"cancel", "-y", "-o", "json", "--datastore", store, uploading}, 0, `"result": "cancelled"`, nil},
		{"cancel without terminal or --yes", nil, "", []string{"cancel", "--datastore", store, uploading}, 2, "", []string{"--yes"}},
		{"bad id", nil, "", []string{"get", "--datastore", store, "a\x1b[2Jb"}, 2, "", []string{"control character"}},
		{"missing datastore", nil, "", []string{"list"}, 2, "", []string{"--datastore is required"}},
		{"bad output", nil, "", []string{"stores", "-o", "yaml"}, 2, "", []string{"--output"}},
		{"no id", nil, "", []string{"renew", "--datastore", store}, 2, "", []string{"at least 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim.ClearFaults()
			if tc.fault != nil {
				sim.Inject(tc.route, *tc.fault)
			}
			code, out, stderr := runCLI(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q: %q", tc.stdout, out)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q: %q", want, stderr)
				}
			}
			assertClean(t, out+stderr)
		})
	}
}

func TestJSONEscapesTerminalControls(t *testing.T) {
	var b strings.Builder
	if err := writeJSON(&b, map[string]string{"name": "a\u009b2J\u202eb\x1b[31m"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsRune(out, '\u009b') || strings.ContainsRune(out, '\u202e') || strings.ContainsRune(out, '\x1b') {
		t.Errorf("raw control in %q", out)
	}
	var back map[string]string
	if json.Unmarshal([]byte(out), &back) != nil || back["name"] != "a\u009b2J\u202eb\x1b[31m" {
		t.Errorf("round trip changed the data: %q", back["name"])
	}
}

func TestSettingsPrecedence(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("cloud: usgov\nauth: device\nrefresh: 30s\ntenant: file-tenant\n"), 0o600)
	show := func(env map[string]string, args ...string) string {
		t.Helper()
		env["EDMTOP_CONFIG"] = cfg
		code, out, stderr := runCLI(t, env, append([]string{"config", "show"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return out
	}
	line := func(out, name string) string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] == name {
				return strings.Join(f, " ")
			}
		}
		return ""
	}
	out := show(map[string]string{})
	if got := line(out, "cloud"); !strings.HasPrefix(got, "cloud usgov config "+cfg+":1") {
		t.Errorf("file: %q", got)
	}
	if got := line(out, "refresh"); !strings.HasPrefix(got, "refresh 30s config") {
		t.Errorf("file refresh: %q", got)
	}
	if got := line(out, "auth"); !strings.HasPrefix(got, "auth device config") {
		t.Errorf("file auth: %q", got)
	}
	out = show(map[string]string{"EDMTOP_CLOUD": "china", "EDMTOP_REFRESH": "1m"})
	if got := line(out, "cloud"); got != "cloud china env EDMTOP_CLOUD" {
		t.Errorf("env over file: %q", got)
	}
	if got := line(out, "refresh"); got != "refresh 1m0s env EDMTOP_REFRESH" {
		t.Errorf("env refresh: %q", got)
	}
	out = show(map[string]string{"EDMTOP_CLOUD": "china"}, "--cloud", "global")
	if got := line(out, "cloud"); got != "cloud global flag --cloud" {
		t.Errorf("flag over env: %q", got)
	}
	if got := line(out, "endpoint"); !strings.Contains(got, "default") {
		t.Errorf("default: %q", got)
	}
	if got := line(out, "token"); got != "token not set env EDMTOP_TOKEN" {
		t.Errorf("token: %q", got)
	}
	out = show(map[string]string{"EDMTOP_TOKEN": "PRIVATE-x"})
	if strings.Contains(out, "PRIVATE") || !strings.Contains(line(out, "token"), "set (hidden)") {
		t.Errorf("token shown: %q", line(out, "token"))
	}
}

func TestInvalidConfigFailsFast(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"unknown key":     {"cloud: global\ncolour: red\n", "line 2: field colour is not a setting"},
		"bad duration":    {"refresh: soon\n", ":1 (refresh): \"soon\""},
		"bad cloud":       {"cloud: moon\n", `:1 (cloud): "moon": unknown cloud`},
		"key conflict":    {"keys:\n  renew: p\n", `config.yaml:2 (keys.renew): key "p" is bound to both pause and renew`},
		"unknown action":  {"keys:\n  explode: x\n", `unknown action "explode"`},
		"unknown colour":  {"theme:\n  sparkle: \"#fff\"\n", `:2 (theme.sparkle): unknown theme colour "sparkle"`},
		"unknown column":  {"columns: [file, eta2]\n", `:1 (columns): unknown column "eta2"`},
		"bad mouse value": {"mouse: 3\n", "mouse"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			os.WriteFile(cfg, []byte(tc.yaml), 0o600)
			code, _, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": "t"}, "list", "--config", cfg, "--datastore", "x")
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr, tc.want)
			}
		})
	}
	code, _, stderr := runCLI(t, nil, "stores", "--config", "/nonexistent/config.yaml")
	if code != 2 || !strings.Contains(stderr, "/nonexistent/config.yaml") {
		t.Errorf("missing named config: %d %q", code, stderr)
	}
}

func TestConfigPath(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	var out strings.Builder
	var errb strings.Builder
	code := run(t.Context(), []string{"config", "path"}, strings.NewReader(""), &out, &errb)
	want := filepath.Join(dir, "edmtop", "config.yaml")
	if code != 0 || !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "not found") {
		t.Errorf("%d %q", code, out.String())
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, stderr := runCLI(t, nil, "completion", shell)
		if code != 0 || len(out) < 100 {
			t.Errorf("%s: exit %d %s", shell, code, stderr)
		}
	}
}

// A renew answered with another session's id exits 1 naming both ids, and
// prints nothing as renewed for it (issue 17, item 2).
func TestRenewAnswerForAnotherSessionFails(t *testing.T) {
	const asked, other, good = "a5000000-0000-4000-8000-0000000000a5", "09000000-0000-4000-8000-000000000009", "600d0000-0000-4000-8000-00000000600d"
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id := other
		switch {
		case r.Method == http.MethodGet: // naming the session: its own id
			id = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		case strings.Contains(r.URL.Path, "/sessions/"+good+"/"):
			id = good
		}
		json.NewEncoder(w).Encode(map[string]any{"id": id, "fileName": id + ".EdmHash", "state": "UploadInProgress",
			"lastUpdatedDateTime": "2026-11-28T09:00:00Z"})
	}))
	defer hs.Close()
	env := map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": hs.URL + "/beta"}
	for _, args := range [][]string{{asked}, {asked, good}, {"-o", "json", asked}} {
		code, out, stderr := runCLI(t, env, append([]string{"renew", "--datastore", "5e000000-0000-4000-8000-000000000005"}, args...)...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		named := "session " + asked
		if args[0] == "-o" {
			named = `"sessionId":"` + asked + `"` // JSON lines on stderr
		}
		if !strings.Contains(stderr, named) || !strings.Contains(stderr, other) {
			t.Errorf("%v: stderr does not name both ids: %q", args, stderr)
		}
		if strings.Contains(out, other) {
			t.Errorf("%v: the other session was printed as renewed: %q", args, out)
		}
		if len(args) == 2 && !strings.Contains(out, good+".EdmHash") {
			t.Errorf("%v: the matching renew is missing: %q", args, out)
		}
	}
}

// --datastore takes a display name in every scripting command (issue 14);
// an id is used as given, without listing the stores.
func TestScriptingStoresByName(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.AddStore(fakegraph.Store{ID: "d0000000-0000-4000-8000-000000000001", DisplayName: "patient RECORDS"})
	ids := listIDs(t, env)
	uploading, waiting := ids["employees-delta.EdmHash"], ids["terminations-q4.EdmHash"]
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr []string
		lists  int // requests to list the stores
	}{
		{"list by name", []string{"list", "--datastore", "employee RECORDS"}, 0, "employees-delta.EdmHash", nil, 1},
		{"list by id: no lookup", []string{"list", "--datastore", store}, 0, "employees-delta.EdmHash", nil, 0},
		{"get by name", []string{"get", "--datastore", "Employee records", uploading}, 0, "employees-delta.EdmHash", nil, 1},
		{"renew by name", []string{"renew", "--datastore", "Employee records", uploading}, 0, "employees-delta.EdmHash", nil, 1},
		{"commit by name", []string{"commit", "--yes", "--datastore", "Employee records", waiting}, 0, "committed " + waiting, nil, 1},
		{"cancel by name", []string{"cancel", "--yes", "--datastore", "Employee records", uploading}, 0, "cancelled " + uploading, nil, 1},
		{"unknown name lists the stores", []string{"list", "--datastore", "Employees"}, 2, "",
			[]string{`--datastore: no data store has the id or name "Employees"`, "Card holders", fakegraph.DemoCardsStore, "Run 'edmtop list --help'"}, 1},
		{"ambiguous name lists the matches", []string{"renew", "--datastore", "Patient Records", uploading}, 2, "",
			[]string{`2 data stores have names like "Patient Records"`, fakegraph.DemoPatientsStore, "d0000000-0000-4000-8000-000000000001"}, 1},
		{"name from the environment", []string{"list"}, 0, "employees-delta.EdmHash", nil, 1},
		{"stores ignores a stale name from the environment", []string{"stores"}, 0, "Employee records", nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(sim.RequestsTo(fakegraph.RouteListStores))
			e := maps.Clone(env)
			switch tc.name {
			case "name from the environment":
				e["EDMTOP_DATASTORE"] = "employee records"
			case "stores ignores a stale name from the environment":
				e["EDMTOP_DATASTORE"] = "no such store"
			}
			code, out, stderr := runCLI(t, e, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.stdout) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, out, stderr)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if n := len(sim.RequestsTo(fakegraph.RouteListStores)) - before; n != tc.lists {
				t.Errorf("%d store listings, want %d", n, tc.lists)
			}
		})
	}
}

// A failed store listing is the service's failure (exit 1), not a usage error.
func TestScriptingStoreLookupFails(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.Inject(fakegraph.RouteListStores, fakegraph.Fault{Status: 403, Code: "accessDenied", Message: "No.", Times: -1})
	code, out, stderr := runCLI(t, env, "list", "--datastore", "Employee records")
	if code != 1 || out != "" || !strings.Contains(stderr, "HTTP 403 accessDenied") || !strings.Contains(stderr, "EDM_DataUploaders") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// What a newcomer reads when a name is off (issue 26, items 1, 5 and 8):
// the whole output, stdout then stderr, against goldens.
func TestScriptingGoldenNames(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.AddStore(fakegraph.Store{ID: "d0000000-0000-4000-8000-000000000001", DisplayName: "patient RECORDS"})
	old := pollClock
	pollClock.now = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { pollClock = old })
	// The stalled session of Patient records, as list finds it by verdict.
	code, out, stderr := runCLI(t, env, "list", fakegraph.DemoPatientsStore, "--state", "stalled", "-o", "json")
	var stalled []struct{ FileName string }
	if code != 0 || json.Unmarshal([]byte(out), &stalled) != nil || len(stalled) != 1 {
		t.Fatalf("list --state stalled: exit %d, %s%s", code, out, stderr)
	}
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"get_stalled_by_file_name", []string{"get", "--datastore", fakegraph.DemoPatientsStore, stalled[0].FileName}, 0},
		{"get_by_file_name_store_as_typed", []string{"get", "--datastore", "EmployeeRecords", "terminations-q4.EdmHash"}, 0},
		{"list_store_as_argument", []string{"list", "employee", "--state", "awaiting-commit"}, 0},
		{"list_nothing_matches", []string{"list", "employee-records", "--state", "stalled", "--since", "1h"}, 0},
		{"unknown_session", []string{"get", "--datastore", store, "nope.EdmHash"}, 2},
		{"store_did_you_mean", []string{"list", "Employe recrods"}, 2},
		{"store_ambiguous", []string{"list", "patient records"}, 2},
		{"store_twice", []string{"list", "Employee records", "--datastore", "Patient records"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			assertClean(t, out+stderr)
			line := "$ edmtop"
			for _, a := range tc.args {
				if strings.Contains(a, " ") {
					a = `"` + a + `"`
				}
				line += " " + a
			}
			golden.RequireEqual(t, []byte(line+"\n"+out+"--- stderr\n"+stderr))
		})
	}
}

// check's lines join clauses with "; ", never after a full stop: the
// demo's failed upload says "...another salt." (issue 26, item 8).
func TestCheckLineHasNoFullStopBeforeASemicolon(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{})
	code, out, _ := runCLI(t, env, "check", "--datastore", "claims archive")
	want := "CRITICAL Claims archive: failed; newest session claims-2026-11-27.EdmHash failed: InvalidHashBlockFormat: " +
		"Block 13 is not a valid hash block: it was hashed with another salt; "
	if code != 2 || !strings.Contains(out, want) || strings.Contains(out, ".;") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
