package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/keymap"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// Options configure the dashboard.
type Options struct {
	Service Service
	// StoreID opens that data store; empty starts with the store picker.
	StoreID string
	// Refresh is the auto-refresh interval; 0 turns auto-refresh off.
	Refresh time.Duration
	// Context is cancelled when the program ends; requests use it.
	Context context.Context
	// RequestTimeout bounds one command's calls (default 5m).
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
	// Bell rings the terminal bell when a watched session finishes.
	Bell bool
	// Terminal receives sequences that draw nothing: the bell and OSC 52
	// for copying. Nil disables both.
	Terminal io.Writer
}

type mode int

const (
	modePicker mode = iota
	modeSessions
)

type flashLevel int

const (
	flashInfo flashLevel = iota
	flashSuccess
	flashWarn
	flashError
)

type flash struct {
	text  string
	level flashLevel
	id    int
}

const (
	flashFor      = 6 * time.Second
	maxBackoff    = 5 * time.Minute
	minWidth      = 50
	minHeight     = 8
	retryWhenOff  = 10 * time.Second
	defaultTimout = 5 * time.Minute
)

// Model is the root model of the dashboard.
type Model struct {
	svc     Service
	ctx     context.Context
	timeout time.Duration
	keys    keymap.KeyMap
	styles  Styles
	help    help.Model
	now     func() time.Time
	log     *slog.Logger
	label   string
	refresh time.Duration

	width, height int
	mode          mode

	// Picker.
	stores      []graphapi.DataStore
	storeCursor int
	storesErr   error

	// Sessions of the open store.
	store      graphapi.DataStore
	rows       map[string]*row
	order      []string // row ids in display order
	selectedID string
	offset     int // first visible row

	// Refresh loop: one tick at a time, at most one list request in flight.
	loading     bool
	loadGen     int
	tickGen     int
	paused      bool
	failures    int
	nextRefresh time.Time
	lastSuccess time.Time
	loadErr     error

	pane       pane
	paneFocus  bool
	paneOffset int
	showHelp   bool

	flash     flash
	flashSeq  int
	spinner   spinner.Model
	spinning  bool
	clockTime time.Time
	columns   Columns
	mouse     bool
	bell      bool
	terminal  io.Writer

	filter         string
	filtering      bool
	filterInput    textinput.Model
	sortKey        sortKey
	sortReverse    bool
	confirm        *confirmation
	renewQueue     []string
	storeSelection map[string]string
	// lastRelease is when memory was last handed back (releaseMemory).
	lastRelease time.Time
	// marked counts marked rows (kept by setMarked, read on every frame).
	marked int
}

// New builds the dashboard model.
func New(o Options) *Model {
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = defaultTimout
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
	}
	theme := DefaultTheme()
	if o.Theme != nil {
		theme = *o.Theme
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if len(o.Keys.Quit.Keys()) == 0 {
		o.Keys = keymap.Default()
	}
	st := NewStyles(o.Renderer, theme)
	h := help.New()
	h.Styles.ShortKey = st.Accent
	h.Styles.FullKey = st.Accent
	h.Styles.ShortDesc = st.Muted
	h.Styles.FullDesc = st.Muted
	h.Styles.ShortSeparator = st.Muted
	h.Styles.FullSeparator = st.Muted
	h.Styles.Ellipsis = st.Muted
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Accent))
	m := &Model{
		svc: o.Service, ctx: o.Context, timeout: o.RequestTimeout, keys: o.Keys, styles: st, help: h,
		now: o.Now, log: o.Logger, label: o.Label, refresh: o.Refresh,
		rows: map[string]*row{}, spinner: sp, columns: AllColumns(), mouse: o.Mouse,
		bell: o.Bell, terminal: o.Terminal, storeSelection: map[string]string{},
	}
	m.filterInput = textinput.New()
	m.filterInput.Prompt = "/"
	m.filterInput.Placeholder = "file, state or id"
	m.filterInput.CharLimit = 200
	// A steady cursor: a blinking one would redraw the screen twice a second.
	m.filterInput.Cursor.SetMode(cursor.CursorStatic)
	if o.Columns != nil {
		m.columns = *o.Columns
	}
	if o.StoreID != "" {
		m.mode = modeSessions
		m.store = graphapi.DataStore{ID: o.StoreID}
	}
	return m
}

// Init starts the first load and the clock.
func (m *Model) Init() tea.Cmd {
	m.clockTime = m.now()
	return tea.Batch(m.startLoad(), clockTick(m.clockTime), m.loadStoreNameCmd())
}

// loadStoreNameCmd fetches the stores once when a store was opened by id,
// so the header can show its display name.
func (m *Model) loadStoreNameCmd() tea.Cmd {
	if m.mode != modeSessions {
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
// it never blocks or does IO.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.clampOffsets()
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case storesLoadedMsg:
		return m, m.handleStores(msg)
	case storeNamesMsg:
		for _, s := range msg.stores {
			if s.ID == m.store.ID && m.store.DisplayName == "" {
				m.store = s
			}
		}
		return m, nil
	case sessionsLoadedMsg:
		return m, m.handleSessions(msg)
	case refreshTickMsg:
		if msg.gen != m.tickGen || m.paused || m.loading {
			return m, nil
		}
		return m, m.startLoad()
	case sessionRenewedMsg:
		return m, m.handleRenewed(msg)
	case actionFailedMsg:
		return m, m.handleActionFailed(msg)
	case actionDoneMsg:
		return m, m.handleActionDone(msg)
	case clockTickMsg:
		m.clockTime = m.now()
		return m, clockTick(m.clockTime)
	case flashExpiredMsg:
		if msg.id == m.flash.id {
			m.flash = flash{}
		}
		return m, nil
	case spinner.TickMsg:
		if !m.busy() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) selectedIndex() int { return slices.Index(m.order, m.selectedID) }

func (m *Model) selectedRow() *row {
	if m.selectedID == "" {
		return nil
	}
	return m.rows[m.selectedID]
}

func (m *Model) handleRenewed(msg sessionRenewedMsg) tea.Cmd {
	if msg.storeID != m.store.ID {
		return nil
	}
	r, ok := m.rows[msg.session.ID]
	if !ok {
		r = newRow(msg.session)
		m.rows[msg.session.ID] = r
		m.resort()
	} else if !r.s.NewerThan(&msg.session) {
		r.set(msg.session)
	}
	r.observe(m.now())
	r.pending = ""
	m.setMarked(r, false)
	r.lastErr = nil
	m.log.Info("session renewed", "session", msg.session.ID)
	return tea.Batch(m.setFlash(flashSuccess, "renewed "+r.name+" ✓"), m.pumpRenews())
}

func (m *Model) handleActionFailed(msg actionFailedMsg) tea.Cmd {
	if msg.storeID != m.store.ID {
		return nil
	}
	m.log.Warn("action failed", "op", msg.op, "session", msg.sessionID, "err", msg.err)
	r, ok := m.rows[msg.sessionID]
	if !ok {
		return m.setFlash(flashError, msg.op+" failed: "+errorSummary(msg.err))
	}
	r.pending = ""
	if msg.op == "renew" {
		m.setMarked(r, false)
	}
	r.lastErr, r.lastErrOp, r.lastErrAt = msg.err, msg.op, m.now()
	ge, _ := graphapi.AsError(msg.err)
	switch {
	case errors.Is(msg.err, graphapi.ErrNotFound):
		// Deleted since the list was read: say so on the row; the re-read
		// takes it away.
		r.gone = true
		return tea.Batch(m.setFlash(flashWarn, r.name+" no longer exists (404 on "+msg.op+"); re-reading the sessions"),
			m.pumpRenews(), m.reread())
	case ge != nil && ge.OutcomeUnknown:
		// The action may have happened: re-read the sessions to find out.
		return tea.Batch(m.setFlash(flashWarn, msg.op+" "+r.name+": no answer, outcome unknown; re-reading the sessions"),
			m.pumpRenews(), m.reread())
	}
	return tea.Batch(m.setFlash(flashError, msg.op+" "+r.name+" failed: "+errorSummary(msg.err)), m.pumpRenews())
}

// errorSummary is the one-line form for the status bar: code and message
// (or the whole error), sanitized.
func errorSummary(err error) string {
	if ge, ok := graphapi.AsError(err); ok {
		var parts []string
		if ge.StatusCode != 0 {
			parts = append(parts, fmt.Sprint(ge.StatusCode))
		}
		if ge.Code != "" {
			parts = append(parts, ge.Code)
		}
		text := ge.Message
		if len(parts) > 0 {
			text = strings.Join(parts, " ") + ": " + text
		}
		if ge.RetryAfter > 0 {
			text += " (retry after " + present.Countdown(ge.RetryAfter) + ")"
		}
		return termtext.OneLine(text)
	}
	return termtext.OneLine(err.Error())
}

func (m *Model) setFlash(level flashLevel, text string) tea.Cmd {
	m.flashSeq++
	m.flash = flash{text: text, level: level, id: m.flashSeq}
	id := m.flashSeq
	return tick(flashFor, func(time.Time) tea.Msg { return flashExpiredMsg{id: id} })
}

// Layout arithmetic. Sizes are derived from the window size only.

func (m *Model) bodyHeight() int { return max(m.height-3, 0) } // header, status bar, column header

func (m *Model) paneHeight() int {
	if m.pane == paneNone {
		return 0
	}
	h := m.bodyHeight()
	ph := max(min(h*2/5, 16), min(6, h-4)) // never starves the table below 3 rows
	// A short table lends the pane the rows it does not use.
	if spare := h - 1 - ph - max(len(m.order), 3); spare > 0 {
		ph += spare
	}
	return ph
}

// tableHeight is the number of session rows visible.
func (m *Model) tableHeight() int {
	h := m.bodyHeight() - m.paneHeight()
	if m.pane != paneNone {
		h-- // the pane's title rule
	}
	return max(h, 1)
}

func (m *Model) clampOffsets() {
	idx := m.selectedIndex()
	th := m.tableHeight()
	if idx >= 0 {
		if idx < m.offset {
			m.offset = idx
		}
		if idx >= m.offset+th {
			m.offset = idx - th + 1
		}
	}
	m.offset = min(max(m.offset, 0), max(len(m.order)-th, 0))
	if m.paneOffset < 0 {
		m.paneOffset = 0
	}
}
