package e2e

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
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

// BenchmarkKeyEcho presses j and k in turn on 100 sessions (10 s refresh) in
// a 200×60 terminal and reports how long each press takes to show the moved
// selection, measured from outside: the key written to the pty until the
// emulator shows the mark on the other row. 300 presses; 20 with -short.
func BenchmarkKeyEcho(b *testing.B) {
	presses := 300
	if testing.Short() {
		presses = 20
	}
	endpoint := bigStore(b, 100, true)
	// Pauses of random length, spread over more than a 10 fps ticker's
	// period, put the presses at every phase of a frame ticker, if the
	// program has one; the seed makes runs comparable.
	rng := rand.New(rand.NewPCG(16, 1))
	var echoes []time.Duration
	for range b.N {
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "10s")
		s.waitText(10*time.Second, "100 sessions")
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
