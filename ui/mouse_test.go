package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestMouse(t *testing.T) {
	m, _ := loaded(t)
	m.setMouse(true)
	m.Update(tea.MouseMsg{X: 5, Y: firstRowY + 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.selID() != m.ids()[2] {
		t.Errorf("click selected %s", m.selID())
	}
	m.Update(tea.MouseMsg{X: 5, Y: firstRowY, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.selID() != m.ids()[3] {
		t.Errorf("wheel selected %s", m.selID())
	}
	m.Update(tea.MouseMsg{X: 5, Y: 25, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.selID() != m.ids()[3] {
		t.Error("a click below the rows changed the selection")
	}
	m.setMouse(false)
	m.Update(tea.MouseMsg{X: 5, Y: firstRowY, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.selID() != m.ids()[3] {
		t.Error("mouse acted while off")
	}
}
