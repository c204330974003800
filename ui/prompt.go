// The prompt takes the status line while it asks: a y/N confirmation that
// names the file, or the filter input.

package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// confirmation is a question about one session.
type confirmation struct {
	action    action
	sessionID string
	name      string
}

type prompt struct {
	sh        *shared
	confirm   *confirmation
	filtering bool
	input     textinput.Model
	width     int
}

// promptResult tells the root what an answer means.
type promptResult struct {
	// confirmed is set when the user said yes; declined when anything else.
	confirmed, declined *confirmation
	// filter is the filter text while it changes, filterSet when it did.
	filter    string
	filterSet bool
}

func newPrompt(sh *shared) *prompt {
	in := textinput.New()
	in.Prompt = "/"
	in.CharLimit = 200
	// A steady cursor: a blinking one would redraw the screen twice a second.
	in.Cursor.SetMode(cursor.CursorStatic)
	return &prompt{sh: sh, input: in}
}

func (p *prompt) SetSize(w, _ int) { p.width = w }

// Active reports whether the prompt owns the keys.
func (p *prompt) Active() bool { return p.confirm != nil || p.filtering }

// Asking reports whether a confirmation waits for its answer.
func (p *prompt) Asking() bool { return p.confirm != nil }

// Ask asks to confirm c.
func (p *prompt) Ask(c confirmation) { p.confirm = &c }

// Drop forgets the question; Drop does not touch the filter input.
func (p *prompt) Drop() { p.confirm = nil }

// The filter input's placeholders say what each screen's filter matches.
const (
	storeFilterHint = "file, state or id; !text excludes"
	fleetFilterHint = "name or health"
)

// StartFilter opens the filter input on the current filter; hint says
// what it matches.
func (p *prompt) StartFilter(current, hint string) tea.Cmd {
	p.filtering = true
	p.input.Placeholder = hint
	p.input.SetValue(current)
	p.input.CursorEnd()
	return p.input.Focus()
}

// Update takes a key while the prompt is active.
func (p *prompt) Update(msg tea.KeyMsg) (tea.Cmd, promptResult) {
	if c := p.confirm; c != nil {
		p.confirm = nil
		if key.Matches(msg, p.sh.keys.Confirm) {
			return nil, promptResult{confirmed: c}
		}
		return nil, promptResult{declined: c}
	}
	switch msg.Type {
	case tea.KeyEnter:
		p.filtering = false
		p.input.Blur()
		return nil, promptResult{}
	case tea.KeyEsc:
		p.filtering = false
		p.input.Blur()
		return nil, promptResult{filter: "", filterSet: true}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd, promptResult{filter: p.input.Value(), filterSet: true}
}

// View is the status line while the prompt is active.
func (p *prompt) View() string {
	st := p.sh.styles
	if c := p.confirm; c != nil {
		verb := c.action.String()
		q := fmt.Sprintf(" %s %s? This cannot be undone. [y/N] ", strings.ToUpper(verb[:1])+verb[1:], c.name)
		return padLine(st.Warn.Render(q), p.width)
	}
	hint := st.Muted.Render("  enter keeps · esc clears")
	return padLine(" "+p.input.View()+hint, p.width)
}

// ShortHelp: the prompt's keys are in its text.
func (p *prompt) ShortHelp() []key.Binding { return nil }
