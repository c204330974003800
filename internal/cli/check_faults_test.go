package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// checkRun runs check and splits its output into lines.
func checkRun(t *testing.T, env map[string]string, args ...string) (int, []string) {
	t.Helper()
	code, out, stderr := runCLI(t, env, append([]string{"check"}, args...)...)
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end a line: %q", out)
	}
	assertClean(t, out)
	return code, strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// The rules beyond the health verdict, with thresholds that agree with the
// status (issue 23, item 15), and the zero values that turn them off
// (issue 29, mutant 12). Expectations are literal, at checkNow.
func TestCheckWarningsAndThresholds(t *testing.T) {
	cases := []struct {
		name   string
		stores []string
		args   []string
		code   int
		first  string
		line   string // the first store's line
	}{
		{"upload limit used up is a warning", []string{"limit"}, nil, 1,
			"EDM WARNING - Lima no upload left until 14:05 (0 of 1 store ok) | 'Lima_index_age'=3480s;90000;93600;0 'Lima_uploads_24h'=5;4;;0",
			"WARNING Lima: no upload left until 14:05; last index 58m ago; 5/5 uploads in 24h"},
		{"the next upload tomorrow says so", []string{"burst"}, nil, 1,
			"EDM WARNING - Kilo no upload left until tomorrow 08:10 (0 of 1 store ok) | 'Kilo_index_age'=480s;90000;93600;0 'Kilo_uploads_24h'=5;4;;0",
			"WARNING Kilo: no upload left until tomorrow 08:10; last index 8m ago; 5/5 uploads in 24h"},
		{"one upload left is ok", []string{"limit"}, []string{"--upload-limit", "6"}, 0,
			"EDM OK - 1 store ok | 'Lima_index_age'=3480s;90000;93600;0 'Lima_uploads_24h'=5;5;;0",
			"OK Lima: ok; last index 58m ago; 5/6 uploads in 24h"},
		{"index over 25h is a warning", []string{"aging"}, nil, 1,
			"EDM WARNING - Golf index older than 25h (0 of 1 store ok) | 'Golf_index_age'=91680s;90000;93600;0 'Golf_uploads_24h'=0;4;;0",
			"WARNING Golf: index older than 25h; last index 25h28m ago; 0/5 uploads in 24h"},
		{"--warning-age 0 turns it off", []string{"aging"}, []string{"--warning-age", "0"}, 0,
			"EDM OK - 1 store ok | 'Golf_index_age'=91680s;;93600;0 'Golf_uploads_24h'=0;4;;0", "OK Golf: ok;"},
		{"--critical-age is --max-age; the warning follows it", []string{"aging"}, []string{"--critical-age", "20h"}, 2,
			"EDM CRITICAL - Golf stale (0 of 1 store ok) | 'Golf_index_age'=91680s;68400;72000;0 'Golf_uploads_24h'=0;4;;0",
			"CRITICAL Golf: stale; last index 25h28m ago (over 20h); 0/5 uploads in 24h"},
		{"--max-age 0 writes no critical threshold", []string{"ok"}, []string{"--max-age", "0"}, 0,
			"EDM OK - 1 store ok | 'Alpha_store_index_age'=10680s;;;0 'Alpha_store_uploads_24h'=1;4;;0", "OK Alpha store: ok;"},
		{"--max-age 0 keeps an explicit warning", []string{"ok"}, []string{"--max-age", "0", "--warning-age", "2h"}, 1,
			"EDM WARNING - Alpha store index older than 2h (0 of 1 store ok) | 'Alpha_store_index_age'=10680s;7200;;0 'Alpha_store_uploads_24h'=1;4;;0", ""},
		{"stale outranks the upload warning", []string{"limit"}, []string{"--max-age", "30m"}, 2,
			"EDM CRITICAL - Lima stale (0 of 1 store ok) | 'Lima_index_age'=3480s;;1800;0 'Lima_uploads_24h'=5;4;;0",
			"CRITICAL Lima: stale; no upload left until 14:05; last index 58m ago (over 30m); 5/5 uploads in 24h"},
		{"a warning age not under the critical one", []string{"ok"}, []string{"--warning-age", "26h"}, 3,
			"EDM UNKNOWN - usage: --warning-age 26h0m0s: use less than --max-age (26h0m0s), or 0 (never) (see edmtop check --help)", ""},
		{"timeout in seconds must be positive", []string{"ok"}, []string{"-t", "0"}, 3,
			"EDM UNKNOWN - usage: --timeout 0s: use a positive duration (see edmtop check --help)", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env := checkScenario(t, tc.stores)
			code, lines := checkRun(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if lines[0] != tc.first {
				t.Errorf("first line:\n got %s\nwant %s", lines[0], tc.first)
			}
			if tc.line != "" && (len(lines) < 2 || !strings.HasPrefix(lines[1], tc.line)) {
				t.Errorf("store line:\n got %q\nwant %s…", lines[1:], tc.line)
			}
		})
	}
}

// Each fault of Graph through the simulator's switch gives UNKNOWN on
// time, for the stores it touches only.
func TestCheckUnderFaults(t *testing.T) {
	ok, stale := checkStores["ok"].store.ID, checkStores["stale"].store.ID
	cases := []struct {
		name  string
		conds []fakegraph.Condition
		args  []string
		code  int
		first string   // whole, or its start when it ends in "…"
		more  []string // lines after the first, each a prefix, in order
	}{
		{"hang: UNKNOWN at -t", []fakegraph.Condition{{Kind: fakegraph.Hang}}, []string{"-t", "2"}, 3,
			"EDM UNKNOWN - Graph did not answer within 2s", nil},
		{"one store hangs: the others are judged", []fakegraph.Condition{{Kind: fakegraph.Hang, StoreID: ok}}, []string{"--timeout", "2s"}, 2,
			"EDM CRITICAL - Graph did not answer within 2s: Delta stale, Alpha store unknown (0 of 2 stores ok) | 'Delta_index_age'=107880s;90000;93600;0 …",
			[]string{"CRITICAL Delta: stale;", "UNKNOWN Alpha store: cannot read its sessions: Graph did not answer within 2s"}},
		{"down", []fakegraph.Condition{{Kind: fakegraph.Down}}, []string{"--request-timeout", "1s"}, 3, "EDM UNKNOWN - list data stores: …", nil},
		{"503", []fakegraph.Condition{{Kind: fakegraph.Unavailable, RetryAfter: 2 * time.Minute}}, nil, 3,
			"EDM UNKNOWN - list data stores: HTTP 503 serviceUnavailable: The service is temporarily unavailable. Please retry later. (retry after 2m0s) …",
			[]string{"The service is throttling requests"}},
		{"one store 403", []fakegraph.Condition{{Kind: fakegraph.Forbidden, StoreID: stale}}, nil, 3,
			"EDM UNKNOWN - Delta unknown (1 of 2 stores ok) | 'Delta_index_age'=U;90000;93600;0 'Delta_uploads_24h'=U;4;;0 'Alpha_store_index_age'=10680s;90000;93600;0 'Alpha_store_uploads_24h'=1;4;;0",
			[]string{"UNKNOWN Delta: cannot read its sessions: list sessions: HTTP 403 accessDenied: Access denied", "OK Alpha store: ok;"}},
		{"garbage listing: never OK", []fakegraph.Condition{{Kind: fakegraph.GarbageListing, StoreID: ok}}, []string{"--datastore", "alpha store"}, 3,
			"EDM UNKNOWN - Alpha store unknown (0 of 1 store ok) | 'Alpha_store_index_age'=U;90000;93600;0 'Alpha_store_uploads_24h'=U;4;;0",
			[]string{"UNKNOWN Alpha store: cannot read its sessions: the service listed 5 entries that are not usable sessions (not an object, or without an id)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, env := checkScenario(t, []string{"ok", "stale"})
			healOnCleanup(t, sim)
			sim.SetConditions(tc.conds...)
			code, lines := checkRun(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if prefix, cut := strings.CutSuffix(tc.first, "…"); cut && !strings.HasPrefix(lines[0], prefix) || !cut && lines[0] != tc.first {
				t.Errorf("first line:\n got %s\nwant %s", lines[0], tc.first)
			}
			rest := lines[1:]
			for _, want := range tc.more {
				for len(rest) > 0 && !strings.HasPrefix(rest[0], want) {
					rest = rest[1:]
				}
				if len(rest) == 0 {
					t.Errorf("no line starting %q in order:\n%s", want, strings.Join(lines, "\n"))
					break
				}
			}
		})
	}
}

// A store the service lists twice is judged once (issue 23, item 7), and
// its name is not ambiguous.
func TestCheckStoreListedTwice(t *testing.T) {
	sim, env := checkScenario(t, []string{"ok"})
	sim.AddStore(checkStores["ok"].store)
	for _, args := range [][]string{nil, {"--datastore", "Alpha store"}} {
		code, lines := checkRun(t, env, args...)
		want := "EDM OK - 1 store ok | 'Alpha_store_index_age'=10680s;90000;93600;0 'Alpha_store_uploads_24h'=1;4;;0"
		if code != 0 || lines[0] != want || len(lines) != 2 {
			t.Errorf("%v: exit %d:\n%s", args, code, strings.Join(lines, "\n"))
		}
	}
}

// Server text cannot start a line nor make the output unbounded (issue
// 23, item 14): newlines fold to spaces, names are cut to 60 characters
// in the text and the labels, the first line stays within 4 KB, and the
// figures that do not fit follow the store lines.
func TestCheckOutputIsBoundedAndOneLinePerLine(t *testing.T) {
	const forged = "boom\nEDM OK - all fine\r\nOK x"
	long := strings.Repeat("N", 100_000)
	t.Run("forged lines in every server text", func(t *testing.T) {
		sim := fakegraph.New(fakegraph.Options{Token: simToken, Clock: fakegraph.NewManualClock(checkNow)})
		sim.AddStore(fakegraph.Store{ID: "a0000000-0000-4000-8000-00000000000a", DisplayName: forged})
		_, _ = sim.AddSession("a0000000-0000-4000-8000-00000000000a", fakegraph.SessionSpec{FileName: forged, Created: checkNow.Add(-time.Hour),
			TotalBlocks: 2, BlocksPerMinute: 2, TotalJobs: 4, JobsPerMinute: 4, AutoCommit: true, FailAfterJobs: 2,
			Failure: &fakegraph.Failure{Code: "Bad\nEDM OK", Message: forged}})
		sim.AddStore(fakegraph.Store{ID: "b0000000-0000-4000-8000-00000000000b", DisplayName: "Bravo"})
		env := serveCheck(t, sim)
		for _, args := range [][]string{nil, {"--datastore", "zulu"}} {
			code, out, _ := runCLI(t, env, append([]string{"check"}, args...)...)
			assertOneStatusLine(t, out)
			if code != 2+boolInt(args != nil) {
				t.Errorf("%v: exit %d:\n%s", args, code, out)
			}
		}
		sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{Status: 400, Code: "x\nEDM OK", Message: forged, Times: -1})
		code, out, _ := runCLI(t, env, "check")
		assertOneStatusLine(t, out)
		if code != 3 || !strings.Contains(out, "cannot read its sessions: list sessions: HTTP 400 x EDM OK: boom EDM OK - all fine  OK x") {
			t.Errorf("exit %d: %q", code, out)
		}
		sim.ClearFaults()
		sim.Inject(fakegraph.RouteListStores, fakegraph.Fault{Status: 400, Code: "x\nEDM OK", Message: forged, Times: -1})
		code, out, _ = runCLI(t, env, "check")
		assertOneStatusLine(t, out)
		if code != 3 || !strings.HasPrefix(out, "EDM UNKNOWN - list data stores: HTTP 400 x EDM OK: boom EDM OK - all fine  OK x") {
			t.Errorf("exit %d: %q", code, out)
		}
	})
	t.Run("a 100 KB name, and 300 stores", func(t *testing.T) {
		sim := fakegraph.New(fakegraph.Options{Token: simToken, Clock: fakegraph.NewManualClock(checkNow)})
		sim.AddStore(fakegraph.Store{ID: "a0000000-0000-4000-8000-00000000000a", DisplayName: long})
		for i := range 300 {
			sim.AddStore(fakegraph.Store{ID: strings.Replace("b0000000-0000-4000-8000-000000000xxx", "xxx", strings.Repeat("0", 3-len(itoa(i)))+itoa(i), 1),
				DisplayName: "store " + itoa(i)})
		}
		env := serveCheck(t, sim)
		code, out, _ := runCLI(t, env, "check")
		assertOneStatusLine(t, out)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		cut := strings.Repeat("N", 59) + "…"
		if code != 2 || !strings.HasPrefix(lines[0], "EDM CRITICAL - "+cut+" stale, store 0 stale, ") || !strings.Contains(lines[0], ", and ") {
			t.Errorf("exit %d, first line %.300q", code, lines[0])
		}
		if !strings.Contains(out, "'"+cut+"_index_age'=U;90000;93600;0") || !strings.Contains(out, "CRITICAL "+cut+": stale; never indexed") {
			t.Errorf("the long name is not cut to 60 characters in a label and a line")
		}
		// Every figure is there once: on the first line, after the last
		// store's line (behind " | "), then one a line.
		perf := strings.Count(out, "_index_age'=") + strings.Count(out, "_uploads_24h'=")
		last := slicesIndex(lines, func(l string) bool { return strings.Contains(l, " | '") && !strings.HasPrefix(l, "EDM ") })
		if perf != 2*301 || last < 0 || last != 301 {
			t.Errorf("%d figures, the figures after the store lines start on line %d", perf, last)
		}
	})
}

// serveCheck serves sim at checkNow and points the CLI at it.
func serveCheck(t *testing.T, sim *fakegraph.Server) map[string]string {
	t.Helper()
	_, env := checkServe(t, sim)
	return env
}

func assertOneStatusLine(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines[0]) > 4096 {
		t.Errorf("first line is %d bytes", len(lines[0]))
	}
	for i, l := range lines {
		if (i == 0) != strings.HasPrefix(l, "EDM ") || (i > 0 && strings.HasPrefix(l, "OK ")) {
			t.Errorf("line %d: %.120q", i, l)
		}
		if len(l) > 4096 {
			t.Errorf("line %d is %d bytes", i, len(l))
		}
	}
	assertInert(t, "check", out)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func slicesIndex(lines []string, f func(string) bool) int {
	for i, l := range lines {
		if f(l) {
			return i
		}
	}
	return -1
}

// check's -t takes a duration or whole seconds, as plugins' -t does.
func TestPluginSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{"50": 50 * time.Second, "50s": 50 * time.Second, "1m30s": 90 * time.Second, "0": 0} {
		var d pluginSeconds
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("Set(%q) = %s, %v; want %s", in, time.Duration(d), err, want)
		}
	}
	for _, in := range []string{"soon", "-5", "99999999999999999", ""} {
		var d pluginSeconds
		if err := d.Set(in); err == nil {
			t.Errorf("Set(%q) accepted: %s", in, time.Duration(d))
		}
	}
	_, env := checkScenario(t, []string{"ok"})
	code, out, _ := runCLI(t, env, "check", "-o", "json")
	var got struct {
		Rules  struct{ WarningAgeSeconds int }
		Stores []map[string]any
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Rules.WarningAgeSeconds != 90000 {
		t.Errorf("exit %d: %s", code, out)
	}
}

// -o json carries the new figures: the upload limit, the warnings, the
// entries skipped, the warning age.
func TestCheckJSONCarriesLimitsAndSkips(t *testing.T) {
	sim, env := checkScenario(t, []string{"limit", "ok"})
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.GarbageListing, StoreID: checkStores["ok"].store.ID})
	code, out, _ := runCLI(t, env, "check", "-o", "json")
	var got struct {
		Rules  struct{ WarningAgeSeconds int }
		Stores []struct {
			DisplayName, Status string
			Warnings            []string
			SkippedEntries      int
			LimitReached        bool
			NextUploadDateTime  *string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 3 || got.Rules.WarningAgeSeconds != 90000 || len(got.Stores) != 2 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	alpha, lima := got.Stores[0], got.Stores[1]
	if alpha.DisplayName != "Alpha store" || alpha.Status != "UNKNOWN" || alpha.SkippedEntries != 5 || alpha.LimitReached {
		t.Errorf("Alpha: %+v", alpha)
	}
	if lima.Status != "WARNING" || !lima.LimitReached || lima.NextUploadDateTime == nil || *lima.NextUploadDateTime != "2026-11-28T14:05:00Z" ||
		len(lima.Warnings) != 1 || lima.Warnings[0] != "no upload left until 14:05" {
		t.Errorf("Lima: %+v", lima)
	}
}
