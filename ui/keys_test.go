package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/muesli/termenv"
)

func quits(cmd tea.Cmd) bool { return cmd != nil && cmd() == tea.Quit() }

// Issue 18 item 2: q goes back from a pane, the help or a sub-screen and
// quits only at the top; ctrl+c always quits.
func TestQuitGoesBackFirst(t *testing.T) {
	m, _ := loaded(t)
	steps := []struct {
		open  []string
		check func() bool
		what  string
	}{
		{[]string{"enter"}, func() bool { return !m.paneOpen() }, "details pane"},
		{[]string{"e", "tab"}, func() bool { return !m.paneOpen() && !m.paneFocused() }, "focused error pane"},
		{[]string{"?"}, func() bool { return !strings.Contains(m.View(), " Keys") }, "help"},
		{[]string{"d"}, func() bool { return !m.onFleet() && m.storeID() == testStore }, "store list (a store is open)"},
	}
	for _, s := range steps {
		press(m, s.open...)
		_, cmd := m.Update(keyMsg("q"))
		if quits(cmd) {
			t.Fatalf("q quit from the %s", s.what)
		}
		run(m, cmd)
		if !s.check() {
			t.Errorf("q did not go back from the %s", s.what)
		}
	}
	press(m, "enter")
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); !quits(cmd) {
		t.Error("ctrl+c did not quit from a pane")
	}
	press(m, "esc")
	if _, cmd := m.Update(keyMsg("q")); !quits(cmd) {
		t.Error("q did not quit at the top")
	}
	// With no store open, the store list is the top.
	top := newTestModel(t, newFake(), "")
	if _, cmd := top.Update(keyMsg("q")); !quits(cmd) {
		t.Error("q did not quit on the store list with no store open")
	}
}

// Issue 18 item 10: the prompt names the file and says it cannot be undone;
// declining says "kept".
func TestPromptWording(t *testing.T) {
	m, _ := withWaiting(t)
	press(m, "m")
	if v := m.View(); !strings.Contains(v, "Commit waiting.EdmHash? This cannot be undone. [y/N]") {
		t.Errorf("prompt:\n%s", v)
	}
	press(m, "n")
	if v := m.View(); !strings.Contains(v, "kept waiting.EdmHash (not committed)") || strings.Contains(v, "not done") {
		t.Errorf("declining:\n%s", v)
	}
}

// Issue 18 item 7: the help key stays on the status bar; other hints give
// way first.
func TestHelpHintAlwaysVisible(t *testing.T) {
	m, _ := loaded(t)
	for _, w := range []int{50, 80, 120} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		for _, keys := range [][]string{nil, {"enter"}, {"G", "e", "r"}, {"d"}} {
			press(m, keys...)
			lines := strings.Split(m.View(), "\n")
			if status := lines[len(lines)-1]; !strings.Contains(status, "? help") {
				t.Errorf("width %d after %v: %q", w, keys, status)
			}
			press(m, "esc", "g")
		}
	}
}

// Issue 18 item 3: the whole selected row is highlighted: reverse video
// without colour, the selection's background across every cell with it.
func TestSelectedRowHighlightedWhole(t *testing.T) {
	m, _ := loaded(t)
	row := func(v string) string { return strings.Split(v, "\n")[2] } // header, column header, first row
	if got := row(m.View()); !strings.HasPrefix(got, reverseOn+">") || !strings.HasSuffix(got, reverseOff) {
		t.Errorf("no colour: %q", got)
	}
	if got := row(m.View()); ansi.StringWidth(got) != m.width {
		t.Errorf("highlighted row is %d wide, want %d", ansi.StringWidth(got), m.width)
	}
	if strings.Contains(strings.Join(strings.Split(m.View(), "\n")[3:], "\n"), reverseOn) {
		t.Error("another row is highlighted")
	}

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	st := NewStyles(r, DefaultTheme())
	line := st.selectedP.around(renderRow(m.rowMap()["s-processing"], computeLayout(120, AllColumns()), true, testEnv(st, "")))
	if !strings.HasPrefix(line, st.selectedP.pre) || strings.Contains(line, reverseOn) {
		t.Errorf("colour: %q", line)
	}
	inner := strings.TrimSuffix(line, st.selectedP.post)
	if n, renewed := strings.Count(inner, resetSGR), strings.Count(inner, resetSGR+st.selectedP.pre); n == 0 || n != renewed {
		t.Errorf("%d resets inside the row, %d renew the selection: %q", n, renewed, line)
	}
}

// Issue 18 item 5: the filter matches the words shown, "!" negates, and an
// empty result says it is the filter's.
func TestFilterWordsAndNegation(t *testing.T) {
	m, _ := loaded(t)
	cases := []struct {
		filter string
		want   []string
	}{
		{"in progress", []string{"s-processing", "s-uploading"}},
		{"UPLOAD in", []string{"s-uploading"}},
		{"done", []string{"s-completed"}},
		{"uploading", []string{"s-uploading"}},
		{"!in progress", []string{"s-completed", "s-failed"}},
		{"! employees", []string{"s-failed"}},
		{"!", []string{"s-processing", "s-uploading", "s-completed", "s-failed"}},
	}
	for _, tc := range cases {
		m.setFilter(tc.filter)
		if got := strings.Join(m.ids(), ","); got != strings.Join(tc.want, ",") {
			t.Errorf("filter %q: %s, want %v", tc.filter, got, tc.want)
		}
	}
	m.setFilter("nothing-like-it")
	if v := m.View(); !strings.Contains(v, "No session matches /nothing-like-it; esc clears the filter.") || strings.Contains(v, "No upload sessions") {
		t.Errorf("empty filter result:\n%s", v)
	}
	press(m, "esc")
	if len(m.ids()) != 4 {
		t.Errorf("esc left %d rows", len(m.ids()))
	}
}

// Issue 18 item 13: a sparkline from 3 samples, for the running phase only.
func TestHistoryOnlyForTheRunningPhase(t *testing.T) {
	uploading := rowOf(sampleSessions()[1])
	processing := rowOf(sampleSessions()[0])
	done := rowOf(sampleSessions()[2])
	for i := range 3 {
		for _, r := range []*row{uploading, processing, done} {
			r.samples = append(r.samples, sample{at: testNow.Add(time.Duration(i) * time.Minute), blocks: int64(i), jobs: int64(i), up: float64(i) / 3, proc: float64(i) / 3})
		}
	}
	cases := []struct {
		name    string
		r       *row
		jobs    bool
		samples int
		spark   bool
	}{
		{"uploading: blocks", uploading, false, 3, true},
		{"uploading: jobs not started", uploading, true, 3, false},
		{"processing: jobs", processing, true, 3, true},
		{"processing: blocks done", processing, false, 3, false},
		{"completed", done, true, 3, false},
		{"two samples", uploading, false, 2, false},
	}
	for _, tc := range cases {
		r := *tc.r
		r.samples = r.samples[:tc.samples]
		got := history(&r, tc.jobs)
		if spark := strings.Contains(got, "changes seen"); spark != tc.spark {
			t.Errorf("%s: %q", tc.name, got)
		}
	}
}

// Issue 18 item 12: the sorted column's header carries the arrow; the
// header line names the order only when that column is off screen.
func TestSortArrowOnTheColumn(t *testing.T) {
	cases := []struct {
		width   int
		keys    []string
		title   string // in the column header
		byWords string // in the header line, "" for none
	}{
		{160, nil, "CREATED ▼", ""},
		{160, []string{"s"}, "▼UPDATED", ""},
		{80, []string{"s"}, "▼UPDATED", ""},
		{160, []string{"s", "s", "s"}, "UPLOAD (blocks) ▼", ""},
		{160, []string{"s", "s", "s", "s", "s", "S"}, "FILE ▲", ""},
		{80, []string{"S"}, "", "by created ↑"},
		{68, []string{"s"}, "", "by updated"},
		{55, []string{"s"}, "", ""}, // the order gives way before the data's age (issue 26)
	}
	for _, tc := range cases {
		m, _ := loaded(t)
		m.Update(tea.WindowSizeMsg{Width: tc.width, Height: 24})
		press(m, tc.keys...)
		lines := strings.Split(m.View(), "\n")
		if tc.title != "" && !strings.Contains(lines[1], tc.title) {
			t.Errorf("%d %v: column header %q lacks %q", tc.width, tc.keys, lines[1], tc.title)
		}
		if tc.title == "" && strings.ContainsAny(lines[1], "▲▼") {
			t.Errorf("%d %v: an arrow on a column not sorted: %q", tc.width, tc.keys, lines[1])
		}
		if got := strings.Contains(lines[0], " · by "); got != (tc.byWords != "") || (got && !strings.Contains(lines[0], tc.byWords)) {
			t.Errorf("%d %v: header %q, want %q", tc.width, tc.keys, lines[0], tc.byWords)
		}
	}
}

// Issue 18 item 8: at 50 columns the header keeps the store's name (the
// age and the count give way) and a bar with its percent still shows.
func TestNarrowHeaderKeepsTheStore(t *testing.T) {
	m, _ := loaded(t)
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 10})
	lines := strings.Split(withoutSelection(m.View()), "\n")
	if !strings.Contains(lines[0], "Employee records") || strings.Contains(lines[0], "·  ") {
		t.Errorf("header: %q", lines[0])
	}
	if !strings.Contains(lines[2], "100%") {
		t.Errorf("no percent at 50 columns: %q", lines[2])
	}
}

// Issue 18 item 11: the store list's help and footer show its own keys;
// q goes back and the footer says so.
func TestStoreListShowsItsOwnKeys(t *testing.T) {
	m, svc := loaded(t)
	svc.stores = append(svc.stores, graphapi.DataStore{ID: "other", DisplayName: "Other"})
	press(m, "d")
	lines := strings.Split(m.View(), "\n")
	if status := lines[len(lines)-1]; !strings.Contains(status, "q back") || strings.Contains(status, "renew") {
		t.Errorf("footer: %q", status)
	}
	press(m, "?")
	v := m.View()
	for _, own := range []string{"open store", "back to the store", "refresh now"} {
		if !strings.Contains(v, own) {
			t.Errorf("help lacks %q:\n%s", own, v)
		}
	}
	for _, borrowed := range []string{"renew", "mark", "commit", "sort", "Bars:"} {
		if strings.Contains(v, borrowed) {
			t.Errorf("help borrows %q from the session table:\n%s", borrowed, v)
		}
	}
	press(m, "esc", "esc")
	if m.onFleet() {
		t.Error("esc did not go back to the store")
	}
}

// The shared suffix goes only when a name would otherwise be cut.
func TestSuffixDroppedOnlyWhenNamesDoNotFit(t *testing.T) {
	m, _ := loaded(t)
	for _, tc := range []struct {
		width      int
		want, lack string
	}{
		{120, "employees-2026-11-28.EdmHash", "FILE (*"},
		{80, "FILE (*.EdmHash)", "employees-2026-11-28.EdmHash"},
	} {
		m.Update(tea.WindowSizeMsg{Width: tc.width, Height: 24})
		table := strings.Join(strings.Split(m.View(), "\n")[1:6], "\n")
		if !strings.Contains(table, tc.want) || strings.Contains(table, tc.lack) {
			t.Errorf("%d columns:\n%s", tc.width, table)
		}
	}
}

// Started on the fleet, a store is a sub-screen: q and esc go back to the
// fleet, and q quits there.
func TestQuitFromAStoreOpenedFromTheFleet(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records"}}
	svc.sessions[testStore] = sampleSessions()
	m := newTestModel(t, svc, "")
	run(m, m.Init())
	for _, back := range []string{"q", "esc"} {
		press(m, "enter")
		if m.onFleet() {
			t.Fatal("enter did not open the store")
		}
		_, cmd := m.Update(keyMsg(back))
		if quits(cmd) {
			t.Fatalf("%s quit from a store opened from the fleet", back)
		}
		run(m, cmd)
		if !m.onFleet() {
			t.Errorf("%s did not go back to the fleet", back)
		}
	}
	if _, cmd := m.Update(keyMsg("q")); !quits(cmd) {
		t.Error("q did not quit on the fleet, the top")
	}
}
