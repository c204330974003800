package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// Test accessors: tests read and set the model's state through these, so
// the state can move between components without touching every test.

func (m *Model) ids() []string           { return m.store.table.Visible() }
func (m *Model) selID() string           { return m.store.table.selectedID }
func (m *Model) rowMap() map[string]*row { return m.store.table.rows }
func (m *Model) selectedRow() *row       { return m.store.table.Selected() }
func (m *Model) tableHeight() int        { return m.store.table.height }
func (m *Model) markedCount() int        { return m.store.table.Marked() }
func (m *Model) merge(s []*graphapi.Session, at time.Time) []notice {
	return m.store.table.Merge(s, at)
}
func (m *Model) loadError() error                   { return m.loop.err }
func (m *Model) loadGeneration() int                { return m.loop.loadGen }
func (m *Model) tickGeneration() int                { return m.loop.tickGen }
func (m *Model) isLoading() bool                    { return m.loop.loading }
func (m *Model) isPaused() bool                     { return m.loop.paused }
func (m *Model) nextRefreshAt() time.Time           { return m.loop.next }
func (m *Model) setClock(t time.Time)               { m.sh.clock = t }
func (m *Model) service() Service                   { return m.be.svc }
func (m *Model) setService(s Service)               { m.be.svc, m.loop.storeMon, m.loop.fleetMon = s, nil, nil }
func (m *Model) reqContext() context.Context        { return m.be.ctx }
func (m *Model) setContext(ctx context.Context)     { m.be.ctx = ctx }
func (m *Model) requestTimeout() time.Duration      { return m.be.timeout }
func (m *Model) filterText() string                 { return m.store.Filter() }
func (m *Model) setFilter(f string)                 { m.store.SetFilter(f) }
func (m *Model) isFiltering() bool                  { return m.prompt.filtering }
func (m *Model) prompting() bool                    { return m.prompt.confirm != nil }
func (m *Model) dropPrompt()                        { m.prompt.Drop() }
func (m *Model) paneOpen() bool                     { return m.store.pane.Open() }
func (m *Model) paneFocused() bool                  { return m.store.pane.Focused() }
func (m *Model) onFleet() bool                      { return m.screen == screenFleet }
func (m *Model) fleetCursorAt() int                 { return m.fleet.cursor() }
func (m *Model) queued() int                        { return len(m.store.renews.queue) }
func (m *Model) setMouse(on bool)                   { m.cfg.mouse = on }
func (m *Model) stopSpinner()                       { m.sh.spinning = false }
func (m *Model) storeID() string                    { return m.store.ID() }
func (m *Model) openStoreValue() graphapi.DataStore { return m.store.store }

// renewCmd is the renew action's command, as tests call it.
func renewCmd(ctx context.Context, svc Service, storeID, sessionID string, timeout time.Duration) tea.Cmd {
	return actionCmd(ctx, svc, actRenew, storeID, sessionID, timeout)
}

// actionNamed is the action a test names.
func actionNamed(name string) action {
	return map[string]action{"renew": actRenew, "cancel": actCancel, "commit": actCommit}[name]
}

// busy reports whether an action is in flight on a session's row.
func busy(m *Model, id string) bool {
	r, ok := m.store.table.Row(id)
	return ok && r.pending != noAction
}

// withoutSelection removes the one reverse-video run the Ascii styles put
// around the selected row, and the dimming of old rows, so a screen can be
// checked for escape bytes: a leaked sequence, even the same one, still
// shows (but for SGR 2 and 22, which sanitized text cannot hold).
func withoutSelection(screen string) string {
	screen = strings.Replace(strings.Replace(screen, reverseOn, "", 1), reverseOff, "", 1)
	return withoutDim(screen)
}

// withoutDim removes the faint runs around what is shown from an earlier
// read.
func withoutDim(screen string) string {
	return strings.ReplaceAll(strings.ReplaceAll(screen, faintOn, ""), faintOff, "")
}

// pickStore goes to the fleet screen (d) and opens store id, wherever its
// verdict sorts it.
func pickStore(t *testing.T, m *Model, id string) {
	t.Helper()
	press(m, "d")
	press(m, "g")
	for range len(m.fleet.shown) {
		if s := m.fleet.Selected(); s != nil && s.store.ID == id {
			press(m, "enter")
			return
		}
		press(m, "j")
	}
	t.Fatalf("store %s is not in the fleet screen", id)
}

// rowOf is a row holding its own copy of s.
func rowOf(s *graphapi.Session) *row { return newRow(s) }
