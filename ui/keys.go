// Keys: the root decides who gets a key (the prompt, the help, the event
// log, the fleet screen, the store screen) and runs the keys that act on
// the dashboard as a whole: quit, help, refresh, pause and the screens.

package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	// Keys typed faster than the terminal is read arrive as one message
	// ("jj"); treat them as the separate presses they were.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Batch(cmds...)
	}
	k := m.sh.keys
	switch {
	case msg.Type == tea.KeyCtrlC:
		return tea.Quit // whatever is open: a prompt, the filter, the help
	case m.tooSmall():
		// Only the size message shows: no key may act on what cannot be
		// seen, except quit.
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	case m.prompt.Active():
		return m.answerPrompt(msg)
	case key.Matches(msg, k.Quit):
		// q goes back from a pane, the help or a sub-screen; it quits
		// only at the top.
		if cmd, ok := m.back(); ok {
			return cmd
		}
		return tea.Quit
	case m.status.ShowingHelp():
		if key.Matches(msg, k.Help, k.Close) {
			m.status.ToggleHelp()
		}
		return nil
	case key.Matches(msg, k.Help):
		m.status.ToggleHelp()
		return nil
	case m.events.Open() || key.Matches(msg, k.Events):
		return m.events.Update(msg)
	case key.Matches(msg, k.Refresh):
		if !m.loop.askFull() { // ctrl+r: everything is listed again, not only what runs
			return m.status.Flash(flashInfo, "a refresh is already running")
		}
		return m.startLoad()
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case m.screen == screenFleet && key.Matches(msg, k.Filter):
		return m.prompt.StartFilter(m.fleet.Filter())
	case m.screen == screenFleet:
		return m.fleet.Update(msg)
	case key.Matches(msg, k.Fleet):
		return m.showFleet()
	}
	return m.store.Update(msg)
}

// answerPrompt gives the key to the prompt and hands the answer to the
// screen that asked.
func (m *Model) answerPrompt(msg tea.KeyMsg) tea.Cmd {
	cmd, res := m.prompt.Update(msg)
	switch {
	case res.confirmed != nil:
		return m.store.Confirmed(*res.confirmed)
	case res.declined != nil:
		return m.status.Flash(flashInfo, "kept "+res.declined.name+" (not "+res.declined.action.past()+")")
	case res.filterSet && m.screen == screenFleet:
		m.fleet.SetFilter(res.filter)
	case res.filterSet:
		m.store.SetFilter(res.filter)
	}
	return cmd
}

// back closes what is on top (the help, a pane) or leaves a sub-screen
// (the fleet opened with d, or a store opened from the fleet); ok is false
// at the top.
func (m *Model) back() (cmd tea.Cmd, ok bool) {
	switch {
	case m.status.ShowingHelp():
		m.status.ToggleHelp()
	case m.events.Open():
		m.events.Toggle()
	case m.screen == screenFleet && m.store.ID() != "" && !m.cfg.fleetTop:
		return m.backToStore(), true
	case m.screen == screenStore && m.store.ClosePane():
	case m.screen == screenStore && m.cfg.fleetTop:
		// A store opened from the fleet is a sub-screen of it.
		return m.showFleet(), true
	default:
		return nil, false
	}
	return nil, true
}

// showFleet goes to the fleet (d), keeping the open store's rows for esc.
func (m *Model) showFleet() tea.Cmd {
	m.store.Leave()
	m.screen = screenFleet
	m.fleet.SetCurrent(m.store.ID())
	return m.startLoad()
}

// openStore switches to a data store (the fleet screen's choice), showing
// what the fleet read of it until its own load answers.
func (m *Model) openStore(ds graphapi.DataStore) tea.Cmd {
	changed, read := m.store.Open(ds, m.fleet.Status(ds.ID))
	m.loop.openStore(changed, read)
	m.screen = screenStore
	return m.startLoad()
}

// backToStore returns from the fleet to the open store (esc).
func (m *Model) backToStore() tea.Cmd {
	m.screen = screenStore
	return m.startLoad()
}
