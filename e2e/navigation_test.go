package e2e

import (
	"strings"
	"testing"
	"time"
)

// headerFooter is a screen's first and last lines.
func headerFooter(txt string) (string, string) {
	lines := strings.Split(strings.TrimRight(txt, "\n"), "\n")
	return lines[0], lines[len(lines)-1]
}

// waitHeaderFooter waits until the header holds head and the footer foot.
func (s *screen) waitHeaderFooter(what, head, foot string) string {
	s.t.Helper()
	return s.waitFor(what, 10*time.Second, func(txt string) bool {
		h, f := headerFooter(txt)
		return strings.Contains(h, head) && strings.Contains(f, foot)
	})
}

// Issue 26, as a newcomer meets the demo at 80×24 without colour: the
// header keeps the data's freshness, the footer keeps ? and q and says
// what q does; l and → open a store, h and ← come back, esc at the top
// says so and does not quit; q quits from the top only.
func TestNavigationAt80x24NoColor(t *testing.T) {
	s := start(t, []string{"NO_COLOR=1"}, 80, 24, "--demo")
	s.waitHeaderFooter("the fleet", "updated", "? help • q quit")

	s.keys("l") // the worst store is selected first
	s.waitHeaderFooter("a store opened with l", "Claims archive (", "q back")
	s.keys("h")
	s.waitHeaderFooter("the fleet again (h)", "fleet", "q quit")
	s.keys("\x1b[C") // →
	s.waitHeaderFooter("a store opened with →", "Claims archive (", "q back")
	s.keys("\x1b[D") // ←
	s.waitHeaderFooter("the fleet again (←)", "fleet", "q quit")

	// On a store, l opens the details and q names what it closes.
	s.keys("\r")
	s.waitHeaderFooter("a store opened with enter", "Claims archive (", "q back")
	s.keys("l")
	s.waitFor("the details", 5*time.Second, func(txt string) bool {
		_, f := headerFooter(txt)
		return strings.Contains(txt, "─ details") && strings.Contains(f, "q close pane")
	})
	s.keys("\x1b")
	s.waitFor("the details closed by esc", 5*time.Second, func(txt string) bool {
		_, f := headerFooter(txt)
		return !strings.Contains(txt, "─ details") && strings.Contains(f, "q back")
	})
	s.keys("\x1b")
	txt := s.waitHeaderFooter("the fleet again (esc)", "fleet", "q quit")
	for i, l := range strings.Split(txt, "\n") {
		if len([]rune(l)) > 80 {
			t.Errorf("line %d is wider than 80: %q", i, l)
		}
	}

	// esc at the top: no quit, and a word on why nothing happened.
	s.keys("\x1b")
	s.waitFor("esc's answer at the top", 5*time.Second, func(txt string) bool {
		return strings.Contains(txt, "nothing to go back to; q quits")
	})
	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if m := colourSGR.FindString(s.rawOutput()); m != "" {
		t.Errorf("colour escape %q written under NO_COLOR", m)
	}
}

// Started on a store (--datastore), the store is the top: q quits there,
// d opens the fleet, from which q, esc and h come back; esc at the top
// does not quit.
func TestNavigationFromADataStore(t *testing.T) {
	_, endpoint := simulator(t, 2)
	s := start(t, []string{"EDMTOP_TOKEN=" + token, "NO_COLOR=1"}, 80, 24, "--endpoint", endpoint, "--datastore", storeID)
	s.waitHeaderFooter("the store", "updated", "? help • q quit")
	for _, back := range []string{"q", "\x1b", "h"} {
		s.keys("d")
		s.waitHeaderFooter("the fleet", "fleet", "? help • q back")
		s.keys(back)
		s.waitHeaderFooter("the store again", "Employee records (", "q quit")
	}
	s.keys("\x1b")
	s.waitFor("esc's answer at the top", 5*time.Second, func(txt string) bool {
		return strings.Contains(txt, "nothing to go back to; q quits")
	})
	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
