package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// completions runs `edmtop __complete args...` and returns the candidates
// (without their descriptions and cobra's directive line).
func completions(t *testing.T, env map[string]string, args ...string) []string {
	t.Helper()
	code, out, stderr := runCLI(t, env, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, stderr)
	}
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, ":") {
			got = append(got, l)
		}
	}
	return got
}

func TestCompletionFunctions(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{})
	lines := func(out string) []string {
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				got = append(got, l)
			}
		}
		return got
	}
	cases := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"store names and ids", []string{"__complete", "wait", "--datastore", ""},
			[]string{"Employee records\t" + store, store + "\tEmployee records", "Card holders\t"}, nil},
		{"prefix, any case", []string{"__complete", "wait", "--datastore", "pat"},
			[]string{"Patient records\t" + fakegraph.DemoPatientsStore}, []string{"Employee records"}},
		{"sessions of a store named", []string{"__complete", "wait", "--datastore", "employee records", ""},
			[]string{"employees-delta.EdmHash\tnewest: UploadInProgress", "\temployees-delta.EdmHash UploadInProgress"}, []string{"patients"}},
		{"one session argument only", []string{"__complete", "wait", "--datastore", store, "x", ""}, nil, []string{"EdmHash"}},
		{"unknown store: nothing", []string{"__complete", "wait", "--datastore", "nope", ""}, nil, []string{"EdmHash"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, env, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := strings.Join(lines(out), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("has %q:\n%s", w, got)
				}
			}
			if tc.want == nil && len(lines(out)) > 0 {
				t.Errorf("want no completions, got:\n%s", got)
			}
		})
	}
	t.Run("sign-in that needs a prompt gives nothing, quickly", func(t *testing.T) {
		start := time.Now()
		env := map[string]string{"EDMTOP_TOKEN": "", "EDMTOP_ENDPOINT": env["EDMTOP_ENDPOINT"], "EDMTOP_AUTH": "device"}
		code, out, _ := runCLI(t, env, "__complete", "wait", "--datastore", "")
		if code != 0 || len(lines(out)) > 0 || strings.Contains(out, "devicelogin") {
			t.Errorf("exit %d, out %q", code, out)
		}
		if d := time.Since(start); d > 2*completionTimeout {
			t.Errorf("took %s", d)
		}
	})
}

// Completion offers exactly what the commands accept: every candidate,
// given back to the command, names what it offered (issue 26, item 2:
// get refused the file names it completed).
func TestCompletionRoundTrip(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	// A name two stores share is offered by id only; a file two live
	// uploads share, by id only.
	sim.AddStore(fakegraph.Store{ID: "f1f1f1f1-0000-4000-8000-000000000001", DisplayName: "Claims archive"})
	now := sim.Clock().Now()
	for i := range 2 {
		if _, err := sim.AddSession(fakegraph.DemoClaimsStore, fakegraph.SessionSpec{FileName: "twice.EdmHash", TotalBlocks: 100, BlocksPerMinute: 1,
			Created: now.Add(-time.Duration(i+1) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	stores := completions(t, env, "list", "")
	if len(stores) == 0 {
		t.Fatal("no store completions")
	}
	for _, c := range stores {
		name, _, _ := strings.Cut(c, "\t")
		if name == "Claims archive" {
			t.Errorf("offered %q, which two stores share", name)
		}
		if code, _, stderr := runCLI(t, env, "list", name, "-o", "json"); code != 0 {
			t.Errorf("list %q: exit %d: %s", name, code, stderr)
		}
	}
	for _, store := range []string{fakegraph.DemoClaimsStore, "Employee records"} {
		for _, cmd := range []string{"get", "wait", "renew"} {
			sessions := completions(t, env, cmd, "--datastore", store, "")
			if len(sessions) == 0 {
				t.Fatalf("%s: no session completions for %s", cmd, store)
			}
			for _, c := range sessions {
				arg, _, _ := strings.Cut(c, "\t")
				if arg == "twice.EdmHash" {
					t.Errorf("offered %q, which two running sessions share", arg)
				}
				if cmd != "get" {
					continue // the same words, read by the same matcher
				}
				if code, _, stderr := runCLI(t, env, "get", "--datastore", store, arg, "-o", "json"); code != 0 {
					t.Errorf("get %q: exit %d: %s", arg, code, stderr)
				}
			}
		}
	}
}

func TestSessionCompletionsAreWhatMatchSessionTakes(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(h int) graphapi.Time { return graphapi.Time{Time: now.Add(-time.Duration(h) * time.Hour)} }
	sessions := []*graphapi.Session{
		{ID: "a", FileName: "one.EdmHash", State: "Completed", CreationDateTime: at(5)},
		{ID: "b", FileName: "one.EdmHash", State: "Failed", CreationDateTime: at(1)},
		{ID: "c", FileName: "live.EdmHash", State: "UploadInProgress", CreationDateTime: at(2), LastUpdatedDateTime: at(0)},
		{ID: "d", FileName: "live.EdmHash", State: "UploadInProgress", CreationDateTime: at(1), LastUpdatedDateTime: at(0)},
		{ID: "e\x1b]x", FileName: "evil\x1b[2J.EdmHash", State: "Completed", CreationDateTime: at(3)},
	}
	got := sessionCompletions(sessions, health.Rules{StallAfter: 2 * time.Hour}, now, "")
	var words []string
	for _, c := range got {
		w, _, _ := strings.Cut(c, "\t")
		words = append(words, w)
	}
	// Newest first (d was updated after b); live.EdmHash names two live
	// uploads, the evil id and file would not survive sanitizing.
	if want := "d b one.EdmHash c a"; strings.Join(words, " ") != want {
		t.Errorf("completions %q, want %q", words, want)
	}
}
