package ui

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/keymap"
)

// Options configure the dashboard.
type Options struct {
	Service Service
	// StoreID opens that data store; empty starts with the fleet screen.
	StoreID string
	// Refresh is the auto-refresh interval; 0 turns auto-refresh off.
	Refresh time.Duration
	// Context is cancelled when the program ends; requests use it.
	Context context.Context
	// RequestTimeout bounds an action's call and a load's silence: a poll
	// fails once no Graph call has answered for this long (default 30s,
	// the request-timeout setting).
	RequestTimeout time.Duration
	Keys           keymap.KeyMap
	// Renderer decides colour profile and background (default lipgloss's).
	Renderer *lipgloss.Renderer
	Theme    *Theme
	// Now is the clock (default time.Now), injectable for tests.
	Now    func() time.Time
	Logger *slog.Logger
	// Label describes the endpoint in the header, e.g. "demo".
	Label string
	// Columns limits the optional columns (default: all).
	Columns *Columns
	// Mouse turns on click-to-select and wheel scrolling (the program must
	// also be started with mouse reporting).
	Mouse bool
	// Bell rings the terminal bell for a failure or a stall.
	Bell bool
	// Terminal receives sequences that draw nothing: the bell and OSC 52
	// for copying. Nil disables both.
	Terminal io.Writer
	// Rules judge a running session stalled (default health.DefaultRules).
	Rules health.Rules
	// ASCII draws every symbol as an ASCII character, for terminals whose
	// font lacks them (the Linux console).
	ASCII bool
}

// screen is what the body shows: the fleet screen, or one store's sessions.
type screen int

const (
	screenFleet screen = iota
	screenStore
)

const (
	maxBackoff     = 5 * time.Minute
	minWidth       = 50
	minHeight      = 8
	retryWhenOff   = 10 * time.Second
	defaultTimeout = 30 * time.Second
)

// component is what each part of the screen offers the root (soft-serve's
// Component, gh-dash's sections): its size comes down through SetSize (only
// the root sees tea.WindowSizeMsg), keys and mouse events through Update,
// and its keys go to the status bar through ShortHelp. The prompt differs
// only in that its Update also returns the answer.
type component interface {
	SetSize(width, height int)
	Update(msg tea.Msg) tea.Cmd
	View() string
	ShortHelp() []key.Binding
}

var (
	_ component = (*fleetScreen)(nil)
	_ component = (*eventLog)(nil)
	_ component = (*sessionTable)(nil)
	_ component = (*detailPane)(nil)
	_ component = (*statusBar)(nil)
)

// shared is what every component reads and only the root writes: styles,
// keys, the clock of the last tick and the spinner.
type shared struct {
	styles   Styles
	keys     keymap.KeyMap
	clock    time.Time
	spinner  spinner.Model
	spinning bool
	rules    health.Rules
	glyphs   glyphSet
}

// frame is the spinner's current frame, for rows and headers with work in
// flight.
func (sh *shared) frame() string { return sh.spinner.View() }

// settings are the options the root reads but never changes.
type settings struct {
	label    string
	mouse    bool
	bell     bool
	terminal io.Writer
	// fleetTop: the dashboard started on the fleet, so a store is a
	// sub-screen of it (q and esc go back); else the store is the top.
	fleetTop bool
}

// Model is the root model of the dashboard. It routes messages to the
// components, owns the service, the context and the size, and runs the
// refresh loop and the actions; each component owns its own state.
type Model struct {
	svc     Service
	ctx     context.Context
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger
	cfg     settings
	sh      *shared

	width, height int
	screen        screen
	store         graphapi.DataStore // the open store; zero on the fleet at start

	fleet  *fleetScreen
	events *eventLog
	table  *sessionTable
	pane   *detailPane
	status *statusBar
	prompt *prompt

	loop   refreshLoop
	renews renewBatch // "renew marked" under way
}

// New builds the dashboard model.
func New(o Options) *Model {
	o = withDefaults(o)
	theme := DefaultTheme()
	if o.Theme != nil {
		theme = *o.Theme
	}
	st := NewStyles(o.Renderer, theme)
	glyphs := newGlyphSet(o.ASCII)
	sh := &shared{styles: st, keys: o.Keys, rules: o.Rules, glyphs: glyphs,
		spinner: spinner.New(spinner.WithSpinner(glyphs.spinner()), spinner.WithStyle(st.Accent))}
	columns := AllColumns()
	if o.Columns != nil {
		columns = *o.Columns
	}
	m := &Model{
		svc: o.Service, ctx: o.Context, timeout: o.RequestTimeout, now: o.Now, log: o.Logger,
		cfg: settings{label: o.Label, mouse: o.Mouse, bell: o.Bell, terminal: o.Terminal, fleetTop: o.StoreID == ""},
		sh:  sh, fleet: newFleetScreen(sh), events: newEventLog(sh), table: newSessionTable(sh, columns), pane: newDetailPane(sh),
		status: newStatusBar(sh), prompt: newPrompt(sh), loop: refreshLoop{every: o.Refresh},
	}
	if o.StoreID != "" {
		m.screen = screenStore
		m.store = graphapi.DataStore{ID: o.StoreID}
	}
	return m
}

func withDefaults(o Options) Options {
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = defaultTimeout
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Rules == (health.Rules{}) {
		o.Rules = health.DefaultRules()
	}
	if len(o.Keys.Quit.Keys()) == 0 {
		o.Keys = keymap.Default()
	}
	return o
}

// Init starts the first load and the clock.
func (m *Model) Init() tea.Cmd {
	m.sh.clock = m.now()
	return tea.Batch(m.startLoad(), clockTick(m.sh.clock, nil), m.loadStoreNameCmd())
}

// loadStoreNameCmd fetches the stores once when a store was opened by id,
// so the header can show its display name.
func (m *Model) loadStoreNameCmd() tea.Cmd {
	if m.screen != screenStore {
		return nil
	}
	ctx, svc, timeout := m.ctx, m.svc, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		stores, _ := svc.ListDataStores(ctx) // the header falls back to the id
		return storeNamesMsg{stores: stores}
	}
}

// Update handles one message. It changes the model and returns commands;
// it never blocks or does IO. After every message the sizes and the pane
// follow the new state (sync).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.route(msg)
	m.sync()
	return m, tea.Batch(cmd, m.fetchAgent())
}

// fetchAgent starts the lookup of the upload agent the details pane asks
// for, if any: the pane decides what it needs, the root does the IO.
func (m *Model) fetchAgent() tea.Cmd {
	id, ok := m.pane.WantAgent()
	if !ok || m.screen != screenStore {
		return nil
	}
	m.pane.FetchingAgent(id)
	// A short bound: while one lookup runs, no other row's agent loads.
	return uploadAgentCmd(m.ctx, m.svc, m.store.ID, id, min(m.timeout, agentTimeout))
}

// agentTimeout bounds an upload agent lookup.
const agentTimeout = 30 * time.Second

func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg.Width, msg.Height)
	case tea.KeyMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg)
	case fleetNewsMsg:
		return m.handleFleet(msg)
	case eventsMsg:
		return m.logEvents(msg)
	case storeNamesMsg:
		for _, s := range msg.stores {
			if s.ID == m.store.ID && m.store.DisplayName == "" {
				m.store = s
			}
		}
	case openStoreMsg:
		return m.openStore(msg.store)
	case backToStoreMsg:
		if m.screen == screenFleet && m.store.ID != "" {
			return m.backToStore()
		}
	case sessionsLoadedMsg:
		return m.handleSessions(msg)
	case firstPageMsg:
		m.handleFirstPage(msg)
	case refreshTickMsg:
		if msg.gen == m.loop.tickGen && !m.loop.paused && !m.loop.loading {
			return m.startLoad()
		}
	case actionResultMsg:
		return m.handleResult(msg)
	case uploadAgentMsg:
		m.pane.SetAgent(msg)
	case clockTickMsg:
		m.sh.clock = m.now()
		if msg.answered.After(m.loop.answered) {
			m.loop.answered = msg.answered
		}
		m.fleet.Tick()
		return clockTick(m.sh.clock, m.answerProbe())
	case flashExpiredMsg:
		m.status.Update(msg)
	case spinner.TickMsg:
		return m.spin(msg)
	}
	return nil
}

// answerProbe asks the screen's monitor when Graph last answered it (an
// answer older than the load in flight does not count); nil before any.
func (m *Model) answerProbe() func() time.Time {
	mon := m.loop.storeMon
	if m.screen == screenFleet {
		mon = m.loop.fleetMon
	}
	if mon == nil {
		return nil
	}
	return mon.LastAnswer
}

// resize is the only handler of the window size: the components get theirs
// from sync. A confirmation the screen can no longer show is dropped, so no key
// can answer a question that was never visible.
func (m *Model) resize(w, h int) tea.Cmd {
	m.width, m.height = w, h
	if m.tooSmall() && m.prompt.Asking() {
		m.prompt.Drop()
		return m.status.Flash(flashWarn, "prompt dropped: the terminal became too small to show it")
	}
	return nil
}

// tooSmall: the screen shows only the size message, and no key but quit
// may act.
func (m *Model) tooSmall() bool { return m.width < minWidth || m.height < minHeight }

// sync cascades sizes (derived from the window and the table's length) and
// the selected session to the components.
func (m *Model) sync() {
	body := max(m.height-3, 0) // header, status bar, column header
	ph := 0
	if m.pane.Open() {
		ph = paneHeight(body, m.table.Len())
	}
	th := body - ph
	if m.pane.Open() {
		th-- // the pane's title rule
	}
	m.table.SetSize(m.width, max(th, 1))
	m.table.SetOld(m.old())
	m.pane.SetSize(m.width, ph)
	m.pane.SetStore(m.store)
	m.pane.Show(m.table.Selected())
	m.fleet.SetSize(m.width, max(m.height-2, 1))
	m.events.SetSize(m.width, max(m.height-2, 1))
	m.status.SetSize(m.width, 1)
	m.status.SetHints(m.hints())
	m.prompt.SetSize(m.width, 1)
}

// paneHeight gives the pane about two fifths of the body, never starving the
// table below 3 rows; a short table lends the pane the rows it does not use.
func paneHeight(body, rows int) int {
	ph := max(min(body*2/5, 16), min(6, body-4))
	if spare := body - 1 - ph - max(rows, 3); spare > 0 {
		ph += spare
	}
	return ph
}

// spin advances the spinner while anything is in flight.
func (m *Model) spin(msg spinner.TickMsg) tea.Cmd {
	if !m.busy() {
		m.sh.spinning = false
		return nil
	}
	var cmd tea.Cmd
	m.sh.spinner, cmd = m.sh.spinner.Update(msg)
	return cmd
}

// busy reports whether anything is in flight, which is when the spinner runs.
func (m *Model) busy() bool { return m.loop.loading || m.table.Busy() }

func (m *Model) startSpinner() tea.Cmd {
	if m.sh.spinning {
		return nil
	}
	m.sh.spinning = true
	return m.sh.spinner.Tick
}
