package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// firstRowY is the screen line of the first table or picker row (after the
// header and the column header).
const firstRowY = 2

// handleMouse: a click selects the row under it, the wheel moves the
// selection, or scrolls the pane when over it. Mouse reporting is opt-in,
// so terminal text selection keeps working by default.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.mouse || m.showHelp {
		return nil
	}
	wheel := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		wheel = -1
	case tea.MouseButtonWheelDown:
		wheel = 1
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			return nil
		}
	default:
		return nil
	}
	if m.mode == modePicker {
		return m.mousePicker(msg, wheel)
	}
	paneTop := firstRowY + m.tableHeight() + 1
	if m.pane != paneNone && msg.Y >= paneTop {
		if wheel != 0 {
			m.paneOffset = max(min(m.paneOffset+wheel, len(m.paneContent())-m.paneHeight()), 0)
		}
		return nil
	}
	if wheel != 0 {
		m.moveSelection(wheel)
		return nil
	}
	i := m.offset + msg.Y - firstRowY
	if msg.Y >= firstRowY && msg.Y < firstRowY+m.tableHeight() && i >= 0 && i < len(m.order) {
		m.selectIndex(i)
	}
	return nil
}

func (m *Model) mousePicker(msg tea.MouseMsg, wheel int) tea.Cmd {
	if wheel != 0 {
		m.storeCursor = min(max(m.storeCursor+wheel, 0), max(len(m.stores)-1, 0))
		return nil
	}
	visible := max(m.height-3, 1)
	top := max(0, m.storeCursor-visible+1)
	if i := top + msg.Y - firstRowY; msg.Y >= firstRowY && i >= 0 && i < len(m.stores) {
		m.storeCursor = i
	}
	return nil
}
