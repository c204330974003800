package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

func TestActionWords(t *testing.T) {
	cases := []struct {
		a               action
		verb, ing, past string
	}{
		{actRenew, "renew", "renewing", "renewed"},
		{actCancel, "cancel", "cancelling", "cancelled"},
		{actCommit, "commit", "committing", "committed"},
	}
	for _, tc := range cases {
		if tc.a.String() != tc.verb || tc.a.ing() != tc.ing || tc.a.past() != tc.past {
			t.Errorf("%d: %q %q %q, want %q %q %q", tc.a, tc.a.String(), tc.a.ing(), tc.a.past(), tc.verb, tc.ing, tc.past)
		}
	}
}

// Regression: actionCmd committed for any op other than "cancel", so a
// typo or a new action was one step from committing a session.
func TestActionCmdCallsOnlyItsOwnService(t *testing.T) {
	cases := []struct {
		a    action
		call string // the one service call expected, "" for none
	}{
		{actRenew, "renew"}, {actCancel, "cancel"}, {actCommit, "commit"}, {noAction, ""}, {action(99), ""},
	}
	for _, tc := range cases {
		t.Run(tc.a.String(), func(t *testing.T) {
			svc := newFake()
			svc.renewFn = func(_, id string) (graphapi.Session, error) { return graphapi.Session{ID: id}, nil }
			res := actionCmd(context.Background(), svc, tc.a, testStore, "s-1", time.Minute)().(actionResultMsg)
			for _, call := range []string{"renew", "cancel", "commit"} {
				want := map[bool]int{true: 1}[call == tc.call]
				if got := svc.count(call); got != want {
					t.Errorf("%s called %d times, want %d", call, got, want)
				}
			}
			if res.action != tc.a || res.sessionID != "s-1" || (tc.call == "") != errors.Is(res.err, errUnknownAction) {
				t.Errorf("result %+v", res)
			}
		})
	}
}

// withWaiting adds a session that may be committed (upload complete).
func withWaiting(t *testing.T) (*Model, *fakeService) {
	t.Helper()
	m, svc := loaded(t)
	waiting := sampleSessions()[1]
	waiting.ID, waiting.FileName, waiting.State = "s-waiting", "waiting.EdmHash", "UploadCompleted"
	waiting.RemainingBlockCount = cnt(0)
	svc.sessions[testStore] = append(svc.sessions[testStore], waiting)
	press(m, "ctrl+r")
	selectID(t, m, "s-waiting")
	return m, svc
}

// Regression: the status bar said "already commiting".
func TestAlreadyBusySaysTheActionInProgress(t *testing.T) {
	m, _ := withWaiting(t)
	m.Update(keyMsg("m"))
	m.Update(keyMsg("y")) // the commit is in flight: its command is not run
	if !busy(m, "s-waiting") {
		t.Fatal("row not busy after y")
	}
	for _, k := range []string{"m", "r", "c"} {
		m.Update(keyMsg(k))
		if v := m.View(); !strings.Contains(v, "already committing waiting.EdmHash") {
			t.Errorf("%s on a committing row:\n%s", k, v)
		}
	}
}

// Issue 17 item 1: below the minimum size only quit acts, and a prompt the
// screen cannot show is dropped.
func TestTooSmallScreenOnlyQuits(t *testing.T) {
	m, svc := loaded(t)
	before := m.selID()
	m.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
	press(m, "j", "j", "c", "y", "j", "r", "R", " ", "m", "y", "/", "x", "enter", "d", "p")
	if svc.count("cancel")+svc.count("renew")+svc.count("commit") != 0 || m.selID() != before {
		t.Errorf("keys acted on the too-small screen: cancel %d renew %d commit %d, selected %s",
			svc.count("cancel"), svc.count("renew"), svc.count("commit"), m.selID())
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if m.prompting() || m.filterText() != "" || m.onFleet() || m.isPaused() {
		t.Errorf("state changed: prompt %v filter %q stores %v paused %v", m.prompting(), m.filterText(), m.onFleet(), m.isPaused())
	}
	for _, quit := range []tea.KeyMsg{keyMsg("q"), {Type: tea.KeyCtrlC}} {
		m.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
		if _, cmd := m.Update(quit); cmd == nil || cmd() != tea.Quit() {
			t.Errorf("%s did not quit on the too-small screen", quit)
		}
	}
}

func TestShrinkingDropsThePrompt(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	press(m, "c")
	if !m.prompting() {
		t.Fatal("no prompt")
	}
	m.Update(tea.WindowSizeMsg{Width: 30, Height: 6})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if !strings.Contains(m.View(), "prompt dropped") {
		t.Errorf("no word of the dropped prompt:\n%s", m.View())
	}
	press(m, "y")
	if m.prompting() || svc.count("cancel") != 0 {
		t.Errorf("the prompt survived the shrink: prompting %v, cancel %d", m.prompting(), svc.count("cancel"))
	}
}

// Issue 17 item 2: a renew answered with another session's id is applied
// to no row; the row asked about is not left busy, and the mismatch shows.
func TestRenewAnswerForAnotherSession(t *testing.T) {
	m, svc := loaded(t)
	other := m.rowMap()["s-completed"].s
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		s := sampleSessions()[2] // s-completed, whatever was asked
		s.FileName = "intruder.EdmHash"
		s.LastUpdatedDateTime = at("2026-11-28T09:04:59Z")
		return *s, nil
	}
	selectID(t, m, "s-uploading")
	press(m, "r")
	if busy(m, "s-uploading") || m.rowMap()["s-uploading"].lastErr == nil {
		t.Errorf("asked row: busy %v, lastErr %v", busy(m, "s-uploading"), m.rowMap()["s-uploading"].lastErr)
	}
	if got := m.rowMap()["s-completed"].s; got.FileName != other.FileName || !got.LastUpdatedDateTime.Equal(other.LastUpdatedDateTime.Time) {
		t.Errorf("the answer was applied to the other row: %s", got.FileName)
	}
	if v := m.View(); !strings.Contains(v, "answered for session s-completed") {
		t.Errorf("status bar lacks the mismatch:\n%s", v)
	}
	press(m, "e")
	if v := m.View(); !strings.Contains(v, "LAST FAILED CALL") || !strings.Contains(v, "not s-uploading") {
		t.Errorf("error pane lacks the mismatch:\n%s", v)
	}
	press(m, "esc")
	// Renew marked: every answer is another session's; no row stays busy.
	press(m, "g", " ", " ", "R")
	for _, id := range m.ids() {
		if busy(m, id) {
			t.Errorf("%s still busy with no request in flight", id)
		}
	}
	for _, id := range m.ids() {
		if strings.Contains(m.rowMap()[id].name, "intruder") {
			t.Errorf("a mismatched answer renamed %s", id)
		}
	}
}

// Issue 17 item 8: the details pane clamps counts as the table does.
func TestDetailsClampCounts(t *testing.T) {
	svc := newFake()
	s := sampleSessions()[1]
	s.TotalBlockCount, s.RemainingBlockCount = cnt(2147483647), cnt(-5)
	s.TotalJobCount, s.RemainingJobCount, s.RowsPerBlock = cnt(-3), cnt(-7), cnt(-1)
	svc.sessions[testStore] = []*graphapi.Session{s}
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "enter")
	v := m.View()
	for _, bad := range []string{"-5", "-7", "-3", "-1"} {
		if strings.Contains(v, bad+" ") || strings.Contains(v, bad+",") {
			t.Errorf("details show the raw count %s:\n%s", bad, v)
		}
	}
	if !strings.Contains(v, "2147483647 of 2147483647 done, 0 remaining  (100%)") {
		t.Errorf("blocks not clamped:\n%s", v)
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

func TestRenewRefusedForFinishedSessions(t *testing.T) {
	s := storeAlone(t, 120, 28)
	selectOn(t, s, "s-completed")
	pressOn(s, "r")
	if s.Busy() || s.table.rows["s-completed"].pending != noAction {
		t.Error("renew started for a completed session")
	}
	if got := s.status.View(); !strings.Contains(got, "cannot renew employees-2026-11-27.EdmHash: session is Completed") {
		t.Errorf("no explanation shown: %q", got)
	}
}
