package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// echo writes keys to the terminal and returns how long the screen took to
// satisfy cond: from the write to the read from the terminal that made it
// true, as the emulator saw it.
func (s *screen) echo(keys string, timeout time.Duration, cond func(string) bool) time.Duration {
	s.t.Helper()
	select {
	case <-s.wrote: // a signal for an earlier write
	default:
	}
	sent := time.Now()
	s.keys(keys)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case <-s.wrote:
		case <-deadline.C:
			s.t.Fatalf("no echo of %q within %s; screen:\n%s", keys, timeout, s.text())
		}
		s.mu.Lock()
		txt, at := s.emu.String(), s.lastWrite
		s.mu.Unlock()
		if cond(txt) {
			return at.Sub(sent)
		}
	}
}

// selected reports whether the row showing name carries the selection mark.
func selected(name string) func(string) bool {
	return func(txt string) bool { return strings.HasPrefix(lineWith(txt, name), ">") }
}

// BenchmarkKeyEcho presses j and k in turn on 100 and on 10,000 sessions
// (10 s refresh) in a 200×60 terminal and reports how long each press
// takes to show the moved selection, measured from outside: the key
// written to the pty until the emulator shows the mark on the other row.
// 300 presses; 20 with -short.
func BenchmarkKeyEcho(b *testing.B) {
	b.Run("100", func(b *testing.B) { keyEcho(b, bigStore(b, 100, true), 100) })
	// 10,000 sessions as a store sits most of the day: 10 running, the
	// rest finished long ago.
	b.Run("10k", func(b *testing.B) {
		_, _, endpoint := settled{stores: 1, n: 10000, running: 10, busy: 1, svc: counting}.serve(b)
		keyEcho(b, endpoint, 10000)
	})
}

func keyEcho(b *testing.B, endpoint string, n int) {
	presses := 300
	if testing.Short() {
		presses = 20
	}
	// Pauses of random length, spread over more than a 10 fps ticker's
	// period, put the presses at every phase of a frame ticker, if the
	// program has one; the seed makes runs comparable.
	rng := rand.New(rand.NewPCG(16, 1))
	var echoes []time.Duration
	for range b.N {
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "10s")
		s.waitText(time.Minute, fmt.Sprint(n, " sessions"))
		s.waitFor("the first row selected", 5*time.Second, selected("upload-00000.EdmHash"))
		for i := range presses {
			key, row := "j", "upload-00001.EdmHash"
			if i%2 == 1 {
				key, row = "k", "upload-00000.EdmHash"
			}
			time.Sleep(time.Duration(10+rng.IntN(100)) * time.Millisecond)
			echoes = append(echoes, s.echo(key, 5*time.Second, selected(row)))
		}
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	slices.Sort(echoes)
	b.ReportMetric(ms(percentile(echoes, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(echoes, 99)), "p99-ms")
	b.ReportMetric(ms(echoes[len(echoes)-1]), "max-ms")
}

// percentile returns the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestTerminalRestored quits the dashboard every way a user or a system can
// and checks the terminal is as before: main screen, cursor shown, mouse
// reports and bracketed paste off.
func TestTerminalRestored(t *testing.T) {
	tests := []struct {
		name string
		quit func(s *screen)
	}{
		{"q", func(s *screen) { s.keys("q") }},
		{"ctrl+c", func(s *screen) { s.keys("\x03") }},
		{"SIGTERM", func(s *screen) { _ = s.cmd.Process.Signal(syscall.SIGTERM) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, nil, 100, 30, "--demo", "--mouse")
			s.waitText(10*time.Second, "Employee records", "%")
			if !s.mode(ansi.ModeMouseButtonEvent) || !s.mode(ansi.ModeMouseExtSgr) || !s.mode(ansi.ModeBracketedPaste) {
				t.Errorf("--mouse: mouse reports or bracketed paste off while running: %v", s.modesNow())
			}
			tt.quit(s)
			if err := s.exit(10 * time.Second); err != nil {
				t.Errorf("exit: %v", err)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.emu.IsAltScreen() || s.emu.CursorHidden() {
				t.Errorf("left in the alternate screen (%v) or with the cursor hidden (%v)", s.emu.IsAltScreen(), s.emu.CursorHidden())
			}
			for _, m := range []ansi.Mode{ansi.ModeMouseButtonEvent, ansi.ModeMouseAnyEvent, ansi.ModeMouseExtSgr, ansi.ModeBracketedPaste} {
				if s.modes[m] {
					t.Errorf("mode %v left on", m)
				}
			}
		})
	}
}

// TestMouse: with --mouse a click selects the row under it and the wheel
// moves the selection; without it the terminal keeps mouse reports off, so
// text selection works.
func TestMouse(t *testing.T) {
	_, endpoint := simulator(t, 10)
	s := start(t, []string{"EDMTOP_TOKEN=" + token}, 120, 40, "--endpoint", endpoint, "--datastore", storeID, "--mouse")
	txt := s.waitText(10*time.Second, "broken.EdmHash", "4 sessions")
	// A terminal reports the mouse only when asked to, in the format asked.
	if !s.mode(ansi.ModeMouseButtonEvent) || !s.mode(ansi.ModeMouseExtSgr) {
		t.Fatalf("--mouse did not turn on mouse reports (SGR): %v", s.modesNow())
	}
	row := slices.IndexFunc(strings.Split(txt, "\n"), func(l string) bool { return strings.Contains(l, "broken.EdmHash") })
	s.keys(fmt.Sprintf("\x1b[<0;5;%dM\x1b[<0;5;%dm", row+1, row+1)) // press and release, 1-based
	s.waitFor("broken selected by a click", 5*time.Second, selected("broken.EdmHash"))
	s.keys(fmt.Sprintf("\x1b[<65;5;%dM", row+1)) // wheel down
	s.waitFor("done selected by the wheel", 5*time.Second, selected("done.EdmHash"))
	s.keys("q")
	_ = s.exit(10 * time.Second)

	s = start(t, []string{"EDMTOP_TOKEN=" + token}, 120, 40, "--endpoint", endpoint, "--datastore", storeID)
	s.waitText(10*time.Second, "4 sessions")
	if s.mode(ansi.ModeMouseButtonEvent) || s.mode(ansi.ModeMouseAnyEvent) || s.mode(ansi.ModeMouseNormal) {
		t.Errorf("mouse reports on without --mouse: %v", s.modesNow())
	}
	s.keys("q")
	_ = s.exit(10 * time.Second)
}
