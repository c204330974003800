package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// startedOn is a dashboard on the demo-like service, started on the fleet
// (storeID "") or on a store, loaded, at width×height.
func startedOn(t *testing.T, storeID string, width, height int) *Model {
	t.Helper()
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records"}, {ID: "other", DisplayName: "Other"}}
	svc.sessions[testStore] = sampleSessions()
	m := newTestModel(t, svc, storeID)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	run(m, m.Init())
	return m
}

// openFirstStore selects Employee records on the fleet and opens it with
// key k.
func openFirstStore(t *testing.T, m *Model, k string) {
	t.Helper()
	for m.fleet.Selected() == nil || m.fleet.Selected().store.ID != testStore {
		before := m.fleet.cursor()
		if press(m, "j"); m.fleet.cursor() == before {
			t.Fatal("Employee records is not on the fleet")
		}
	}
	press(m, k)
	if m.onFleet() || m.storeID() != testStore {
		t.Fatalf("%s did not open the store", k)
	}
}

func footer(m *Model) string { return lastLine(m.View()) }

// Issue 26: q, esc, h and ← take the same step back on every screen and in
// both start modes; the footer names it; at the top only q quits and the
// others say so.
func TestBackKeysTakeTheSameStep(t *testing.T) {
	type state struct {
		fleet         bool
		pane, help    bool
		log           bool
		filter, store string
	}
	now := func(m *Model) state {
		f := m.store.Filter()
		if m.onFleet() {
			f = m.fleet.Filter()
		}
		return state{fleet: m.onFleet(), pane: m.paneOpen(), help: m.status.ShowingHelp(), log: m.events.Open(), filter: f, store: m.storeID()}
	}
	cases := []struct {
		name    string
		storeID string   // "" starts on the fleet
		setup   []string // keys that reach the screen
		label   string   // what the footer says q does
		after   func(before state) state
	}{
		{"the fleet at the top", "", nil, "q quit", nil},
		{"a store opened from the fleet", "", []string{"open"}, "q back", func(b state) state { b.fleet = true; return b }},
		{"its pane", "", []string{"open", "enter"}, "q close pane", func(b state) state { b.pane = false; return b }},
		{"its filter", "", []string{"open", "/", "x", "enter"}, "q clear filter", func(b state) state { b.filter = ""; return b }},
		{"the fleet's filter", "", []string{"/", "x", "enter"}, "q clear filter", func(b state) state { b.filter = ""; return b }},
		{"the help on the fleet", "", []string{"?"}, "q close help", func(b state) state { b.help = false; return b }},
		{"the event log", "", []string{"L"}, "q close log", func(b state) state { b.log = false; return b }},
		{"a store at the top", testStore, nil, "q quit", nil},
		{"its pane at the top", testStore, []string{"e"}, "q close pane", func(b state) state { b.pane = false; return b }},
		{"the fleet opened with d", testStore, []string{"d"}, "q back", func(b state) state { b.fleet = false; return b }},
		{"the help on a store", testStore, []string{"?"}, "q close help", func(b state) state { b.help = false; return b }},
	}
	for _, tc := range cases {
		for _, k := range []string{"q", "esc", "h", "left"} {
			t.Run(tc.name+"/"+k, func(t *testing.T) {
				m := startedOn(t, tc.storeID, 120, 30)
				for _, s := range tc.setup {
					if s == "open" {
						openFirstStore(t, m, "enter")
						continue
					}
					press(m, s)
				}
				if f := footer(m); !strings.Contains(f, tc.label) {
					t.Errorf("footer %q lacks %q", f, tc.label)
				}
				before := now(m)
				_, cmd := m.Update(keyMsg(k))
				if tc.after == nil { // the top: q quits, the others stay and say so
					if quits(cmd) != (k == "q") {
						t.Fatalf("%s at the top: quits %v", k, quits(cmd))
					}
					if k != "q" {
						run(m, cmd)
						if now(m) != before || !strings.Contains(footer(m), "nothing to go back to; q quits") {
							t.Errorf("%s at the top: %+v → %+v, footer %q", k, before, now(m), footer(m))
						}
					}
					return
				}
				if quits(cmd) {
					t.Fatalf("%s quit from %s", k, tc.name)
				}
				run(m, cmd)
				if got, want := now(m), tc.after(before); got != want {
					t.Errorf("%s from %s: %+v, want %+v", k, tc.name, got, want)
				}
			})
		}
	}
}

// Issue 26: the help says what q and esc do on the screen it covers.
func TestHelpLabelsTheBackKeys(t *testing.T) {
	cases := []struct {
		name    string
		storeID string
		setup   []string
		want    []string
	}{
		{"the fleet at the top", "", nil, []string{"q         quit", "esc/h/←   back, never quits"}},
		{"a store opened from the fleet", "", []string{"open"}, []string{"q       back to the fleet", "esc/h/← back to the fleet"}},
		{"a store at the top", testStore, nil, []string{"q       quit", "esc/h/← back, never quits"}},
		{"a store's pane", testStore, []string{"enter"}, []string{"q       close pane", "esc/h/← close pane"}},
		{"the fleet opened with d", testStore, []string{"d"}, []string{"q         back to the store", "esc/h/←   back to the store"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := startedOn(t, tc.storeID, 120, 40)
			for _, s := range tc.setup {
				if s == "open" {
					openFirstStore(t, m, "enter")
					continue
				}
				press(m, s)
			}
			press(m, "?")
			v := m.View()
			for _, w := range tc.want {
				if !strings.Contains(v, w) {
					t.Errorf("help lacks %q:\n%s", w, v)
				}
			}
		})
	}
}

// Issue 26: l and → open a store from the fleet as enter does; on a store
// they open the details (enter toggles them) and never close them.
func TestOpenKeys(t *testing.T) {
	for _, k := range []string{"enter", "l", "right"} {
		m := startedOn(t, "", 120, 30)
		openFirstStore(t, m, k)
		if m.paneOpen() {
			t.Errorf("%s opened a pane with the store", k)
		}
	}
	m := startedOn(t, testStore, 120, 30)
	for _, k := range []string{"l", "right", "l"} {
		press(m, k)
		if !m.paneOpen() || m.store.pane.kind != paneDetails {
			t.Errorf("%s did not open the details", k)
		}
	}
	press(m, "e", "l")
	if m.store.pane.kind != paneDetails {
		t.Error("l on the errors pane did not show the details")
	}
	press(m, "enter")
	if m.paneOpen() {
		t.Error("enter did not toggle the details closed")
	}
}

// Issue 26: the footer keeps ? and q at 80×24 and 60×15, on both screens,
// with a pane, and while a flash speaks; the other hints give way.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}, {50, 8}} {
		for _, tc := range []struct {
			name, storeID string
			setup         []string
			label         string
		}{
			{"fleet", "", nil, "q quit"},
			{"store from the fleet", "", []string{"open"}, "q back"},
			{"store at the top", testStore, nil, "q quit"},
			{"pane", testStore, []string{"enter"}, "q close pane"},
			{"flash", testStore, []string{":"}, "q quit"},
		} {
			m := startedOn(t, tc.storeID, size[0], size[1])
			for _, s := range tc.setup {
				if s == "open" {
					openFirstStore(t, m, "enter")
					continue
				}
				press(m, s)
			}
			f := footer(m)
			if !strings.Contains(f, "? help • "+tc.label) || strings.Contains(f, "q quit") != (tc.label == "q quit") {
				t.Errorf("%dx%d %s: footer %q, want ? help and %q", size[0], size[1], tc.name, f, tc.label)
			}
			if w := len([]rune(f)); w != size[0] {
				t.Errorf("%dx%d %s: footer %d wide", size[0], size[1], tc.name, w)
			}
		}
	}
}

// Issue 26: the footer shows the selected session's actions that apply
// (and none that do not), its panes, the marks, and d where it is news.
func TestFooterShowsWhatAppliesToTheRow(t *testing.T) {
	cases := []struct {
		name, storeID, row string
		keys               []string
		has, lacks         []string
	}{
		{"running", testStore, "s-uploading", nil, []string{"r renew", "c cancel", "enter details", "space mark", "y copy id", "d fleet"}, []string{"m commit", "e errors", "R renew"}},
		{"failed", testStore, "s-failed", nil, []string{"enter details", "e errors", "space mark", "y copy id"}, []string{"r renew", "c cancel", "m commit"}},
		{"marked", testStore, "s-uploading", []string{" "}, []string{"R renew marked"}, nil},
		{"details open", testStore, "s-failed", []string{"enter"}, []string{"tab scroll pane", "e errors", "q close pane"}, []string{"enter details"}},
		{"opened from the fleet", "", "s-uploading", nil, []string{"r renew", "q back"}, []string{"d fleet"}},
	}
	for _, tc := range cases {
		m := startedOn(t, tc.storeID, 200, 30)
		if tc.storeID == "" {
			openFirstStore(t, m, "enter")
		}
		selectID(t, m, tc.row)
		press(m, tc.keys...)
		f := footer(m)
		for _, h := range tc.has {
			if !strings.Contains(f, h) {
				t.Errorf("%s: footer %q lacks %q", tc.name, f, h)
			}
		}
		for _, h := range tc.lacks {
			if strings.Contains(f, h) {
				t.Errorf("%s: footer %q shows %q", tc.name, f, h)
			}
		}
	}
	m, _ := withWaiting(t) // upload complete: commit applies
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 30})
	if f := footer(m); !strings.Contains(f, "m commit") {
		t.Errorf("awaiting commit: footer %q", f)
	}
}

// Issue 26: at 80×24 and 60×15 the header keeps the data's freshness,
// fresh or old, and a failure's words; the counts give way first.
func TestHeaderKeepsFreshness(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		for _, storeID := range []string{"", testStore} {
			m := startedOn(t, storeID, size[0], size[1])
			clock := testNow
			m.be.now = func() time.Time { return clock }
			header := func() string { return strings.SplitN(m.View(), "\n", 2)[0] }
			if h := header(); !strings.Contains(h, "updated now") {
				t.Errorf("%dx%d %q: header %q", size[0], size[1], storeID, h)
			}
			// Four minutes without a read, the loop overdue: old data says so.
			clock = testNow.Add(4 * time.Minute)
			m.Update(clockTickMsg{})
			if h := header(); !strings.Contains(h, "data 4m old") {
				t.Errorf("%dx%d %q: header after 4m %q", size[0], size[1], storeID, h)
			}
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		}
	}
}

// Issue 26: ":" (k9s's command mode) says there is none instead of doing
// nothing.
func TestColonSaysThereIsNoCommandMode(t *testing.T) {
	for _, storeID := range []string{"", testStore} {
		m := startedOn(t, storeID, 120, 30)
		press(m, ":")
		if f := footer(m); !strings.Contains(f, "no command mode: ? lists the keys") {
			t.Errorf("%q: footer %q", storeID, f)
		}
	}
}

// Issue 26: the filter prompt says what each screen's filter matches.
func TestFilterPromptSpeaksOfTheScreen(t *testing.T) {
	for _, tc := range []struct{ storeID, want, not string }{
		{"", "/name or health", "file"},
		{testStore, "/file, state or id", "health"},
	} {
		m := startedOn(t, tc.storeID, 120, 30)
		press(m, "/")
		if f := footer(m); !strings.Contains(f, tc.want) || strings.Contains(f, tc.not) {
			t.Errorf("%q: prompt %q, want %q", tc.storeID, f, tc.want)
		}
	}
}

// Issue 26: the help explains the recent runs' marks, and scrolls to them
// where it does not fit (80×24).
func TestHelpExplainsHistoryMarksAndScrolls(t *testing.T) {
	m := startedOn(t, testStore, 80, 24)
	press(m, "?")
	if f := footer(m); !strings.Contains(f, "↓/j down") {
		t.Errorf("a help longer than the screen does not say it scrolls: %q", f)
	}
	all := strings.Join(m.helpLines(), " ")
	for _, w := range []string{"⚠rows: its row count differs by more than 30%", "⚠time", "q, esc, h and ← go back"} {
		if !strings.Contains(strings.Join(strings.Fields(all), " "), w) {
			t.Errorf("help lacks %q", w)
		}
	}
	if strings.Contains(m.View(), "⚠rows") {
		t.Fatal("the help fits: this test needs a help longer than the screen")
	}
	press(m, "G")
	last := m.helpLines()[len(m.helpLines())-1]
	if v := m.View(); !strings.Contains(v, "⚠rows") || !strings.Contains(v, strings.TrimSpace(last)) {
		t.Errorf("G did not scroll the help to its end:\n%s", v)
	}
	press(m, "g")
	if v := m.View(); !strings.Contains(v, " Keys") {
		t.Errorf("g did not scroll the help back:\n%s", v)
	}
	press(m, "G", "?", "?")
	if v := m.View(); !strings.Contains(v, " Keys") {
		t.Errorf("the help reopened scrolled:\n%s", v)
	}
}

// Below 50×8 only quit acts: q quits, esc and the rest do nothing.
func TestTooSmallOnlyQuits(t *testing.T) {
	m := startedOn(t, "", 120, 30)
	openFirstStore(t, m, "enter")
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 6})
	for _, k := range []string{"esc", "h", "left", "l", "enter"} {
		if _, cmd := m.Update(keyMsg(k)); cmd != nil && quits(cmd) || m.onFleet() || m.paneOpen() {
			t.Errorf("%s acted on a screen too small", k)
		}
	}
	if _, cmd := m.Update(keyMsg("q")); !quits(cmd) {
		t.Error("q did not quit a screen too small")
	}
}

// The endpoint's label ("demo") gives way whole before the store's name
// is cut: the header never ends its name in "· …".
func TestHeaderLabelGivesWayWhole(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records"}}
	svc.sessions[testStore] = sampleSessions()
	for _, w := range []int{120, 80, 76, 70, 60} {
		m := New(Options{Service: svc, StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
			Now: func() time.Time { return testNow }, Label: "demo"})
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		run(m, m.Init())
		h := strings.SplitN(m.View(), "\n", 2)[0]
		if !strings.Contains(h, "Employee records") || strings.Contains(h, "· …") || strings.Contains(h, "· d") && !strings.Contains(h, "· demo") {
			t.Errorf("%d columns: header %q", w, h)
		}
	}
}
