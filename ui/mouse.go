// The mouse: a click selects the row under it, a double click opens it
// (a store from the fleet, a session's details), the wheel moves the
// selection, or scrolls the pane when over it. Mouse reporting is opt-in,
// so terminal text selection keeps working by default. The root finds the
// component under the pointer and hands it the event with y counted from
// the component's top.

package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// bodyY is the screen line where the components start (after the header).
const bodyY = 1

// firstRowY is the screen line of the first table or store row.
const firstRowY = bodyY + 1

// doubleClick is how soon a second press on the same row opens it.
const doubleClick = 400 * time.Millisecond

// clicks remembers the last press on a row, to tell a double click.
type clicks struct {
	screen screen
	id     string // the row's store or session id
	at     time.Time
}

// double records a press on row id ("" for none) at now, by the model's
// clock, and reports whether it is the second of a double click: the same
// row of the same screen within doubleClick. A third press starts anew.
func (c *clicks) double(s screen, id string, now time.Time) bool {
	since := now.Sub(c.at)
	if id != "" && id == c.id && s == c.screen && since >= 0 && since <= doubleClick {
		*c = clicks{}
		return true
	}
	*c = clicks{screen: s, id: id, at: now}
	return false
}

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.cfg.mouse || m.status.ShowingHelp() || m.events.Open() || m.tooSmall() {
		return nil
	}
	msg.Y -= bodyY
	switch msg.Button {
	case tea.MouseButtonWheelUp, tea.MouseButtonWheelDown:
		if m.screen == screenFleet {
			return m.fleet.Update(msg)
		}
		return m.store.Update(msg)
	case tea.MouseButtonLeft:
		if msg.Action == tea.MouseActionPress {
			return m.click(msg.Y)
		}
	}
	return nil
}

// click selects the row on line y of the screen; the second press of a
// double click opens it.
func (m *Model) click(y int) tea.Cmd {
	if m.screen == screenFleet {
		if m.clicks.double(screenFleet, m.fleet.Click(y), m.be.now()) {
			return m.fleet.OpenSelected()
		}
		return nil
	}
	if m.clicks.double(screenStore, m.store.Click(y), m.be.now()) {
		m.store.OpenDetails()
	}
	return nil
}
