package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// waitStart is when the demo simulator's clock starts.
var waitStart = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// scriptedPolls is manualPolls with a hook run before the n-th pause
// (from 1) advances the clock: tests switch Graph's faults there.
func scriptedPolls(t *testing.T, sim *fakegraph.Server, before func(n int)) *fakegraph.ManualClock {
	t.Helper()
	clock := sim.Clock().(*fakegraph.ManualClock)
	old := pollClock
	n := 0
	pollClock = timing{now: clock.Now, sleep: func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		before(n)
		clock.Advance(d)
		return nil
	}}
	t.Cleanup(func() { pollClock = old })
	return clock
}

// healOnCleanup releases held requests before the server closes (its
// Close waits for them): registered after simulator's cleanup, it runs first.
func healOnCleanup(t *testing.T, sim *fakegraph.Server) {
	t.Cleanup(func() { sim.SetConditions() })
}

// gaps are the times between the polls of a session, in order.
func gaps(sim *fakegraph.Server) []time.Duration {
	var out []time.Duration
	gets := sim.RequestsTo(fakegraph.RouteGetSession)
	for i := 1; i < len(gets); i++ {
		out = append(out, gets[i].At.Sub(gets[i-1].At))
	}
	return out
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// An outage in the middle of a wait is retried (at least Retry-After
// apart), said on stderr with its time, and the wait goes on once Graph is
// back (issue 23, item 9: it used to exit 1).
func TestWaitRetriesThroughAnOutage(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	healOnCleanup(t, sim)
	scriptedPolls(t, sim, func(n int) {
		switch n {
		case 1:
			sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Unavailable, RetryAfter: 2 * time.Minute})
		case 4:
			sim.SetConditions()
		}
	})
	code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash")
	if code != 0 || !strings.Contains(out, "Completed") {
		t.Fatalf("exit %d, want 0:\n%s", code, stderr)
	}
	for _, want := range []string{
		"2026-11-28 09:00:30Z Graph failing since 09:00:30 (get session: HTTP 503 serviceUnavailable: The service is temporarily unavailable.",
		"), retrying in 2m00s\n2026-11-28 09:02:30Z Graph failing since 09:00:30 (",
		"2026-11-28 09:06:30Z Graph answering again after 6m00s\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// Polls at 30s, then 2m apart (Retry-After over the doubling 30s,
	// 1m, 2m); at 6m30s the session is complete.
	if got, want := gaps(sim), []time.Duration{2 * time.Minute, 2 * time.Minute, 2 * time.Minute}; !equalDurations(got, want) {
		t.Errorf("gaps between polls %v, want %v", got, want)
	}
	assertClean(t, out+stderr)
}

// Failures without a Retry-After are retried after the interval, doubling
// up to 5 minutes; the last pause ends at --timeout, which exits 3 with the
// last session seen (the asked one, never the other) and what failed.
func TestWaitBacksOffUntilTheDeadline(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	asked := listIDs(t, env)["employees-full-rebuild.EdmHash"]
	clock := scriptedPolls(t, sim, func(n int) {
		if n == 1 {
			sim.SetConditions(fakegraph.Condition{Kind: fakegraph.OtherSession})
		}
	})
	code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-full-rebuild.EdmHash", "--timeout", "20m")
	if code != 3 {
		t.Fatalf("exit %d, want 3:\n%s", code, stderr)
	}
	if got := clock.Now().Sub(waitStart); got != 20*time.Minute {
		t.Errorf("ended after %s, want 20m0s", got)
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	if got := gaps(sim); !equalDurations(got, want) {
		t.Errorf("gaps between polls %v, want %v", got, want)
	}
	var other struct{ ID string }
	for _, line := range strings.Split(stderr, "\n") {
		if _, rest, ok := strings.Cut(line, "the service answered with "); ok {
			other.ID = strings.Fields(rest)[0]
		}
	}
	for _, want := range []string{
		"2026-11-28 09:00:30Z Graph answering about another session since 09:00:30 (get session: HTTP 200: asked for session " + asked + ", the service answered with ",
		"), retrying in 30s\n", "), retrying in 5m00s\n", "; --timeout passes in 2m00s\n",
		"edmtop: --timeout 20m0s passed: session " + asked + " (employees-full-rebuild.EdmHash) is still UploadInProgress",
		"; Graph answering about another session since 09:00:30",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if other.ID == "" || other.ID == asked || strings.Contains(out, other.ID) || !strings.Contains(out, asked) {
		t.Errorf("stdout must show the asked session %s, never the other %q:\n%s", asked, other.ID, out)
	}
}

// Graph down from the start: the store lookup is retried, not exit 1.
func TestWaitRetriesAnUnreachableGraph(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	healOnCleanup(t, sim)
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	scriptedPolls(t, sim, func(n int) {
		if n == 1 {
			sim.SetConditions()
		}
	})
	// A short request timeout keeps the client's own retries short.
	code, out, stderr := runCLI(t, env, "wait", "--datastore", "Employee records", "employees-delta.EdmHash", "--request-timeout", "1s")
	if code != 0 || !strings.Contains(out, "Completed") {
		t.Fatalf("exit %d, want 0:\n%s", code, stderr)
	}
	for _, want := range []string{"2026-11-28 09:00:00Z Graph unreachable since 09:00:00 (list data stores: ", "), retrying in 30s\n",
		"2026-11-28 09:00:30Z Graph answering again after 30s\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// A hung Graph is told as not answering (as the dashboard tells it), not
// as unreachable: each request is cut at --request-timeout and retried.
func TestWaitRetriesAGraphThatDoesNotAnswer(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	healOnCleanup(t, sim)
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	scriptedPolls(t, sim, func(n int) {
		if n == 1 {
			sim.SetConditions()
		}
	})
	code, out, stderr := runCLI(t, env, "wait", "--datastore", "Employee records", "employees-delta.EdmHash", "--request-timeout", "1s")
	if code != 0 || !strings.Contains(out, "Completed") {
		t.Fatalf("exit %d, want 0:\n%s", code, stderr)
	}
	for _, want := range []string{"Z Graph not answering since 09:00:00 (list data stores: no answer within 1s), retrying in 30s\n",
		"Z Graph answering again after 30s\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// A hang is cut at --timeout: exit 3 on time, whether the store lookup or
// a poll hangs (it took over two minutes; issue 23, item 8).
func TestWaitTimeoutCutsAHang(t *testing.T) {
	t.Run("store lookup", func(t *testing.T) {
		sim, env := simulator(t, fakegraph.Options{})
		healOnCleanup(t, sim)
		sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
		code, out, stderr := runCLI(t, env, "wait", "--datastore", "Employee records", "employees-delta.EdmHash", "--timeout", "2s")
		if code != 3 || out != "" || !strings.Contains(stderr, "edmtop: --timeout 2s passed before the session was read; Graph did not answer: list data stores: ") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
	})
	t.Run("poll", func(t *testing.T) {
		sim, env := simulator(t, fakegraph.Options{})
		healOnCleanup(t, sim)
		// The clock stands still: only the real deadline can end the wait.
		clock := sim.Clock().(*fakegraph.ManualClock)
		old := pollClock
		pollClock = timing{now: clock.Now, sleep: func(ctx context.Context, _ time.Duration) error {
			sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
			return ctx.Err()
		}}
		t.Cleanup(func() { pollClock = old })
		code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash", "--timeout", "2s")
		if code != 3 || !strings.Contains(out, "employees-delta.EdmHash") ||
			!regexp.MustCompile(`edmtop: --timeout 2s passed: session \S+ \(employees-delta.EdmHash\) is still UploadInProgress .*; Graph did not answer: get session: `).MatchString(stderr) {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
	})
}

// 401, 403 and 404 are the service's word: the wait ends at once with 1.
func TestWaitEndsOnADefinitiveAnswer(t *testing.T) {
	cases := []struct {
		name  string
		cond  *fakegraph.Condition
		fault fakegraph.Fault
		want  string
	}{
		{"403 for this store", &fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: store}, fakegraph.Fault{}, "HTTP 403 accessDenied"},
		{"404 session gone", nil, fakegraph.Fault{Status: 404, Code: "itemNotFound", Message: "No such session.", Times: -1}, "HTTP 404 itemNotFound"},
		{"401 token refused", nil, fakegraph.Fault{Status: 401, Code: "InvalidAuthenticationToken", Message: "Expired.", Times: -1}, "HTTP 401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, env := simulator(t, fakegraph.Options{})
			clock := scriptedPolls(t, sim, func(n int) {
				if n > 1 {
					return
				}
				if tc.cond != nil {
					sim.SetConditions(*tc.cond)
				} else {
					sim.Inject(fakegraph.RouteGetSession, tc.fault)
				}
			})
			code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash", "--timeout", "1h")
			if code != 1 || out != "" || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "retrying") {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
			}
			if got := clock.Now().Sub(waitStart); got != 30*time.Second {
				t.Errorf("ended after %s, want the first poll's 30s", got)
			}
		})
	}
}

// A listing with unreadable entries is no proof that a file has no
// session: wait retries until --timeout instead of exiting 2.
func TestWaitRetriesAGarbageListing(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.GarbageListing})
	code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash", "--timeout", "5m")
	want := "edmtop: --timeout 5m0s passed before the session was read; Graph listing unreadable sessions since 09:00:00 " +
		"(the session is not among those listed, but the service also listed 5 entries that are not usable sessions (not an object, or without an id))"
	if code != 3 || out != "" || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, stderr)
	}
}

// After one long Retry-After the polls go back to the interval (issue 29,
// mutant 6).
func TestWaitALongRetryAfterDoesNotLast(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	sim.Inject(fakegraph.RouteGetSession, fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"240"}}})
	code, _, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got, want := first(gaps(sim), 3), []time.Duration{240 * time.Second, 30 * time.Second, 30 * time.Second}; !equalDurations(got, want) {
		t.Errorf("gaps between polls %v, want %v", got, want)
	}
	if !strings.Contains(stderr, "Graph throttling since 09:00:30 (get session: HTTP 429") || !strings.Contains(stderr, "retrying in 4m00s") {
		t.Errorf("stderr: %s", stderr)
	}
}

// The last pause is cut at the deadline: --timeout 10m with a 7m interval
// ends at 10m, not 14m (issue 29, mutant 7).
func TestWaitLastPauseEndsAtTheDeadline(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	clock := manualPolls(t, sim)
	code, _, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-full-rebuild.EdmHash", "--timeout", "10m", "--interval", "7m")
	if code != 3 {
		t.Errorf("exit %d, want 3: %s", code, stderr)
	}
	if got := clock.Now().Sub(waitStart); got != 10*time.Minute {
		t.Errorf("ended after %s, want 10m0s", got)
	}
	if polls := len(sim.RequestsTo(fakegraph.RouteGetSession)); polls != 1 {
		t.Errorf("%d polls, want 1 (at 7m)", polls)
	}
}

// --stall-after 0 turns the stall rule off, also for a session that has no
// update time (issue 29, mutant 11).
func TestWaitStallOffWithoutAnUpdateTime(t *testing.T) {
	const id = "11111111-1111-4111-8111-111111111111"
	session := map[string]any{"id": id, "fileName": "undated.EdmHash", "state": "UploadInProgress",
		"totalBlockCount": 10, "remainingBlockCount": 5}
	var mu sync.Mutex
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		var body any = session
		if strings.HasSuffix(r.URL.Path, "/exactMatchDataStores") {
			body = map[string]any{"value": []any{map[string]any{"id": "s", "displayName": "S"}}}
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	defer hs.Close()
	manualPollsAt(t, waitStart)
	env := map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": hs.URL + "/beta"}
	for _, tc := range []struct {
		stall string
		code  int
	}{{"0", 3}, {"30m", 4}} {
		code, _, stderr := runCLI(t, env, "wait", "--datastore", "s", id, "--stall-after", tc.stall, "--timeout", "2h")
		if code != tc.code {
			t.Errorf("--stall-after %s: exit %d, want %d: %s", tc.stall, code, tc.code, stderr)
		}
	}
}

// On a terminal a retry note follows the progress on its one line.
func TestWaitNotesAnOutageInPlace(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	old := isTerminalWriter
	isTerminalWriter = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminalWriter = old })
	sim.Inject(fakegraph.RouteGetSession, fakegraph.Fault{Status: 503, Header: http.Header{"Retry-After": {"120"}}})
	code, _, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("want one line ended once, got %d newlines: %q", n, stderr)
	}
	if !strings.Contains(stderr, "\r\x1b[Kemployees-delta.EdmHash: UploadInProgress · upload 30% (15/50 blocks) · processing 0% (0/12 jobs) · Graph failing since 09:00:30 (") {
		t.Errorf("no note after the progress: %q", stderr)
	}
}

// get refuses a session read by id that names another, naming both
// (issue 23, item 10).
func TestGetRefusesAnotherSessionsAnswer(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	asked := listIDs(t, env)["employees-delta.EdmHash"]
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.OtherSession})
	for _, args := range [][]string{{"get", "--datastore", store, asked}, {"get", "--datastore", store, "-o", "json", asked}} {
		code, out, stderr := runCLI(t, env, args...)
		if code != 1 || out != "" || !strings.Contains(stderr, "asked for session "+asked+", the service answered with ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}
