package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/keymap"
	"github.com/edmtop/edmtop/monitor"
)

// fleetFake serves stores whose sessions can fail per store.
type fleetFake struct {
	fakeService
	failStore map[string]error
	storesErr error
}

func (f *fleetFake) ListDataStores(ctx context.Context) ([]graphapi.DataStore, error) {
	if f.storesErr != nil {
		return nil, f.storesErr
	}
	return f.fakeService.ListDataStores(ctx)
}

func (f *fleetFake) ListSessions(ctx context.Context, id string) ([]*graphapi.Session, error) {
	f.mu.Lock()
	err := f.failStore[id]
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return f.fakeService.ListSessions(ctx, id)
}

// fail makes the store's sessions fail with err (nil heals), while the
// program may be reading.
func (f *fleetFake) fail(id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failStore[id] = err
}

var fleetNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) graphapi.Time { return graphapi.Time{Time: fleetNow.Add(-d)} }

func fleetScenario() *fleetFake {
	f := &fleetFake{fakeService: *newFake(), failStore: map[string]error{}}
	f.stores = []graphapi.DataStore{
		{ID: "s-ok", DisplayName: "Ember Payroll"},
		{ID: "s-failed", DisplayName: "Cobalt Patient Index"},
		{ID: "s-stale", DisplayName: "Quarry Vendor Registry", DataLastUpdatedDateTime: ago(72 * time.Hour)},
		{ID: "s-stalled", DisplayName: "Delta Claims Archive"},
		{ID: "s-broken", DisplayName: "Aurora Member Ledger"},
	}
	f.sessions["s-ok"] = []*graphapi.Session{{ID: "a", State: "Completed", CreationDateTime: ago(2 * time.Hour), CompletionDateTime: ago(time.Hour)}}
	f.sessions["s-failed"] = []*graphapi.Session{
		{ID: "b", State: "Failed", CreationDateTime: ago(2 * time.Hour), LastUpdatedDateTime: ago(time.Hour), Error: &graphapi.ClassificationError{Code: "InvalidHashBlockFormat"}},
		{ID: "c", State: "Completed", CreationDateTime: ago(12 * time.Hour), CompletionDateTime: ago(10 * time.Hour)},
	}
	f.sessions["s-stalled"] = []*graphapi.Session{
		{ID: "d", State: "UploadInProgress", CreationDateTime: ago(21 * time.Hour), LastUpdatedDateTime: ago(20 * time.Hour), TotalBlockCount: cnt(100), RemainingBlockCount: cnt(63)},
		{ID: "e", State: "Completed", CreationDateTime: ago(23 * time.Hour), CompletionDateTime: ago(22 * time.Hour)},
		// A newer upload is running fine: the row still shows the stalled one.
		{ID: "f", State: "UploadInProgress", CreationDateTime: ago(time.Hour), LastUpdatedDateTime: ago(time.Minute)},
	}
	f.failStore["s-broken"] = errors.New("HTTP 403 accessDenied")
	return f
}

// testFleet is a fleet screen with the service and generation the root's
// refresh loop would give it.
type testFleet struct {
	*fleetScreen
	mon *monitor.Monitor
	gen int
}

func testShared() *shared {
	return &shared{styles: NewStyles(asciiRenderer(), DefaultTheme()), keys: keymap.Default(), clock: fleetNow, rules: health.DefaultRules()}
}

func newTestFleet(svc Service) *testFleet {
	o := &testFleet{fleetScreen: newFleetScreen(testShared()), mon: monitor.New(svc, monitor.Options{Now: func() time.Time { return fleetNow }})}
	o.SetSize(120, 10)
	return o
}

// poll runs one fleet poll's command to its end (a full one: the tests
// change the listing between polls) and returns its news.
func (o *testFleet) poll() []fleetNewsMsg {
	o.gen++
	var news []fleetNewsMsg
	for cmd := o.Load(&backend{ctx: context.Background(), now: func() time.Time { return fleetNow }}, o.mon, o.gen, true); cmd != nil; {
		msg := cmd().(fleetNewsMsg)
		news = append(news, msg)
		cmd = msg.next
	}
	return news
}

// feed applies a poll's news and returns the events it made.
func (o *testFleet) feed(news []fleetNewsMsg) []event {
	var events []event
	for _, msg := range news {
		more, _ := o.apply(msg)
		events = append(events, more...)
	}
	return events
}

func loadFleet(t *testing.T, o *testFleet) []event {
	t.Helper()
	events := o.feed(o.poll())
	if o.Loading() {
		t.Fatal("still loading after the answer")
	}
	return events
}

func TestFleetJudgesAndSortsWorstFirst(t *testing.T) {
	o := newTestFleet(fleetScenario())
	loadFleet(t, o)
	var order []string
	for _, i := range o.shown {
		order = append(order, o.rows[i].store.ID)
	}
	want := "s-broken s-failed s-stalled s-stale s-ok"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	if got := o.Summary(); got != "5 stores · 1 unknown · 1 failed · 1 stalled · 1 stale" {
		t.Errorf("summary %q", got)
	}
	if got := o.ShortSummary(); got != "5 stores: 1? 1✗ 1⧗ 1◷" {
		t.Errorf("short summary %q", got)
	}
	view := o.View()
	for _, want := range []string{
		"STORE", "HEALTH", "LAST INDEX", "CURRENT SESSION", "24H",
		"✗ failed", "Failed  InvalidHashBlockFormat (1h)", "10h ago", "1/5",
		"⧗ stalled", "⧗ Uploading 37%  no update for 20h", "22h ago",
		"◷ stale", "3d ago", "0/5",
		"✓ ok", "idle",
		"? unknown", "error: HTTP 403 accessDenied",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if !strings.Contains(strings.Split(view, "\n")[1], ">Aurora") {
		t.Errorf("the first row is not selected:\n%s", view)
	}
}

func TestFleetOpensTheSelectedStore(t *testing.T) {
	o := newTestFleet(fleetScenario())
	loadFleet(t, o)
	o.Update(keyMsg("j"))
	o.Update(keyMsg("j"))
	cmd := o.Update(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("enter did nothing")
	}
	open, ok := cmd().(openStoreMsg)
	if !ok || open.store.ID != "s-stalled" {
		t.Errorf("opened %+v", open)
	}
}

func TestFleetSelectionFollowsTheStoreAcrossPolls(t *testing.T) {
	f := fleetScenario()
	o := newTestFleet(f)
	loadFleet(t, o)
	o.Update(keyMsg("G")) // Ember Payroll, ok, last
	f.sessions["s-ok"] = append(f.sessions["s-ok"], &graphapi.Session{ID: "z", State: "Failed", CreationDateTime: ago(time.Minute), LastUpdatedDateTime: ago(time.Minute)})
	loadFleet(t, o)
	// Ember Payroll is failed now: it moves up, after Cobalt, and stays selected.
	if s := o.Selected(); s == nil || s.store.ID != "s-ok" || o.cursor() != 2 {
		t.Errorf("selection moved: %+v at %d", s, o.cursor())
	}
}

// The fleet screen filters through the dashboard's one filter input (the
// prompt), as the session table does.
func TestFleetFilter(t *testing.T) {
	m := New(Options{Service: fleetScenario(), Renderer: asciiRenderer(), Now: func() time.Time { return fleetNow }, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	press(m, "/")
	for _, r := range "delta" {
		press(m, string(r))
	}
	o := m.fleet
	if len(o.shown) != 1 || o.Selected().store.ID != "s-stalled" {
		t.Fatalf("filter shows %v", o.shown)
	}
	if !strings.Contains(m.View(), "5 stores · 1 unknown · 1 failed · 1 stalled · 1 stale · 1 match /delta") {
		t.Errorf("the header does not say the filter is on:\n%s", m.View())
	}
	press(m, "enter")
	if m.prompt.Active() {
		t.Error("enter did not leave the filter input")
	}
	press(m, "esc")
	if len(o.shown) != 5 {
		t.Errorf("esc did not clear the filter: %v", o.shown)
	}
	press(m, "/")
	for _, r := range "zzz" {
		press(m, string(r))
	}
	if v := m.View(); !strings.Contains(v, `no store matches "zzz", esc clears`) {
		t.Errorf("no-match text missing:\n%s", v)
	}
	press(m, "q") // typed into the filter, not quitting
	if o.Filter() != "zzzq" {
		t.Errorf("q did not go to the filter input: %q", o.Filter())
	}
}

func TestFleetKeepsRowsWhenTheStoreListFails(t *testing.T) {
	f := fleetScenario()
	o := newTestFleet(f)
	loadFleet(t, o)
	f.storesErr = errors.New("HTTP 503")
	loadFleet(t, o)
	if len(o.rows) != 5 || o.Err() == nil {
		t.Errorf("rows %d err %v", len(o.rows), o.Err())
	}
}

func TestFleetDropsAStaleAnswer(t *testing.T) {
	o := newTestFleet(fleetScenario())
	news := o.poll()
	o.poll() // a newer poll is in flight when the older answer arrives
	o.gen++
	o.Load(&backend{ctx: context.Background(), now: func() time.Time { return fleetNow }}, o.mon, o.gen, true)
	o.feed(news)
	if !o.Loading() || len(o.rows) != 0 {
		t.Error("an answer of an older poll was applied")
	}
}

func TestFleetNarrowDropsColumnsFromTheRight(t *testing.T) {
	o := newTestFleet(fleetScenario())
	o.SetSize(60, 10)
	loadFleet(t, o)
	v := o.View()
	if strings.Contains(v, "24H") || !strings.Contains(v, "CURRENT SESSION") {
		t.Errorf("at 60 columns:\n%s", v)
	}
	for _, line := range strings.Split(v, "\n") {
		if cells(line) > 60 {
			t.Errorf("line wider than 60: %q", line)
		}
	}
}

func TestFleetReportsVerdictChanges(t *testing.T) {
	f := fleetScenario()
	o := newTestFleet(f)
	// The first poll logs only the store it cannot read.
	if events := loadFleet(t, o); len(events) != 1 || events[0].kind != eventOutage {
		t.Errorf("the first poll reported changes: %v", events)
	}
	f.sessions["s-ok"] = append(f.sessions["s-ok"], &graphapi.Session{ID: "z", State: "Failed", CreationDateTime: ago(time.Minute), LastUpdatedDateTime: ago(time.Minute)})
	events := loadFleet(t, o)
	if len(events) == 0 {
		t.Fatal("no event for a store turning failed")
	}
	if len(events) != 1 || events[0].kind != eventFailed || events[0].text != "Ember Payroll is failed (was ok)" || !events[0].kind.rings() {
		t.Errorf("events %+v", events)
	}
}

func TestEventLogKeepsNewestFirstAndBounds(t *testing.T) {
	l := newEventLog(testShared())
	l.SetSize(80, 4)
	for i := range maxEvents + 5 {
		l.Add(event{at: fleetNow.Add(time.Duration(i) * time.Second), kind: eventCompleted, text: "run \x1b]0;x\x07" + string(rune('a'+i%26))})
	}
	if l.Len() != maxEvents {
		t.Errorf("kept %d", l.Len())
	}
	l.sh.clock = fleetNow.Add(time.Hour)
	v := l.View()
	lines := strings.Split(v, "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "EVENTS (1000") || !strings.Contains(lines[1], "12:16:44") || strings.Contains(v, "\x1b]") {
		t.Errorf("view:\n%q", v)
	}
	l.Update(keyMsg("L"))
	if !l.Open() {
		t.Fatal("L did not open the log")
	}
	l.Update(keyMsg("G"))
	if !strings.Contains(l.View(), "12:00:07") {
		t.Errorf("end does not reach the oldest kept event:\n%s", l.View())
	}
	if l.Update(keyMsg("L")); l.Open() {
		t.Error("L did not close the log")
	}
}

// Issue 13: notices last in the event log (L); the bell rings for what
// needs a person (a failure), not for a completion.
func TestEventLogAndBell(t *testing.T) {
	var term bytes.Buffer
	svc := newFake()
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow },
		Terminal: &term, Bell: true, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	next := sampleSessions()
	next[0].State, next[0].RemainingJobCount = "Completed", cnt(0)
	next[0].LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
	svc.sessions[testStore] = next
	press(m, "ctrl+r")
	if term.Len() != 0 {
		t.Errorf("a completion rang the bell: %q", term.String())
	}
	press(m, "L")
	v := m.View()
	if !strings.Contains(v, "EVENTS (1, newest first)") || !strings.Contains(v, "✓ employees-2026-11-28.EdmHash completed") {
		t.Fatalf("event log:\n%s", v)
	}
	if status := lastLine(v); !strings.Contains(status, "q close log") {
		t.Errorf("footer: %q", status)
	}
	press(m, "j") // scrolls the log, moves no row
	press(m, "esc")
	if m.events.Open() || !strings.Contains(m.View(), "UPLOAD") {
		t.Errorf("esc did not close the log:\n%s", m.View())
	}
}

// The fleet screen is refreshed on the loop like a store's sessions, and a
// verdict change reaches the event log.
func TestFleetRefreshesAndLogsVerdictChanges(t *testing.T) {
	f := fleetScenario()
	for id := range f.sessions {
		f.sessions[id] = append(f.sessions[id], finishedLongAgo(300)...)
	}
	m := New(Options{Service: f, Renderer: asciiRenderer(), Now: func() time.Time { return fleetNow }, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	if m.loop.next.IsZero() {
		t.Fatal("no refresh armed on the fleet screen")
	}
	// The stalled store's newest upload fails: a normal poll reads the
	// running sessions by id and sees it, with no listing.
	lists := f.count("list")
	f.sessions["s-stalled"][2].State = "Failed"
	f.sessions["s-stalled"][2].LastUpdatedDateTime = ago(time.Second)
	logged := m.events.Len() // the store it cannot read
	run(m, func() tea.Msg { return refreshTickMsg{gen: m.loop.tickGen} })
	if m.events.Len() != logged+1 || !strings.Contains(m.fleet.Summary(), "2 failed") {
		t.Errorf("events %d, summary %q", m.events.Len(), m.fleet.Summary())
	}
	if f.count("list") != lists || f.count("get") == 0 {
		t.Errorf("a normal poll listed (%d lists, %d gets)", f.count("list")-lists, f.count("get"))
	}
	// A session created meanwhile shows on ctrl+r, which lists everything.
	f.sessions["s-ok"] = append(f.sessions["s-ok"], &graphapi.Session{ID: "z", State: "UploadInProgress", CreationDateTime: ago(time.Minute), LastUpdatedDateTime: ago(time.Minute)})
	press(m, "ctrl+r")
	if f.count("list") == lists {
		t.Error("ctrl+r did not list")
	}
	if s := m.fleet.rows[len(m.fleet.rows)-1]; s.current == nil || s.current.ID != "z" {
		t.Errorf("the new session is not the ok store's current one: %+v", s.current)
	}
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// At 80 columns the fleet header keeps the verdict counts in short form
// rather than dropping them (issue 13: the header sums it up), and the
// freshness of the data, which goes last (issue 26).
func TestFleetHeaderKeepsCountsWhenNarrow(t *testing.T) {
	for _, tc := range []struct {
		width int
		want  string
	}{
		{120, "5 stores · 1 unknown · 1 failed · 1 stalled · 1 stale · updated now"},
		{80, "● live 10s · 5 stores: 1? 1✗ 1⧗ 1◷ · updated now"},
		{60, "● live 10s · updated now"},
		{50, "● live 10s · updated now"},
	} {
		m := New(Options{Service: fleetScenario(), Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: func() time.Time { return fleetNow }})
		m.Update(tea.WindowSizeMsg{Width: tc.width, Height: 20})
		run(m, m.Init())
		header := strings.SplitN(m.View(), "\n", 2)[0]
		if !strings.Contains(header, tc.want) || strings.Contains(header, "…") {
			t.Errorf("%d columns: header %q, want %q", tc.width, header, tc.want)
		}
	}
}

// Issue 16: a refresh of a store re-reads its running sessions by id; only
// ctrl+r (or the monitor's slower cadence) lists the whole store again.
func TestStoreRefreshCostFollowsChange(t *testing.T) {
	svc := newFake()
	svc.sessions[testStore] = append(sampleSessions(), finishedLongAgo(300)...)
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	lists, gets := svc.count("list"), svc.count("get")
	run(m, func() tea.Msg { return refreshTickMsg{gen: m.loop.tickGen} })
	running := 0
	for _, s := range svc.sessions[testStore] {
		if !health.Final(s) {
			running++
		}
	}
	if svc.count("list") != lists || svc.count("get")-gets != running {
		t.Errorf("a tick made %d listings and %d reads by id; want 0 and %d", svc.count("list")-lists, svc.count("get")-gets, running)
	}
	press(m, "ctrl+r")
	if svc.count("list") != lists+1 {
		t.Errorf("ctrl+r made %d listings", svc.count("list")-lists)
	}
}

// finishedLongAgo is n uploads finished long ago: the bulk of a real store, where
// reading the few running sessions by id costs less than listing pages (a
// tiny store with most uploads running is listed instead).
func finishedLongAgo(n int) []*graphapi.Session {
	out := make([]*graphapi.Session, n)
	for i := range out {
		out[i] = &graphapi.Session{ID: fmt.Sprintf("old-%03d", i), State: "Completed",
			CreationDateTime: ago(time.Duration(30+i) * 24 * time.Hour), CompletionDateTime: ago(time.Duration(30+i) * 24 * time.Hour)}
	}
	return out
}

// A small store with most of its uploads running is listed, one page,
// rather than read session by session.
func TestSmallBusyStoreIsListed(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records"}}
	svc.sessions[testStore] = sampleSessions()
	now := testNow
	m := New(Options{Service: svc, StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
		Now: func() time.Time { return now }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	lists, gets := svc.count("list"), svc.count("get")
	// The next tick, one interval on: the store's listing budget (one page
	// at 30 requests a minute) allows it.
	now = now.Add(10 * time.Second)
	run(m, func() tea.Msg { return refreshTickMsg{gen: m.loop.tickGen} })
	if svc.count("list") != lists+1 || svc.count("get") != gets {
		t.Errorf("a tick made %d listings and %d reads by id; want 1 and 0", svc.count("list")-lists, svc.count("get")-gets)
	}
}

// The selection starts on the top row (the worst store) and stays there
// while the rows fill and re-sort; once the user picks a row it follows
// that store. (The demo lists its stores in another order than they end
// in: the first answer to arrive used to keep the selection.)
func TestFleetSelectionStartsOnTheWorstStore(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	m := r.m
	if s := m.fleet.Selected(); s == nil || s.store.ID != m.fleet.rows[0].store.ID {
		t.Fatalf("selected %v, want the top row %s", s, m.fleet.rows[0].store.DisplayName)
	}
	press(m, "j")
	picked := m.fleet.Selected().store.ID
	r.advance(10 * time.Second)
	r.poll()
	if s := m.fleet.Selected(); s == nil || s.store.ID != picked {
		t.Fatalf("after a refresh the selection moved from %s to %v", picked, s)
	}
}

// A store that has used its uploads for 24 hours (the demo's Patient
// records, 5 of 5, and Employee records, 6 of 5) is marked in 24H with
// "!" and logged once, with when the next upload is allowed.
func TestFleetMarksTheUploadLimit(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	screen, _ := r.view()
	for name, cell := range map[string]string{"Patient records": "!5/5", "Employee records": "!6/5", "Card holders": " 1/5", "Claims archive": " 1/5"} {
		wantIn(t, name+"'s row", lineWith(screen, name), cell)
	}
	limits := func() int { return countPrefix(r.events(), "Patient records: no upload left until ") }
	if n := limits(); n != 1 {
		t.Fatalf("the limit is logged %d times, want once: %q", n, r.events())
	}
	wantIn(t, "the event", strings.Join(r.events(), "\n"), "Patient records: no upload left until 11:00 (5 of 5 in 24h)")
	r.advance(10 * time.Second)
	r.poll()
	if n := limits(); n != 1 {
		t.Errorf("a second poll logged the limit again: %q", r.events())
	}
}

// The limit's end is a deadline: "tomorrow 08:48" when it is not today
// (the demo's Employee records used its uploads in the last hour).
func TestFleetLimitSaysTomorrow(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	wantIn(t, "the events", strings.Join(r.events(), "\n"), "Employee records: no upload left until tomorrow 08:48 (6 of 5 in 24h)")
}
