// What the dashboard tells beyond the screen: a flash and an event (and the
// bell for a failure) when a watched session finishes, and the clipboard.

package ui

import (
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// Notices: a session seen running that finishes gets a flash, and the
// bell when asked for.

type notice struct {
	name   string
	failed bool
	code   string
}

func finished(before graphapi.StateClass, r *row) (notice, bool) {
	if before != graphapi.StateInProgress || (r.class != graphapi.StateDone && r.class != graphapi.StateFailed) {
		return notice{}, false
	}
	n := notice{name: r.name, failed: r.class == graphapi.StateFailed}
	if r.s.Error != nil {
		n.code = r.s.Error.Code
	}
	return n, true
}

// announce flashes the sessions seen running that finished, and logs them.
func (s *storeScreen) announce(notices []notice) tea.Cmd {
	if len(notices) == 0 {
		return nil
	}
	var parts []string
	events := make([]event, 0, len(notices))
	level := flashSuccess
	for _, n := range notices {
		e := event{at: s.be.now(), kind: eventCompleted, text: n.name + " completed"}
		if n.failed {
			level = flashError
			e.kind, e.text = eventFailed, n.name+" failed"
			if n.code != "" {
				e.text += " (" + n.code + ")"
			}
		}
		events = append(events, e)
		parts = append(parts, e.kind.icon()+" "+e.text)
	}
	return tea.Batch(s.status.Flash(level, strings.Join(parts, " · ")), emit(events))
}

// logEvents keeps events in the log (L) and rings the bell (--bell) for
// those that need a person: failures and stalls. The bell changes no cell:
// it is written to the terminal from a command.
func (m *Model) logEvents(events []event) tea.Cmd {
	m.events.Add(events...)
	w := m.cfg.terminal
	if !m.cfg.bell || w == nil || !slices.ContainsFunc(events, func(e event) bool { return e.kind.rings() }) {
		return nil
	}
	return func() tea.Msg {
		_, _ = io.WriteString(w, "\a")
		return nil
	}
}

// copySelected sends the session id to the terminal's clipboard with OSC
// 52, which reaches the local clipboard over SSH too. Whether the terminal
// took it cannot be known, so the status bar says "sent", not "copied".
func (s *storeScreen) copySelected() tea.Cmd {
	r := s.table.Selected()
	if r == nil {
		return nil
	}
	if s.cfg.terminal == nil {
		return s.status.Flash(flashWarn, "no terminal to copy to")
	}
	w, id := s.cfg.terminal, r.s.ID
	write := func() tea.Msg {
		// The environment is read here, in the command, not in Update. tmux
		// (set-clipboard on, its default since 3.2) takes a plain OSC 52 and
		// drops passthrough unless allow-passthrough is on; screen needs
		// its wrapping.
		seq := osc52.New(id)
		if os.Getenv("TMUX") == "" && strings.HasPrefix(os.Getenv("TERM"), "screen") {
			seq = seq.Screen()
		}
		_, _ = io.WriteString(w, seq.String())
		return nil
	}
	return tea.Batch(write, s.status.Flash(flashInfo, "sent session id "+shortID(id, 13)+" to the terminal's clipboard (OSC 52)"))
}
