package frame

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// fake is a model whose view is set by its messages.
type fake struct {
	view string
	msgs []tea.Msg
}

type setView string
type boom struct{}

func (f *fake) Init() tea.Cmd { return nil }

func (f *fake) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	f.msgs = append(f.msgs, msg)
	switch msg := msg.(type) {
	case setView:
		f.view = string(msg)
	case boom:
		panic("boom in Update")
	}
	return f, nil
}

func (f *fake) View() string {
	if f.view == "boom" {
		panic("boom in View")
	}
	return f.view
}

// terminal is an emulated terminal that records the modes set on it.
type terminal struct {
	*vt.Emulator
	out   bytes.Buffer
	modes map[ansi.Mode]bool
}

func newTerminal(w, h int) *terminal {
	t := &terminal{Emulator: vt.NewEmulator(w, h), modes: map[ansi.Mode]bool{}}
	t.SetCallbacks(vt.Callbacks{
		EnableMode:  func(m ansi.Mode) { t.modes[m] = true },
		DisableMode: func(m ansi.Mode) { t.modes[m] = false },
	})
	return t
}

func (t *terminal) Write(p []byte) (int, error) {
	t.out.Write(p)
	return t.Emulator.Write(p)
}

// wrapped opens a display on an emulated terminal and wraps a fake in it,
// as Run does, with its first frame drawn.
func wrapped(t *testing.T, mouse bool) (*model, *fake, *terminal) {
	t.Helper()
	term := newTerminal(20, 5)
	d, err := open(strings.NewReader(""), term, mouse)
	if err != nil {
		t.Fatal(err)
	}
	d.resize(20, 5)
	inner := &fake{view: "one\ntwo\nthree"}
	m := &model{inner: inner, d: d, size: func() (int, int, error) { return 20, 5, nil }}
	m.Init()
	m.View()
	return m, inner, term
}

// step sends msg through the wrapper as Bubble Tea does (Update, then
// View) and returns what was written to the terminal meanwhile.
func step(m *model, term *terminal, msg tea.Msg) (string, tea.Cmd) {
	n := term.out.Len()
	_, cmd := m.Update(msg)
	m.View()
	return term.out.String()[n:], cmd
}

func TestModelDrawsAfterEachChange(t *testing.T) {
	m, inner, term := wrapped(t, false)
	if got := screenLines(term.String()); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("first frame: %q", got)
	}

	if out, _ := step(m, term, "tick"); out != "" {
		t.Errorf("an unchanged view wrote %q", out)
	}
	if len(inner.msgs) != 1 || inner.msgs[0] != "tick" {
		t.Errorf("the inner model got %v", inner.msgs)
	}
	step(m, term, []string{"a message == cannot compare"})

	out, _ := step(m, term, setView("one\n2\nthree"))
	if w := parseWrites(t, []byte(out)); !slices.Equal(w.rows, []int{2}) {
		t.Errorf("a one-line change wrote rows %v: %q", w.rows, out)
	}

	out, _ = step(m, term, tea.WindowSizeMsg{Width: 20, Height: 5})
	if w := parseWrites(t, []byte(out)); !slices.Equal(w.rows, []int{1, 2, 3}) || w.eraseFrom != 4 {
		t.Errorf("after a resize wrote %+v, want every row and an erase below", w)
	}
	if last := inner.msgs[len(inner.msgs)-1]; last != (tea.WindowSizeMsg{Width: 20, Height: 5}) {
		t.Errorf("the inner model did not get the size: %v", last)
	}

	out, _ = step(m, term, tea.ClearScreen())
	if w := parseWrites(t, []byte(out)); len(w.rows) != 3 {
		t.Errorf("tea.ClearScreen wrote rows %v, want all", w.rows)
	}
	if got := screenLines(term.String()); !slices.Equal(got, []string{"one", "2", "three"}) {
		t.Errorf("screen: %q", got)
	}
}

func TestModelAnswersRendererRequests(t *testing.T) {
	m, _, term := wrapped(t, false)
	_, cmd := step(m, term, tea.WindowSize()())
	if cmd == nil {
		t.Fatal("tea.WindowSize got no answer")
	}
	if msg := cmd(); msg != (tea.WindowSizeMsg{Width: 20, Height: 5}) {
		t.Errorf("tea.WindowSize answered %v", msg)
	}

	step(m, term, tea.EnableMouseCellMotion())
	if !term.modes[ansi.ModeMouseButtonEvent] || !term.modes[ansi.ModeMouseExtSgr] {
		t.Errorf("cell motion not on: %v", term.modes)
	}
	step(m, term, tea.EnableMouseAllMotion())
	if !term.modes[ansi.ModeMouseAnyEvent] || term.modes[ansi.ModeMouseButtonEvent] {
		t.Errorf("all motion not on alone: %v", term.modes)
	}
	step(m, term, tea.DisableMouse())
	if term.modes[ansi.ModeMouseAnyEvent] || term.modes[ansi.ModeMouseExtSgr] {
		t.Errorf("mouse still on: %v", term.modes)
	}
}

func TestOpenAndRestore(t *testing.T) {
	for _, mouse := range []bool{false, true} {
		term := newTerminal(20, 5)
		d, err := open(strings.NewReader(""), term, mouse)
		if err != nil {
			t.Fatal(err)
		}
		if !term.IsAltScreen() || !term.CursorHidden() || !term.modes[ansi.ModeBracketedPaste] || term.modes[ansi.ModeMouseButtonEvent] != mouse {
			t.Errorf("mouse %v: after open alt %v, cursor hidden %v, modes %v", mouse, term.IsAltScreen(), term.CursorHidden(), term.modes)
		}
		d.draw("frame")
		if err := d.restore(); err != nil {
			t.Fatal(err)
		}
		if term.IsAltScreen() || term.CursorHidden() || term.modes[ansi.ModeBracketedPaste] || term.modes[ansi.ModeMouseButtonEvent] || term.modes[ansi.ModeMouseExtSgr] {
			t.Errorf("mouse %v: after restore alt %v, cursor hidden %v, modes %v", mouse, term.IsAltScreen(), term.CursorHidden(), term.modes)
		}
		n := term.out.Len()
		_ = d.restore()
		d.draw("another frame")
		d.write(mouseOn)
		if term.out.Len() != n {
			t.Errorf("mouse %v: wrote %q after restoring", mouse, term.out.String()[n:])
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("gone") }

func TestOpenFailsClearly(t *testing.T) {
	if _, err := open(strings.NewReader(""), failingWriter{}, false); err == nil || !strings.Contains(err.Error(), "cannot write to the terminal") {
		t.Errorf("open on a failing writer: %v", err)
	}
}

// A panic in the inner model puts the terminal back before it reaches
// Bubble Tea's recovery, which prints it, and is not swallowed.
func TestModelRestoresOnPanic(t *testing.T) {
	tests := []struct {
		name string
		call func(m *model)
	}{
		{"View", func(m *model) { m.Update(setView("boom")); m.View() }},
		{"Update", func(m *model) { m.Update(boom{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, term := wrapped(t, true)
			func() {
				defer func() {
					if r := recover(); r == nil || !strings.Contains(r.(string), "boom") {
						t.Errorf("recovered %v, want the model's panic", r)
					}
				}()
				tt.call(m)
			}()
			if term.IsAltScreen() || term.CursorHidden() || term.modes[ansi.ModeMouseButtonEvent] {
				t.Errorf("terminal not restored: alt %v, cursor hidden %v, modes %v", term.IsAltScreen(), term.CursorHidden(), term.modes)
			}
		})
	}
}
