package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/muesli/termenv"
)

// fakeService is an in-memory Service with call counters and injectable
// answers.
type fakeService struct {
	mu       sync.Mutex
	stores   []graphapi.DataStore
	sessions map[string][]*graphapi.Session
	listErr  []error // consumed one per ListSessions call
	renewFn  func(storeID, id string) (graphapi.Session, error)
	agentFn  func(storeID, id string) (graphapi.UploadAgent, error)
	calls    map[string]int
}

func newFake() *fakeService {
	return &fakeService{sessions: map[string][]*graphapi.Session{}, calls: map[string]int{}}
}

// reads counts the requests that read sessions: listings and by-id reads
// (a refresh after the first re-reads only the running sessions).
func (f *fakeService) reads() int { return f.count("list") + f.count("get") }

func (f *fakeService) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeService) ListDataStores(context.Context) ([]graphapi.DataStore, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["stores"]++
	return append([]graphapi.DataStore(nil), f.stores...), nil
}

func (f *fakeService) ListSessions(_ context.Context, storeID string) ([]*graphapi.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["list"]++
	if len(f.listErr) > 0 {
		err := f.listErr[0]
		f.listErr = f.listErr[1:]
		if err != nil {
			return nil, err
		}
	}
	// Fresh copies, as a service decodes a new listing: a test that edits
	// its sessions afterwards must not write into what the model holds.
	out := make([]*graphapi.Session, len(f.sessions[storeID]))
	for i, s := range f.sessions[storeID] {
		c := *s
		out[i] = &c
	}
	return out, nil
}

// GetSession answers from the same listing, so a by-id refresh sees what
// a listing would.
func (f *fakeService) GetSession(_ context.Context, storeID, id string) (graphapi.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["get"]++
	for _, s := range f.sessions[storeID] {
		if s.ID == id {
			return *s, nil
		}
	}
	return graphapi.Session{}, &graphapi.Error{StatusCode: 404, Code: "NotFound", Message: "no session " + id}
}

func (f *fakeService) RenewSession(_ context.Context, storeID, id string) (graphapi.Session, error) {
	f.mu.Lock()
	f.calls["renew"]++
	fn := f.renewFn
	f.mu.Unlock()
	if fn != nil {
		return fn(storeID, id)
	}
	return graphapi.Session{}, fmt.Errorf("no renew scripted")
}

func (f *fakeService) CancelSession(context.Context, string, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["cancel"]++
	return nil
}

func (f *fakeService) CommitSession(context.Context, string, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["commit"]++
	return nil
}

func (f *fakeService) GetUploadAgent(_ context.Context, storeID, id string) (graphapi.UploadAgent, error) {
	f.mu.Lock()
	f.calls["agent"]++
	fn := f.agentFn
	f.mu.Unlock()
	if fn != nil {
		return fn(storeID, id)
	}
	return graphapi.UploadAgent{ID: "agent-1", Description: "EdmUploadAgent on EDM-UPLOAD-01", CreationDateTime: at("2026-10-29T08:00:00Z")}, nil
}

// testNow is the fixed clock of UI tests.
var testNow = time.Date(2026, 11, 28, 9, 5, 0, 0, time.UTC)

func at(s string) graphapi.Time {
	t, _ := graphapi.ParseTime(s)
	return graphapi.Time{Time: t, Raw: s}
}

func cnt(v int64) graphapi.Count { return graphapi.Count{Value: v, Valid: true} }

const testStore = "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"

// sampleSessions mirror the shared fixtures: one per phase.
func sampleSessions() []*graphapi.Session {
	return []*graphapi.Session{
		{ID: "s-processing", DataStoreID: testStore, FileName: "employees-2026-11-28.EdmHash", State: "ProcessingInProgress",
			CreationDateTime: at("2026-11-28T08:04:00Z"), LastUpdatedDateTime: at("2026-11-28T09:01:00Z"),
			TotalBlockCount: cnt(24), RemainingBlockCount: cnt(0), TotalJobCount: cnt(10), RemainingJobCount: cnt(3),
			RowsPerBlock: cnt(100000), UploadCompletionDateTime: at("2026-11-28T08:40:00Z"),
			DataUploadURI: "https://edmupload.blob.core.windows.net/sessions/1?sv=2024&sig=SECRETsig%3D", Salt: "SALTSALTSALT",
			Fields: []string{"EmployeeId", "Email"}},
		{ID: "s-uploading", DataStoreID: testStore, FileName: "employees-delta.EdmHash", State: "UploadInProgress",
			CreationDateTime: at("2026-11-28T08:03:00Z"), LastUpdatedDateTime: at("2026-11-28T09:02:00Z"),
			TotalBlockCount: cnt(50), RemainingBlockCount: cnt(35), TotalJobCount: cnt(0), RemainingJobCount: cnt(0)},
		{ID: "s-completed", DataStoreID: testStore, FileName: "employees-2026-11-27.EdmHash", State: "Completed",
			CreationDateTime: at("2026-11-28T08:02:00Z"), LastUpdatedDateTime: at("2026-11-28T09:03:00Z"),
			TotalBlockCount: cnt(24), RemainingBlockCount: cnt(0), TotalJobCount: cnt(10), RemainingJobCount: cnt(0)},
		{ID: "s-failed", DataStoreID: testStore, FileName: "contractors.EdmHash", State: "Failed",
			CreationDateTime: at("2026-11-28T08:01:00Z"), LastUpdatedDateTime: at("2026-11-28T09:04:00Z"),
			TotalBlockCount: cnt(8), RemainingBlockCount: cnt(0), TotalJobCount: cnt(4), RemainingJobCount: cnt(3),
			Error: &graphapi.ClassificationError{Code: "InvalidHashFormat", Message: "Block 6 could not be read.", Target: "contractors.EdmHash",
				InnerError: &graphapi.ClassificationInnerError{Code: "SchemaColumnMismatch", ActivityID: "c0ffee00-1111-4222-8333-944455556666",
					ClientRequestID: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", ErrorDateTime: at("2026-11-28T09:03:12Z")},
				Details: []graphapi.ClassificationErrorDetail{{Code: "ColumnCount", Message: "Expected 3 columns, found 4", Target: "block 6"}}}},
	}
}

func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

func newTestModel(t *testing.T, svc Service, storeID string) *Model {
	t.Helper()
	m := New(Options{Service: svc, StoreID: storeID, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
		Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	return m
}

// run executes cmd and feeds every message it produces back into m,
// following batches. The model's timers are off in tests (TestMain), so
// every command here is real work that answers at once.
func run(m *Model, cmd tea.Cmd) {
	for _, msg := range collect(cmd) {
		_, next := m.Update(msg)
		run(m, next)
	}
}

func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if batch, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range batch {
				out = append(out, collect(c)...)
			}
			return out
		}
		if msg == nil || isTickOfUI(msg) {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(10 * time.Second):
		// Only real work runs here (timers are off in tests): a command
		// this slow is a hang.
		panic("a command did not answer within 10 s")
	}
}

// isTickOfUI drops animation ticks, which would otherwise re-arm forever.
func isTickOfUI(msg tea.Msg) bool {
	switch msg.(type) {
	case clockTickMsg:
		return true
	}
	return strings.HasPrefix(fmt.Sprintf("%T", msg), "spinner.")
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		run(m, cmd)
	}
}

// keyMsg builds the message Bubble Tea sends for a key name.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "ctrl+r": tea.KeyCtrlR,
		"down": tea.KeyDown, "up": tea.KeyUp, "left": tea.KeyLeft, "right": tea.KeyRight, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, " ": tea.KeySpace,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
