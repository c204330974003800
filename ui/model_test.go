package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

func loaded(t *testing.T) (*Model, *fakeService) {
	t.Helper()
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records"}}
	svc.sessions[testStore] = sampleSessions()
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	if len(m.ids()) != 4 {
		t.Fatalf("%d rows after the first load", len(m.ids()))
	}
	return m, svc
}

func selectID(t *testing.T, m *Model, id string) {
	t.Helper()
	for range len(m.ids()) {
		if m.selID() == id {
			return
		}
		press(m, "j")
	}
	if m.selID() != id {
		t.Fatalf("could not select %s", id)
	}
}

func TestFirstLoadShowsRows(t *testing.T) {
	m, _ := loaded(t)
	view := m.View()
	for _, want := range []string{"Employee records", "employees-delta.EdmHash", "UploadInProgress", " 30%", " 70%", "100%", "✗ Failed", "✓ Completed", "4 sessions", "● live 10s"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// Newest first; the selection starts on the first row.
	if m.ids()[0] != "s-processing" || m.selID() != "s-processing" {
		t.Errorf("order %v, selected %s", m.ids(), m.selID())
	}
	// A bar with no total shows no percent.
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "employees-delta") && strings.Count(line, "%") != 1 {
			t.Errorf("uploading row (no job total) should show one percent label: %q", line)
		}
	}
}

func TestRenewInFlightGuard(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	release := make(chan struct{})
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		<-release
		s := sampleSessions()[1]
		s.LastUpdatedDateTime = at("2026-11-28T09:04:59Z")
		return *s, nil
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	if m.rowMap()["s-uploading"].pending != actRenew {
		t.Fatal("row not marked renewing")
	}
	// A second press while the first is in flight sends nothing.
	_, cmd2 := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	go func() { time.Sleep(20 * time.Millisecond); close(release) }()
	msgs := collect(cmd2)
	for _, msg := range msgs {
		if res, ok := msg.(actionResultMsg); ok && res.err == nil {
			t.Error("the second press renewed")
		}
	}
	done := make(chan []tea.Msg)
	go func() { done <- collectWait(cmd) }()
	for _, msg := range <-done {
		m.Update(msg)
	}
	if n := svc.count("renew"); n != 1 {
		t.Errorf("renew sent %d times, want 1", n)
	}
	if m.rowMap()["s-uploading"].pending != noAction {
		t.Error("row still renewing after the answer")
	}
}

// collectWait is collect without the short timeout, for commands the test
// itself releases.
func collectWait(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			if c == nil {
				continue
			}
			if res, isResult := c().(actionResultMsg); isResult {
				out = append(out, res)
			}
		}
		return out
	}
	return []tea.Msg{msg}
}

func TestRenewSuccessReplacesRow(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		s := sampleSessions()[1]
		s.RemainingBlockCount = cnt(10)
		s.LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
		return *s, nil
	}
	press(m, "r")
	r := m.rowMap()["s-uploading"]
	if r.pending != noAction || r.s.RemainingBlockCount.Value != 10 {
		t.Fatalf("row after renew: pending=%q remaining=%v", r.pending, r.s.RemainingBlockCount)
	}
	if svc.count("list") != 1 {
		t.Errorf("renew refetched the list (%d list calls)", svc.count("list"))
	}
	view := m.View()
	if !strings.Contains(view, "renewed employees-delta.EdmHash ✓") || !strings.Contains(view, " 80%") {
		t.Errorf("view after renew:\n%s", view)
	}
}

func TestRenewFailureKeepsRowAndShowsError(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		return graphapi.Session{}, &graphapi.Error{Op: "renew session", StatusCode: 409, Code: "InvalidSessionState",
			Message: "The session cannot be renewed.", RequestID: "rid-123", ClientRequestID: "crid-456",
			Date: time.Date(2026, 11, 28, 9, 4, 0, 0, time.UTC)}
	}
	before := m.rowMap()["s-uploading"].s
	press(m, "r")
	r := m.rowMap()["s-uploading"]
	if r.pending != noAction || r.lastErr == nil || r.s.RemainingBlockCount != before.RemainingBlockCount {
		t.Fatalf("row after failed renew: %+v", r)
	}
	view := m.View()
	if !strings.Contains(view, "409 InvalidSessionState: The session cannot be renewed.") {
		t.Errorf("status bar lacks code and message:\n%s", view)
	}
	press(m, "e")
	view = m.View()
	for _, want := range []string{"LAST FAILED CALL", "renew", "HTTP status", "409", "InvalidSessionState", "rid-123", "crid-456", "2026-11-28 09:04:00Z"} {
		if !strings.Contains(view, want) {
			t.Errorf("error pane lacks %q:\n%s", want, view)
		}
	}
}

func TestOlderCopyNeverReplacesNewer(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		s := sampleSessions()[1]
		s.RemainingBlockCount = cnt(5)
		s.LastUpdatedDateTime = at("2026-11-28T09:04:50Z")
		return *s, nil
	}
	press(m, "r")
	// A list that left the service before the renew answered is older.
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sampleSessions(), at: testNow})
	if got := m.rowMap()["s-uploading"].s.RemainingBlockCount.Value; got != 5 {
		t.Fatalf("stale list undid the renew: remaining %d", got)
	}
	// A newer list copy does replace it.
	newer := sampleSessions()
	newer[1].RemainingBlockCount = cnt(2)
	newer[1].LastUpdatedDateTime = at("2026-11-28T09:05:00Z")
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: newer, at: testNow})
	if got := m.rowMap()["s-uploading"].s.RemainingBlockCount.Value; got != 2 {
		t.Errorf("newer list copy ignored: remaining %d", got)
	}
	// And a renew answer older than the row is ignored too.
	older := sampleSessions()[1]
	m.Update(actionResultMsg{storeID: testStore, sessionID: older.ID, action: actRenew, session: older})
	if got := m.rowMap()["s-uploading"].s.RemainingBlockCount.Value; got != 2 {
		t.Errorf("older renew answer replaced the row: remaining %d", got)
	}
}

func TestRefreshBackoffAndRetryAfter(t *testing.T) {
	m, svc := loaded(t)
	fail := &graphapi.Error{StatusCode: 503, Code: "serviceUnavailable", Message: "busy"}
	svc.listErr = []error{fail, fail, fail, &graphapi.Error{StatusCode: 429, Code: "TooManyRequests", Message: "slow down", RetryAfter: 200 * time.Second}, nil}
	var waits []time.Duration
	for range 5 {
		press(m, "ctrl+r")
		if m.isLoading() {
			t.Fatal("load still in flight after its answer")
		}
		waits = append(waits, m.nextRefreshAt().Sub(testNow))
		if len(m.ids()) != 4 {
			t.Fatalf("a failed refresh hid the table: %d rows", len(m.ids()))
		}
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 200 * time.Second, 10 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d = %v, want %v (all: %v)", i, waits[i], want[i], waits)
		}
	}
}

func TestThrottledShowsCountdownAndOld(t *testing.T) {
	m, svc := loaded(t)
	svc.listErr = []error{&graphapi.Error{StatusCode: 429, Code: "TooManyRequests", Message: "slow down", RetryAfter: 90 * time.Second}}
	press(m, "ctrl+r")
	view := m.View()
	for _, want := range []string{"⧗ Graph throttling since 09:05:00 (429 TooManyRequests) · retry in 1m30s", "data 0s old", "429 TooManyRequests: slow down", "employees-delta.EdmHash"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

func TestOneLoadInFlight(t *testing.T) {
	m, svc := loaded(t)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlR})
	if !m.isLoading() {
		t.Fatal("ctrl+r did not start a load")
	}
	_, again := m.Update(tea.KeyMsg{Type: tea.KeyCtrlR})
	_, tick := m.Update(refreshTickMsg{gen: m.tickGeneration()})
	run(m, again)
	run(m, tick)
	if svc.count("list") != 1 {
		t.Errorf("a second list request started while one was in flight (%d calls)", svc.count("list"))
	}
	run(m, cmd)
	if svc.count("list") != 2 || m.isLoading() {
		t.Errorf("list calls %d, loading %v", svc.count("list"), m.isLoading())
	}
	// A tick armed before the manual refresh is stale and ignored.
	old := m.tickGeneration() - 1
	_, c := m.Update(refreshTickMsg{gen: old})
	if c != nil || m.isLoading() {
		t.Error("a stale tick started a load")
	}
}

func TestPauseStopsTheLoop(t *testing.T) {
	m, svc := loaded(t)
	press(m, "p")
	if !m.isPaused() || !m.nextRefreshAt().IsZero() {
		t.Fatal("not paused")
	}
	before := svc.reads()
	_, cmd := m.Update(refreshTickMsg{gen: m.tickGeneration()})
	run(m, cmd)
	if svc.reads() != before {
		t.Error("a tick loaded while paused")
	}
	if !strings.Contains(m.View(), "❚❚ paused") {
		t.Error("header does not say paused")
	}
	press(m, "p")
	if m.isPaused() || svc.reads() == before || m.nextRefreshAt().IsZero() {
		t.Errorf("resume: paused=%v reads=%d next=%v", m.isPaused(), svc.reads(), m.nextRefreshAt())
	}
}

func TestSelectionFollowsSessionAcrossRefresh(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-completed")
	fresh := append([]*graphapi.Session{{ID: "s-new", FileName: "brand-new.EdmHash", State: "UploadInProgress",
		CreationDateTime: at("2026-11-28T09:00:00Z"), LastUpdatedDateTime: at("2026-11-28T09:00:00Z")}}, sampleSessions()...)
	svc.sessions[testStore] = fresh
	press(m, "ctrl+r")
	if m.ids()[0] != "s-new" || m.selID() != "s-completed" {
		t.Errorf("order %v, selected %s", m.ids(), m.selID())
	}
	// The selected session disappears: the selection moves to its neighbour.
	svc.sessions[testStore] = []*graphapi.Session{fresh[0], fresh[1], fresh[2], fresh[4]}
	press(m, "ctrl+r")
	if m.selID() != "s-failed" {
		t.Errorf("after removal selected %s", m.selID())
	}
}

func TestNavigationKeys(t *testing.T) {
	m, _ := loaded(t)
	press(m, "G")
	if m.selID() != m.ids()[3] {
		t.Error("G did not go to the last row")
	}
	press(m, "g")
	if m.selID() != m.ids()[0] {
		t.Error("g did not go to the first row")
	}
	press(m, "k")
	if m.selID() != m.ids()[0] {
		t.Error("k above the first row moved")
	}
	press(m, "jj") // typed fast: one message with two runes
	if m.selID() != m.ids()[2] {
		t.Errorf("jj selected %s", m.selID())
	}
	press(m, "down", "down", "down")
	if m.selID() != m.ids()[3] {
		t.Error("down past the end moved off the table")
	}
}

func TestStartupFailureKeepsRunning(t *testing.T) {
	svc := newFake()
	svc.listErr = []error{&graphapi.Error{Op: "list sessions", Message: "dial tcp 127.0.0.1:1: connect: connection refused"}}
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	view := m.View()
	for _, want := range []string{"Could not load the sessions", "connection refused", "retry in 10s", "keeps retrying"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// The next tick retries and recovers.
	svc.sessions[testStore] = sampleSessions()
	_, cmd := m.Update(refreshTickMsg{gen: m.tickGeneration()})
	run(m, cmd)
	if len(m.ids()) != 4 || m.loadError() != nil {
		t.Errorf("did not recover: %d rows, err %v", len(m.ids()), m.loadError())
	}
}

func TestOutcomeUnknownRereads(t *testing.T) {
	m, svc := loaded(t)
	selectID(t, m, "s-uploading")
	svc.renewFn = func(_, id string) (graphapi.Session, error) {
		return graphapi.Session{}, &graphapi.Error{Op: "renew session", Message: "connection reset", OutcomeUnknown: true}
	}
	before := svc.reads()
	press(m, "r")
	if svc.reads() == before {
		t.Errorf("the sessions were not re-read after an unknown outcome (%d reads)", svc.reads())
	}
	if !strings.Contains(m.View(), "outcome unknown") {
		t.Error("the status bar does not say the outcome is unknown")
	}
}

func TestFleetOpensStore(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{
		{ID: "store-a", DisplayName: "Employee records", Description: "HR master data", DataLastUpdatedDateTime: at("2026-11-28T07:05:00Z")},
		{ID: "store-b", DisplayName: "Card holders"},
	}
	svc.sessions["store-b"] = sampleSessions()[:1]
	m := newTestModel(t, svc, "")
	run(m, m.Init())
	view := m.View()
	for _, want := range []string{"STORE", "HEALTH", "Employee records", "✓ ok", "2h ago", "Card holders", "◷ stale", "● Processing 70%", "2 stores · 1 stale"} {
		if !strings.Contains(view, want) {
			t.Errorf("fleet screen lacks %q:\n%s", want, view)
		}
	}
	// Worst first: the stale Card holders lead, and are selected.
	press(m, "enter")
	if m.onFleet() || m.storeID() != "store-b" || len(m.ids()) != 1 {
		t.Fatalf("mode %v store %s rows %d", m.onFleet(), m.storeID(), len(m.ids()))
	}
	if !strings.Contains(m.View(), "Card holders") {
		t.Error("header lacks the store name")
	}
	// d returns to the fleet with the cursor on the open store.
	press(m, "d")
	if !m.onFleet() || m.fleetCursorAt() != 0 {
		t.Errorf("d: mode %v cursor %d", m.onFleet(), m.fleetCursorAt())
	}
}

func TestStaleAnswersAreDropped(t *testing.T) {
	m, _ := loaded(t)
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration() - 1, storeID: testStore, sessions: nil, at: testNow})
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: "another-store", sessions: nil, at: testNow})
	if len(m.ids()) != 4 {
		t.Errorf("a stale answer changed the table: %d rows", len(m.ids()))
	}
}

func TestTooSmallAndResize(t *testing.T) {
	m, _ := loaded(t)
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 6})
	if v := m.View(); !strings.Contains(v, "needs at least 50×8") || !strings.Contains(v, "too small: 40×6") {
		t.Errorf("too-small message missing:\n%s", v)
	}
	for _, size := range [][2]int{{50, 8}, {80, 24}, {120, 30}, {200, 60}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter")
		lines := strings.Split(m.View(), "\n")
		if len(lines) != size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%v: line %d is %d wide: %q", size, i, w, l)
			}
		}
		press(m, "esc")
	}
}

func TestHostileStringsNeverReachTheScreen(t *testing.T) {
	svc := newFake()
	evil := "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cm0gLXJm\x07evil\r\b\u202e\x9b31m\u009b" + strings.Repeat("W", 10000)
	s := sampleSessions()[3]
	s.FileName, s.State, s.ID = evil, evil+"Failed", "id-"+"\x1b[H"
	s.Error.Code, s.Error.Message, s.Error.Target = evil, evil, evil
	s.Error.InnerError.ActivityID = evil
	s.Error.Details[0].Message = evil
	s.Fields = []string{evil}
	s.Checksum, s.UploadAgentID, s.DataUploadURI = evil, evil, "https://x/\x1b[2J?sig="+evil
	svc.sessions[testStore] = []*graphapi.Session{s}
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: evil, Description: evil}}
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	check := func(what string) {
		v := withoutSelection(m.View())
		for _, b := range []byte("\x1b\x9b\r\b\x07\x00") {
			if strings.IndexByte(v, b) >= 0 {
				t.Errorf("%s: byte %#x reached the screen", what, b)
			}
		}
		if strings.ContainsRune(v, '\u009b') || strings.ContainsRune(v, '\u202e') {
			t.Errorf("%s: a control character reached the screen", what)
		}
		for i, l := range strings.Split(v, "\n") {
			if w := ansi.StringWidth(l); w != m.width {
				t.Errorf("%s: line %d is %d wide, want %d", what, i, w, m.width)
			}
		}
	}
	check("table")
	press(m, "enter")
	check("details")
	press(m, "e")
	check("errors")
	press(m, "esc", "d")
	check("fleet")
	m.Update(actionResultMsg{storeID: testStore, sessionID: "x", action: actRenew, err: errors.New(evil)})
	check("flash")
}

// pagedFake reads a store's first page alone, as the Graph client can.
type pagedFake struct {
	*fakeService
	page int
}

func (f pagedFake) FirstSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error) {
	all, err := f.ListSessions(ctx, storeID)
	return all[:min(f.page, len(all))], err
}

// A store's first page shows while its first listing runs, counted "so
// far"; the listing then replaces it, and a first page answering after the
// listing changes nothing.
func TestFirstPageShowsWhileListing(t *testing.T) {
	f := newFake()
	f.sessions[testStore] = sampleSessions()
	m := newTestModel(t, pagedFake{f, 2}, testStore)
	cmd := m.Init()
	m.Update(firstPageMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sampleSessions()[2:], at: testNow})
	if len(m.ids()) != 2 || !strings.Contains(m.View(), "2 sessions so far") {
		t.Fatalf("first page: %d rows; header:\n%s", len(m.ids()), strings.SplitN(m.View(), "\n", 2)[0])
	}
	run(m, cmd) // the listing, then (void) the first page again
	if len(m.ids()) != 4 || strings.Contains(m.View(), "so far") {
		t.Fatalf("after the listing: %d rows; header:\n%s", len(m.ids()), strings.SplitN(m.View(), "\n", 2)[0])
	}
	// The page's rows chose no selection: the listing's first row is.
	if m.selID() != m.ids()[0] {
		t.Errorf("selected %s, want the first row %s", m.selID(), m.ids()[0])
	}
	m.Update(firstPageMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sampleSessions()[:1], at: testNow})
	if len(m.ids()) != 4 {
		t.Errorf("a late first page left %d rows", len(m.ids()))
	}
}

// memoryCalls is a Memory that records which loads asked for a release.
type memoryCalls struct{ due []time.Time }

func (c *memoryCalls) Load(_ bool, load func()) { load() }
func (c *memoryCalls) Due(_ int, at time.Time) bool {
	c.due = append(c.due, at)
	return true
}
func (c *memoryCalls) Release() {}

// A full listing hands its garbage back even when it found nothing new; a
// poll by id that changed nothing does not.
func TestUnchangedListingReleasesMemory(t *testing.T) {
	for _, tc := range []struct {
		name     string
		relisted bool
		want     bool
	}{
		{"listed again", true, true},
		{"read by id", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := &memoryCalls{}
			m := New(Options{Service: newFake(), StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
				Now: func() time.Time { return testNow }, Memory: mem})
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
			sessions := manySessions(100, testNow)
			m.loop.loading = true
			m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sessions, at: testNow, listed: testNow, version: 7})
			later := testNow.Add(2 * time.Minute)
			listed := testNow
			if tc.relisted {
				listed = later
			}
			m.loop.loading = true
			m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sessions, at: later, listed: listed, version: 7})
			if got := slices.Contains(mem.due, later); got != tc.want {
				t.Errorf("asked for a release at the second answer: %v, want %v (asked at %v)", got, tc.want, mem.due)
			}
		})
	}
}

// A selection the user moved while the first page showed stays on its
// session once the listing arrives.
func TestFirstPageKeepsAMovedSelection(t *testing.T) {
	f := newFake()
	f.sessions[testStore] = sampleSessions()
	m := newTestModel(t, pagedFake{f, 2}, testStore)
	cmd := m.Init()
	m.Update(firstPageMsg{gen: m.loadGeneration(), storeID: testStore, sessions: sampleSessions()[2:], at: testNow})
	m.Update(keyMsg("j"))
	moved := m.selID()
	run(m, cmd)
	if m.selID() != moved {
		t.Errorf("selected %s, want %s (moved during the first page)", m.selID(), moved)
	}
}

// The header says when the store was last listed in full and how often it
// is, and why (issue 28): new sessions appear only with a listing.
func TestHeaderSaysHowOftenTheStoreIsListed(t *testing.T) {
	m, _ := loaded(t)
	m.loop.listed = testNow.Add(-3 * time.Minute)
	m.loop.lastSuccess = testNow
	m.loop.cadence = monitor.Cadence{Every: 5 * time.Minute, Reason: monitor.CadenceQuiet, Unchanged: 3}
	m.Update(clockTickMsg{})
	header := strings.SplitN(m.View(), "\n", 2)[0]
	if !strings.Contains(header, "listed 3m ago, every 5m (quiet)") {
		t.Errorf("header %q", header)
	}
}

func TestCadenceText(t *testing.T) {
	for _, tc := range []struct {
		c    monitor.Cadence
		want string
	}{
		{monitor.Cadence{}, ""},
		{monitor.Cadence{Every: 45 * time.Second, Reason: monitor.CadenceRunning}, ", every 45s (uploads running)"},
		{monitor.Cadence{Every: 5 * time.Minute, Reason: monitor.CadenceCounted}, ", every 5m (or when the count changes)"},
		{monitor.Cadence{Every: 202 * time.Second, Reason: monitor.CadenceBudget, Pages: 101}, ", every 3m (101 pages)"},
	} {
		if got := cadenceText(tc.c); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}
