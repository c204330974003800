package ui

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	m, _ := loaded(t)
	selectID(t, m, "s-completed")
	press(m, "/", "e", "m", "p")
	if !m.isFiltering() || m.filterText() != "emp" {
		t.Fatalf("filtering %v filter %q", m.isFiltering(), m.filterText())
	}
	// Incremental: three employees-* files match; the selection stays.
	if len(m.ids()) != 3 || m.selID() != "s-completed" {
		t.Errorf("order %v selected %s", m.ids(), m.selID())
	}
	press(m, "l", "o", "y", "e", "e", "s", "-", "d")
	if len(m.ids()) != 1 || m.selID() != "s-uploading" {
		t.Errorf("after 'employees-d': %v, selected %s", m.ids(), m.selID())
	}
	press(m, "enter")
	if m.isFiltering() || m.filterText() != "employees-d" {
		t.Error("enter should keep the filter and leave the input")
	}
	if v := m.View(); !strings.Contains(v, "1 of 4 sessions match /employees-d") {
		t.Errorf("header does not show the filter:\n%s", v)
	}
	// By state and by id too, case-insensitively.
	m.setFilter("FAILED")
	if len(m.ids()) != 1 || m.ids()[0] != "s-failed" {
		t.Errorf("state filter: %v", m.ids())
	}
	m.setFilter("s-proc")
	if len(m.ids()) != 1 || m.ids()[0] != "s-processing" {
		t.Errorf("id filter: %v", m.ids())
	}
	press(m, "esc")
	if m.filterText() != "" || len(m.ids()) != 4 || m.selID() != "s-processing" {
		t.Errorf("esc: filter %q, %d rows, selected %s", m.filterText(), len(m.ids()), m.selID())
	}
	// esc inside the input clears too.
	press(m, "/", "x", "esc")
	if m.isFiltering() || m.filterText() != "" || len(m.ids()) != 4 {
		t.Error("esc in the input did not clear")
	}
	// Keys typed into the filter are not commands.
	press(m, "/", "q", "r")
	if m.filterText() != "qr" || m.rowMap()["s-processing"].pending != noAction {
		t.Error("q or r acted while typing a filter")
	}
}
