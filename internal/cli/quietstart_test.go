package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/creack/pty"
)

// initProbe makes the test binary a child that only runs package
// initialisation, then says what TERM it sees.
const initProbe = "EDMTOP_TEST_INIT_PROBE"

func TestMain(m *testing.M) {
	if os.Getenv(initProbe) != "" {
		_, _ = os.Stdout.WriteString("TERM=" + os.Getenv("TERM") + "\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Bubble Tea's package init asks the terminal for its background and waits
// up to 5 s for a silent one; quietstart keeps it from asking at all, and
// the real TERM is back once package cli is initialised (issue 16).
func TestPackageInitAsksTheTerminalNothing(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), initProbe+"=1", "TERM=xterm-256color")
	ptmx, err := pty.Start(cmd)
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer ptmx.Close()
	out, _ := io.ReadAll(ptmx) // ends with EIO once the child has exited
	if err := cmd.Wait(); err != nil {
		t.Fatalf("probe: %v: %q", err, out)
	}
	if bytes.Contains(out, []byte("\x1b]11;?")) || bytes.Contains(out, []byte("\x1b[6n")) {
		t.Errorf("the terminal was queried during package init: %q", out)
	}
	if !bytes.Contains(out, []byte("TERM=xterm-256color")) {
		t.Errorf("TERM not restored: %q", out)
	}
}
