// The mouse: a click selects the row under it, the wheel moves the
// selection, or scrolls the pane when over it. Mouse reporting is opt-in,
// so terminal text selection keeps working by default. The root finds the
// component under the pointer and hands it the event with y counted from
// the component's top.

package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// bodyY is the screen line where the components start (after the header).
const bodyY = 1

// firstRowY is the screen line of the first table or store row.
const firstRowY = bodyY + 1

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.cfg.mouse || m.status.ShowingHelp() || m.tooSmall() {
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp, tea.MouseButtonWheelDown:
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			return nil
		}
	default:
		return nil
	}
	msg.Y -= bodyY
	if m.screen == screenFleet {
		return m.fleet.Update(msg)
	}
	return m.store.Update(msg)
}
