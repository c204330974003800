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
	case key.Matches(msg, k.Quit, k.Close):
		return m.goBack(key.Matches(msg, k.Quit)) // one step back, the same on every screen (back.go)
	case m.status.ShowingHelp():
		m.helpKey(msg)
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
	case key.Matches(msg, k.Command):
		return m.status.Flash(flashInfo, "no command mode: "+k.Help.Help().Key+" lists the keys")
	case m.screen == screenFleet && key.Matches(msg, k.Filter):
		return m.prompt.StartFilter(m.fleet.Filter(), fleetFilterHint)
	case m.screen == screenFleet:
		return m.fleet.Update(msg)
	case key.Matches(msg, k.Fleet):
		return m.showFleet()
	}
	return m.store.Update(msg)
}

// helpKey closes the help screen (?) or scrolls it.
func (m *Model) helpKey(msg tea.KeyMsg) {
	k := m.sh.keys
	page := m.height - 2
	n := 0
	switch {
	case key.Matches(msg, k.Help):
		m.status.ToggleHelp()
		return
	case key.Matches(msg, k.Up):
		n = -1
	case key.Matches(msg, k.Down):
		n = 1
	case key.Matches(msg, k.PageUp):
		n = -page
	case key.Matches(msg, k.PageDown):
		n = page
	case key.Matches(msg, k.Home):
		n = -len(m.helpLines())
	case key.Matches(msg, k.End):
		n = len(m.helpLines())
	default:
		return
	}
	m.status.ScrollHelp(n, len(m.helpLines()), page)
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
	case res.filterSet:
		m.filtered().SetFilter(res.filter)
	}
	return cmd
}

// showFleet goes to the fleet (d, or back from a store opened from it),
// keeping the open store's rows for a return.
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

// backToStore returns from the fleet opened with d to the open store.
func (m *Model) backToStore() tea.Cmd {
	m.screen = screenStore
	return m.startLoad()
}
