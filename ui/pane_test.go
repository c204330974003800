package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
)

func fieldMap(fields []present.Field) map[string]string {
	m := map[string]string{}
	for _, f := range fields {
		m[f.Label] = f.Value
	}
	return m
}

// The error pane shows what a support ticket needs of a *graphapi.Error:
// its target, every detail and the inner codes, each sanitized where the
// pane renders it.
func TestCallErrorFieldsShowTargetDetailsAndInnerCodes(t *testing.T) {
	hostile := "\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\r\x9b"
	for _, tc := range []struct {
		name  string
		err   error
		want  map[string]string
		unset []string
	}{
		{"everything", &graphapi.Error{StatusCode: 400, Code: "BadRequest", Message: "Invalid request", Target: "fields",
			InnerCodes: []string{"InvalidSchema", "ColumnMissing"},
			Details: []graphapi.ErrorDetail{
				{Code: "MissingColumn", Message: "Email is required", Target: "fields[1]", InnerCodes: []string{"Required"}},
				{Message: "second"},
			}},
			map[string]string{"target": "fields", "inner codes": "InvalidSchema > ColumnMissing",
				"detail 1": "MissingColumn: Email is required  (target: fields[1])  (inner: Required)", "detail 2": "-: second"}, nil},
		{"none of them", &graphapi.Error{StatusCode: 404, Code: "NotFound", Message: "gone"},
			map[string]string{"code": "NotFound"}, []string{"target", "inner codes", "detail 1"}},
		{"hostile strings", &graphapi.Error{StatusCode: 400, Code: "C" + hostile, Message: "m", Target: "t" + hostile,
			InnerCodes: []string{"i" + hostile}, Details: []graphapi.ErrorDetail{{Code: "d" + hostile, Message: hostile, Target: hostile, InnerCodes: []string{hostile}}}},
			map[string]string{}, nil},
		{"not a graph error", errors.New("dial tcp: refused"), map[string]string{"error": "dial tcp: refused"}, []string{"target"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldMap(callErrorFields(tc.err))
			for label, want := range tc.want {
				if got[label] != want {
					t.Errorf("%s = %q, want %q", label, got[label], want)
				}
			}
			for _, label := range tc.unset {
				if _, ok := got[label]; ok {
					t.Errorf("%s shown: %q", label, got[label])
				}
			}
			for _, line := range renderFields(callErrorFields(tc.err), 200, NewStyles(asciiRenderer(), DefaultTheme())) {
				if strings.ContainsAny(line, "\x1b\x07\r\n\u009b") {
					t.Errorf("not sanitized: %q", line)
				}
			}
		})
	}
}

func paneText(m *Model) string { return strings.Join(m.store.pane.content, "\n") }

// The details pane fetches the upload agent of the session it shows, once,
// one lookup at a time, through a command (never in Update); it says
// "loading…" meanwhile and the sanitized error on failure, and tries a
// failed lookup again when the pane is reopened.
func TestDetailsFetchUploadAgentOnDemand(t *testing.T) {
	m, svc := loaded(t)
	release := make(chan struct{})
	var fail error
	svc.agentFn = func(_, id string) (graphapi.UploadAgent, error) {
		<-release
		if fail != nil {
			return graphapi.UploadAgent{}, fail
		}
		return graphapi.UploadAgent{ID: "a", Description: "agent of " + id + "\x1b[2J", CreationDateTime: at("2026-11-01T00:00:00Z")}, nil
	}
	_, cmd := m.Update(keyMsg("enter"))
	if cmd == nil || svc.count("agent") != 0 {
		t.Fatalf("enter: command %v, %d lookups made in Update", cmd != nil, svc.count("agent"))
	}
	if !strings.Contains(paneText(m), "upload agent          loading…") {
		t.Errorf("no loading text:\n%s", paneText(m))
	}
	// Moving on while the lookup runs starts no second one.
	if _, next := m.Update(keyMsg("j")); next != nil {
		t.Error("a second lookup started while one is in flight")
	}
	press(m, "k")
	close(release)
	run(m, cmd)
	if svc.count("agent") != 1 || !strings.Contains(paneText(m), "agent of s-processing") || strings.Contains(paneText(m), "\x1b") {
		t.Fatalf("%d lookups; pane:\n%q", svc.count("agent"), paneText(m))
	}
	if !strings.Contains(paneText(m), "2026-11-01 00:00:00 UTC") {
		t.Errorf("no creation time:\n%s", paneText(m))
	}
	press(m, "j", "k") // the next row's agent, then back: cached
	if svc.count("agent") != 2 {
		t.Errorf("%d lookups after visiting two rows twice, want 2", svc.count("agent"))
	}

	fail = &graphapi.Error{StatusCode: 404, Code: "NotFound", Message: "no agent\x1b]52;c;eA==\x07"}
	press(m, "j", "j")
	if got := paneText(m); !strings.Contains(got, "could not load: 404 NotFound: no agent") || strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("failure not shown sanitized:\n%q", got)
	}
	fail = nil
	press(m, "enter", "enter") // close and reopen: the failed lookup is tried again
	if !strings.Contains(paneText(m), "agent of s-completed") {
		t.Errorf("reopening did not retry:\n%s", paneText(m))
	}
	// An answer for a store left is dropped.
	m.store.pane.SetAgent(uploadAgentMsg{storeID: "other", sessionID: "s-failed", agent: graphapi.UploadAgent{Description: "stranger"}})
	press(m, "j")
	if strings.Contains(paneText(m), "stranger") {
		t.Error("an answer for another store was shown")
	}
}

func TestDetailsShowStoreSchemaAndRecentRuns(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records", Columns: employeeColumns()}}
	svc.sessions[testStore] = sampleSessions()
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	press(m, "enter")
	got := paneText(m)
	for _, want := range []string{"schema (3)", "not in the upload     DisplayName", "recent runs           ✓ 1h01m · ✗ 1h03m",
		"estimated rows        about 2,400,000", "upload time           36m", "processing time       25m so far"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q:\n%s", want, got)
		}
	}
}

func TestDetailsPane(t *testing.T) {
	s := storeAlone(t, 120, 38)
	pressOn(s, "enter")
	view := s.View()
	for _, want := range []string{"─ details · employees-2026-11-28.EdmHash", "s-processing", "7 of 10 done, 3 remaining  (70%)",
		"https://edmupload.blob.core.windows.net/sessions/1", "query hidden", "(12 characters, hidden)", "2026-11-28 08:04:00 UTC  (1h ago)"} {
		if !strings.Contains(view, want) {
			t.Errorf("details lack %q:\n%s", want, view)
		}
	}
	for _, secret := range []string{"SECRETsig", "sig=", "SALTSALT"} {
		if strings.Contains(view, secret) {
			t.Errorf("details show %q", secret)
		}
	}
	// Scrolling: tab focuses the pane, j scrolls it and leaves the selection.
	s.SetSize(120, 22)
	pressOn(s, "tab", "j", "j")
	if s.pane.offset != 2 || s.table.selectedID != "s-processing" {
		t.Errorf("pane offset %d, selected %s", s.pane.offset, s.table.selectedID)
	}
	pressOn(s, "G")
	last := s.pane.offset
	pressOn(s, "j")
	if s.pane.offset != last {
		t.Error("pane scrolled past its end")
	}
	pressOn(s, "enter") // esc and q close it too: the root's (back.go)
	if s.pane.Open() || s.pane.Focused() {
		t.Error("enter did not close the pane")
	}
}

func TestErrorPaneShowsSessionError(t *testing.T) {
	s := storeAlone(t, 120, 28)
	selectOn(t, s, "s-failed")
	pressOn(s, "e")
	view := s.View()
	for _, want := range []string{"SESSION ERROR", "InvalidHashFormat", "Block 6 could not be read.", "contractors.EdmHash",
		"SchemaColumnMismatch", "c0ffee00-1111-4222-8333-944455556666", "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
		"2026-11-28 09:03:12 UTC", "ColumnCount: Expected 3 columns, found 4  (target: block 6)"} {
		if !strings.Contains(view, want) {
			t.Errorf("error pane lacks %q:\n%s", want, view)
		}
	}
	// The pane follows the selection.
	pressOn(s, "k")
	if !strings.Contains(s.View(), "No errors") {
		t.Error("pane did not follow the selection")
	}
}

// Issue 26: a stalled session's details say so, with the rule in force;
// a session within it has no such line.
func TestDetailsSayStalled(t *testing.T) {
	svc := newFake()
	stalled := sampleSessions()[1] // UploadInProgress
	stalled.ID, stalled.FileName = "s-stalled", "stalled.EdmHash"
	stalled.LastUpdatedDateTime = graphapi.Time{Time: testNow.Add(-20 * time.Hour)}
	svc.sessions[testStore] = append(sampleSessions(), stalled)
	m := newTestModel(t, svc, testStore)
	run(m, m.Init())
	selectID(t, m, "s-stalled")
	press(m, "enter")
	if line := lineWith(m.View(), " stalled  "); !strings.Contains(line, "no update for 20h (stall after 2h)") {
		t.Errorf("stalled details: %q in\n%s", line, m.View())
	}
	selectID(t, m, "s-uploading")
	if line := lineWith(m.View(), " stalled  "); line != "" {
		t.Errorf("a session updated 3m ago: %q", line)
	}
}
