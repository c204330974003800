//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package cli

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// queryOnPty runs queryBackground on a pseudo-terminal whose other end
// answers with reply (nothing when empty), and checks the terminal's mode
// is restored.
func queryOnPty(t *testing.T, reply string, wait time.Duration) (dark, ok bool) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	before, err := term.GetState(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 64)
		var got string
		for !strings.Contains(got, "\x1b[6n") {
			n, err := ptmx.Read(buf)
			if err != nil {
				return
			}
			got += string(buf[:n])
		}
		if reply != "" {
			_, _ = io.WriteString(ptmx, reply)
		}
	}()
	dark, ok = queryBackground(tty, tty, wait)
	after, err := term.GetState(tty.Fd())
	if err != nil || *after != *before {
		t.Errorf("terminal mode not restored: %v", err)
	}
	return dark, ok
}

func TestQueryBackgroundOnAPty(t *testing.T) {
	if dark, ok := queryOnPty(t, "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[1;1R", time.Minute); !ok || dark {
		t.Errorf("light terminal: dark=%v ok=%v", dark, ok)
	}
	if _, ok := queryOnPty(t, "\x1b[1;1R", time.Minute); ok {
		t.Error("a terminal without OSC 11 gave a colour")
	}
	// Silence: the query gives up after its wait and restores the mode.
	if _, ok := queryOnPty(t, "", 20*time.Millisecond); ok {
		t.Error("a silent terminal gave a colour")
	}
}
