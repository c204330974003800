package ui

import (
	"context"
	"github.com/edmtop/edmtop/graphapi"
	"time"
)

// Test accessors: tests read and set the model's state through these, so
// the state can move between components without touching every test.

func (m *Model) ids() []string                      { return m.order }
func (m *Model) selID() string                      { return m.selectedID }
func (m *Model) rowMap() map[string]*row            { return m.rows }
func (m *Model) loadError() error                   { return m.loadErr }
func (m *Model) loadGeneration() int                { return m.loadGen }
func (m *Model) tickGeneration() int                { return m.tickGen }
func (m *Model) isLoading() bool                    { return m.loading }
func (m *Model) isPaused() bool                     { return m.paused }
func (m *Model) nextRefreshAt() time.Time           { return m.nextRefresh }
func (m *Model) setClock(t time.Time)               { m.clockTime = t }
func (m *Model) service() Service                   { return m.svc }
func (m *Model) setService(s Service)               { m.svc = s }
func (m *Model) reqContext() context.Context        { return m.ctx }
func (m *Model) setContext(ctx context.Context)     { m.ctx = ctx }
func (m *Model) requestTimeout() time.Duration      { return m.timeout }
func (m *Model) filterText() string                 { return m.filter }
func (m *Model) setFilter(f string)                 { m.filter = f; m.resort() }
func (m *Model) isFiltering() bool                  { return m.filtering }
func (m *Model) prompting() bool                    { return m.confirm != nil }
func (m *Model) dropPrompt()                        { m.confirm = nil }
func (m *Model) paneScroll() int                    { return m.paneOffset }
func (m *Model) paneOpen() bool                     { return m.pane != paneNone }
func (m *Model) paneFocused() bool                  { return m.paneFocus }
func (m *Model) inPicker() bool                     { return m.mode == modePicker }
func (m *Model) storeCursorAt() int                 { return m.storeCursor }
func (m *Model) sortBy() sortKey                    { return m.sortKey }
func (m *Model) sortReversed() bool                 { return m.sortReverse }
func (m *Model) queued() int                        { return len(m.renewQueue) }
func (m *Model) setMouse(on bool)                   { m.mouse = on }
func (m *Model) stopSpinner()                       { m.spinning = false }
func (m *Model) storeID() string                    { return m.store.ID }
func (m *Model) openStoreValue() graphapi.DataStore { return m.store }
