package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// Truth under faults (issue 23): the dashboard against the simulator's
// fault switch, through the real client and its own commands. Each fault
// holds until switched off, as an outage does.

// fleetRig is the demo's fleet (a failed, a stalled, a stale and an ok
// store) on a stopped clock that the dashboard shares with the simulator.
type fleetRig struct {
	t     *testing.T
	sim   *fakegraph.Server
	clock *fakegraph.ManualClock
	m     *Model
}

var truthStart = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// newFleetRig starts the dashboard on the fleet (or on store, if given),
// polls once, and checks every store was read. timeout is the request
// timeout (0: a minute).
func newFleetRig(t *testing.T, width, height int, timeout time.Duration, store string) *fleetRig {
	t.Helper()
	clock := fakegraph.NewManualClock(truthStart)
	sim := fakegraph.NewDemo(fakegraph.Options{Clock: clock, Token: faultToken})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential(faultToken)
	c, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client(), RetryDelay: 5 * time.Millisecond,
		MaxRetryDelay: time.Second, TryTimeout: 5 * time.Second, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if timeout == 0 {
		timeout = time.Minute
	}
	m := New(Options{Service: c, StoreID: store, Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: clock.Now, RequestTimeout: timeout})
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	r := &fleetRig{t: t, sim: sim, clock: clock, m: m}
	run(m, m.Init())
	if m.loadError() != nil {
		t.Fatalf("setup: %v", m.loadError())
	}
	return r
}

// hangUntilCleanup switches Hang on, and off again before the server
// closes (Close waits for the requests it holds).
func (r *fleetRig) hangUntilCleanup() {
	r.t.Cleanup(func() { r.sim.SetConditions() })
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Hang})
}

// advance moves both clocks on and lets the dashboard's clock tick.
func (r *fleetRig) advance(d time.Duration) {
	r.clock.Advance(d)
	r.m.Update(clockTickMsg{})
}

// poll runs the refresh the armed tick would start, to its end.
func (r *fleetRig) poll() {
	run(r.m, func() tea.Msg { return refreshTickMsg{gen: r.m.tickGeneration()} })
}

// view is the screen without its dimming and selection, and its header.
func (r *fleetRig) view() (screen, header string) {
	screen = withoutSelection(r.m.View())
	return screen, strings.SplitN(screen, "\n", 2)[0]
}

// rows are the fleet screen's rows, "name verdict" in order.
func (r *fleetRig) rows() []string {
	var out []string
	for _, i := range r.m.fleet.shown {
		s := &r.m.fleet.rows[i]
		out = append(out, s.store.DisplayName+" "+classWord(s))
	}
	return out
}

// events are the texts of the event log, oldest first.
func (r *fleetRig) events() []string {
	var out []string
	for _, e := range r.m.events.events {
		out = append(out, e.text)
	}
	return out
}

func countPrefix(texts []string, prefix string) int {
	n := 0
	for _, s := range texts {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func wantNotIn(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s has %q:\n%s", what, w, text)
		}
	}
}

// Graph switched off, then on again: every row keeps its verdict, last
// index, current session and 24H, marked old with its age, in the same
// order; the header says what since when and why, never "updated now";
// the log has the outage once and its end.
func TestFleetKeepsItsLastTruthWhileGraphIsDown(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	before := r.rows()
	r.m.events.events = nil // the first read's own notices (upload limits)
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	r.advance(4 * time.Minute)
	r.poll()
	if got := r.rows(); strings.Join(got, ", ") != strings.Join(before, ", ") {
		t.Errorf("rows after the failed read: %q, before: %q", got, before)
	}
	screen, header := r.view()
	wantIn(t, "the header", header, "✗ Graph unreachable since 09:04:00 (", "· retry in", "data 4m old")
	wantNotIn(t, "the header", header, "updated now", "stale")
	for i, line := range strings.Split(screen, "\n")[2:6] {
		// The row as it was, its verdict marked old with its age.
		verdict := before[i][strings.LastIndex(before[i], " ")+1:]
		wantIn(t, "row "+before[i], line, " "+verdict+" · 4m old", "/5")
		wantNotIn(t, "row "+before[i], line, "unknown", "error", "idle")
	}
	if dimmed := strings.Count(r.m.View(), faintOn); dimmed != 4 {
		t.Errorf("%d rows dimmed, want 4", dimmed)
	}
	r.advance(2*time.Minute + 3*time.Second)
	r.poll()
	// One event for the outage: not one a poll, nor one a store.
	if events := r.events(); len(events) != 1 || !strings.HasPrefix(events[0], "Graph unreachable (") {
		t.Errorf("the outage is not logged once: %q", events)
	}
	r.sim.SetConditions()
	r.advance(time.Minute)
	r.poll()
	screen, header = r.view()
	wantNotIn(t, "the screen after recovery", screen, " old", "unreachable")
	wantIn(t, "the header after recovery", header, "● live 10s", "updated now")
	if events := r.events(); countPrefix(events, "Graph back after 3m03s") != 1 {
		t.Errorf("the recovery is not logged: %q", events)
	}
}

// lineWith is the first line of screen holding text.
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// A hung Graph: the poll is cut once nothing has answered for the request
// timeout, and counts as a failure like any other.
func TestFleetWhenGraphHangs(t *testing.T) {
	r := newFleetRig(t, 120, 30, time.Second, "")
	before := r.rows()
	r.hangUntilCleanup()
	r.advance(4 * time.Minute)
	r.poll()
	screen, header := r.view()
	wantIn(t, "the header", header, "✗ Graph not answering since 09:04:00 (no answer within 1s) · retry in 10s")
	wantIn(t, "the rows", screen, "· 4m old")
	if got := r.rows(); strings.Join(got, ", ") != strings.Join(before, ", ") {
		t.Errorf("rows %q, before %q", got, before)
	}
	if events := r.events(); countPrefix(events, "Graph not answering (no answer within 1s)") != 1 {
		t.Errorf("events %q", events)
	}
}

// Graph asking to wait (503 or 429 with a Retry-After longer than the
// client waits itself): the header says so with the countdown, and the
// next poll is no sooner.
func TestFleetWhenGraphAsksToWait(t *testing.T) {
	for _, tc := range []struct {
		kind fakegraph.ConditionKind
		want string
	}{
		{fakegraph.Unavailable, "⧗ Graph unavailable since 09:04:00 (503 serviceUnavailable) · retry in 30s"},
		{fakegraph.Throttled, "⧗ Graph throttling since 09:04:00 (429 TooManyRequests) · retry in 30s"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			r := newFleetRig(t, 120, 30, 0, "")
			r.sim.SetConditions(fakegraph.Condition{Kind: tc.kind, RetryAfter: 30 * time.Second})
			r.advance(4 * time.Minute)
			r.poll()
			screen, header := r.view()
			wantIn(t, "the header", header, tc.want, "data 4m old")
			wantIn(t, "the rows", screen, "· 4m old")
			if wait := r.m.nextRefreshAt().Sub(r.clock.Now()); wait < 30*time.Second {
				t.Errorf("the next poll in %v, before the Retry-After", wait)
			}
		})
	}
}

// One store refused (403), Graph answering for the others: that row keeps
// its truth, marked old, and says why; the others stay fresh; the header
// is not a failure; the log has the store's failure and its end once.
func TestFleetWhenOneStoreIsForbidden(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore})
	r.advance(4 * time.Minute)
	r.poll()
	r.advance(time.Minute)
	r.poll()
	screen, header := r.view()
	wantIn(t, "the header", header, "● live 10s", "1 old", "updated now")
	wantNotIn(t, "the header", header, "since", "✗")
	wantIn(t, "Card holders' row", lineWith(screen, "Card holders"), "· 5m old", "403 accessDenied · ")
	for _, other := range []string{"Claims archive", "Patient records", "Employee records"} {
		wantNotIn(t, other+"'s row", lineWith(screen, other), " old", "403")
	}
	if n := strings.Count(r.m.View(), faintOn); n != 1 {
		t.Errorf("%d rows dimmed, want 1", n)
	}
	r.sim.SetConditions()
	r.advance(2*time.Minute + 3*time.Second)
	r.poll()
	events := r.events()
	if countPrefix(events, "Card holders: 403 accessDenied") != 1 || countPrefix(events, "Card holders: readable again after 3m03s") != 1 {
		t.Errorf("events %q", events)
	}
	if countPrefix(events, "Graph") != 0 {
		t.Errorf("a store's failure was logged as Graph's: %q", events)
	}
	if _, header := r.view(); strings.Contains(r.m.View(), faintOn) || !strings.Contains(header, "updated now") {
		t.Errorf("not fresh after the store healed:\n%s", r.m.View())
	}
}

// A listing of entries that are not sessions, or an answer by id naming
// another session: not applied; the store keeps what it showed, marked
// old, with the reason on its row.
func TestFleetRefusesWhatIsNotTheStore(t *testing.T) {
	for _, tc := range []struct {
		kind                 fakegraph.ConditionKind
		store, name, verdict string
		full                 bool // a listing: ctrl+r
		why                  string
	}{
		{fakegraph.GarbageListing, fakegraph.DemoEmployeesStore, "Employee records", "✓ ok", true, "the listing holds 5 entries that are not usable sessions"},
		// Card holders has one upload running: a poll reads it by id.
		{fakegraph.OtherSession, fakegraph.DemoCardsStore, "Card holders", "◷ stale", false, "asked for session "},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			r := newFleetRig(t, 200, 30, 0, "")
			before := lineWith(withoutSelection(r.m.View()), tc.name)
			r.sim.SetConditions(fakegraph.Condition{Kind: tc.kind, StoreID: tc.store})
			r.advance(time.Minute)
			if tc.full {
				press(r.m, "ctrl+r")
			} else {
				r.poll()
			}
			screen, _ := r.view()
			row := lineWith(screen, tc.name)
			wantIn(t, "the row", row, tc.verdict+" · 1m old", tc.why)
			if i := strings.Index(before, "● Uploading"); i < 0 || !strings.Contains(row, before[i:i+20]) {
				t.Errorf("the current session is not kept: %q, was %q", row, before)
			}
		})
	}
}

// A store's own screen under faults: its rows stay, dimmed, and the
// header says what since when; an answer naming another session is not
// applied.
func TestStoreScreenUnderFaults(t *testing.T) {
	for _, tc := range []struct {
		cond   fakegraph.Condition
		header string
	}{
		{fakegraph.Condition{Kind: fakegraph.Down}, "✗ Graph unreachable since 09:01:00 (EOF)"},
		{fakegraph.Condition{Kind: fakegraph.Unavailable, RetryAfter: 30 * time.Second}, "⧗ Graph unavailable since 09:01:00 (503 serviceUnavailable) · retry in 30s"},
		{fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoCardsStore}, "✗ access denied since 09:01:00 (403 accessDenied)"},
		{fakegraph.Condition{Kind: fakegraph.OtherSession}, "✗ Graph answered for another session since 09:01:00 (asked for session"},
	} {
		t.Run(tc.cond.Kind.String(), func(t *testing.T) {
			r := newFleetRig(t, 160, 30, 0, fakegraph.DemoCardsStore)
			rows := len(r.m.ids())
			want := r.m.rowMap()[r.m.ids()[0]].s
			r.sim.SetConditions(tc.cond)
			r.advance(time.Minute)
			r.poll()
			_, header := r.view()
			wantIn(t, "the header", header, tc.header, "data 1m old")
			if len(r.m.ids()) != rows || r.m.rowMap()[want.ID].s != want {
				t.Errorf("rows changed: %d, was %d", len(r.m.ids()), rows)
			}
			if n := strings.Count(r.m.View(), faintOn); n != rows {
				t.Errorf("%d rows dimmed of %d", n, rows)
			}
		})
	}
}

// Opening a store while Graph is down shows what the fleet read of it at
// once, marked as the fleet's and old, and the failure; never "Loading…".
func TestOpeningAStoreWhileGraphIsDown(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	known := r.m.fleet.Status(fakegraph.DemoEmployeesStore)
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	r.advance(4 * time.Minute)
	r.poll()
	press(r.m, "G", "enter")
	if r.m.storeID() != fakegraph.DemoEmployeesStore || len(r.m.ids()) != len(known.sessions) {
		t.Fatalf("store %s with %d rows, the fleet knew %d", r.m.storeID(), len(r.m.ids()), len(known.sessions))
	}
	screen, header := r.view()
	wantIn(t, "the header", header, "Graph unreachable since 09:04:00", "from the fleet, 4m old")
	wantIn(t, "the table", screen, termtext.OneLine(known.current.FileName), "These rows are the fleet's read of 09:00:00")
	wantNotIn(t, "the table", screen, "Loading")
	if n := strings.Count(r.m.View(), faintOn); n != len(known.sessions) {
		t.Errorf("%d rows dimmed of %d", n, len(known.sessions))
	}
	r.sim.SetConditions()
	r.poll()
	if _, header := r.view(); !strings.Contains(header, "updated now") || strings.Contains(header, "fleet") {
		t.Errorf("the store's own read did not replace the fleet's: %q", header)
	}
}

// Opening a store while Graph hangs: the fleet's rows at once, before the
// store's load has any answer; then the poll fails at the request timeout.
func TestOpeningAStoreWhileGraphHangs(t *testing.T) {
	r := newFleetRig(t, 120, 30, time.Second, "")
	r.hangUntilCleanup()
	press(r.m, "G")
	_, open := r.m.Update(keyMsg("enter"))
	var load tea.Cmd
	for _, msg := range collect(open) {
		_, load = r.m.Update(msg) // opens the store; its load is not run yet
	}
	screen, header := r.view()
	wantIn(t, "the header", header, "7 sessions", "from the fleet, 0s old")
	wantIn(t, "the table", screen, "employees-delta.EdmHash")
	wantNotIn(t, "the table", screen, "Loading")
	run(r.m, load)
	_, header = r.view()
	wantIn(t, "the header", header, "✗ Graph not answering since 09:00:00 (no answer within 1s)")
}

// gatedService holds every read of sessions until its gate opens, as
// stores that take long to answer.
type gatedService struct {
	*fakeService
	gate chan struct{}
}

func (g gatedService) wait(ctx context.Context) error {
	select {
	case <-g.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g gatedService) ListSessions(ctx context.Context, id string) ([]*graphapi.Session, error) {
	if err := g.wait(ctx); err != nil {
		return nil, err
	}
	return g.fakeService.ListSessions(ctx, id)
}

func (g gatedService) GetSession(ctx context.Context, store, id string) (graphapi.Session, error) {
	if err := g.wait(ctx); err != nil {
		return graphapi.Session{}, err
	}
	return g.fakeService.GetSession(ctx, store, id)
}

// start applies what Init's commands answer without waiting for the rest
// (the held reads); it returns the commands that follow.
func start(m *Model) tea.Cmd {
	var next []tea.Cmd
	for _, msg := range collect(m.Init()) {
		_, cmd := m.Update(msg)
		next = append(next, cmd)
	}
	return tea.Batch(next...)
}

// The fleet screen shows its rows as soon as the stores are listed, each
// "reading…", and fills them store by store.
func TestFleetShowsRowsBeforeStoresAnswer(t *testing.T) {
	f := fleetScenario()
	g := gatedService{fakeService: &f.fakeService, gate: make(chan struct{})}
	m := New(Options{Service: g, Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: func() time.Time { return fleetNow }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	next := start(m)
	screen := withoutSelection(m.View())
	for _, ds := range f.stores {
		wantIn(t, "the fleet screen", lineWith(screen, ds.DisplayName), "reading…")
	}
	wantIn(t, "the header", strings.SplitN(screen, "\n", 2)[0], "5 stores · 5 reading")
	if n := strings.Count(m.View(), faintOn); n != 5 {
		t.Errorf("%d rows dimmed, want 5", n)
	}
	close(g.gate)
	run(m, next)
	screen = withoutSelection(m.View())
	wantNotIn(t, "the fleet screen", screen, "reading")
	wantIn(t, "the fleet screen", screen, "✗ failed", "⧗ stalled", "◷ stale", "✓ ok")
}

// After notAnsweringAfter without an answer the header says Graph is not
// answering, and for how long; an answer ends it.
func TestHeaderSaysGraphIsNotAnswering(t *testing.T) {
	clock := fakegraph.NewManualClock(truthStart)
	f := fleetScenario()
	g := gatedService{fakeService: &f.fakeService, gate: make(chan struct{})}
	m := New(Options{Service: g, Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: clock.Now})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	next := start(m)
	header := func() string { return strings.SplitN(withoutSelection(m.View()), "\n", 2)[0] }
	clock.Advance(9 * time.Second)
	m.Update(clockTickMsg{})
	wantNotIn(t, "the header at 9s", header(), "not answering")
	clock.Advance(3 * time.Second)
	m.Update(clockTickMsg{})
	wantIn(t, "the header at 12s", header(), "Graph not answering (12s)")
	m.Update(clockTickMsg{answered: clock.Now().Add(-time.Second)})
	wantNotIn(t, "the header after an answer", header(), "not answering")
	wantIn(t, "the header after an answer", header(), "refreshing")
	// During an outage its words stay; a retry that waits long says so
	// in their tail.
	m.loop.outage = outage{since: truthStart, err: &graphapi.Error{Message: "dial tcp 10.0.0.1:443: connect: connection refused"}}
	clock.Advance(11 * time.Second)
	m.Update(clockTickMsg{})
	wantIn(t, "the header in an outage", header(), "✗ Graph unreachable since 09:00:00 (connection refused)")
	wantNotIn(t, "the header in an outage", header(), "Graph not answering")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	wantIn(t, "the header in an outage", header(), "✗ Graph unreachable since 09:00:00 (connection refused) · retrying, no answer for 12s")
	close(g.gate)
	run(m, next)
}

// A store listed twice is one row, watched once (run with -race).
func TestDuplicateStoreIsOneRow(t *testing.T) {
	f := fleetScenario()
	f.stores = append(f.stores, f.stores[0], f.stores[3])
	m := New(Options{Service: f, Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: func() time.Time { return fleetNow }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	press(m, "ctrl+r")
	if n := len(m.fleet.rows); n != 5 || strings.Count(m.View(), "Ember Payroll") != 1 {
		t.Errorf("%d rows:\n%s", n, m.View())
	}
	wantIn(t, "the header", m.View(), "5 stores")
}

// At 80 columns the failure keeps its words: what, since when and why;
// the counts and the store's name give way first.
func TestFailureSurvivesA80Columns(t *testing.T) {
	for _, store := range []string{"", fakegraph.DemoEmployeesStore} {
		r := newFleetRig(t, 80, 24, 0, store)
		r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
		r.advance(4 * time.Minute)
		r.poll()
		_, header := r.view()
		wantIn(t, "the header", header, "✗ Graph unreachable since 09:04:00 (EOF) · retry in 10s")
		if cells(header) > 80 {
			t.Errorf("the header is %d cells wide", cells(header))
		}
	}
}

// Leaving a store that showed the fleet's read (Graph down) for the
// fleet: once the fleet reads again, its header says it is fresh, not
// "data 2s old" for as long as it runs (found trying issue 26 by hand).
func TestFleetFreshAfterLeavingAStoreShownFromTheFleet(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	r.advance(4 * time.Minute)
	r.poll()
	press(r.m, "G", "enter", "h")
	if !r.m.onFleet() {
		t.Fatal("h did not go back to the fleet")
	}
	r.sim.SetConditions()
	r.advance(time.Minute)
	r.poll()
	_, header := r.view()
	wantIn(t, "the fleet's header", header, "updated now")
	wantNotIn(t, "the fleet's header", header, "old")
}

// The fleet holds only the sessions health reads (issue 28's HealthOnly):
// a store opened while Graph is down shows those, and says how many of
// the store's sessions they are.
func TestOpeningAStoreShowsWhichOfItsSessionsTheFleetHeld(t *testing.T) {
	r := newFleetRig(t, 120, 30, 0, "")
	for i := range 20 {
		created := truthStart.Add(-time.Duration(10*24+i) * time.Hour)
		if _, err := r.sim.AddSession(fakegraph.DemoEmployeesStore, fakegraph.SessionSpec{FileName: fmt.Sprintf("old-%02d.EdmHash", i),
			Created: created, TotalBlocks: 1, TotalJobs: 1, BlocksPerMinute: 60, JobsPerMinute: 60, AutoCommit: true}); err != nil {
			t.Fatal(err)
		}
	}
	press(r.m, "ctrl+r") // the fleet lists the stores again, and holds what health reads
	run(r.m, nil)
	known := r.m.fleet.Status(fakegraph.DemoEmployeesStore)
	if known.total != 27 || len(known.sessions) >= known.total {
		t.Fatalf("the fleet holds %d of %d sessions", len(known.sessions), known.total)
	}
	r.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Down})
	r.advance(4 * time.Minute)
	r.poll()
	press(r.m, "G", "enter")
	screen, _ := r.view()
	wantIn(t, "the table", screen, fmt.Sprintf("These %d of the store's 27 sessions are the fleet's read of", len(known.sessions)))
}
