package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/internal/doccheck"
)

// The pages whose examples are run: the README and the references it
// sends a newcomer to first.
var examplePages = []string{"README.md", "docs/commands.md", "docs/exporter.md"}

const (
	// docEndpoint is the simulator's address as the pages write it (what
	// `edmtop simulate` serves by default); each run gets its own.
	docEndpoint = "http://127.0.0.1:8080/beta"
	docSimAddr  = "127.0.0.1:8080"
	// docExporter is the exporter's default address as the pages write it.
	docExporter = "127.0.0.1:9716"
	// bannerMark starts the command lines `edmtop simulate` prints.
	bannerMark = "point edmtop at it"
	// completion is how long the demo's employees-delta.EdmHash takes to
	// complete from the simulator's start, with room: about six minutes
	// (50 blocks at 10 a minute from 15, then 12 jobs at 6), as the
	// README says.
	completion = 10 * time.Minute
)

// exitComment reads the exit status a command's comment states
// ("# exits 2: …", "(exit 0)"); none stated is 0.
var exitComment = regexp.MustCompile(`\bexits? (\d+)\b`)

// bannerExit is the exit status the pages give each line of simulate's
// banner, by its label (`check` exits 2 there: a store failed); the pages
// say so next to the banner, which TestDocExamples checks.
var bannerExit = map[string]int{"check": 2}

// Every example command of examplePages that uses the built-in simulator
// (--demo, `edmtop simulate`, its endpoint, or the exporter it feeds) runs
// against the real binary and exits as the page says, and the banner the
// pages show is the one `edmtop simulate` prints (issue 26: every claim of
// the first page stays true). A failure names the page and line.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary once per example")
	}
	r := &exampleRunner{t: t, bin: edmtop(t)}
	r.pathDir = t.TempDir()
	if err := os.Symlink(r.bin, filepath.Join(r.pathDir, "edmtop")); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, page := range examplePages {
		text, err := os.ReadFile(filepath.Join("..", page))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range doccheck.Blocks(string(text)) {
			ran += r.block(page, b)
		}
		if strings.Contains(string(text), bannerMark) && !strings.Contains(string(text), "`check` exits 2") {
			t.Errorf("%s shows simulate's banner without saying that `check` exits 2 on it", page)
		}
	}
	if ran < 10 {
		t.Errorf("ran %d examples; the pages should have more that use the simulator", ran)
	}
}

type exampleRunner struct {
	t       *testing.T
	bin     string
	pathDir string // holds edmtop, first on PATH for lines run by sh
	banner  []string
}

// example is one command of a page, ready to run.
type example struct {
	where string // page:line
	text  string // as the page writes it
	want  int    // its exit status
}

// block runs the examples of one fenced block; exporters it starts serve
// until the block ends. It returns how many it ran.
func (r *exampleRunner) block(page string, b doccheck.Block) int {
	if isBanner(b) {
		r.checkBanner(page, b)
	}
	exporter := "" // the address of an exporter this block started
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	ran := 0
	for _, ex := range examplesOf(page, b) {
		if !usesSimulator(ex.text, exporter != "") {
			continue
		}
		ran++
		r.t.Run(ex.where, func(t *testing.T) {
			if addr, stop := r.run(t, ex, exporter); stop != nil {
				exporter, stops = addr, append(stops, stop)
			}
		})
	}
	return ran
}

// examplesOf are the commands of a shell block, with the exit status
// their comments give, or the command lines of simulate's banner.
func examplesOf(page string, b doccheck.Block) []example {
	var examples []example
	switch {
	case isBanner(b):
		commands := false // the lines after bannerMark are "label command"
		for i, line := range b.Lines {
			if strings.HasPrefix(strings.TrimSpace(line), bannerMark) {
				commands = true
				continue
			}
			label, cmd, ok := strings.Cut(strings.TrimSpace(line), " ")
			if !commands || !ok {
				continue
			}
			examples = append(examples, example{fmt.Sprintf("%s:%d", page, b.Line+i), strings.TrimSpace(cmd), bannerExit[label]})
		}
	case b.Lang == "sh":
		for _, c := range doccheck.Commands(b) {
			want := 0
			if m := exitComment.FindStringSubmatch(c.Comment); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			examples = append(examples, example{fmt.Sprintf("%s:%d", page, c.Line), c.Text, want})
		}
	}
	return examples
}

// isBanner says whether a block shows simulate's output.
func isBanner(b doccheck.Block) bool {
	return b.Lang == "" && hasLineWithPrefix(b.Lines, bannerMark)
}

func hasLineWithPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return true
		}
	}
	return false
}

var simulateCmd = regexp.MustCompile(`^(go run \.|edmtop) simulate\b`)

// usesSimulator says whether a command runs against the simulator: the
// demo, `simulate`, its endpoint, or a scrape of the exporter the block
// started.
func usesSimulator(text string, exporterUp bool) bool {
	return strings.Contains(text, "--demo") || strings.Contains(text, docSimAddr) ||
		simulateCmd.MatchString(text) || (exporterUp && strings.Contains(text, docExporter))
}

// run runs one example and checks its exit status. An exporter it starts
// serves until its block ends: it returns its address and how to stop it
// (which checks its exit status).
func (r *exampleRunner) run(t *testing.T, ex example, exporter string) (string, func()) {
	text := strings.Replace(ex.text, "go run . ", "edmtop ", 1)
	clock := fakegraph.NewManualClock(time.Now())
	if strings.Contains(text, docEndpoint) {
		text = strings.ReplaceAll(text, docEndpoint, r.simulator(clock))
	}
	if exporter != "" {
		text = strings.ReplaceAll(text, docExporter, exporter)
	}
	words, err := doccheck.Words(text)
	if errors.Is(err, doccheck.ErrNeedsShell) {
		r.runShell(t, ex, text)
		return "", nil
	}
	if err != nil {
		t.Fatalf("%s: %v", ex.where, err)
	}
	env, argv := splitEnv(words)
	if len(env) == 0 && len(argv) > 0 && argv[0] == "curl" {
		r.runShell(t, ex, text)
		return "", nil
	}
	if len(argv) == 0 || argv[0] != "edmtop" {
		t.Fatalf("%s: %q is not an edmtop command: run it by hand, or teach this test", ex.where, ex.text)
	}
	args := argv[1:]
	switch subcommand(args) {
	case "":
		r.runDashboard(t, ex, env, args)
	case "simulate":
		r.runSimulate(t, ex, args)
	case "exporter":
		return r.startExporter(t, ex, env, args)
	case "wait":
		// The session completes about six minutes into the scenario (the
		// page says so): move the simulator's clock past it.
		clock.Advance(completion)
		r.runOnce(t, ex, env, args)
	default:
		r.runOnce(t, ex, env, args)
	}
	return "", nil
}

// simulator serves the demo scenario on its own clock, as `edmtop
// simulate` does, for one example: each starts from the same state.
func (r *exampleRunner) simulator(clock fakegraph.Clock) string {
	sim := fakegraph.NewDemo(fakegraph.Options{Token: "demo", Clock: clock})
	hs := httptest.NewServer(sim)
	r.t.Cleanup(hs.Close) // the block's exporter may still ask it
	return hs.URL + "/beta"
}

func splitEnv(words []string) (env, argv []string) {
	for i, w := range words {
		if name, _, ok := strings.Cut(w, "="); !ok || name == "" || strings.ContainsAny(name, "-/.") {
			return words[:i], words[i:]
		}
	}
	return words, nil
}

// subcommand is the command an argument list runs ("" the dashboard).
func subcommand(args []string) string {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return ""
	}
	return args[0]
}

// command builds an edmtop process with a clean environment: the
// developer's settings, sign-in and files stay out.
func (r *exampleRunner) command(t *testing.T, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + r.pathDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir()}, env...)
	cmd.WaitDelay = time.Second
	return cmd
}

// finish waits for a process bounded by a generous deadline (a guard
// against a hang, not a measure) and checks its exit status and output.
func finish(t *testing.T, ex example, cmd *exec.Cmd, out *bytes.Buffer) {
	t.Helper()
	var killed atomic.Bool
	timer := time.AfterFunc(time.Minute, func() { killed.Store(true); _ = cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	if killed.Load() {
		t.Fatalf("%s: %s\ndid not exit within a minute; output:\n%s", ex.where, ex.text, out.String())
	}
	checkExit(t, ex, err, out.String())
}

func checkExit(t *testing.T, ex example, err error, output string) {
	t.Helper()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", ex.where, err)
	}
	if code != ex.want {
		t.Errorf("%s: %s\nexited %d, the page says %d; output:\n%s", ex.where, ex.text, code, ex.want, output)
	}
	if strings.Contains(output, "panic:") || strings.Contains(output, "goroutine ") {
		t.Errorf("%s: %s panicked:\n%s", ex.where, ex.text, output)
	}
}

func (r *exampleRunner) runOnce(t *testing.T, ex example, env, args []string) {
	cmd := r.command(t, env, r.bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	finish(t, ex, cmd, &out)
}

// runShell runs a line that needs a shell (a pipe) with sh, edmtop first
// on its PATH.
func (r *exampleRunner) runShell(t *testing.T, ex example, text string) {
	if strings.HasPrefix(text, "curl ") {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skipf("%s: curl is not installed here", ex.where)
		}
	}
	cmd := r.command(t, nil, "sh", "-c", text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	finish(t, ex, cmd, &out)
}

// runDashboard opens the dashboard in a terminal, sees the fleet, and
// quits with q.
func (r *exampleRunner) runDashboard(t *testing.T, ex example, env, args []string) {
	s := start(t, env, 120, 40, args...)
	s.waitText(20*time.Second, "edmtop · fleet", "Employee records", "Claims archive", "failed")
	s.keys("q")
	checkExit(t, ex, s.exit(20*time.Second), "")
}

// runSimulate starts the simulator on a free port, keeps the banner it
// prints, and stops it with Ctrl+C.
func (r *exampleRunner) runSimulate(t *testing.T, ex example, args []string) {
	if !containsFlag(args, "--listen") {
		args = append(args, "--listen", "127.0.0.1:0") // 8080 may be taken here
	}
	cmd := r.command(t, nil, r.bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, ok := readUntil(stdout, "Press Ctrl+C to stop.", 20*time.Second)
	if !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("%s: simulate printed no banner:\n%s\n%s", ex.where, strings.Join(lines, "\n"), stderr.String())
	}
	r.banner = normalizeBanner(lines)
	_ = cmd.Process.Signal(syscall.SIGINT)
	finish(t, ex, cmd, &stderr)
}

// checkBanner compares a banner a page shows with the one simulate
// printed (run first if no example did), line for line.
func (r *exampleRunner) checkBanner(page string, b doccheck.Block) {
	r.t.Run(fmt.Sprintf("%s:%d banner", page, b.Line), func(t *testing.T) {
		if r.banner == nil {
			r.runSimulate(t, example{where: page, text: "edmtop simulate"}, []string{"simulate"})
		}
		shown := strings.Join(b.Lines, "\n")
		if !strings.Contains(strings.Join(r.banner, "\n"), shown) {
			t.Errorf("%s:%d: the banner shown is not what `edmtop simulate` prints.\nshown:\n%s\nprinted:\n%s",
				page, b.Line, shown, strings.Join(r.banner, "\n"))
		}
	})
}

var servedOn = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

// normalizeBanner writes the simulator's address as the pages do.
func normalizeBanner(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, servedOn.ReplaceAllString(l, "http://"+docSimAddr+"/"))
	}
	return out
}

var listeningOn = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startExporter starts the exporter on a free port and waits until it is
// ready (a poll of Graph succeeded). stop ends it with Ctrl+C and checks
// its exit status.
func (r *exampleRunner) startExporter(t *testing.T, ex example, env, args []string) (addr string, stop func()) {
	if !containsFlag(args, "--web.listen-address") {
		args = append(args, "--web.listen-address", "127.0.0.1:0") // 9716 may be taken here
	}
	cmd := r.command(t, env, r.bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, ok := readUntil(stderr, `msg="Listening on"`, 20*time.Second)
	if !ok {
		_ = cmd.Process.Kill()
		t.Fatalf("%s: the exporter did not listen:\n%s", ex.where, strings.Join(lines, "\n"))
	}
	addr = listeningOn.FindStringSubmatch(lines[len(lines)-1])[1]
	stop = func() {
		r.t.Run(ex.where+" stopped", func(t *testing.T) {
			_ = cmd.Process.Signal(syscall.SIGINT)
			var out bytes.Buffer
			finish(t, ex, cmd, &out)
		})
	}
	t.Cleanup(func() {
		if t.Failed() { // not ready: stop is never called
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	waitReady(t, ex, "http://"+addr+"/-/ready")
	return addr, stop
}

// waitReady polls a readiness probe until it answers 200.
func waitReady(t *testing.T, ex example, url string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s never answered 200 (last: %v)", ex.where, url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readUntil reads lines until one contains mark; the rest of the stream
// is drained in the background so the process never blocks on it.
func readUntil(rd io.Reader, mark string, timeout time.Duration) ([]string, bool) {
	found := make(chan []string, 1)
	go func() {
		var lines []string
		sc := bufio.NewScanner(rd)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.Contains(sc.Text(), mark) {
				found <- lines
				_, _ = io.Copy(io.Discard, rd)
				return
			}
		}
		found <- append(lines, "(the output ended)")
	}()
	select {
	case lines := <-found:
		return lines, strings.Contains(lines[len(lines)-1], mark)
	case <-time.After(timeout):
		return []string{"(no line within " + timeout.String() + ")"}, false
	}
}

func containsFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}
