//go:build unix

package frame

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// sizer shows the size it was given and the keys it got; q quits, p panics.
type sizer struct {
	size string
	keys string
}

func (s *sizer) Init() tea.Cmd { return nil }

func (s *sizer) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.size = fmt.Sprintf("%dx%d", msg.Width, msg.Height)
	case tea.KeyMsg:
		switch msg.String() {
		case "q":
			return s, tea.Quit
		case "p":
			panic("p pressed")
		}
		s.keys += msg.String()
	}
	return s, nil
}

func (s *sizer) View() string { return "size " + s.size + "\nkeys " + s.keys }

// ptyTerminal is a pseudo-terminal whose output is read into an emulator.
type ptyTerminal struct {
	ptmx, tty *os.File
	mu        sync.Mutex
	emu       *terminal
}

func openPty(t *testing.T, w, h int) *ptyTerminal {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		t.Fatal(err)
	}
	p := &ptyTerminal{ptmx: ptmx, tty: tty, emu: newTerminal(w, h)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			p.mu.Lock()
			_, _ = p.emu.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	return p
}

func (p *ptyTerminal) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		p.mu.Lock()
		txt := p.emu.String()
		p.mu.Unlock()
		if strings.Contains(txt, text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q on the screen:\n%s", text, txt)
		}
	}
}

// restored reports what is left of the program on the terminal after Run:
// the emulator reads the last bytes asynchronously.
func (p *ptyTerminal) restored(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		p.mu.Lock()
		alt, hidden, mouse := p.emu.IsAltScreen(), p.emu.CursorHidden(), p.emu.modes[ansi.ModeMouseButtonEvent]
		p.mu.Unlock()
		if !alt && !hidden && !mouse {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("terminal not restored: alt screen %v, cursor hidden %v, mouse %v", alt, hidden, mouse)
		}
	}
}

func TestRunDrawsResizesAndRestores(t *testing.T) {
	tests := []struct {
		name    string
		end     func(p *ptyTerminal, cancel func())
		wantErr error
		killed  bool // Bubble Tea ends the program without waiting for its input reader
	}{
		{"q quits", func(p *ptyTerminal, _ func()) { p.ptmx.WriteString("q") }, nil, false},
		{"SIGTERM quits", func(*ptyTerminal, func()) { _ = syscall.Kill(os.Getpid(), syscall.SIGTERM) }, nil, false},
		{"SIGINT interrupts", func(*ptyTerminal, func()) { _ = syscall.Kill(os.Getpid(), syscall.SIGINT) }, tea.ErrInterrupted, true},
		{"context cancelled", func(_ *ptyTerminal, cancel func()) { cancel() }, tea.ErrProgramKilled, true},
		{"panic in Update", func(p *ptyTerminal, _ func()) { p.ptmx.WriteString("p") }, tea.ErrProgramPanic, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.killed && raceEnabled {
				// Bubble Tea v1.3.10's shutdown(kill) closes the cancel reader
				// without waiting for the read loop that used it: the race
				// detector reports that, with or without this package.
				t.Skip("Bubble Tea's kill path races with its input reader")
			}
			p := openPty(t, 30, 6)
			before, err := term.GetState(p.tty.Fd())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := Run(&sizer{}, Options{Input: p.tty, Output: p.tty, Mouse: true}, tea.WithContext(ctx))
				done <- err
			}()
			p.waitFor(t, "size 30x6")
			if during, _ := term.GetState(p.tty.Fd()); reflect.DeepEqual(during, before) {
				t.Error("the terminal is not in raw mode while the program runs")
			}
			p.ptmx.WriteString("ab")
			p.waitFor(t, "keys ab")

			// The kernel signals the terminal's foreground process group, which
			// this test is not: signal it by hand.
			if err := pty.Setsize(p.ptmx, &pty.Winsize{Cols: 40, Rows: 8}); err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			p.emu.Resize(40, 8)
			p.mu.Unlock()
			_ = syscall.Kill(os.Getpid(), syscall.SIGWINCH)
			p.waitFor(t, "size 40x8")

			tt.end(p, cancel)
			select {
			case err := <-done:
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Errorf("Run: %v, want %v", err, tt.wantErr)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return")
			}
			p.restored(t)
			if after, _ := term.GetState(p.tty.Fd()); !reflect.DeepEqual(after, before) {
				t.Error("the terminal's mode was not put back")
			}
		})
	}
}
