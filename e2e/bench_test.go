package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// BenchmarkStartToFirstFrame times `edmtop --demo` from exec to the first
// screen that shows the overview's rows: every store judged, which takes
// the store list and each store's sessions.
func BenchmarkStartToFirstFrame(b *testing.B) {
	edmtop(b)
	var total time.Duration
	for range b.N {
		begin := time.Now()
		s := start(b, nil, 120, 40, "--demo")
		s.waitFor("rows", 10*time.Second, func(txt string) bool { return strings.Contains(txt, "4 stores") && strings.Contains(txt, "✓ ok") })
		total += time.Since(begin)
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-rows")
}

// bigStore serves n sessions that do not change (a stopped clock). With
// slow, most sessions were last updated more than a minute ago, so their
// relative times change no more than once a minute.
func bigStore(b *testing.B, n int, slow bool) string {
	clock := fakegraph.NewManualClock(time.Now())
	sim := fakegraph.New(fakegraph.Options{Token: token, Clock: clock, PageSize: 100, MaxSessionsPerStore: n + 1})
	sim.AddStore(fakegraph.Store{ID: storeID, DisplayName: "Bench", Columns: []fakegraph.Column{{Name: "Id"}, {Name: "Email"}}})
	for i := range n {
		_, _ = sim.AddSession(storeID, fakegraph.SessionSpec{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), FileName: fmt.Sprintf("upload-%05d.EdmHash", i),
			Created:     clock.Now().Add(-time.Duration(i) * time.Minute),
			TotalBlocks: 100, BlocksPerMinute: rate(i, slow), TotalJobs: 20, JobsPerMinute: rate(i, slow), AutoCommit: true, FailAfterJobs: i % 13,
		})
	}
	hs := httptest.NewServer(sim)
	b.Cleanup(hs.Close)
	return hs.URL + "/beta"
}

func rate(i int, slow bool) float64 {
	if slow {
		return 0.01 // a block or job every 100 minutes
	}
	return float64(i%7 + 1)
}

// procStat reads a process's resident size (bytes) and CPU time (user +
// system) from /proc.
func procStat(pid int) (rss int64, cpu time.Duration, err error) {
	rss, err = procStatus(pid, "VmRSS:")
	if err != nil {
		return 0, 0, err
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command name, which is in parentheses.
	rest := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	utime, _ := strconv.ParseInt(rest[11], 10, 64)
	stime, _ := strconv.ParseInt(rest[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	cpu = time.Duration(utime+stime) * time.Second / ticksPerSecond
	return rss, cpu, nil
}

// procStatus reads one size (bytes) from /proc/PID/status: "VmRSS:" the
// resident size now, "VmHWM:" its peak so far.
func procStatus(pid int, field string) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// BenchmarkResidentMemory10k reports edmtop's resident size with 10,000
// sessions loaded, and its peak while loading them.
func BenchmarkResidentMemory10k(b *testing.B) {
	endpoint := bigStore(b, 10000, false)
	for range b.N {
		s := start(b, []string{"EDMTOP_TOKEN=" + token, "GODEBUG=" + os.Getenv("GODEBUG")}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "0")
		s.waitText(30*time.Second, "10000 sessions", "upload-00000.EdmHash")
		// Steady state: give the runtime a moment to return the refresh's
		// garbage to the system, as it does while the dashboard sits open.
		time.Sleep(2 * time.Second)
		rss, _, err := procStat(s.cmd.Process.Pid)
		if err != nil {
			b.Skipf("no /proc here: %v", err)
		}
		peak, _ := procStatus(s.cmd.Process.Pid, "VmHWM:")
		b.ReportMetric(float64(rss)/(1<<20), "rss-MB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
}

// BenchmarkIdleCPU leaves the dashboard open on 100 unchanging sessions with
// a 10 s refresh in a 200×60 terminal and reports the share of one core it
// uses, and the bytes it writes to the terminal per second. 60 s; 10 s with
// -short.
func BenchmarkIdleCPU(b *testing.B) {
	idle := 60 * time.Second
	if testing.Short() {
		idle = 10 * time.Second
	}
	endpoint := bigStore(b, 100, true)
	for range b.N {
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "10s")
		s.waitText(10*time.Second, "100 sessions")
		pid := s.cmd.Process.Pid
		_, cpu0, err := procStat(pid)
		if err != nil {
			b.Skipf("no /proc here: %v", err)
		}
		out0 := len(s.rawOutput())
		time.Sleep(idle) // the measurement itself: the process runs idle meanwhile
		_, cpu1, _ := procStat(pid)
		out1 := len(s.rawOutput())
		b.ReportMetric(100*(cpu1-cpu0).Seconds()/idle.Seconds(), "cpu-%")
		b.ReportMetric(float64(out1-out0)/idle.Seconds(), "tty-bytes/s")
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
}

// BenchmarkHundredThousand opens a store of 100,000 sessions (10,000 with
// -short) and reports: the time from start to the first rows on screen;
// the key echo (j and k in turn) while full re-listings (ctrl+r) run, so
// the merge's cost on the Update path shows; and the peak resident size.
func BenchmarkHundredThousand(b *testing.B) {
	n := 100000
	if testing.Short() {
		n = 10000
	}
	edmtop(b) // built before the clock starts
	endpoint := bigStore(b, n, false)
	rng := rand.New(rand.NewPCG(16, 2))
	var echoes []time.Duration
	var first time.Duration
	var peak int64
	for range b.N {
		begin := time.Now()
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "0")
		s.waitFor("the first rows", time.Minute, func(txt string) bool { return strings.Contains(txt, "upload-00001.EdmHash") })
		first += time.Since(begin)
		s.waitText(time.Minute, fmt.Sprint(n, " sessions"), "manual")
		s.waitFor("the first row selected", 5*time.Second, selected("upload-00000.EdmHash"))
		for range relistings() {
			echoes = append(echoes, echoDuringRelisting(s, rng)...)
		}
		p, err := procStatus(s.cmd.Process.Pid, "VmHWM:")
		if err != nil {
			b.Skipf("no /proc here: %v", err)
		}
		peak = max(peak, p)
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	slices.Sort(echoes)
	b.ReportMetric(ms(first)/float64(b.N), "first-rows-ms")
	b.ReportMetric(float64(len(echoes)), "keys")
	b.ReportMetric(ms(percentile(echoes, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(echoes, 99)), "p99-ms")
	b.ReportMetric(ms(echoes[len(echoes)-1]), "max-ms")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

// relistings is how many times BenchmarkHundredThousand lists the store
// again in one run: a re-listing of 100,000 takes a few seconds, room for
// 100 to 200 presses, and a p99 needs more samples than that. With -short
// (10,000 sessions) one: a re-listing is over in a fraction of a second.
func relistings() int {
	if testing.Short() {
		return 1
	}
	return 3
}

// echoDuringRelisting selects the first row, presses ctrl+r, then j and k
// in turn at random intervals until the re-listing is done, and returns
// each key's echo.
func echoDuringRelisting(s *screen, rng *rand.Rand) []time.Duration {
	var echoes []time.Duration
	s.keys("g") // the last round may have ended on the second row
	s.waitFor("the first row selected", 5*time.Second, selected("upload-00000.EdmHash"))
	s.keys("\x12") // ctrl+r: list the whole store again
	s.waitText(10*time.Second, "refreshing")
	for i := 0; i < 2 || !strings.Contains(s.text(), "manual"); i++ {
		key, row := "j", "upload-00001.EdmHash"
		if i%2 == 1 {
			key, row = "k", "upload-00000.EdmHash"
		}
		time.Sleep(time.Duration(10+rng.IntN(40)) * time.Millisecond)
		echoes = append(echoes, s.echo(key, 30*time.Second, selected(row)))
	}
	return echoes
}
