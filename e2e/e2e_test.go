// Package e2e drives the real edmtop binary in a pseudo-terminal against the
// simulator and reads the screen back through a VT emulator: what a user
// sees, including what the terminal does with the bytes.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	"github.com/edmtop/edmtop/fakegraph"
)

var (
	buildDir  string
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edmtop-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// edmtop builds the binary once per run. It first reads every source file
// of the module, inside the test, so that go test's cache sees them as
// inputs: a change anywhere in edmtop re-runs these tests.
//
// EDMTOP_E2E_BINARY names a binary to run instead, built elsewhere: how
// the benchmarks measure another build (docs/performance.md's "before").
func edmtop(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if prebuilt := os.Getenv("EDMTOP_E2E_BINARY"); prebuilt != "" {
			binary = prebuilt
			return
		}
		root := filepath.Join("..")
		buildErr = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "go.mod") || strings.HasSuffix(path, "go.sum") {
				_, err = os.ReadFile(path)
			}
			return err
		})
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "edmtop")
		build := exec.Command("go", "build", "-o", binary, "github.com/edmtop/edmtop")
		var out bytes.Buffer
		build.Stdout, build.Stderr = &out, &out
		if err := build.Run(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// screen is a terminal: a pty running edmtop, read through an emulator.
type screen struct {
	t    testing.TB
	cmd  *exec.Cmd
	ptmx *os.File

	mu     sync.Mutex
	emu    *vt.Emulator
	raw    bytes.Buffer
	titles []string
	modes  map[ansi.Mode]bool // the terminal modes the program set or reset
	done   chan error

	// wrote is signalled after each read from the terminal has reached the
	// emulator, at lastWrite, so a waiter can time what it sees.
	wrote     chan struct{}
	lastWrite time.Time
	readDone  chan struct{} // closed when the terminal has no more output
}

func start(t testing.TB, env []string, w, h int, args ...string) *screen {
	t.Helper()
	cmd := exec.Command(edmtop(t), args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color",
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}, env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		t.Skipf("cannot open a pseudo-terminal here: %v", err)
	}
	s := &screen{t: t, cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(w, h), done: make(chan error, 1), wrote: make(chan struct{}, 1), readDone: make(chan struct{})}
	s.modes = map[ansi.Mode]bool{}
	s.emu.SetCallbacks(vt.Callbacks{
		Title:       func(title string) { s.titles = append(s.titles, title) },
		EnableMode:  func(m ansi.Mode) { s.modes[m] = true },
		DisableMode: func(m ansi.Mode) { s.modes[m] = false },
	})
	go func() {
		defer close(s.readDone)
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				s.mu.Lock()
				s.raw.Write(buf[:n])
				_, _ = s.emu.Write(buf[:n])
				s.lastWrite = time.Now()
				s.mu.Unlock()
				select {
				case s.wrote <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// The emulator answers the program's terminal queries (background colour,
	// cursor position) through its input pipe.
	go func() { _, _ = io.Copy(ptmx, s.emu) }()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
		// The emulator is not closed: vt v0.1.0's Close races with a
		// blocked Read. The responder goroutine ends with the test binary.
	})
	return s
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// mode reports whether the program has set a terminal mode.
func (s *screen) mode(m ansi.Mode) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modes[m]
}

// modesNow lists the modes set so far, for messages.
func (s *screen) modesNow() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.modes)
}

func (s *screen) rawOutput() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

// waitFor polls the screen until cond holds; it fails after timeout with the
// screen in the message.
func (s *screen) waitFor(what string, timeout time.Duration, cond func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		if cond(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, txt)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *screen) waitText(timeout time.Duration, parts ...string) string {
	s.t.Helper()
	return s.waitFor(strings.Join(parts, " + "), timeout, func(txt string) bool {
		for _, p := range parts {
			if !strings.Contains(txt, p) {
				return false
			}
		}
		return true
	})
}

func (s *screen) keys(k string) {
	s.t.Helper()
	if _, err := s.ptmx.WriteString(k); err != nil {
		s.t.Fatal(err)
	}
}

func (s *screen) resize(w, h int) {
	s.mu.Lock()
	s.emu.Resize(w, h)
	s.mu.Unlock()
	if err := pty.Setsize(s.ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		s.t.Fatal(err)
	}
}

// exit waits for edmtop to end and for the emulator to have read all it
// wrote: the pty may still hold its last bytes when the process is gone.
func (s *screen) exit(timeout time.Duration) error {
	s.t.Helper()
	var err error
	select {
	case err = <-s.done:
	case <-time.After(timeout):
		s.t.Fatalf("edmtop did not exit; screen:\n%s", s.text())
	}
	select {
	case <-s.readDone:
	case <-time.After(timeout):
		s.t.Fatalf("the terminal's output did not end")
	}
	return err
}

// lineWith returns the screen line containing text.
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

const (
	token   = "e2e-PRIVATE-token"
	storeID = "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"
	hostile = "evil\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[1;1HXX.EdmHash"
)

// simulator serves one store with sessions in known phases, newest first:
// hostile name, slow upload, failed, completed.
func simulator(t *testing.T, pageSize int) (*fakegraph.Server, string) {
	t.Helper()
	sim := fakegraph.New(fakegraph.Options{Token: token, PageSize: pageSize})
	sim.AddStore(fakegraph.Store{ID: storeID, DisplayName: "Employee records", Columns: []fakegraph.Column{{Name: "EmployeeId"}, {Name: "Email"}}})
	now := time.Now()
	specs := []fakegraph.SessionSpec{
		{FileName: "done.EdmHash", Created: now.Add(-4 * time.Hour), TotalBlocks: 4, BlocksPerMinute: 4, TotalJobs: 2, JobsPerMinute: 2, AutoCommit: true},
		{FileName: "broken.EdmHash", Created: now.Add(-3 * time.Hour), TotalBlocks: 4, BlocksPerMinute: 4, TotalJobs: 4, JobsPerMinute: 4, AutoCommit: true, FailAfterJobs: 2},
		{FileName: "slow-upload.EdmHash", Created: now.Add(-2 * time.Hour), TotalBlocks: 1000, BlocksPerMinute: 1},
		{FileName: hostile, Created: now.Add(-time.Hour), TotalBlocks: 10, BlocksPerMinute: 0.05},
	}
	for _, s := range specs {
		if _, err := sim.AddSession(storeID, s); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return sim, hs.URL + "/beta"
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestDashboard(t *testing.T) {
	sim, endpoint := simulator(t, 2)
	s := start(t, []string{"EDMTOP_TOKEN=" + token}, 120, 40, "--endpoint", endpoint, "--datastore", storeID)

	txt := s.waitText(10*time.Second, "slow-upload.EdmHash", "broken.EdmHash", "done.EdmHash", "100%", " 12%", "4 sessions")
	if !strings.HasPrefix(txt, " edmtop") {
		t.Errorf("the header was overwritten (escape sequences in a file name?):\n%s", txt)
	}
	if !strings.Contains(txt, "evilXX.EdmHash") {
		t.Errorf("the hostile file name is not shown sanitized:\n%s", txt)
	}

	// Select the slow upload (second row) and renew it.
	s.keys("j")
	s.waitFor("selection on slow-upload", 5*time.Second, func(txt string) bool {
		return strings.HasPrefix(lineWith(txt, "slow-upload.EdmHash"), ">")
	})
	s.keys("r")
	txt = s.waitText(10*time.Second, "renewed slow-upload.EdmHash ✓")
	if row := lineWith(txt, "slow-upload.EdmHash"); !strings.Contains(row, " now ") {
		t.Errorf("the row does not show the renewed session: %q", row)
	}
	renews := sim.RequestsTo(fakegraph.RouteRenew)
	if len(renews) != 1 {
		t.Fatalf("%d renew requests, want exactly 1", len(renews))
	}
	if renews[0].Method != "POST" || renews[0].Header.Get("Authorization") != "Bearer "+token || !guid.MatchString(renews[0].Header.Get("client-request-id")) {
		t.Errorf("renew request: %s, auth ok %v, client-request-id %q", renews[0].Method,
			renews[0].Header.Get("Authorization") == "Bearer "+token, renews[0].Header.Get("client-request-id"))
	}

	// The failed session's error pane.
	s.keys("j")
	s.waitFor("selection on broken", 5*time.Second, func(txt string) bool {
		return strings.HasPrefix(lineWith(txt, "broken.EdmHash"), ">")
	})
	s.keys("e")
	s.waitText(5*time.Second, "SESSION ERROR", "InvalidHashFormat", "the hash file does not match the data store schema")

	// The details pane hides the SAS query.
	s.keys("\x1b") // esc closes the pane
	s.waitFor("pane closed", 5*time.Second, func(txt string) bool { return !strings.Contains(txt, "SESSION ERROR") })
	s.keys("\r")
	txt = s.waitText(5*time.Second, "─ details", "upload URI", "blob.core.windows.net/sessions/", "(query")
	if strings.Contains(txt, "sig=") || strings.Contains(s.rawOutput(), "sig=") {
		t.Error("the SAS signature reached the terminal")
	}

	// Resize: the layout follows, nothing left over from the wider one.
	s.keys("\x1b")
	s.resize(80, 24)
	txt = s.waitFor("80-column layout", 10*time.Second, func(txt string) bool {
		return !strings.Contains(txt, "CREATED") && strings.Contains(txt, "UPDATED") && strings.Contains(txt, "slow-upload.EdmHash")
	})
	for i, l := range strings.Split(txt, "\n") {
		if len([]rune(l)) > 80 {
			t.Errorf("line %d is wider than 80: %q", i, l)
		}
	}
	if !strings.HasPrefix(txt, " edmtop") {
		t.Errorf("header missing after resize:\n%s", txt)
	}

	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
	s.mu.Lock()
	alt := s.emu.IsAltScreen()
	titles := s.titles
	s.mu.Unlock()
	if alt {
		t.Error("the terminal was left in the alternate screen")
	}
	for _, title := range titles {
		if strings.Contains(title, "PWNED") {
			t.Errorf("a file name changed the window title to %q", title)
		}
	}
	if strings.Contains(s.rawOutput(), token) {
		t.Error("the token was written to the terminal")
	}
}

func TestDemoShowsBarsQuickly(t *testing.T) {
	// The Azure SDK would log every request to stderr, over the dashboard.
	s := start(t, []string{"AZURE_SDK_GO_LOGGING=all"}, 120, 40, "--demo")
	// The demo opens on the fleet screen, worst first, every verdict shown.
	s.waitFor("fleet screen", 5*time.Second, func(txt string) bool {
		return strings.Contains(txt, "4 stores · 1 failed · 1 stalled · 1 stale") &&
			strings.Index(txt, "✗ failed") < strings.Index(txt, "⧗ stalled") &&
			strings.Index(txt, "◷ stale") < strings.Index(txt, "✓ ok")
	})
	// The last row is the healthy Employee records; enter opens it.
	s.keys("G")
	s.keys("\r")
	s.waitFor("bars", 5*time.Second, func(txt string) bool {
		return strings.Contains(txt, "█") && strings.Contains(txt, "%") && strings.Contains(txt, "Employee records")
	})
	// The store is a sub-screen of the fleet: q goes back, then quits.
	s.keys("q")
	s.waitFor("the fleet again", 5*time.Second, func(txt string) bool { return strings.Contains(txt, "4 stores") })
	s.keys("q")
	if err := s.exit(10 * time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
	if raw := s.rawOutput(); strings.Contains(raw, "OUTGOING REQUEST") || strings.Contains(raw, "Retry") {
		t.Error("the Azure SDK's log reached the terminal")
	}
}

// colourSGR matches SGR sequences that set a colour (30–49, 90–107, 38/48).
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[0-9;]*m`)

func TestNoColor(t *testing.T) {
	s := start(t, []string{"NO_COLOR=1"}, 120, 40, "--demo")
	s.waitText(5*time.Second, "Employee records", "%")
	s.keys("e")
	s.keys("\x03") // ctrl+c: q would close the pane first
	if err := s.exit(10 * time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
	if m := colourSGR.FindString(s.rawOutput()); m != "" {
		t.Errorf("colour escape %q written under NO_COLOR", m)
	}
}

func TestScriptingCommands(t *testing.T) {
	_, endpoint := simulator(t, 1) // one session a page: four pages
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(edmtop(t), args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "EDMTOP_TOKEN=" + token, "EDMTOP_ENDPOINT=" + endpoint, "XDG_CONFIG_HOME=" + t.TempDir()}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.WaitDelay = time.Second
		timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
		defer timer.Stop()
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	code, out, stderr := run("list", "--datastore", storeID, "--output", "json")
	var sessions []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &sessions) != nil {
		t.Fatalf("list: exit %d, %s %s", code, out, stderr)
	}
	if len(sessions) != 4 {
		t.Errorf("%d sessions across pages, want 4", len(sessions))
	}
	code, out, stderr = run("renew", "--datastore", storeID, "no-such-session")
	if code != 2 || !strings.Contains(stderr, "no session of data store") || out != "" {
		t.Errorf("failing renew: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if strings.Contains(out+stderr, token) {
		t.Error("token in output")
	}
}

func TestCancelAsksOnATerminal(t *testing.T) {
	sim, endpoint := simulator(t, 10)
	var slow string
	for _, s := range listSessions(t, endpoint) {
		if s["fileName"] == "slow-upload.EdmHash" {
			slow = s["id"].(string)
		}
	}
	env := []string{"EDMTOP_TOKEN=" + token, "EDMTOP_ENDPOINT=" + endpoint}

	s := start(t, env, 100, 24, "cancel", "--datastore", storeID, slow)
	s.waitText(10*time.Second, "About to cancel 1 session(s)", "slow-upload.EdmHash (UploadInProgress)", "Cancel them? [y/N]")
	s.keys("n\r")
	if err := s.exit(10 * time.Second); err == nil {
		t.Error("answering n exited 0")
	}
	if n := len(sim.RequestsTo(fakegraph.RouteCancel)); n != 0 {
		t.Fatalf("cancel sent %d times after n", n)
	}

	s = start(t, env, 100, 24, "cancel", "--datastore", storeID, slow)
	s.waitText(10*time.Second, "Cancel them? [y/N]")
	s.keys("y\r")
	if err := s.exit(10 * time.Second); err != nil {
		t.Errorf("exit: %v", err)
	}
	s.waitText(5*time.Second, "cancelled "+slow)
	if n := len(sim.RequestsTo(fakegraph.RouteCancel)); n != 1 {
		t.Errorf("cancel sent %d times", n)
	}
}

func listSessions(t *testing.T, endpoint string) []map[string]any {
	t.Helper()
	cmd := exec.Command(edmtop(t), "list", "--datastore", storeID, "-o", "json")
	cmd.Env = []string{"HOME=" + t.TempDir(), "EDMTOP_TOKEN=" + token, "EDMTOP_ENDPOINT=" + endpoint, "XDG_CONFIG_HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var sessions []map[string]any
	if err := json.Unmarshal(out, &sessions); err != nil {
		t.Fatal(err)
	}
	return sessions
}
