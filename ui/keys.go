// Keys: what each key does on the table, the panes and the store picker.

package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/bubbles/key"
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
	k := m.keys
	if msg.Type == tea.KeyCtrlC {
		return tea.Quit // whatever is open: a prompt, the filter, the help
	}
	if m.confirm != nil {
		return m.answerConfirm(msg)
	}
	if m.filtering {
		return m.handleFilterKey(msg)
	}
	if key.Matches(msg, k.Quit) {
		return tea.Quit
	}
	if m.showHelp {
		if key.Matches(msg, k.Help, k.Close) {
			m.showHelp = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.Refresh):
		if m.loading {
			return m.setFlash(flashInfo, "a refresh is already running")
		}
		return m.startLoad()
	}
	if m.mode == modePicker {
		return m.handlePickerKey(msg)
	}
	return m.handleSessionsKey(msg)
}

func (m *Model) handlePickerKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.storeCursor = max(m.storeCursor-1, 0)
	case key.Matches(msg, k.Down):
		m.storeCursor = min(m.storeCursor+1, max(len(m.stores)-1, 0))
	case key.Matches(msg, k.Home):
		m.storeCursor = 0
	case key.Matches(msg, k.End):
		m.storeCursor = max(len(m.stores)-1, 0)
	case key.Matches(msg, k.Open):
		if len(m.stores) == 0 {
			return nil
		}
		return m.openStore(m.stores[m.storeCursor])
	case key.Matches(msg, k.Close):
		if m.store.ID != "" {
			m.mode = modeSessions
			return m.startLoad()
		}
	}
	return nil
}

// openStore switches the table to a data store.
func (m *Model) openStore(s graphapi.DataStore) tea.Cmd {
	if s.ID != m.store.ID {
		m.rememberSelection()
		m.rows = map[string]*row{}
		m.marked = 0
		m.order = nil
		m.selectedID = m.storeSelection[s.ID]
		m.filter = ""
		m.renewQueue = nil
		m.offset = 0
		m.lastSuccess = time.Time{}
		m.loadErr = nil
		m.pane = paneNone
	}
	m.store = s
	m.mode = modeSessions
	m.failures = 0
	return m.startLoad()
}

func (m *Model) handleSessionsKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.pane != paneNone && m.paneFocus {
		switch {
		case key.Matches(msg, k.Up):
			m.paneOffset--
		case key.Matches(msg, k.Down):
			m.paneOffset++
		case key.Matches(msg, k.PageUp):
			m.paneOffset -= m.paneHeight() - 1
		case key.Matches(msg, k.PageDown):
			m.paneOffset += m.paneHeight() - 1
		case key.Matches(msg, k.Home):
			m.paneOffset = 0
		case key.Matches(msg, k.End):
			m.paneOffset = 1 << 30
		}
		m.paneOffset = min(m.paneOffset, max(len(m.paneContent())-m.paneHeight(), 0))
		m.clampOffsets()
	}
	switch {
	case key.Matches(msg, k.Close):
		switch {
		case m.pane != paneNone:
			m.pane, m.paneFocus = paneNone, false
			m.clampOffsets()
		case m.filter != "":
			m.filter = ""
			m.resort()
		}
		return nil
	case key.Matches(msg, k.Filter):
		return m.startFilter()
	case key.Matches(msg, k.Sort):
		m.sortKey = (m.sortKey + 1) % sortKeys
		m.resort()
		return m.setFlash(flashInfo, "sorted by "+m.sortKey.String()+pick(m.sortReverse, " (reversed)", ""))
	case key.Matches(msg, k.SortReverse):
		m.sortReverse = !m.sortReverse
		m.resort()
		return m.setFlash(flashInfo, "sorted by "+m.sortKey.String()+pick(m.sortReverse, " (reversed)", ""))
	case key.Matches(msg, k.Mark):
		return m.toggleMark()
	case key.Matches(msg, k.RenewMarked):
		return m.renewMarked()
	case key.Matches(msg, k.Cancel):
		return m.askConfirm("cancel")
	case key.Matches(msg, k.Commit):
		return m.askConfirm("commit")
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	case key.Matches(msg, k.Focus):
		if m.pane != paneNone {
			m.paneFocus = !m.paneFocus
		}
		return nil
	case key.Matches(msg, k.Details):
		m.togglePane(paneDetails)
		return nil
	case key.Matches(msg, k.Errors):
		m.togglePane(paneErrors)
		return nil
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.Renew):
		return m.renewSelected()
	case key.Matches(msg, k.Stores):
		m.rememberSelection()
		m.mode = modePicker
		m.pane, m.paneFocus = paneNone, false
		return m.startLoad()
	}
	if m.pane != paneNone && m.paneFocus {
		return nil
	}
	idx := m.selectedIndex()
	switch {
	case key.Matches(msg, k.Up):
		idx--
	case key.Matches(msg, k.Down):
		idx++
	case key.Matches(msg, k.PageUp):
		idx -= max(m.tableHeight()-1, 1)
	case key.Matches(msg, k.PageDown):
		idx += max(m.tableHeight()-1, 1)
	case key.Matches(msg, k.Home):
		idx = 0
	case key.Matches(msg, k.End):
		idx = len(m.order) - 1
	default:
		return nil
	}
	m.selectIndex(idx)
	return nil
}

// moveSelection moves the selection by delta rows.
func (m *Model) moveSelection(delta int) { m.selectIndex(m.selectedIndex() + delta) }

// selectIndex selects the row at i (clamped) and keeps it visible.
func (m *Model) selectIndex(i int) {
	if len(m.order) == 0 {
		return
	}
	i = min(max(i, 0), len(m.order)-1)
	if m.order[i] != m.selectedID {
		m.selectedID = m.order[i]
		m.paneOffset = 0
	}
	m.clampOffsets()
}

func (m *Model) togglePane(p pane) {
	if m.pane == p {
		m.pane, m.paneFocus = paneNone, false
	} else {
		m.pane, m.paneOffset = p, 0
	}
	m.clampOffsets()
}

func (m *Model) togglePause() tea.Cmd {
	m.paused = !m.paused
	if m.paused {
		m.tickGen++ // the pending tick is void
		m.nextRefresh = time.Time{}
		return m.setFlash(flashInfo, "auto-refresh paused (p resumes)")
	}
	return tea.Batch(m.setFlash(flashInfo, "auto-refresh resumed"), m.reread())
}

func (m *Model) renewSelected() tea.Cmd {
	r, refusal := m.actionable("renew")
	if r == nil {
		return refusal
	}
	return m.startRenew(r)
}

func (m *Model) startRenew(r *row) tea.Cmd {
	r.pending = "renew"
	m.log.Info("renewing session", "session", r.s.ID)
	return tea.Batch(renewCmd(m.ctx, m.svc, m.store.ID, r.s.ID, m.timeout), m.startSpinner())
}
