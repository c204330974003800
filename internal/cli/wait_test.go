package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// manualPolls makes wait and check read the simulator's clock, and each
// pause between polls advance it, so hours of polling take milliseconds.
func manualPolls(t *testing.T, sim *fakegraph.Server) *fakegraph.ManualClock {
	t.Helper()
	clock := sim.Clock().(*fakegraph.ManualClock)
	old := pollClock
	pollClock = timing{now: clock.Now, sleep: func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		clock.Advance(d)
		return nil
	}}
	t.Cleanup(func() { pollClock = old })
	return clock
}

func TestWaitExitStatuses(t *testing.T) {
	start := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		fault  *fakegraph.Fault
		args   []string
		code   int
		stdout []string // empty: stdout must be empty
		stderr []string
		// elapsed is the simulated time the wait took, within a poll.
		elapsed time.Duration
	}{
		{"completes", nil, []string{"--datastore", store, "employees-delta.EdmHash"}, 0,
			[]string{"employees-delta.EdmHash", "Completed", "100%"}, []string{"employees-delta.EdmHash: UploadInProgress · upload 30%", "ProcessingInProgress", "jobs/min"}, 5*time.Minute + 30*time.Second},
		{"fails: stderr names the error", nil, []string{"--datastore", store, "contractors.EdmHash", "--interval", "10s"}, 1,
			[]string{"contractors.EdmHash", "Failed"}, []string{"contractors.EdmHash) Failed: InvalidHashFormat: Block 6 could not be read"}, 30 * time.Second},
		{"cancelled", nil, []string{"--datastore", store, "employees-test-run.EdmHash"}, 1,
			[]string{"Cancelled"}, []string{"employees-test-run.EdmHash) was Cancelled"}, 0},
		{"timeout", nil, []string{"--datastore", store, "employees-full-rebuild.EdmHash", "--timeout", "10m"}, 3,
			[]string{"employees-full-rebuild.EdmHash", "UploadInProgress"}, []string{"--timeout 10m0s passed", "is still UploadInProgress"}, 10 * time.Minute},
		{"stalls while waiting for a commit", nil, []string{"--datastore", store, "terminations-q4.EdmHash", "--stall-after", "30m", "--interval", "1m"}, 4,
			[]string{"UploadCompleted"}, []string{"stalled: UploadCompleted · upload 100%", "no change for 31m0s (since 2026-11-28 08:50:00Z", "--stall-after 30m0s)",
				"; it waits for a commit: edmtop commit --datastore " + store + " "}, 21 * time.Minute},
		{"already idle too long: stalled at once", nil, []string{"--datastore", store, "terminations-q4.EdmHash", "--stall-after", "5m"}, 4,
			[]string{"UploadCompleted"}, []string{"stalled", "no change for 10m0s (since 2026-11-28 08:50:00Z"}, 0},
		{"stall check off", nil, []string{"--datastore", store, "terminations-q4.EdmHash", "--stall-after", "0", "--timeout", "3h", "--interval", "10m"}, 3,
			nil, []string{"--timeout 3h0m0s passed"}, 3 * time.Hour},
		{"service refuses: exit 1, no session", &fakegraph.Fault{Status: 403, Code: "accessDenied", Message: "Not allowed.", Times: -1},
			[]string{"--datastore", store, "employees-delta.EdmHash"}, 1, nil, []string{"HTTP 403 accessDenied", "EDM_DataUploaders"}, 30 * time.Second},
		{"json, store named in another case", nil, []string{"--datastore", "EMPLOYEE records", "-o", "json", "employees-delta.EdmHash"}, 0,
			[]string{`"state": "Completed"`, `"salt": "REDACTED"`}, nil, 5*time.Minute + 30*time.Second},
		{"unknown store lists the stores", nil, []string{"--datastore", "Employees", "x.EdmHash"}, 2, nil,
			[]string{`no data store has the id or name "Employees"`, "Card holders", fakegraph.DemoPatientsStore}, 0},
		{"unknown session", nil, []string{"--datastore", store, "nope.EdmHash"}, 2, nil, []string{"the newest are:", "employees-delta.EdmHash"}, 0},
		{"interval too short", nil, []string{"--datastore", store, "--interval", "1s", "x"}, 2, nil, []string{"--interval 1s: use at least 2s"}, 0},
		{"no store", nil, []string{"x"}, 2, nil, []string{"--datastore is required"}, 0},
		{"no session", nil, []string{"--datastore", store}, 2, nil, []string{"missing SESSION"}, 0},
		{"negative timeout", nil, []string{"--datastore", store, "--timeout", "-1m", "x"}, 2, nil, []string{"--timeout"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, env := simulator(t, fakegraph.Options{})
			clock := manualPolls(t, sim)
			if tc.fault != nil {
				sim.Inject(fakegraph.RouteGetSession, *tc.fault)
			}
			code, out, stderr := runCLI(t, env, append([]string{"wait"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if tc.stdout == nil && tc.code != 3 && out != "" {
				t.Errorf("stdout not empty:\n%s", out)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if got := clock.Now().Sub(start); got < tc.elapsed || got > tc.elapsed+defaultWaitInterval {
				t.Errorf("waited %s, want about %s", got, tc.elapsed)
			}
			assertClean(t, out+stderr)
		})
	}
}

func TestWaitHonoursALongRetryAfter(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	// Above the client's own cap (60 s): the call fails and wait pauses.
	sim.Inject(fakegraph.RouteGetSession, fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"240"}}})
	code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash")
	if code != 0 || !strings.Contains(out, "Completed") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	gets := sim.RequestsTo(fakegraph.RouteGetSession)
	if len(gets) < 2 || gets[1].At.Sub(gets[0].At) != 240*time.Second {
		t.Errorf("the poll after the 429 did not wait 240s: %d polls", len(gets))
	}
}

func TestWaitThrottledIsNoStall(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	// An hour without news is no evidence of a stall: only what was read is.
	sim.Inject(fakegraph.RouteGetSession, fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}},
		fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"120"}}})
	code, _, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-full-rebuild.EdmHash", "--stall-after", "30m", "--timeout", "70m")
	if code != 3 {
		t.Errorf("exit %d, want 3 (timeout, not a stall): %s", code, stderr)
	}
}

func TestWaitProgressAtMostOncePerPoll(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	code, _, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash", "--interval", "2s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	// Piped, each line starts with its time (issue 23, item 11).
	stamp := regexp.MustCompile(`^2026-11-28 09:\d\d:\d\dZ `)
	for i, l := range lines {
		if !stamp.MatchString(l) {
			t.Fatalf("line %d has no timestamp: %q", i, l)
		}
		lines[i] = stamp.ReplaceAllString(l, "")
	}
	polls := len(sim.RequestsTo(fakegraph.RouteGetSession))
	// With 2 s polls most polls see no change: fewer lines than polls, but
	// more than a handful, and never the same line twice in a row.
	if len(lines) > polls+1 || len(lines) < 10 {
		t.Errorf("%d progress lines for %d polls", len(lines), polls)
	}
	// The rate (the last part) alone is no change.
	progress := func(l string) string {
		parts := strings.Split(l, " · ")
		return strings.Join(parts[:min(3, len(parts))], " · ")
	}
	for i := 1; i < len(lines); i++ {
		if progress(lines[i]) == progress(lines[i-1]) {
			t.Errorf("line %d repeats the progress of the one before:\n%s\n%s", i, lines[i-1], lines[i])
		}
	}
}

func TestWaitRedrawsOneLineOnATerminal(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	old := isTerminalWriter
	isTerminalWriter = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminalWriter = old })
	code, out, stderr := runCLI(t, env, "wait", "--datastore", store, "employees-delta.EdmHash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("want one line ended once, got %d newlines: %q", n, stderr)
	}
	if redraws := strings.Count(stderr, "\r\x1b[K"); redraws < 3 {
		t.Errorf("%d redraws: %q", redraws, stderr)
	}
	if !strings.Contains(stderr, "ProcessingInProgress") || !strings.Contains(out, "Completed") {
		t.Errorf("stderr %q\nstdout %q", stderr, out)
	}
}

func TestWaitCtrlCExits130Silently(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		sim, env := simulator(t, fakegraph.Options{})
		clock := sim.Clock().(*fakegraph.ManualClock)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		polls := 0
		old, oldTerm := pollClock, isTerminalWriter
		pollClock = timing{now: clock.Now, sleep: func(ctx context.Context, d time.Duration) error {
			if polls++; polls == 3 {
				cancel() // Ctrl+C during the third pause
			}
			clock.Advance(d)
			return ctx.Err()
		}}
		isTerminalWriter = func(io.Writer) bool { return terminal }
		isolate(t)
		for k, v := range env {
			t.Setenv(k, v)
		}
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"wait", "--datastore", store, "employees-full-rebuild.EdmHash"}, strings.NewReader(""), &stdout, &stderr)
		pollClock, isTerminalWriter = old, oldTerm
		if code != 130 || stdout.Len() != 0 || strings.Contains(stderr.String(), "edmtop:") {
			t.Errorf("terminal %v: exit %d, stdout %q, stderr %q", terminal, code, stdout.String(), stderr.String())
		}
		if terminal && !strings.HasSuffix(stderr.String(), "\r\x1b[K") {
			t.Errorf("the progress line is left on screen: %q", stderr.String())
		}
	}
}

func TestWaitByIDPrintsTheFinalSessionAsGet(t *testing.T) {
	sim, env := simulator(t, fakegraph.Options{})
	manualPolls(t, sim)
	id := listIDs(t, env)["contractors.EdmHash"]
	code, out, _ := runCLI(t, env, "wait", "--datastore", store, "-o", "json", id)
	var got map[string]any
	if code != 1 || json.Unmarshal([]byte(out), &got) != nil || got["id"] != id || got["state"] != "Failed" {
		t.Fatalf("exit %d: %s", code, out)
	}
	if e, _ := got["error"].(map[string]any); e["code"] != "InvalidHashFormat" {
		t.Errorf("error: %v", got["error"])
	}
	_, getOut, _ := runCLI(t, env, "get", "--datastore", store, "-o", "json", id)
	if getOut != out {
		t.Errorf("wait and get print the session differently:\n%s\n%s", out, getOut)
	}
}

func TestWaitStallRule(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	session := func(updated time.Time, remaining int64) *graphapi.Session {
		s := &graphapi.Session{State: "UploadInProgress", TotalBlockCount: graphapi.Count{Value: 10, Valid: true},
			RemainingBlockCount: graphapi.Count{Value: remaining, Valid: true}}
		s.LastUpdatedDateTime.Time = updated
		return s
	}
	type poll struct {
		at      time.Duration // since t0
		s       *graphapi.Session
		stalled bool
	}
	cases := []struct {
		name  string
		polls []poll
	}{
		{"idle from its own update time", []poll{{0, session(t0.Add(-50*time.Minute), 5), false}, {11 * time.Minute, session(t0.Add(-50*time.Minute), 5), true}}},
		{"a new update time restarts the count", []poll{{0, session(t0.Add(-50*time.Minute), 5), false}, {5 * time.Minute, session(t0.Add(5*time.Minute), 4), false}, {64 * time.Minute, session(t0.Add(5*time.Minute), 4), false}, {66 * time.Minute, session(t0.Add(5*time.Minute), 4), true}}},
		{"counts that move count as progress", []poll{{0, session(t0.Add(-50*time.Minute), 5), false}, {30 * time.Minute, session(t0.Add(-50*time.Minute), 3), false}, {89 * time.Minute, session(t0.Add(-50*time.Minute), 3), false}, {91 * time.Minute, session(t0.Add(-50*time.Minute), 3), true}}},
		{"no update time: from when wait first saw it", []poll{{0, session(time.Time{}, 5), false}, {59 * time.Minute, session(time.Time{}, 5), false}, {61 * time.Minute, session(time.Time{}, 5), true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &waiter{}
			w.rules.StallAfter = time.Hour
			for i, p := range tc.polls {
				now := t0.Add(p.at)
				w.observe(p.s, now)
				if got := w.stalled(p.s, now); got != p.stalled {
					t.Errorf("poll %d: stalled %v, want %v", i, got, p.stalled)
				}
			}
		})
	}
}
