// Keys: the root decides who gets a key (the prompt, the help, the store
// list, the pane, the table) and runs the keys that act on the dashboard.

package ui

import (
	"time"

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
		return m.eventsKey(msg)
	case key.Matches(msg, k.Refresh):
		return m.refreshNow()
	case m.screen == screenFleet:
		switch {
		case key.Matches(msg, k.Pause):
			return m.togglePause()
		case key.Matches(msg, k.Filter):
			return m.prompt.StartFilter(m.fleet.Filter())
		}
		return m.fleet.Update(msg)
	}
	return m.sessionsKey(msg)
}

// eventsKey opens the event log (L), or closes it (L, esc) or scrolls it.
func (m *Model) eventsKey(msg tea.KeyMsg) tea.Cmd {
	if !m.events.Open() || key.Matches(msg, m.sh.keys.Events, m.sh.keys.Close) {
		m.events.Toggle()
		return nil
	}
	return m.events.Update(msg)
}

// refreshNow is ctrl+r: everything is listed again, not only what runs.
func (m *Model) refreshNow() tea.Cmd {
	if m.loop.loading {
		return m.status.Flash(flashInfo, "a refresh is already running")
	}
	m.loop.full = true
	return m.startLoad()
}

// answerPrompt gives the key to the prompt and acts on the answer.
func (m *Model) answerPrompt(msg tea.KeyMsg) tea.Cmd {
	cmd, res := m.prompt.Update(msg)
	switch {
	case res.confirmed != nil:
		return m.confirmed(*res.confirmed)
	case res.declined != nil:
		return m.status.Flash(flashInfo, "kept "+res.declined.name+" (not "+res.declined.action.past()+")")
	case res.filterSet && m.screen == screenFleet:
		m.fleet.SetFilter(res.filter)
	case res.filterSet:
		m.table.SetFilter(res.filter)
	}
	return cmd
}

// sessionsKey handles a key on the session screen: the pane scrolls when it
// has the focus, the dashboard's keys act, and the rest move the table.
func (m *Model) sessionsKey(msg tea.KeyMsg) tea.Cmd {
	if m.pane.Focused() {
		m.pane.Update(msg)
	}
	if cmd, ok := m.sessionAction(msg); ok {
		return cmd
	}
	if m.pane.Focused() {
		return nil
	}
	return m.table.Update(msg)
}

// sessionAction runs the key's action on the session screen; ok is false
// for keys that only move.
func (m *Model) sessionAction(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.Close):
		switch {
		case m.pane.Open():
			m.pane.Close()
		case m.table.Filter() != "":
			m.table.SetFilter("")
		case m.cfg.fleetTop:
			return m.showFleet(), true
		}
	case key.Matches(msg, k.Filter):
		return m.prompt.StartFilter(m.table.Filter()), true
	case key.Matches(msg, k.Sort):
		m.table.CycleSort()
		return m.status.Flash(flashInfo, "sorted by "+m.table.SortText()), true
	case key.Matches(msg, k.SortReverse):
		m.table.ReverseSort()
		return m.status.Flash(flashInfo, "sorted by "+m.table.SortText()), true
	case key.Matches(msg, k.Mark):
		m.table.ToggleMark()
	case key.Matches(msg, k.RenewMarked):
		return m.renewMarked(), true
	case key.Matches(msg, k.Cancel):
		return m.askConfirm(actCancel), true
	case key.Matches(msg, k.Commit):
		return m.askConfirm(actCommit), true
	case key.Matches(msg, k.Copy):
		return m.copySelected(), true
	case key.Matches(msg, k.Focus):
		m.pane.ToggleFocus()
	case key.Matches(msg, k.Details):
		m.pane.Toggle(paneDetails)
	case key.Matches(msg, k.Errors):
		m.pane.Toggle(paneErrors)
	case key.Matches(msg, k.Pause):
		return m.togglePause(), true
	case key.Matches(msg, k.Renew):
		return m.renewSelected(), true
	case key.Matches(msg, k.Fleet):
		return m.showFleet(), true
	default:
		return nil, false
	}
	return nil, true
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
	case m.screen == screenFleet && m.store.ID != "" && !m.cfg.fleetTop:
		return m.backToStore(), true
	case m.screen == screenStore && m.pane.Open():
		m.pane.Close()
	case m.screen == screenStore && m.cfg.fleetTop:
		// A store opened from the fleet is a sub-screen of it.
		return m.showFleet(), true
	default:
		return nil, false
	}
	return nil, true
}

// showFleet goes to the fleet screen (d), keeping the open store's rows
// for esc.
func (m *Model) showFleet() tea.Cmd {
	m.table.Remember(m.store.ID)
	m.screen = screenFleet
	m.fleet.SetCurrent(m.store.ID)
	m.pane.Close()
	return m.startLoad()
}

// openStore switches the table to a data store (the fleet screen's choice).
// A store not open before shows at once what the fleet read of it, marked
// as the fleet's, until its own load answers: while Graph fails or hangs
// the screen is not an endless "Loading…".
func (m *Model) openStore(s graphapi.DataStore) tea.Cmd {
	if s.ID != m.store.ID {
		m.table.Replace(m.store.ID, s.ID)
		m.loop.partial = false
		m.renews = renewBatch{}
		m.loop.lastSuccess = time.Time{}
		m.loop.fromFleet = time.Time{}
		m.loop.err = nil
		m.pane.Close()
		if st := m.fleet.Status(s.ID); st != nil && !st.read.IsZero() {
			m.table.Merge(st.sessions, st.read)
			m.loop.fromFleet = st.read
		}
	}
	m.store = s
	m.screen = screenStore
	m.loop.failures = 0
	return m.startLoad()
}

// backToStore returns from the fleet to the open store (esc).
func (m *Model) backToStore() tea.Cmd {
	m.screen = screenStore
	return m.startLoad()
}
