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

// stores under Graph's faults: a store that cannot be read keeps its row,
// its health unknown and why on stderr (exit 0: the stores were listed);
// a listing of the stores that fails is exit 1, within --request-timeout.
func TestStoresUnderFaults(t *testing.T) {
	cases := []struct {
		name   string
		conds  []fakegraph.Condition
		code   int
		row    string // the Card holders row's start, when listed
		stderr string
	}{
		{"one store forbidden", []fakegraph.Condition{{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore}}, 0,
			"Card holders      unknown  -           -", `data store "Card holders" (` + fakegraph.DemoCardsStore + `): health unknown: list sessions: HTTP 403 accessDenied`},
		{"one store's listing is garbage", []fakegraph.Condition{{Kind: fakegraph.GarbageListing, StoreID: fakegraph.DemoCardsStore}}, 0,
			"Card holders      unknown", "health unknown: the service listed 5 entries that are not usable sessions"},
		{"one store hangs", []fakegraph.Condition{{Kind: fakegraph.Hang, StoreID: fakegraph.DemoCardsStore}}, 0,
			"Card holders      unknown", "health unknown: list sessions:"},
		{"down", []fakegraph.Condition{{Kind: fakegraph.Down}}, 1, "", "list data stores"},
		{"hang", []fakegraph.Condition{{Kind: fakegraph.Hang}}, 1, "", "list data stores"},
		{"503", []fakegraph.Condition{{Kind: fakegraph.Unavailable}}, 1, "", "list data stores: HTTP 503: retried until the request's 1s ran out"},
		{"429", []fakegraph.Condition{{Kind: fakegraph.Throttled}}, 1, "", "list data stores: HTTP 429: retried until the request's 1s ran out"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, env := simulator(t, fakegraph.Options{})
			sim.SetConditions(tc.conds...)
			t.Cleanup(func() { sim.SetConditions() }) // release held requests before the server closes
			env["EDMTOP_REQUEST_TIMEOUT"] = "1s"
			code, out, stderr := runCLI(t, env, "stores")
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d (want %d), stderr %q", code, tc.code, stderr)
			}
			if tc.row != "" && !strings.Contains(out, "\n"+tc.row) {
				t.Errorf("no row %q:\n%s", tc.row, out)
			}
			if tc.row != "" && !strings.Contains(out, "Claims archive    failed") {
				t.Errorf("the other stores are not judged:\n%s", out)
			}
			assertClean(t, out+stderr)
		})
	}
}

// A store listed twice under one id is one row; -o json gives the
// unknown store its error and no verdict of its own.
func TestStoresJSONUnknownAndDuplicates(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	sim.AddStore(fakegraph.Store{ID: fakegraph.DemoClaimsStore, DisplayName: "Claims archive"})
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore})
	code, out, _ := runCLI(t, env, "stores", "-o", "json")
	var stores []struct {
		ID     string
		Health struct {
			Verdict string
			Reasons []string
			Error   *string
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &stores) != nil || len(stores) != 4 {
		t.Fatalf("exit %d, %d stores:\n%s", code, len(stores), out)
	}
	for _, s := range stores {
		switch s.ID {
		case fakegraph.DemoCardsStore:
			if s.Health.Verdict != "unknown" || s.Health.Error == nil || !strings.Contains(*s.Health.Error, "HTTP 403") {
				t.Errorf("forbidden store: %+v", s.Health)
			}
		case fakegraph.DemoClaimsStore:
			if s.Health.Verdict != "failed" || len(s.Health.Reasons) != 1 || !strings.HasPrefix(s.Health.Reasons[0], "newest session claims-") {
				t.Errorf("failed store: %+v", s.Health)
			}
		}
	}
}

// The session CURRENT is about: the failed one, the stalled one (not a
// newer upload), the one under way with its phase's percent, or none.
func TestCurrentCell(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) graphapi.Time { return graphapi.Time{Time: now.Add(-d)} }
	count := func(n int64) graphapi.Count { return graphapi.Count{Value: n, Valid: true} }
	rules := health.Rules{StallAfter: 2 * time.Hour, MaxAge: 26 * time.Hour, UploadLimit: 5}
	failed := &graphapi.Session{ID: "f", State: "Failed", CreationDateTime: at(time.Hour), LastUpdatedDateTime: at(time.Hour),
		Error: &graphapi.ClassificationError{Code: "InvalidHashBlockFormat"}}
	silent := &graphapi.Session{ID: "s", State: "UploadInProgress", CreationDateTime: at(30 * time.Hour), LastUpdatedDateTime: at(20 * time.Hour),
		TotalBlockCount: count(10), RemainingBlockCount: count(6)}
	live := &graphapi.Session{ID: "l", State: "ProcessingInProgress", CreationDateTime: at(time.Hour), LastUpdatedDateTime: at(time.Minute),
		TotalBlockCount: count(10), RemainingBlockCount: count(0), TotalJobCount: count(4), RemainingJobCount: count(3)}
	done := &graphapi.Session{ID: "d", State: "Completed", CreationDateTime: at(3 * time.Hour), CompletionDateTime: at(2 * time.Hour)}
	cases := []struct {
		name     string
		sessions []*graphapi.Session
		want     string
	}{
		{"failed", []*graphapi.Session{done, failed}, "Failed InvalidHashBlockFormat (1h ago)"},
		{"stalled, a newer one running", []*graphapi.Session{done, silent, live}, "UploadInProgress 40%, no update for 20h"},
		{"under way: its phase", []*graphapi.Session{done, live}, "ProcessingInProgress 25%"},
		{"idle", []*graphapi.Session{done}, "idle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := rules.Assess(nil, tc.sessions, now)
			if got := currentCell(&h, rules, now); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
