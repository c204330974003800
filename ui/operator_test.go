package ui

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
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

func TestSortCyclesAndKeepsSelection(t *testing.T) {
	m, _ := loaded(t)
	selectID(t, m, "s-uploading")
	want := map[sortKey][]string{
		sortUpdated:    {"s-failed", "s-completed", "s-uploading", "s-processing"},
		sortState:      {"s-failed", "s-processing", "s-uploading", "s-completed"},
		sortUpload:     {"s-completed", "s-failed", "s-processing", "s-uploading"},
		sortProcessing: {"s-completed", "s-processing", "s-failed", "s-uploading"},
		sortFile:       {"s-failed", "s-completed", "s-processing", "s-uploading"},
		sortCreated:    {"s-processing", "s-uploading", "s-completed", "s-failed"},
	}
	for i := 0; i < int(sortKeys); i++ {
		press(m, "s")
		got := m.ids()
		if w := want[m.sortBy()]; strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("sort %s: %v, want %v", m.sortBy(), got, w)
		}
		if m.selID() != "s-uploading" {
			t.Errorf("sort %s moved the selection to %s", m.sortBy(), m.selID())
		}
	}
	press(m, "S")
	if m.ids()[0] != "s-failed" || !m.sortReversed() || !strings.Contains(m.View(), "CREATED ▲") {
		t.Errorf("reverse: %v", m.ids())
	}
}

func TestCancelAndCommitAskFirst(t *testing.T) {
	m, svc := withWaiting(t)
	press(m, "g")
	selectID(t, m, "s-uploading")
	press(m, "m")
	if m.prompting() || svc.count("commit") != 0 || !strings.Contains(m.View(), "cannot commit employees-delta.EdmHash: upload at 30%") {
		t.Errorf("commit on an uploading session was not refused:\n%s", m.View())
	}
	press(m, "c")
	if !m.prompting() || !strings.Contains(m.View(), "Cancel employees-delta.EdmHash? This cannot be undone. [y/N]") {
		t.Fatalf("no prompt:\n%s", m.View())
	}
	press(m, "n")
	if m.prompting() || svc.count("cancel") != 0 {
		t.Error("n cancelled the session")
	}
	press(m, "c")
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c at the prompt did not quit")
	}
	if svc.count("cancel") != 0 {
		t.Error("ctrl+c cancelled the session")
	}
	m.dropPrompt()
	before := svc.reads()
	press(m, "c", "y")
	if svc.count("cancel") != 1 || svc.reads() == before {
		t.Errorf("cancel %d, reads %d (want 1 and a re-read)", svc.count("cancel"), svc.reads())
	}
	if !strings.Contains(m.View(), "cancelled employees-delta.EdmHash ✓") {
		t.Error("no confirmation of the cancel")
	}
	selectID(t, m, "s-waiting")
	press(m, "m", "y")
	if svc.count("commit") != 1 {
		t.Error("commit not sent")
	}
	selectID(t, m, "s-completed")
	press(m, "c")
	if m.prompting() {
		t.Error("cancel offered for a completed session")
	}
	// The help says why.
	press(m, "?")
	if v := m.View(); !strings.Contains(v, "Not available for employees-2026-11-27.EdmHash: renew: session is Completed; cancel: session is Completed") {
		t.Errorf("help lacks the reason:\n%s", v)
	}
}

func TestRenewMarkedIsBounded(t *testing.T) {
	svc := newFake()
	var sessions []*graphapi.Session
	for i := range 10 {
		s := sampleSessions()[1]
		s.ID = "u" + string(rune('a'+i))
		s.FileName = s.ID + ".EdmHash"
		s.CreationDateTime = at("2026-11-28T08:0" + string(rune('0'+i)) + ":00Z")
		sessions = append(sessions, s)
	}
	sessions = append(sessions, sampleSessions()[2]) // completed: skipped
	svc.sessions[testStore] = sessions
	var mu sync.Mutex
	inFlight, peak := 0, 0
	release := make(chan struct{})
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
		if id == "ue" {
			return graphapi.Session{}, &graphapi.Error{StatusCode: 409, Code: "InvalidSessionState", Message: "no"}
		}
		for _, s := range sessions {
			if s.ID == id {
				s.LastUpdatedDateTime = at("2026-11-28T09:04:59Z")
				return *s, nil
			}
		}
		return graphapi.Session{}, nil
	}
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	for range len(m.ids()) {
		press(m, " ")
	}
	if m.markedCount() != 11 {
		t.Fatalf("%d marked", m.markedCount())
	}
	_, cmd := m.Update(keyMsg("R"))
	pending := 0
	for _, r := range m.rowMap() {
		if r.pending == actRenew {
			pending++
		}
	}
	if pending != maxConcurrentRenews || m.queued() != 10-maxConcurrentRenews {
		t.Fatalf("%d started, %d queued", pending, m.queued())
	}
	close(release)
	// Feed answers back until the queue drains.
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, msg := range collectAll(c) {
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
	if svc.count("renew") != 10 || peak > maxConcurrentRenews {
		t.Errorf("%d renews, peak %d in flight", svc.count("renew"), peak)
	}
	// Issue 18 item 4: the failed row stays marked, and the end sums up.
	if m.markedCount() != 1 || !m.rowMap()["ue"].marked || m.rowMap()["ue"].lastErr == nil || m.rowMap()["ua"].lastErr != nil {
		t.Errorf("results: marked %d, ue err %v", m.markedCount(), m.rowMap()["ue"].lastErr)
	}
	if v := m.View(); !strings.Contains(v, "renewed 9 of 10, 1 failed (ue.EdmHash: InvalidSessionState)") {
		t.Errorf("no summary:\n%s", v)
	}
	if busy := m.store.table.Busy(); busy || m.queued() != 0 {
		t.Errorf("busy %v, %d queued after the batch", busy, m.queued())
	}
}

// collectAll runs a command to completion (no timeout), following batches
// and skipping ticks.
func collectAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(300 * time.Millisecond):
		return nil // a tick
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, collectAll(c)...)
		}
		return out
	}
	switch msg.(type) {
	case nil, clockTickMsg, flashExpiredMsg, refreshTickMsg:
		return nil
	}
	if strings.HasPrefix(strings.TrimPrefix(typeName(msg), "*"), "spinner.") {
		return nil
	}
	return []tea.Msg{msg}
}

func TestCopyUsesOSC52(t *testing.T) {
	var term bytes.Buffer
	svc := newFake()
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow }, Terminal: &term})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	t.Setenv("TMUX", "")
	t.Setenv("TERM", "xterm-256color")
	press(m, "y")
	if got := term.String(); got != "\x1b]52;c;cy1wcm9jZXNzaW5n\x07" {
		t.Errorf("OSC 52 = %q", got)
	}
	if v := m.View(); !strings.Contains(v, "sent session id s-processing to the terminal's clipboard") || strings.Contains(v, "copied") {
		t.Error("no word of what was sent, or a claim of success")
	}
	// Issue 18 item 1: tmux takes a plain OSC 52 (passthrough is off by
	// default in tmux 3.3+); only screen gets the wrapped form.
	for _, tc := range []struct{ tmux, term, prefix string }{
		{"/tmp/tmux-0/default,1,0", "tmux-256color", "\x1b]52;"},
		{"/tmp/tmux-0/default,1,0", "screen-256color", "\x1b]52;"},
		{"", "screen", "\x1bP\x1b]52;"},
	} {
		term.Reset()
		t.Setenv("TMUX", tc.tmux)
		t.Setenv("TERM", tc.term)
		press(m, "y")
		if !strings.HasPrefix(term.String(), tc.prefix) {
			t.Errorf("TMUX=%q TERM=%q: %q", tc.tmux, tc.term, term.String())
		}
	}
}

func TestNoticesAndBell(t *testing.T) {
	var term bytes.Buffer
	svc := newFake()
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow },
		Terminal: &term, Bell: true, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	run(m, m.Init())
	if term.Len() != 0 {
		t.Error("bell on the first load")
	}
	next := sampleSessions()
	next[0].State, next[0].RemainingJobCount = "Completed", cnt(0)
	next[0].LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
	next[1].State = "Failed"
	next[1].Error = &graphapi.ClassificationError{Code: "UploadAgentTimeout"}
	next[1].LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
	svc.sessions[testStore] = next
	press(m, "ctrl+r")
	v := m.View()
	if !strings.Contains(v, "✓ employees-2026-11-28.EdmHash completed") || !strings.Contains(v, "✗ employees-delta.EdmHash failed (UploadAgentTimeout)") {
		t.Errorf("no notice:\n%s", v)
	}
	if term.String() != "\a" {
		t.Errorf("bell = %q", term.String())
	}
	// Already finished sessions do not ring again.
	term.Reset()
	press(m, "ctrl+r")
	if term.Len() != 0 {
		t.Error("rang again")
	}
}

func TestRatesETAAndSparklineFromRefreshes(t *testing.T) {
	svc := newFake()
	now := testNow
	clock := func() time.Time { return now }
	s := sampleSessions()[1] // 50 blocks, 35 remaining
	svc.sessions[testStore] = []*graphapi.Session{s}
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: clock, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	run(m, m.Init())
	for i := 1; i <= 3; i++ {
		now = now.Add(time.Minute)
		s.RemainingBlockCount = cnt(35 - int64(i)*5)
		s.LastUpdatedDateTime = graphapi.Time{Time: now}
		svc.sessions[testStore] = []*graphapi.Session{s}
		press(m, "ctrl+r")
	}
	m.setClock(now)
	press(m, "enter")
	v := m.View()
	// 15 blocks in 3 minutes: 5/min; 20 left: 4m.
	for _, want := range []string{"5.0 blocks/min", "ETA (this phase)      4m", "▃▄▅▅  (4 changes seen)", " ETA ", "    4m ",
		"processing history    - (shown while this phase runs)"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
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
