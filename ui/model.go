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
	// Memory is the process's memory policy around loads (the command
	// that runs the dashboard builds it); nil tunes nothing.
	Memory Memory
}

// screen is what the body shows: the fleet, or one store's sessions.
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
	_ component = (*storeScreen)(nil)
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
	// sub-screen of it (q and esc go back to it); else the store is the
	// top, and the fleet (d) its sub-screen.
	fleetTop bool
}

// Model is the root model of the dashboard. It routes messages between
// the two screens (the fleet, a store) and the parts they share, owns the
// backend (service, context), the window size and the refresh loop; each
// component owns its own state.
type Model struct {
	be  *backend
	cfg settings
	sh  *shared

	width, height int
	screen        screen

	fleet  *fleetScreen
	store  *storeScreen
	events *eventLog
	status *statusBar
	prompt *prompt

	loop   refreshLoop
	clicks clicks // the last press on a row, for a double click
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
	be := &backend{svc: o.Service, ctx: o.Context, timeout: o.RequestTimeout, now: o.Now, log: o.Logger, mem: o.Memory}
	status, prompt := newStatusBar(sh), newPrompt(sh)
	cfg := settings{label: o.Label, mouse: o.Mouse, bell: o.Bell, terminal: o.Terminal, fleetTop: o.StoreID == ""}
	m := &Model{
		be: be, sh: sh, cfg: cfg,
		fleet: newFleetScreen(sh), store: newStoreScreen(sh, be, cfg, status, prompt, columns),
		events: newEventLog(sh), status: status, prompt: prompt, loop: refreshLoop{every: o.Refresh},
	}
	if o.StoreID != "" {
		m.screen = screenStore
		m.store.Open(graphapi.DataStore{ID: o.StoreID}, nil)
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
	m.sh.clock = m.be.now()
	var name tea.Cmd
	if m.screen == screenStore {
		name = m.store.NameCmd()
	}
	return tea.Batch(m.startLoad(), clockTick(m.sh.clock, nil), name, m.startSpinner())
}

// Update handles one message. It changes the model and returns commands;
// it never blocks or does IO. After every message the sizes and what the
// components show follow the new state (sync); the store screen may then
// ask for an upload agent, and the spinner runs while anything is in
// flight.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.route(msg)
	m.sync()
	if m.screen == screenStore {
		cmd = tea.Batch(cmd, m.store.FetchAgent())
	}
	return m, tea.Batch(cmd, m.startSpinner())
}

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
		m.store.SetName(msg.stores)
	case openStoreMsg:
		return m.openStore(msg.store)
	case sessionsLoadedMsg:
		return m.handleSessions(msg)
	case firstPageMsg:
		if m.loop.current(msg.gen) && m.loop.loading && m.screen == screenStore {
			m.store.FirstPage(msg)
		}
	case refreshTickMsg:
		if m.loop.due(msg.gen) {
			return m.startLoad()
		}
	case actionResultMsg:
		cmd, reread := m.store.Result(msg)
		if reread {
			return tea.Batch(cmd, m.reread())
		}
		return cmd
	case uploadAgentMsg:
		m.store.SetAgent(msg)
	case clockTickMsg:
		m.sh.clock = m.be.now()
		m.loop.heard(msg.answered)
		m.fleet.Tick()
		return clockTick(m.sh.clock, m.loop.probe(m.screen == screenFleet))
	case flashExpiredMsg:
		m.status.Update(msg)
	case spinner.TickMsg:
		return m.spin(msg)
	}
	return nil
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

// sync cascades sizes, and what each component shows of the state beside
// it: the store screen the loop's, the status bar the keys of what is on
// screen.
func (m *Model) sync() {
	m.store.SetLoad(m.loop.shown(m.sh.clock))
	m.store.SetSize(m.width, max(m.height-2, 0)) // under the header, over the status line
	m.fleet.SetSize(m.width, max(m.height-2, 1))
	m.events.SetSize(m.width, max(m.height-2, 1))
	m.status.SetSize(m.width, 1)
	m.prompt.SetSize(m.width, 1)
	var hints []key.Binding
	switch {
	case m.status.ShowingHelp(): // ? and q close it; it scrolls when long
		if len(m.helpLines()) > m.height-2 {
			hints = []key.Binding{m.sh.keys.Down, m.sh.keys.Up}
		}
	case m.events.Open():
		hints = m.events.ShortHelp()
	case m.screen == screenFleet:
		hints = m.fleet.ShortHelp()
	default:
		hints = m.store.ShortHelp()
	}
	quit, _ := backKeys(m.sh.keys, m.backStep(false), false)
	m.status.SetHints(hints, quit)
}

// spin advances the spinner while anything is in flight.
func (m *Model) spin(msg spinner.TickMsg) tea.Cmd {
	if !m.loop.loading && !m.store.Busy() {
		m.sh.spinning = false
		return nil
	}
	var cmd tea.Cmd
	m.sh.spinner, cmd = m.sh.spinner.Update(msg)
	return cmd
}

// startSpinner starts the spinner when something went in flight (a load,
// an action) and it is not running yet.
func (m *Model) startSpinner() tea.Cmd {
	if m.sh.spinning || (!m.loop.loading && !m.store.Busy()) {
		return nil
	}
	m.sh.spinning = true
	return m.sh.spinner.Tick
}
