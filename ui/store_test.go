package ui

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// storeAlone is a store screen on its own with the sample sessions
// loaded, w×h cells under the root's header: what its keys do needs no
// root.
func storeAlone(t *testing.T, w, h int) *storeScreen {
	t.Helper()
	sh := testShared()
	sh.clock = testNow
	be := &backend{svc: newFake(), ctx: context.Background(), timeout: time.Second,
		now: func() time.Time { return testNow }, log: slog.New(slog.DiscardHandler)}
	s := newStoreScreen(sh, be, settings{}, newStatusBar(sh), newPrompt(sh), AllColumns())
	s.Open(graphapi.DataStore{ID: testStore, DisplayName: "Employee records"}, nil)
	s.Loaded(sessionsLoadedMsg{storeID: testStore, sessions: sampleSessions(), at: testNow}, true)
	s.SetSize(w, h)
	s.status.SetSize(w, 1)
	return s
}

// pressOn gives keys to the screen, its sizes following each as the root's
// sync makes them.
func pressOn(s *storeScreen, keys ...string) {
	for _, k := range keys {
		s.Update(keyMsg(k))
		s.SetSize(s.width, s.height)
	}
}

// selectOn moves the selection down to a session.
func selectOn(t *testing.T, s *storeScreen, id string) {
	t.Helper()
	for range s.table.Len() {
		if s.table.selectedID == id {
			return
		}
		pressOn(s, "j")
	}
	if s.table.selectedID != id {
		t.Fatalf("could not select %s", id)
	}
}

func TestSortCyclesAndKeepsSelection(t *testing.T) {
	s := storeAlone(t, 120, 28)
	selectOn(t, s, "s-uploading")
	want := map[sortKey][]string{
		sortUpdated:    {"s-failed", "s-completed", "s-uploading", "s-processing"},
		sortState:      {"s-failed", "s-processing", "s-uploading", "s-completed"},
		sortUpload:     {"s-completed", "s-failed", "s-processing", "s-uploading"},
		sortProcessing: {"s-completed", "s-processing", "s-failed", "s-uploading"},
		sortFile:       {"s-failed", "s-completed", "s-processing", "s-uploading"},
		sortCreated:    {"s-processing", "s-uploading", "s-completed", "s-failed"},
	}
	for i := 0; i < int(sortKeys); i++ {
		pressOn(s, "s")
		got, key := s.table.Visible(), s.table.sortKey
		if w := want[key]; strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("sort %s: %v, want %v", key, got, w)
		}
		if s.table.selectedID != "s-uploading" {
			t.Errorf("sort %s moved the selection to %s", key, s.table.selectedID)
		}
		if flash := s.status.View(); !strings.Contains(flash, "sorted by "+key.String()) {
			t.Errorf("sort %s: status %q", key, flash)
		}
	}
	pressOn(s, "S")
	if s.table.Visible()[0] != "s-failed" || !s.table.sortReverse || !strings.Contains(s.View(), "CREATED ▲") {
		t.Errorf("reverse: %v", s.table.Visible())
	}
}

func TestStoreSelectionIsRemembered(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: "a", DisplayName: "A"}, {ID: "b", DisplayName: "B"}}
	svc.sessions["a"] = sampleSessions()
	svc.sessions["b"] = sampleSessions()[:2]
	m := newTestModel(t, svc, "a")
	run(m, m.Init())
	selectID(t, m, "s-failed")
	pickStore(t, m, "b")
	if m.storeID() != "b" || m.selID() != "s-processing" {
		t.Fatalf("store %s selected %s", m.storeID(), m.selID())
	}
	press(m, "j")
	pickStore(t, m, "a")
	if m.storeID() != "a" || m.selID() != "s-failed" {
		t.Errorf("back in a: selected %s", m.selID())
	}
	pickStore(t, m, "b")
	if m.selID() != "s-uploading" {
		t.Errorf("back in b: selected %s", m.selID())
	}
}

// Over the pane the wheel scrolls the pane and a click does nothing; over
// the rows the mouse moves the selection (y counts from the screen's top,
// the column header).
func TestStoreMouseOverThePane(t *testing.T) {
	s := storeAlone(t, 120, 22)
	pressOn(s, "enter")
	paneTop := 1 + s.table.height
	wheel := tea.MouseMsg{Y: paneTop + 2, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}
	s.Update(wheel)
	s.Update(wheel)
	if s.pane.offset != 2 || s.table.selectedID != "s-processing" {
		t.Errorf("wheel over the pane: offset %d, selected %s", s.pane.offset, s.table.selectedID)
	}
	s.Update(tea.MouseMsg{Y: paneTop + 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if s.pane.offset != 2 || s.table.selectedID != "s-processing" {
		t.Errorf("click over the pane: offset %d, selected %s", s.pane.offset, s.table.selectedID)
	}
	s.Update(tea.MouseMsg{Y: 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if s.table.selectedID != s.table.Visible()[1] {
		t.Errorf("click on the second row selected %s", s.table.selectedID)
	}
}
