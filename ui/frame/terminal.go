package frame

import (
	"fmt"
	"io"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
)

// display owns the terminal for one run: its modes, set on open and put
// back by restore, and the frames drawn in between.
type display struct {
	mu       sync.Mutex
	out      io.Writer
	in       term.File   // the input terminal in raw mode, nil if none
	state    *term.State // its mode before
	scr      screen
	restored bool
}

// Sequences set on open and reset on restore. Restore resets every mouse
// mode, as Bubble Tea does: a program may have turned one on meanwhile.
const (
	enterModes = ansi.SetModeAltScreenSaveCursor + ansi.EraseEntireScreen + ansi.CursorHomePosition +
		ansi.HideCursor + ansi.SetModeBracketedPaste
	mouseOn    = ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr
	allMouseOn = ansi.SetModeMouseAnyEvent + ansi.SetModeMouseExtSgr
	mouseOff   = ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr
	// The cursor is shown on the main screen: some terminals keep one state
	// per screen.
	exitModes = mouseOff + ansi.ResetModeBracketedPaste + ansi.ResetModeAltScreenSaveCursor + ansi.ShowCursor
)

// open puts the input in raw mode when it is a terminal (keys arrive one by
// one, unechoed, ctrl+c as a key) and takes over the screen.
func open(in io.Reader, out io.Writer, mouse bool) (*display, error) {
	d := &display{out: out}
	if f, ok := in.(term.File); ok && term.IsTerminal(f.Fd()) {
		state, err := term.MakeRaw(f.Fd())
		if err != nil {
			return nil, fmt.Errorf("cannot put the terminal in raw mode: %w", err)
		}
		d.in, d.state = f, state
	}
	seq := enterModes
	if mouse {
		seq += mouseOn
	}
	if _, err := io.WriteString(out, seq); err != nil {
		_ = d.restore()
		return nil, fmt.Errorf("cannot write to the terminal: %w", err)
	}
	return d, nil
}

// draw shows view, writing only what changed since the last frame.
func (d *display) draw(view string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.restored {
		return
	}
	if b := d.scr.frame(view); b != nil {
		_, _ = d.out.Write(b) // a terminal that is gone ends the input too
	}
}

// resize records a new size; the next frame is drawn whole.
func (d *display) resize(width, height int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scr.resize(width, height)
}

// redraw makes the next frame a full one.
func (d *display) redraw() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scr.redraw()
}

// write sends a mode sequence, unless the terminal was already restored.
func (d *display) write(seq string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.restored {
		_, _ = io.WriteString(d.out, seq)
	}
}

// restore puts the terminal back as open found it. It is safe to call more
// than once (a panic restores early, the deferred call finds it done).
func (d *display) restore() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.restored {
		return nil
	}
	d.restored = true
	_, _ = io.WriteString(d.out, exitModes)
	if d.state != nil {
		if err := term.Restore(d.in.Fd(), d.state); err != nil {
			return fmt.Errorf("cannot restore the terminal: %w", err)
		}
	}
	return nil
}
