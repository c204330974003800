package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// The benchmarks of issue 28: what edmtop costs where the service does not
// count sessions (fakegraph's NoCount condition), with large pages or
// without (fakegraph's MaxPageSize), at 10,000 and 100,000 sessions, for
// a fleet of 50 stores, and for one store of 150,000.

// service is how the simulator pages and counts.
type service struct {
	// noCount: sessions/$count answers 400 (fakegraph.NoCount).
	noCount bool
	// maxPage is the largest page $top may ask (fakegraph.MaxPageSize):
	// 999 honours edmtop's ask; 0 caps pages at 100.
	maxPage int
}

var (
	counting       = service{maxPage: 999}
	notCounting    = service{noCount: true, maxPage: 999}
	notCounting100 = service{noCount: true}
)

// settled is a simulator of stores of n sessions each, on a stopped clock:
// the newest running of each store are uploading (a block every 100
// minutes), the rest finished long ago. Only the first busy stores have
// sessions running. Sessions were created apart (default a minute, as
// the benchmarks of issue 16); store ids are storeID, then storeID-1, …
type settled struct {
	stores, n, running, busy int
	apart                    time.Duration
	svc                      service
}

func (st settled) serve(b *testing.B) (*fakegraph.Server, *fakegraph.ManualClock, string) {
	clock := fakegraph.NewManualClock(time.Now())
	sim := fakegraph.New(fakegraph.Options{Token: token, Clock: clock, PageSize: 100, MaxPageSize: st.svc.maxPage, MaxSessionsPerStore: st.n + 100})
	for k := range st.stores {
		id := fleetStoreID(k)
		sim.AddStore(fakegraph.Store{ID: id, DisplayName: fmt.Sprintf("Bench %02d", k), Columns: []fakegraph.Column{{Name: "Id"}, {Name: "Email"}}})
		running := st.running
		if k >= st.busy {
			running = 0
		}
		apart := st.apart
		if apart == 0 {
			apart = time.Minute
		}
		for i := range st.n {
			spec := fakegraph.SessionSpec{
				ID: fmt.Sprintf("00000000-0000-4000-%04d-%012d", k, i), FileName: fmt.Sprintf("upload-%05d.EdmHash", i),
				Created:     clock.Now().Add(-time.Duration(i) * apart),
				TotalBlocks: 100, BlocksPerMinute: 0.01, TotalJobs: 20, JobsPerMinute: 0.01,
			}
			if i >= running {
				spec.Created = clock.Now().Add(-time.Duration(i)*apart - 200*time.Minute)
				spec.BlocksPerMinute, spec.JobsPerMinute, spec.AutoCommit = 10, 10, true
			}
			if _, err := sim.AddSession(id, spec); err != nil {
				b.Fatal(err)
			}
		}
	}
	if st.svc.noCount {
		sim.SetConditions(fakegraph.Condition{Kind: fakegraph.NoCount})
	}
	hs := httptest.NewServer(sim)
	b.Cleanup(hs.Close)
	return sim, clock, hs.URL + "/beta"
}

func fleetStoreID(k int) string {
	if k == 0 {
		return storeID
	}
	return fmt.Sprintf("%s-%d", storeID, k)
}

// addFinished adds a session that finished long ago to store: one a
// listing must find, and none a poll reads by id.
func addFinished(b *testing.B, sim *fakegraph.Server, clock *fakegraph.ManualClock, store string, k int) {
	_, err := sim.AddSession(store, fakegraph.SessionSpec{
		ID: fmt.Sprintf("00000000-0000-4000-ffff-%012d", k), FileName: fmt.Sprintf("new-%03d.EdmHash", k),
		Created: clock.Now().Add(-time.Hour), TotalBlocks: 10, BlocksPerMinute: 10, TotalJobs: 2, JobsPerMinute: 10, AutoCommit: true,
	})
	if err != nil {
		b.Fatal(err)
	}
}

// cost is what a process used over windows.
type cost struct {
	window    time.Duration
	requests  int
	cpu       time.Duration
	rss, peak int64
	// anon is the anonymous part of rss (heap, stacks): the rest is the
	// binary's own pages, which grow with what is linked in, not with data.
	anon int64
	news
}

// news is how long each new session took to show, and how many did not
// show before the next was added (or the window ended).
type news struct {
	seen   []time.Duration
	unseen int
}

// add takes another window's figures.
func (c *cost) add(o cost) {
	c.window += o.window
	c.requests += o.requests
	c.cpu += o.cpu
	c.rss, c.anon, c.peak = o.rss, o.anon, max(c.peak, o.peak)
	c.seen = append(c.seen, o.seen...)
	c.unseen += o.unseen
}

func (c cost) report(b *testing.B) {
	b.ReportMetric(float64(c.requests)/c.window.Minutes(), "requests/min")
	b.ReportMetric(100*c.cpu.Seconds()/c.window.Seconds(), "cpu-%")
	b.ReportMetric(float64(c.rss)/(1<<20), "rss-MB")
	b.ReportMetric(float64(c.peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(c.anon)/(1<<20), "anon-MB")
	if len(c.seen)+c.unseen == 0 {
		return
	}
	var most, sum time.Duration
	for _, d := range c.seen {
		most, sum = max(most, d), sum+d
	}
	if len(c.seen) > 0 {
		b.ReportMetric(sum.Seconds()/float64(len(c.seen)), "new-seen-mean-s")
		b.ReportMetric(most.Seconds(), "new-seen-max-s")
	}
	b.ReportMetric(float64(c.unseen), "new-unseen")
}

// measure watches pid over window: CPU, RSS and the simulator's requests;
// during, when not nil, runs meanwhile and returns before the window ends.
func measure(b *testing.B, pid int, sim *fakegraph.Server, window time.Duration, during func(end time.Time) news) cost {
	_, cpu0, err := procStat(pid)
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	req0 := len(sim.Requests())
	end := time.Now().Add(window)
	c := cost{window: window}
	if during != nil {
		c.news = during(end)
	}
	time.Sleep(time.Until(end)) // the measurement: the process runs meanwhile
	var cpu1 time.Duration
	c.rss, cpu1, _ = procStat(pid)
	c.peak, _ = procStatus(pid, "VmHWM:")
	c.anon, _ = procStatus(pid, "RssAnon:")
	c.cpu = cpu1 - cpu0
	c.requests = len(sim.Requests()) - req0
	return c
}

// arrivals is when new sessions come during a window: the first after
// first, then every every.
type arrivals struct{ first, every time.Duration }

// newSessions adds a finished session to store as arrivals says until
// end (from the (from+1)-th) and times how long each took to show, each
// waited for until the next comes: shown(k) reports whether the screen
// shows the k-th.
func newSessions(b *testing.B, s *screen, sim *fakegraph.Server, clock *fakegraph.ManualClock, store string, from int, arrive arrivals,
	shown func(txt string, k int) bool) func(end time.Time) news {
	every := arrive.every
	return func(end time.Time) news {
		var out news
		next := time.Now().Add(arrive.first)
		for k := from + 1; next.Before(end); k++ {
			time.Sleep(time.Until(next))
			addFinished(b, sim, clock, store, k)
			at := time.Now()
			for !shown(s.text(), k) && time.Since(at) < every && time.Now().Before(end) {
				time.Sleep(100 * time.Millisecond)
			}
			if shown(s.text(), k) {
				out.seen = append(out.seen, time.Since(at))
			} else {
				out.unseen++
			}
			next = at.Add(every)
		}
		return out
	}
}

// window is the benchmarks' measuring time: 5m20s, a whole cadence of the
// slowest listing and the listing that ends it; 10 s with -short.
func window() time.Duration {
	if testing.Short() {
		return 10 * time.Second
	}
	return 5*time.Minute + 20*time.Second
}

// runDashboard opens the dashboard on one store of the simulator and
// measures it over the window, adding finished sessions as arrive says
// (every 4 s from 2 s with -short).
func runDashboard(b *testing.B, st settled, arrive arrivals) {
	edmtop(b)
	sim, clock, endpoint := st.serve(b)
	if testing.Short() {
		arrive = arrivals{2 * time.Second, 4 * time.Second}
	}
	added := 0
	var total cost
	for range b.N {
		n := st.n + added
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID)
		s.waitText(2*time.Minute, fmt.Sprint(n, " sessions"), "live")
		shown := func(txt string, k int) bool { return strings.Contains(txt, fmt.Sprint(st.n+k, " sessions")) }
		c := measure(b, s.cmd.Process.Pid, sim, window(), newSessions(b, s, sim, clock, storeID, added, arrive, shown))
		added += len(c.seen) + c.unseen
		total.add(c)
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	total.report(b)
}

// BenchmarkRefresh10k leaves the dashboard open with the default refresh
// (10 s) on 10,000 sessions of which 10 are running and reports the Graph
// requests a minute, the share of a core used, the resident size (now and
// peak), and how long a new session took to show (one added every 80 s
// from 40 s, each waited for up to 80 s).
// counting: the service counts sessions; nocount: it does not
// (fakegraph's NoCount); pages100: nor does it page beyond 100.
func BenchmarkRefresh10k(b *testing.B) {
	for _, mode := range []struct {
		name string
		svc  service
	}{{"counting", counting}, {"nocount", notCounting}, {"nocount-pages100", notCounting100}} {
		b.Run(mode.name, func(b *testing.B) {
			runDashboard(b, settled{stores: 1, n: 10000, running: 10, busy: 1, svc: mode.svc}, arrivals{40 * time.Second, 80 * time.Second})
		})
	}
}

// BenchmarkIdle100k is BenchmarkRefresh10k at 100,000 sessions where the
// service does not count (10,000 with -short), with one new session, 10 s
// into the window, waited for until the window ends (5m10s).
func BenchmarkIdle100k(b *testing.B) {
	n := 100000
	if testing.Short() {
		n = 10000
	}
	for _, mode := range []struct {
		name string
		svc  service
	}{{"nocount", notCounting}, {"nocount-pages100", notCounting100}} {
		b.Run(mode.name, func(b *testing.B) {
			runDashboard(b, settled{stores: 1, n: n, running: 10, busy: 1, svc: mode.svc}, arrivals{10 * time.Second, window()})
		})
	}
}

// BenchmarkStore150k opens one store of 150,000 sessions (15,000 with
// -short) where the service pages at 100 (1,500 pages: past the old page
// cap of 1,000) and reports the time to the first rows and to the whole
// listing, and the peak resident size.
func BenchmarkStore150k(b *testing.B) {
	n := 150000
	if testing.Short() {
		n = 15000
	}
	edmtop(b)
	_, _, endpoint := settled{stores: 1, n: n, running: 10, busy: 1, svc: notCounting100}.serve(b)
	var first, done time.Duration
	var peak int64
	for range b.N {
		begin := time.Now()
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint, "--datastore", storeID, "--refresh", "0")
		s.waitFor("the first rows", time.Minute, func(txt string) bool { return strings.Contains(txt, "upload-00001.EdmHash") })
		first += time.Since(begin)
		s.waitFor("the whole listing", 5*time.Minute, func(txt string) bool {
			if strings.Contains(txt, "stopped after") {
				b.Fatalf("the listing stopped at the page cap:\n%s", txt)
			}
			return strings.Contains(txt, fmt.Sprint(n, " sessions")) && strings.Contains(txt, "manual")
		})
		done += time.Since(begin)
		p, err := procStatus(s.cmd.Process.Pid, "VmHWM:")
		if err != nil {
			b.Skipf("no /proc here: %v", err)
		}
		peak = max(peak, p)
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	b.ReportMetric(ms(first)/float64(b.N), "first-rows-ms")
	b.ReportMetric(done.Seconds()/float64(b.N), "listed-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

// fleet is 50 stores of 10,000 sessions (5 of 1,000 with -short), where
// the service does not count; 2 sessions run in each of the first 5.
// Sessions came an hour apart (10,000 are 14 months of hourly uploads;
// the service allows 5 a day): a store's last 24 hours hold 24.
func fleet() settled {
	if testing.Short() {
		return settled{stores: 5, n: 1000, running: 2, busy: 2, apart: time.Hour, svc: notCounting}
	}
	return settled{stores: 50, n: 10000, running: 2, busy: 5, apart: time.Hour, svc: notCounting}
}

// fleetWindow is the fleet benchmarks' measuring time: 11 minutes, two
// rounds of the fleet's listings at its request budget (a store of 11
// pages at 2 requests a minute: every 5.5 minutes); 10 s with -short.
func fleetWindow() time.Duration {
	if testing.Short() {
		return 10 * time.Second
	}
	return 11 * time.Minute
}

// BenchmarkFleetOverview leaves the dashboard open on the overview of a
// fleet of 50 stores of 10,000 sessions each, default refresh, and reports
// requests a minute, CPU and resident size over the window after every
// store was read.
func BenchmarkFleetOverview(b *testing.B) {
	edmtop(b)
	fl := fleet()
	sim, _, endpoint := fl.serve(b)
	var total cost
	for range b.N {
		s := start(b, []string{"EDMTOP_TOKEN=" + token}, 200, 60, "--endpoint", endpoint)
		s.waitFor("every store read", 5*time.Minute, func(txt string) bool {
			return strings.Contains(txt, fmt.Sprint(fl.stores, " stores")) && !strings.Contains(txt, "reading")
		})
		total.add(measure(b, s.cmd.Process.Pid, sim, fleetWindow(), nil))
		s.keys("q")
		_ = s.exit(10 * time.Second)
	}
	total.report(b)
}

// BenchmarkFleetExporter runs `edmtop exporter` (default interval, 60 s)
// on the same fleet and reports the same figures over the window after
// its first poll.
func BenchmarkFleetExporter(b *testing.B) {
	bin := edmtop(b)
	fl := fleet()
	sim, _, endpoint := fl.serve(b)
	var total cost
	for range b.N {
		addr := freePort(b)
		cmd := exec.Command(bin, "exporter", "--endpoint", endpoint, "--listen", addr)
		cmd.Env = []string{"HOME=" + b.TempDir(), "EDMTOP_TOKEN=" + token, "XDG_CONFIG_HOME=" + b.TempDir(), "XDG_STATE_HOME=" + b.TempDir()}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitHealthy(b, "http://"+addr+"/healthz", 5*time.Minute)
		total.add(measure(b, cmd.Process.Pid, sim, fleetWindow(), nil))
		_ = cmd.Process.Kill()
	}
	total.report(b)
}

func freePort(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits for the exporter's first successful poll.
func waitHealthy(b *testing.B, url string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("the exporter was not healthy within %s", timeout)
}
