package ui

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/edmtop/edmtop/graphapi"
)

// Golden screens: the real program loop (teatest) at fixed sizes, a fixed
// clock and the Ascii colour profile. Update with: go test ./ui -update
func TestGoldenScreens(t *testing.T) {
	cases := []struct {
		name          string
		width, height int
		keys          []string
		// until is text the screen shows once the keys' work has arrived
		// (the upload agent is fetched after enter).
		until string
		after []string // keys sent once until shows
		ascii bool     // the Linux console's glyphs
	}{
		{"table", 80, 24, nil, "", nil, false},
		{"table", 160, 48, nil, "", nil, false},
		{"details", 80, 24, []string{"enter"}, "1–16 of 35", nil, false},
		{"details", 160, 48, []string{"enter"}, "EDM-UPLOAD-01", nil, false},
		{"errors", 80, 24, []string{"G", "e"}, "", nil, false},
		{"errors", 160, 48, []string{"G", "e"}, "", nil, false},
		{"help", 80, 24, []string{"?"}, "", nil, false},
		{"table_ascii", 80, 24, []string{"j", " ", "k"}, "", nil, true},
		// Issue 26: the smallest size tried by hand keeps the header's
		// freshness and the footer's ? and q.
		{"table", 60, 15, nil, "", nil, false},
		{"help", 60, 15, []string{"?"}, "", nil, false},
		{"help_end", 80, 24, []string{"?", "G"}, "", nil, false},
		{"details_ascii", 80, 24, []string{"enter"}, "of 35", []string{"tab", "G"}, true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s_%dx%d", tc.name, tc.width, tc.height), func(t *testing.T) {
			svc := newFake()
			svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records", Columns: employeeColumns()}}
			svc.sessions[testStore] = sampleSessions()
			m := New(Options{Service: svc, StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
				Now: func() time.Time { return testNow }, ASCII: tc.ascii})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(tc.width, tc.height))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("contractors")) && bytes.Contains(b, []byte("Employee records"))
			}, teatest.WithDuration(5*time.Second))
			for _, k := range tc.keys {
				tm.Send(keyMsg(k))
			}
			if tc.until != "" {
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(tc.until)) },
					teatest.WithDuration(5*time.Second))
			}
			for _, k := range tc.after {
				tm.Send(keyMsg(k))
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC}) // q would close a pane; ctrl+c always quits
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			golden.RequireEqual(t, []byte(final.View()))
		})
	}
}

// employeeColumns is the golden store's schema: the processing session's
// upload lacks DisplayName.
func employeeColumns() []graphapi.Column {
	yes, no := true, false
	return []graphapi.Column{
		{Name: "EmployeeId", IsSearchable: &yes, IsCaseInsensitive: &no},
		{Name: "Email", IsSearchable: &yes, IsCaseInsensitive: &yes, IgnoredDelimiters: []string{"."}},
		{Name: "DisplayName", IsSearchable: &no, IsCaseInsensitive: &yes},
	}
}

// Golden fleet screens: a failed, a stalled, a stale, an ok store and one
// whose sessions cannot be listed, on a fixed clock; in the Linux console's
// glyphs too.
func TestGoldenFleet(t *testing.T) {
	cases := []struct {
		name          string
		width, height int
		keys          []string
		ascii         bool
		// fail, when set, breaks reads after the first poll; ctrl+r then
		// reads again and the screen shows until says so.
		fail  func(f *fleetFake)
		until string
		// shows, when set, is text the screen shows once the keys' work
		// has arrived (a store opened).
		shows string
	}{
		{"fleet", 80, 24, nil, false, nil, "", ""},
		{"fleet", 120, 40, nil, false, nil, "", ""},
		{"fleet_ascii", 80, 24, nil, true, nil, "", ""},
		{"fleet_help", 80, 24, []string{"?"}, false, nil, "", ""},
		{"fleet", 60, 15, nil, false, nil, "", ""},
		{"fleet_help", 60, 15, []string{"?"}, false, nil, "", ""},
		// Issue 26: a store opened from the fleet (l) says q goes back.
		{"fleet_store", 80, 24, []string{"j", "l"}, false, nil, "", "2 sessions"},
		// Graph unreachable: every row keeps its verdict, dimmed, with its age.
		{"fleet_outage", 80, 24, nil, false, func(f *fleetFake) {
			for _, ds := range f.stores {
				f.fail(ds.ID, &graphapi.Error{Op: "list sessions", Message: "dial tcp 10.0.0.1:443: connect: connection refused"})
			}
		}, "Graph unreachable since", ""},
		// One store refused: its row says why, the others stay fresh.
		{"fleet_one_store_refused", 100, 24, nil, false, func(f *fleetFake) {
			f.fail("s-stalled", &graphapi.Error{Op: "list sessions", StatusCode: 403, Code: "accessDenied"})
		}, "403 accessDenied", ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s_%dx%d", tc.name, tc.width, tc.height), func(t *testing.T) {
			f := fleetScenario()
			m := New(Options{Service: f, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
				Now: func() time.Time { return fleetNow }, ASCII: tc.ascii})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(tc.width, tc.height))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("Ember Payroll"))
			}, teatest.WithDuration(5*time.Second))
			if tc.fail != nil {
				tc.fail(f)
				tm.Send(keyMsg("ctrl+r"))
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(tc.until)) },
					teatest.WithDuration(5*time.Second))
			}
			for _, k := range tc.keys {
				tm.Send(keyMsg(k))
			}
			if tc.shows != "" {
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(tc.shows)) },
					teatest.WithDuration(5*time.Second))
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			golden.RequireEqual(t, []byte(final.View()))
		})
	}
}
