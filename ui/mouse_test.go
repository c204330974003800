package ui

import (
	"testing"
	"time"

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

// Issue 26: a click selects, a second press on the same row within 400 ms
// (by the model's clock) opens it: a store from the fleet, a session's
// details. Slower, on another row, or on no row, it only selects.
func TestDoubleClickOpens(t *testing.T) {
	press := func(m *Model, y int) {
		_, cmd := m.Update(tea.MouseMsg{X: 5, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		run(m, cmd)
	}
	for _, tc := range []struct {
		name    string
		storeID string
		second  time.Duration // after the first press
		rows    [2]int        // the rows pressed, from the first
		opens   bool
	}{
		{"fleet, double", "", 300 * time.Millisecond, [2]int{1, 1}, true},
		{"fleet, at 400ms", "", 400 * time.Millisecond, [2]int{1, 1}, true},
		{"fleet, too slow", "", 401 * time.Millisecond, [2]int{1, 1}, false},
		{"fleet, another row", "", 100 * time.Millisecond, [2]int{0, 1}, false},
		{"fleet, under the rows", "", 100 * time.Millisecond, [2]int{9, 9}, false},
		{"store, double", testStore, 200 * time.Millisecond, [2]int{2, 2}, true},
		{"store, too slow", testStore, time.Second, [2]int{2, 2}, false},
		{"store, another row", testStore, 200 * time.Millisecond, [2]int{1, 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := startedOn(t, tc.storeID, 120, 30)
			m.setMouse(true)
			clock := testNow
			m.be.now = func() time.Time { return clock }
			press(m, firstRowY+tc.rows[0])
			clock = clock.Add(tc.second)
			press(m, firstRowY+tc.rows[1])
			switch {
			case tc.storeID == "":
				if opened := !m.onFleet(); opened != tc.opens {
					t.Errorf("opened a store: %v", opened)
				}
				if tc.rows[1] < 2 && m.fleet.cursor() != tc.rows[1] {
					t.Errorf("the click selected row %d", m.fleet.cursor())
				}
			default:
				if m.paneOpen() != tc.opens {
					t.Errorf("details open: %v", m.paneOpen())
				}
				if m.selID() != m.ids()[tc.rows[1]] {
					t.Errorf("the click selected %s", m.selID())
				}
			}
		})
	}
}

// A double click is two presses on the same row of the same screen within
// doubleClick; a third press starts anew; a press on no row never counts.
func TestClicksDouble(t *testing.T) {
	var c clicks
	steps := []struct {
		s    screen
		id   string
		at   time.Duration
		want bool
	}{
		{screenFleet, "a", 0, false},
		{screenFleet, "a", 100 * time.Millisecond, true},
		{screenFleet, "a", 200 * time.Millisecond, false}, // the third press
		{screenFleet, "a", 300 * time.Millisecond, true},
		{screenFleet, "", 310 * time.Millisecond, false},
		{screenFleet, "", 320 * time.Millisecond, false}, // two presses on no row
		{screenStore, "a", 330 * time.Millisecond, false},
		{screenFleet, "a", 340 * time.Millisecond, false}, // the same id on another screen
		{screenFleet, "a", 330 * time.Millisecond, false}, // the clock went back
	}
	for i, st := range steps {
		if got := c.double(st.s, st.id, testNow.Add(st.at)); got != st.want {
			t.Errorf("press %d (%v %q at %v): double %v", i, st.s, st.id, st.at, got)
		}
	}
}
