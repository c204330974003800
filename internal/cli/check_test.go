package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// checkNow is when the check scenarios are judged.
var checkNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// checkStores are stores in known health at checkNow, by key. Sessions are
// fast (1 minute to upload, 1 to process) unless said otherwise.
var checkStores = map[string]struct {
	store    fakegraph.Store
	sessions []fakegraph.SessionSpec
}{
	// ok: indexed 2h58m ago.
	"ok": {fakegraph.Store{ID: "a0000000-0000-4000-8000-00000000000a", DisplayName: "Alpha store"},
		[]fakegraph.SessionSpec{quick("alpha.EdmHash", 3*time.Hour)}},
	// stalled: a session created 3h ago that never uploaded a block.
	"stalled": {fakegraph.Store{ID: "b0000000-0000-4000-8000-00000000000b", DisplayName: "Bravo"},
		[]fakegraph.SessionSpec{quick("bravo-old.EdmHash", 5*time.Hour),
			{FileName: "bravo.EdmHash", Created: checkNow.Add(-3 * time.Hour), TotalBlocks: 10, BlocksPerMinute: 0.0001, TotalJobs: 1, AutoCommit: true}}},
	// failed: its newest session failed after 2 of 4 jobs.
	"failed": {fakegraph.Store{ID: "c0000000-0000-4000-8000-00000000000c", DisplayName: "Charlie"},
		[]fakegraph.SessionSpec{quick("charlie-old.EdmHash", 20*time.Hour),
			{FileName: "charlie.EdmHash", Created: checkNow.Add(-time.Hour), TotalBlocks: 2, BlocksPerMinute: 2, TotalJobs: 4, JobsPerMinute: 4, AutoCommit: true, FailAfterJobs: 2,
				Failure: &fakegraph.Failure{Code: "InvalidHashFormat", Message: "Row 118 has 5 columns | schema has 6"}}}},
	// stale: indexed 30h ago.
	"stale": {fakegraph.Store{ID: "d0000000-0000-4000-8000-00000000000d", DisplayName: "Delta"},
		[]fakegraph.SessionSpec{quick("delta.EdmHash", 30*time.Hour)}},
	// never indexed: no session, no dataLastUpdatedDateTime.
	"empty": {fakegraph.Store{ID: "e0000000-0000-4000-8000-00000000000e", DisplayName: "Echo"}, nil},
	// limit: five uploads in 24h, the oldest at 14:05 yesterday; ok
	// otherwise (indexed 58m ago).
	"limit": {fakegraph.Store{ID: "10000000-0000-4000-8000-000000000010", DisplayName: "Lima"},
		[]fakegraph.SessionSpec{quick("l1.EdmHash", 18*time.Hour+55*time.Minute), quick("l2.EdmHash", 12*time.Hour),
			quick("l3.EdmHash", 8*time.Hour), quick("l4.EdmHash", 4*time.Hour), quick("l5.EdmHash", time.Hour)}},
	// burst: five uploads in the last hour: the next is allowed tomorrow
	// at 08:10, when the first of them is a day old.
	"burst": {fakegraph.Store{ID: "30000000-0000-4000-8000-000000000030", DisplayName: "Kilo"},
		[]fakegraph.SessionSpec{quick("k1.EdmHash", 50*time.Minute), quick("k2.EdmHash", 40*time.Minute),
			quick("k3.EdmHash", 30*time.Minute), quick("k4.EdmHash", 20*time.Minute), quick("k5.EdmHash", 10*time.Minute)}},
	// aging: indexed 25h28m ago, under the 26h limit but over 25h.
	"aging": {fakegraph.Store{ID: "20000000-0000-4000-8000-000000000020", DisplayName: "Golf"},
		[]fakegraph.SessionSpec{quick("golf.EdmHash", 25*time.Hour+30*time.Minute)}},
	// Two stores of the same name.
	"twin1": {fakegraph.Store{ID: "f0000000-0000-4000-8000-000000000001", DisplayName: "Twin"}, []fakegraph.SessionSpec{quick("t1.EdmHash", time.Hour)}},
	"twin2": {fakegraph.Store{ID: "f0000000-0000-4000-8000-000000000002", DisplayName: "twin"}, []fakegraph.SessionSpec{quick("t2.EdmHash", time.Hour)}},
}

// quick is a session created ago that completed 2 minutes later.
func quick(file string, ago time.Duration) fakegraph.SessionSpec {
	return fakegraph.SessionSpec{FileName: file, Created: checkNow.Add(-ago), TotalBlocks: 10, BlocksPerMinute: 10, TotalJobs: 10, JobsPerMinute: 10, AutoCommit: true}
}

// checkScenario serves the stores named by keys at checkNow; the sessions of
// the stores in refuse answer 403.
func checkScenario(t *testing.T, keys []string, refuse ...string) (*fakegraph.Server, map[string]string) {
	t.Helper()
	sim := fakegraph.New(fakegraph.Options{Token: simToken, Clock: fakegraph.NewManualClock(checkNow)})
	for _, k := range keys {
		st, ok := checkStores[k]
		if !ok {
			t.Fatalf("no store %q", k)
		}
		sim.AddStore(st.store)
		for _, spec := range st.sessions {
			if _, err := sim.AddSession(st.store.ID, spec); err != nil {
				t.Fatal(err)
			}
		}
	}
	return checkServe(t, sim, refuse...)
}

// checkServe serves sim (at checkNow), refusing the sessions of the stores
// in refuse with 403, and runs check's clock on sim's.
func checkServe(t *testing.T, sim *fakegraph.Server, refuse ...string) (*fakegraph.Server, map[string]string) {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, k := range refuse {
			if strings.Contains(r.URL.Path, checkStores[k].store.ID+"/sessions") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"error":{"code":"accessDenied","message":"No access to this store."}}`))
				return
			}
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	manualPolls(t, sim)
	return sim, map[string]string{"EDMTOP_TOKEN": simToken, "EDMTOP_ENDPOINT": hs.URL + "/beta"}
}

func TestCheckStatuses(t *testing.T) {
	cases := []struct {
		name   string
		stores []string
		refuse []string
		args   []string
		code   int
		first  string   // the whole first line, or its start when it ends in "…"
		more   []string // further lines, in order
	}{
		{"ok", []string{"ok"}, nil, nil, 0,
			"EDM OK - 1 store ok | 'Alpha_store_index_age'=10680s;90000;93600;0 'Alpha_store_uploads_24h'=1;4;;0",
			[]string{"OK Alpha store: ok; last index 2h58m ago; 1/5 uploads in 24h"}},
		{"stalled is a warning", []string{"ok", "stalled"}, nil, nil, 1,
			"EDM WARNING - Bravo stalled (1 of 2 stores ok) | 'Bravo_index_age'=17880s;90000;93600;0 'Bravo_uploads_24h'=2;4;;0 'Alpha_store_index_age'=10680s;90000;93600;0 'Alpha_store_uploads_24h'=1;4;;0",
			[]string{"WARNING Bravo: stalled; 1 session without an update for over 2h (longest 3h); last index 4h58m ago; 2/5 uploads in 24h", "OK Alpha store: ok;"}},
		{"failed is critical, worst first", []string{"stalled", "failed", "ok"}, nil, nil, 2,
			"EDM CRITICAL - Charlie failed, Bravo stalled (1 of 3 stores ok) | 'Charlie_index_age'=…",
			[]string{"CRITICAL Charlie: failed; newest session charlie.EdmHash failed: InvalidHashFormat: Row 118 has 5 columns / schema has 6; last index 19h58m ago; 2/5 uploads in 24h",
				"WARNING Bravo", "OK Alpha store"}},
		{"stale is critical", []string{"ok", "stale"}, nil, nil, 2,
			"EDM CRITICAL - Delta stale (1 of 2 stores ok) | 'Delta_index_age'=107880s;90000;93600;0 'Delta_uploads_24h'=0;4;;0 …",
			[]string{"CRITICAL Delta: stale; last index 29h58m ago (over 26h); 0/5 uploads in 24h"}},
		{"never indexed is critical", []string{"empty"}, nil, nil, 2,
			"EDM CRITICAL - Echo stale (0 of 1 store ok) | 'Echo_index_age'=U;90000;93600;0 'Echo_uploads_24h'=0;4;;0",
			[]string{"CRITICAL Echo: stale; never indexed; 0/5 uploads in 24h"}},
		{"a store that cannot be read is unknown", []string{"ok", "stalled"}, []string{"stalled"}, nil, 3,
			"EDM UNKNOWN - Bravo unknown (1 of 2 stores ok) | 'Bravo_index_age'=U;90000;93600;0 'Bravo_uploads_24h'=U;4;;0 …",
			[]string{"UNKNOWN Bravo: cannot read its sessions: list sessions: HTTP 403 accessDenied: No access to this store."}},
		{"critical outranks unknown", []string{"failed", "stalled"}, []string{"stalled"}, nil, 2,
			"EDM CRITICAL - Charlie failed, Bravo unknown (0 of 2 stores ok) | …", []string{"CRITICAL Charlie", "UNKNOWN Bravo"}},
		{"stores by name, any case, once each", []string{"ok", "stalled", "failed"}, nil, []string{"--datastore", "ALPHA store", "--datastore", checkStores["ok"].store.ID}, 0,
			"EDM OK - 1 store ok | 'Alpha_store_index_age'=…", nil},
		{"rules from flags", []string{"ok", "stalled"}, nil, []string{"--max-age", "1h", "--stall-after", "4h", "--upload-limit", "2"}, 2,
			"EDM CRITICAL - Alpha store stale, Bravo stale (0 of 2 stores ok) | 'Alpha_store_index_age'=10680s;;3600;0 'Alpha_store_uploads_24h'=1;1;;0 …", nil},
		{"unknown store name", []string{"ok"}, nil, []string{"--datastore", "Zulu"}, 3,
			`EDM UNKNOWN - --datastore: no data store has the id or name "Zulu"; the stores are:`,
			[]string{"  Alpha store  a0000000-0000-4000-8000-00000000000a"}},
		{"ambiguous store name", []string{"twin1", "twin2"}, nil, []string{"--datastore", "TWIN"}, 3,
			`EDM UNKNOWN - --datastore: 2 data stores have names like "TWIN": give the id of one:`,
			[]string{"f0000000-0000-4000-8000-000000000001", "f0000000-0000-4000-8000-000000000002"}},
		{"no stores", nil, nil, nil, 3, "EDM UNKNOWN - the account sees no data stores (check --tenant and the account's EDM access)", nil},
		{"usage: bad value exits 3", []string{"ok"}, nil, []string{"--max-age", "-1h"}, 3,
			"EDM UNKNOWN - usage: --max-age \"-1h0m0s\": use 0 (never) or a positive duration (see edmtop check --help)", nil},
		{"usage: unknown flag exits 3", []string{"ok"}, nil, []string{"--warn", "3"}, 3, "EDM UNKNOWN - usage: unknown flag: --warn …", nil},
		{"usage: unparsable flag exits 3", []string{"ok"}, nil, []string{"--max-age", "soon"}, 3, "EDM UNKNOWN - usage: invalid argument \"soon\" …", nil},
		{"usage: argument exits 3", []string{"ok"}, nil, []string{"Alpha"}, 3, "EDM UNKNOWN - usage: unknown command \"Alpha\" for \"edmtop check\" …", nil},
		{"usage: bad output exits 3", []string{"ok"}, nil, []string{"-o", "yaml"}, 3, "EDM UNKNOWN - usage: --output \"yaml\": use table or json …", nil},
		{"usage: missing config exits 3", []string{"ok"}, nil, []string{"--config", "/nonexistent/edmtop.yaml"}, 3, "EDM UNKNOWN - usage: …", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env := checkScenario(t, tc.stores, tc.refuse...)
			code, out, stderr := runCLI(t, env, append([]string{"check"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if prefix, ok := strings.CutSuffix(tc.first, "…"); ok && !strings.HasPrefix(lines[0], prefix) || !ok && lines[0] != tc.first {
				t.Errorf("first line:\n got %s\nwant %s", lines[0], tc.first)
			}
			rest := lines[1:]
			for _, want := range tc.more {
				i := 0
				for i < len(rest) && !strings.Contains(rest[i], want) {
					i++
				}
				if i == len(rest) {
					t.Errorf("no line with %q after the ones matched before:\n%s", want, out)
					break
				}
				rest = rest[i+1:]
			}
			if stderr != "" {
				t.Errorf("stderr: %q", stderr)
			}
			assertClean(t, out)
		})
	}
}

func TestCheckSignInOrServiceFailureIsUnknown(t *testing.T) {
	_, env := checkScenario(t, []string{"ok"})
	env["EDMTOP_TOKEN"] = "not-the-token"
	code, out, _ := runCLI(t, env, "check")
	first, rest, _ := strings.Cut(out, "\n")
	if code != 3 || !strings.HasPrefix(first, "EDM UNKNOWN - list data stores: HTTP 401") || !strings.Contains(rest, "Sign in again") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = runCLI(t, map[string]string{"EDMTOP_TOKEN": "", "EDMTOP_AUTH": "env", "AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": ""}, "check")
	if code != 3 || !strings.HasPrefix(out, "EDM UNKNOWN - sign-in (env) failed: missing environment variable AZURE_TENANT_ID\n") {
		t.Errorf("sign-in that cannot start: exit %d:\n%s", code, out)
	}
	_, env = checkScenario(t, []string{"ok"})
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"check"}, strings.NewReader(""), &stdout, &stderr); code != 3 || stdout.String() != "EDM UNKNOWN - interrupted\n" {
		t.Errorf("interrupted: exit %d: %q %q", code, stdout.String(), stderr.String())
	}
}

func TestCheckJSON(t *testing.T) {
	_, env := checkScenario(t, []string{"ok", "failed", "stalled", "empty"}, "stalled")
	code, out, stderr := runCLI(t, env, "check", "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Status    string
		ExitCode  int
		Summary   string
		CheckedAt string
		Rules     struct{ MaxAgeSeconds, StallAfterSeconds, UploadLimit int }
		Stores    []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if got.Status != "CRITICAL" || got.ExitCode != 2 || got.CheckedAt != "2026-11-28T09:00:00Z" || got.Rules.MaxAgeSeconds != 93600 || got.Rules.UploadLimit != 5 {
		t.Errorf("head: %+v", got)
	}
	byName := map[string]map[string]any{}
	for _, s := range got.Stores {
		byName[s["displayName"].(string)] = s
	}
	want := map[string]struct {
		status  string
		verdict any
	}{"Alpha store": {"OK", "ok"}, "Charlie": {"CRITICAL", "failed"}, "Bravo": {"UNKNOWN", nil}, "Echo": {"CRITICAL", "stale"}}
	for name, w := range want {
		s := byName[name]
		if s == nil || s["status"] != w.status || s["verdict"] != w.verdict {
			t.Errorf("%s: %v", name, s)
		}
	}
	if a := byName["Alpha store"]; a["indexAgeSeconds"] != 10680.0 || a["uploads24h"] != 1.0 || a["lastIndexDateTime"] != "2026-11-28T06:02:00Z" {
		t.Errorf("Alpha figures: %v", a)
	}
	if c := byName["Charlie"]; c["newestSession"].(map[string]any)["errorCode"] != "InvalidHashFormat" {
		t.Errorf("Charlie: %v", c["newestSession"])
	}
	if ae, _ := byName["Bravo"]["apiError"].(map[string]any); ae == nil || ae["status"] != 403.0 || ae["code"] != "accessDenied" {
		t.Errorf("Bravo's apiError: %v", byName["Bravo"]["apiError"])
	}
	if b := byName["Bravo"]; !strings.Contains(b["error"].(string), "HTTP 403") || b["uploads24h"] != nil || b["uploadLimit"] != 5.0 {
		t.Errorf("Bravo: %v", b)
	}
	if e := byName["Echo"]; e["indexAgeSeconds"] != nil || e["lastIndexDateTime"] != nil {
		t.Errorf("Echo: %v", e)
	}
	// A check that cannot judge says so in JSON too.
	code, out, _ = runCLI(t, env, "check", "-o", "json", "--datastore", "Zulu")
	if err := json.Unmarshal([]byte(out), &got); code != 3 || err != nil || got.Status != "UNKNOWN" || !strings.Contains(got.Summary, "Zulu") || len(got.Stores) != 0 {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestCheckReadsStoresConcurrentlyButBounded(t *testing.T) {
	// Eight stores through one slow route: all are judged, at most
	// checkConcurrency listings run at once.
	sim := fakegraph.New(fakegraph.Options{Token: simToken, Clock: fakegraph.NewManualClock(checkNow)})
	for i := range 8 {
		id := strings.Replace("00000000-0000-4000-8000-00000000000x", "x", string(rune('a'+i)), 1)
		sim.AddStore(fakegraph.Store{ID: id, DisplayName: "store " + string(rune('A'+i))})
		_, _ = sim.AddSession(id, quick("f.EdmHash", time.Hour))
	}
	var mu sync.Mutex
	inFlight, most := 0, 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sessions") {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		}
		sim.ServeHTTP(w, r)
	}))
	defer hs.Close()
	manualPolls(t, sim)
	code, out, _ := runCLI(t, map[string]string{"EDMTOP_TOKEN": simToken, "EDMTOP_ENDPOINT": hs.URL + "/beta"}, "check")
	if code != 0 || !strings.HasPrefix(out, "EDM OK - 8 stores ok") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if most > checkConcurrency || most < 2 {
		t.Errorf("%d listings at once", most)
	}
}

func TestPerfLabels(t *testing.T) {
	cases := map[string]string{
		"Patient records":       "Patient_records",
		"a'b=c  d":              "a_b_c_d",
		"Zürich-Kunden.v2":      "Zürich-Kunden.v2",
		"  padded\x1b[31m red ": "padded_red",
		"|pipes|":               "pipes",
	}
	for in, want := range cases {
		if got := perfLabel(in); got != want {
			t.Errorf("perfLabel(%q) = %q, want %q", in, got, want)
		}
	}
	checks := []storeCheck{{}, {}, {}}
	checks[0].store.DisplayName, checks[0].store.ID = "Same name", "11111111-aaaa"
	checks[1].store.DisplayName, checks[1].store.ID = "same_name", "22222222-bbbb"
	checks[2].store.DisplayName, checks[2].store.ID = "'''", "33333333-cccc"
	assignLabels(checks)
	if checks[0].label != "Same_name_11111111" || checks[1].label != "same_name_22222222" || checks[2].label != "33333333" {
		t.Errorf("labels %q %q %q", checks[0].label, checks[1].label, checks[2].label)
	}
}

func TestCheckConfigDatastoreIsUsed(t *testing.T) {
	// --datastore is a setting: the config file's store is checked when the
	// flag is not given.
	_, env := checkScenario(t, []string{"ok", "failed"})
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("datastore: AlphaStore\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env["EDMTOP_CONFIG"] = cfg
	code, out, _ := runCLI(t, env, "check")
	if code != 0 || !strings.HasPrefix(out, "EDM OK - 1 store ok") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestHostilePayloadsInWaitAndCheck(t *testing.T) {
	b, err := os.ReadFile("../../termtext/testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Payloads []struct{ Name, Text string } }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	const id = "11111111-1111-4111-8111-111111111111"
	for _, p := range file.Payloads {
		t.Run(p.Name, func(t *testing.T) {
			text := p.Text
			session := map[string]any{"id": id, "fileName": text, "state": "Failed", "creationDateTime": "2026-11-28T08:00:00Z",
				"lastUpdatedDateTime": "2026-11-28T08:30:00Z", "error": map[string]any{"code": text, "message": text}}
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				var body any = map[string]any{"value": []any{session}}
				switch {
				case strings.HasSuffix(r.URL.Path, "/exactMatchDataStores"):
					body = map[string]any{"value": []any{map[string]any{"id": "s", "displayName": text}}}
				case strings.HasSuffix(r.URL.Path, "/"+id):
					body = session
				}
				_ = json.NewEncoder(w).Encode(body)
			}))
			defer hs.Close()
			env := map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": hs.URL + "/beta"}
			manualPollsAt(t, checkNow)
			for _, run := range []struct {
				args []string
				code int
			}{
				{[]string{"check"}, 2},
				{[]string{"check", "--datastore", "nope"}, 3},
				{[]string{"wait", "--datastore", "s", id}, 1},
				{[]string{"wait", "--datastore", "nope", id}, 2},
				{[]string{"wait", "--datastore", "s", "nope.EdmHash"}, 2},
				{[]string{"__complete", "wait", "--datastore", ""}, 0},
				{[]string{"__complete", "wait", "--datastore", "s", ""}, 0},
			} {
				code, out, stderr := runCLI(t, env, run.args...)
				if code != run.code {
					t.Errorf("%v: exit %d, want %d: %s", run.args, code, run.code, stderr)
				}
				assertInert(t, strings.Join(run.args, " "), out+stderr)
				if run.args[0] == "__complete" {
					for _, line := range strings.Split(out, "\n") {
						if strings.Count(line, "\t") > 1 {
							t.Errorf("completion %q has more than one tab", line)
						}
					}
				}
			}
		})
	}
}

// manualPollsAt runs wait's and check's clock at a fixed time.
func manualPollsAt(t *testing.T, at time.Time) {
	t.Helper()
	manualPolls(t, fakegraph.New(fakegraph.Options{Clock: fakegraph.NewManualClock(at)}))
}

// assertInert fails if out holds a byte or rune a terminal would act on.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []byte{0x1b, 0x07, 0x08, '\r', 0x00} {
		if strings.IndexByte(out, bad) >= 0 {
			t.Errorf("%s: byte %#x written", what, bad)
		}
	}
	for _, r := range out {
		if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200d {
			t.Errorf("%s: rune %U written", what, r)
			break
		}
	}
}
