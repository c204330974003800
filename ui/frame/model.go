package frame

import (
	tea "github.com/charmbracelet/bubbletea"
)

// model wraps a program's model. Bubble Tea, running without its renderer,
// still calls View once after Init and once after every Update, in its event
// loop: that call draws the frame, so a frame follows each change at once,
// and nothing runs between messages.
type model struct {
	inner tea.Model
	d     *display
	size  func() (width, height int, err error) // the terminal's size now
}

// Bubble Tea's requests that its renderer would carry out; they are
// unexported types, so they are matched by value (comparing with a message
// of another type is false, even for a type == cannot compare).
var (
	clearScreen = tea.ClearScreen()
	windowSize  = tea.WindowSize()()
	mouseCell   = tea.EnableMouseCellMotion()
	mouseAll    = tea.EnableMouseAllMotion()
	mouseNone   = tea.DisableMouse()
)

func (m *model) Init() tea.Cmd {
	ok := false
	defer m.restoreUnless(&ok)
	cmd := m.inner.Init()
	ok = true
	return cmd
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	ok := false
	defer m.restoreUnless(&ok)
	var cmd tea.Cmd
	switch msg {
	case clearScreen:
		m.d.redraw()
	case windowSize:
		cmd = m.sizeCmd()
	case mouseCell:
		m.d.write(mouseOff + mouseOn)
	case mouseAll:
		m.d.write(mouseOff + allMouseOn)
	case mouseNone:
		m.d.write(mouseOff)
	}
	if size, isSize := msg.(tea.WindowSizeMsg); isSize {
		m.d.resize(size.Width, size.Height)
	}
	var inner tea.Cmd
	m.inner, inner = m.inner.Update(msg)
	ok = true
	return m, tea.Batch(cmd, inner)
}

// View draws the inner model's view and returns nothing for Bubble Tea's
// absent renderer.
func (m *model) View() string {
	ok := false
	defer m.restoreUnless(&ok)
	m.d.draw(m.inner.View())
	ok = true
	return ""
}

// sizeCmd answers tea.WindowSize, which Bubble Tea cannot answer without
// its renderer.
func (m *model) sizeCmd() tea.Cmd {
	size := m.size
	return func() tea.Msg {
		w, h, err := size()
		if err != nil {
			return nil
		}
		return tea.WindowSizeMsg{Width: w, Height: h}
	}
}

// restoreUnless is deferred with a flag set on the normal way out: if the
// inner model panicked, it puts the terminal back before Bubble Tea's
// recovery prints the panic, so the message lands on the normal screen in
// cooked mode. It does not recover: the panic and its stack stay as they
// were.
func (m *model) restoreUnless(ok *bool) {
	if !*ok {
		_ = m.d.restore()
	}
}
