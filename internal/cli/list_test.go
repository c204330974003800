package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

func TestListFilter(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) graphapi.Time { return graphapi.Time{Time: now.Add(-d)} }
	sessions := []*graphapi.Session{
		{ID: "up", State: "UploadInProgress", CreationDateTime: at(time.Hour)},
		{ID: "wait", State: "UploadCompleted", CreationDateTime: at(3 * time.Hour)},
		{ID: "done", State: "Completed", CreationDateTime: at(25 * time.Hour)},
		{ID: "failed", State: "Failed", CreationDateTime: at(30 * time.Minute)},
		{ID: "odd", State: "IndexError", CreationDateTime: at(time.Minute)},
		{ID: "cancelled", State: "Cancelled", CreationDateTime: at(2 * time.Hour)},
		{ID: "undated", State: "UploadInProgress"},
		{ID: "silent", State: "ProcessingInProgress", CreationDateTime: at(30 * time.Hour), LastUpdatedDateTime: at(20 * time.Hour)},
	}
	cases := []struct {
		name   string
		f      listFilter
		wantID string
	}{
		{"no filter", listFilter{}, "up wait done failed odd cancelled undated silent"},
		{"state in any case", listFilter{states: []string{"uploadcompleted"}}, "wait"},
		{"repeated states", listFilter{states: []string{"Completed", "CANCELLED"}}, "done cancelled"},
		{"running", listFilter{states: []string{"running"}}, "up wait undated silent"},
		{"stalled, by the health rules", listFilter{states: []string{"Stalled"}}, "silent"},
		{"awaiting commit", listFilter{states: []string{"awaiting-commit"}}, "wait"},
		{"final", listFilter{states: []string{"Final"}}, "done failed odd cancelled"},
		{"failed class takes unknown failure states", listFilter{states: []string{"failed"}}, "failed odd"},
		{"completed is the class, not UploadCompleted", listFilter{states: []string{"completed"}}, "done"},
		{"since leaves out the undated", listFilter{since: 2 * time.Hour}, "up failed odd cancelled"},
		{"state and since", listFilter{states: []string{"running"}, since: 2 * time.Hour}, "up"},
		{"unknown state matches as given", listFilter{states: []string{"indexerror"}}, "odd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range tc.f.apply(sessions, health.Rules{StallAfter: 2 * time.Hour}, now) {
				got = append(got, s.ID)
			}
			if strings.Join(got, " ") != tc.wantID {
				t.Errorf("got %v, want %s", got, tc.wantID)
			}
		})
	}
}

func TestListNewestFirstAndFiltered(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{PageSize: 2})
	manualPolls(t, sim)
	files := func(out string) string {
		var sessions []struct{ FileName, State string }
		if err := json.Unmarshal([]byte(out), &sessions); err != nil {
			t.Fatalf("%v: %q", err, out)
		}
		var names []string
		for _, s := range sessions {
			names = append(names, strings.TrimSuffix(s.FileName, ".EdmHash"))
		}
		return strings.Join(names, " ")
	}
	cases := []struct {
		name  string
		args  []string
		want  string
		note  string
		code  int
		usage string
	}{
		{"newest first", nil, "employees-delta contractors employees-2026-11-28 employees-full-rebuild terminations-q4 employees-test-run employees-2026-11-27", "", 0, ""},
		{"a state", []string{"--state", "uploadinprogress"}, "employees-delta employees-full-rebuild", "", 0, ""},
		{"classes", []string{"--state", "final"}, "employees-test-run employees-2026-11-27", "", 0, ""},
		{"since", []string{"--since", "10m"}, "employees-delta contractors employees-2026-11-28 employees-full-rebuild", "", 0, ""},
		{"unknown state: a note, no match", []string{"--state", "Uploding"}, "", `--state "Uploding" is no known state`, 0, ""},
		{"negative since", []string{"--since", "-1h"}, "", "", 2, "--since -1h0m0s"},
		{"empty state", []string{"--state", " "}, "", "", 2, "--state: empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, env, append([]string{"list", "--datastore", "Employee records", "-o", "json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if tc.code != 0 {
				if !strings.Contains(stderr, tc.usage) {
					t.Errorf("stderr lacks %q: %q", tc.usage, stderr)
				}
				return
			}
			if got := files(out); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !strings.Contains(stderr, tc.note) || (tc.note == "" && stderr != "") {
				t.Errorf("stderr %q, want %q", stderr, tc.note)
			}
		})
	}
}

// A listing with entries that are not usable sessions says how many it
// left out, on stderr (issue 23, item 13); stdout keeps its format.
func TestListSaysWhatItSkipped(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.GarbageListing})
	for _, output := range []string{"table", "json"} {
		code, out, stderr := runCLI(t, env, "list", "--datastore", store, "-o", output)
		want := "edmtop: note: the service listed 5 entries that are not usable sessions (not an object, or without an id); they are left out\n"
		if code != 0 || stderr != want {
			t.Errorf("%s: exit %d, stderr %q", output, code, stderr)
		}
		if output == "json" && strings.TrimSpace(out) != "[]" {
			t.Errorf("json: %q", out)
		}
	}
	sim.SetConditions()
	if _, _, stderr := runCLI(t, env, "list", "--datastore", store); stderr != "" {
		t.Errorf("a clean listing notes %q", stderr)
	}
}

// A store the service lists twice is one store (issue 23, item 7).
func TestStoresListedTwiceAppearOnce(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.AddStore(fakegraph.Store{ID: store, DisplayName: "Employee records"})
	code, out, _ := runCLI(t, env, "stores")
	if code != 0 || strings.Count(out, store) != 1 {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, stderr := runCLI(t, env, "list", "--datastore", "employee records")
	if code != 0 || !strings.Contains(out, "employees-delta.EdmHash") {
		t.Errorf("a name listed twice under one id is not ambiguous: exit %d: %s", code, stderr)
	}
}
