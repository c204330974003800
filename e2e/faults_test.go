package e2e

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// Truth under faults (issue 23) as a user sees it: the real binary at
// 80×24 without colour against the demo fleet, Graph switched off and on
// again, and hung. Every wait is for text on the screen.

// demoFleet serves the demo's four stores at the real clock.
func demoFleet(t *testing.T) (*fakegraph.Server, string) {
	t.Helper()
	sim := fakegraph.NewDemo(fakegraph.Options{Token: token})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return sim, hs.URL + "/beta"
}

// startFleet starts the dashboard on the fleet and waits for its rows.
func startFleet(t *testing.T, endpoint string, args ...string) *screen {
	t.Helper()
	s := start(t, []string{"EDMTOP_TOKEN=" + token, "NO_COLOR=1"}, 80, 24,
		append([]string{"--endpoint", endpoint, "--refresh", "2s"}, args...)...)
	s.waitText(20*time.Second, "4 stores", "✓ ok", "Employee records", "● live 2s")
	return s
}

// fleetRows are the screen's store rows (the lines holding a 24H count).
func fleetRows(txt string) []string {
	var rows []string
	for _, l := range strings.Split(txt, "\n")[2:] {
		if strings.Contains(l, "/5") {
			rows = append(rows, l)
		}
	}
	return rows
}

func TestDashboardWhenGraphGoesDownAndComesBack(t *testing.T) {
	sim, endpoint := demoFleet(t)
	s := startFleet(t, endpoint)

	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	txt := s.waitFor("the outage on screen", 60*time.Second, func(txt string) bool {
		rows := fleetRows(txt)
		for _, r := range rows {
			if !strings.Contains(r, " old") {
				return false
			}
		}
		return len(rows) == 4 && strings.Contains(strings.SplitN(txt, "\n", 2)[0], "Graph unreachable since ")
	})
	header := strings.SplitN(txt, "\n", 2)[0]
	if strings.Contains(header, "updated now") || strings.Contains(header, "stale") {
		t.Errorf("the header presents old data as fresh: %q", header)
	}
	for _, want := range []string{"✗ failed ·", "⧗ stalled ·", "◷ stale ·", "✓ ok ·"} {
		if !strings.Contains(txt, want) {
			t.Errorf("a verdict was not kept (%q):\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "unknown") {
		t.Errorf("a store read before shows unknown:\n%s", txt)
	}

	sim.SetConditions()
	txt = s.waitFor("the recovery", 60*time.Second, func(txt string) bool {
		return !strings.Contains(txt, " old") && !strings.Contains(txt, "unreachable") && strings.Contains(txt, "● live 2s")
	})
	if rows := fleetRows(txt); len(rows) != 4 {
		t.Errorf("%d rows after the recovery:\n%s", len(rows), txt)
	}
	s.keys("L")
	s.waitText(10*time.Second, "Graph unreachable (", "Graph back after ")
	s.keys("q")
	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
}

func TestDashboardWhenGraphHangs(t *testing.T) {
	sim, endpoint := demoFleet(t)
	s := startFleet(t, endpoint, "--request-timeout", "3s")
	// Heal before the server closes: Close waits for the requests it holds.
	t.Cleanup(func() { sim.SetConditions() })

	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
	txt := s.waitFor("the hang on screen", 60*time.Second, func(txt string) bool {
		return strings.Contains(strings.SplitN(txt, "\n", 2)[0], "Graph not answering since ")
	})
	if !strings.Contains(txt, "(no answer within 3s)") && !strings.Contains(txt, "· retry") {
		t.Errorf("the header does not say why or when it retries:\n%s", txt)
	}
	if rows := fleetRows(txt); len(rows) != 4 || !strings.Contains(txt, "✓ ok ·") {
		t.Errorf("the rows were not kept, marked old:\n%s", txt)
	}

	sim.SetConditions()
	s.waitFor("the recovery", 60*time.Second, func(txt string) bool {
		return !strings.Contains(txt, " old") && !strings.Contains(txt, "not answering")
	})
	s.keys("L")
	s.waitText(10*time.Second, "Graph not answering (no answer within 3s)", "Graph back after ")
	s.keys("q")
	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
}
