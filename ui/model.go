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

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/keymap"
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
	// exact marks the screen lines View built at the exact width (scratch).
	exact map[int]bool
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
		bell: o.Bell, terminal: o.Terminal, storeSelection: map[string]string{}, exact: map[int]bool{},
	}
	m.filterInput = textinput.New()
	m.filterInput.Prompt = "/"
	m.filterInput.Placeholder = "file, state or id"
	m.filterInput.CharLimit = 200
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

// busy reports whether anything is in flight, which is when the spinner runs.
func (m *Model) busy() bool {
	if m.loading {
		return true
	}
	for _, r := range m.rows {
		if r.pending != "" {
			return true
		}
	}
	return false
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spinner.Tick
}

// startLoad sends the list request for the current mode. Any pending tick
// becomes stale, so there is only ever one loop.
func (m *Model) startLoad() tea.Cmd {
	m.tickGen++
	m.loading = true
	m.loadGen++
	m.nextRefresh = time.Time{}
	var load tea.Cmd
	if m.mode == modePicker {
		load = loadStoresCmd(m.ctx, m.svc, m.loadGen, m.timeout)
	} else {
		load = loadSessionsCmd(m.ctx, m.svc, m.loadGen, m.store.ID, m.timeout, m.now)
	}
	return tea.Batch(load, m.startSpinner())
}

// scheduleNext arms the next refresh after a load: the interval after a
// success, a doubling backoff after failures, and never sooner than the
// service's Retry-After.
func (m *Model) scheduleNext(err error) tea.Cmd {
	m.tickGen++
	m.nextRefresh = time.Time{}
	var wait time.Duration
	if err == nil {
		m.failures = 0
		if m.refresh <= 0 || m.mode == modePicker || m.paused {
			return nil
		}
		wait = m.refresh
	} else {
		m.failures++
		base := m.refresh
		if base <= 0 {
			base = retryWhenOff
		}
		wait = base
		for i := 1; i < m.failures && wait < maxBackoff; i++ {
			wait *= 2
		}
		wait = min(wait, maxBackoff)
		if ge, ok := graphapi.AsError(err); ok && ge.RetryAfter > wait {
			wait = ge.RetryAfter
		}
		if m.paused {
			return nil
		}
	}
	m.nextRefresh = m.now().Add(wait)
	gen := m.tickGen
	return tea.Tick(wait, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

func (m *Model) handleStores(msg storesLoadedMsg) tea.Cmd {
	if msg.gen != m.loadGen || m.mode != modePicker {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.storesErr = msg.err
		m.log.Warn("list data stores failed", "err", msg.err)
		return m.scheduleNext(msg.err)
	}
	m.storesErr = nil
	m.stores = msg.stores
	m.lastSuccess = m.now()
	if i := slices.IndexFunc(m.stores, func(s graphapi.DataStore) bool { return s.ID == m.store.ID }); i >= 0 {
		m.storeCursor = i
	}
	m.storeCursor = min(m.storeCursor, max(len(m.stores)-1, 0))
	return m.scheduleNext(nil)
}

func (m *Model) handleSessions(msg sessionsLoadedMsg) tea.Cmd {
	if msg.gen != m.loadGen || msg.storeID != m.store.ID || m.mode != modeSessions {
		return nil // an answer for a store or load we have moved on from
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		m.log.Warn("list sessions failed", "store", msg.storeID, "err", msg.err)
		cmd := m.scheduleNext(msg.err)
		return tea.Batch(cmd, m.setFlash(flashError, "refresh failed: "+errorSummary(msg.err)))
	}
	m.loadErr = nil
	m.lastSuccess = msg.at
	notices := m.merge(msg.sessions, msg.at)
	m.log.Debug("sessions loaded", "store", msg.storeID, "count", len(msg.sessions))
	return tea.Batch(m.scheduleNext(nil), m.announce(notices), m.releaseMemory(len(msg.sessions), msg.at))
}

// merge applies a full listing. A row is never replaced by an older copy of
// its session: a list that left the service before a renew answered must not
// undo the renew. Rows missing from the listing go, unless an action on them
// is still in flight.
func (m *Model) merge(sessions []graphapi.Session, at time.Time) []notice {
	seen := make(map[string]struct{}, len(sessions))
	var notices []notice
	for i := range sessions {
		s := sessions[i]
		if s.ID == "" {
			continue
		}
		seen[s.ID] = struct{}{}
		r, ok := m.rows[s.ID]
		if !ok {
			r = newRow(s)
			m.rows[s.ID] = r
		} else if r.gone = false; !r.s.NewerThan(&s) {
			before := r.class
			r.set(s)
			if n, ok := finished(before, r); ok {
				notices = append(notices, n)
			}
		}
		r.observe(at)
	}
	for id, r := range m.rows {
		if _, ok := seen[id]; !ok && r.pending == "" {
			m.setMarked(r, false)
			delete(m.rows, id)
		}
	}
	m.resort()
	return notices
}

// resort applies the filter and the sort, keeping the selection on the
// same session, or on its neighbour when it is gone or filtered out.
func (m *Model) resort() {
	oldIndex := slices.Index(m.order, m.selectedID)
	visible := make([]*row, 0, len(m.rows))
	for _, r := range m.rows {
		if r.matches(m.filter) {
			visible = append(visible, r)
		}
	}
	cmp := m.sortKey.compare
	slices.SortFunc(visible, func(a, b *row) int {
		c := cmp(a, b)
		if m.sortReverse {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.s.ID, b.s.ID)
	})
	m.order = m.order[:0]
	for _, r := range visible {
		m.order = append(m.order, r.s.ID)
	}
	if !slices.Contains(m.order, m.selectedID) {
		m.selectedID = ""
		if len(m.order) > 0 {
			m.selectedID = m.order[min(max(oldIndex, 0), len(m.order)-1)]
		}
	}
	m.clampOffsets()
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
	cmds := []tea.Cmd{m.setFlash(flashError, msg.op+" "+r.name+" failed: "+errorSummary(msg.err)), m.pumpRenews()}
	if errors.Is(msg.err, graphapi.ErrNotFound) {
		// Deleted since the list was read: say so on the row; the re-read
		// below takes it away.
		r.gone = true
		cmds[0] = m.setFlash(flashWarn, r.name+" no longer exists (404 on "+msg.op+"); re-reading the sessions")
		if !m.loading {
			cmds = append(cmds, m.startLoad())
		}
		return tea.Batch(cmds...)
	}
	if ge, ok := graphapi.AsError(msg.err); ok && ge.OutcomeUnknown && !m.loading {
		// The action may have happened: re-read the sessions to find out.
		cmds[0] = m.setFlash(flashWarn, msg.op+" "+r.name+": no answer, outcome unknown; re-reading the sessions")
		cmds = append(cmds, m.startLoad())
	}
	return tea.Batch(cmds...)
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
			text += " (retry after " + countdown(ge.RetryAfter) + ")"
		}
		return termtext.OneLine(text)
	}
	return termtext.OneLine(err.Error())
}

func (m *Model) setFlash(level flashLevel, text string) tea.Cmd {
	m.flashSeq++
	m.flash = flash{text: text, level: level, id: m.flashSeq}
	id := m.flashSeq
	return tea.Tick(flashFor, func(time.Time) tea.Msg { return flashExpiredMsg{id: id} })
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	// Keys typed faster than the terminal is read arrive as one message
	// ("jj"); treat them as the separate presses they were.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Batch(cmds...)
	}
	k := m.keys
	if m.confirm != nil {
		return m.answerConfirm(msg)
	}
	if m.filtering {
		if msg.Type == tea.KeyCtrlC {
			return tea.Quit
		}
		return m.handleFilterKey(msg)
	}
	if key.Matches(msg, k.Quit) {
		return tea.Quit
	}
	if m.showHelp {
		if key.Matches(msg, k.Help, k.Close) {
			m.showHelp = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.Refresh):
		if m.loading {
			return m.setFlash(flashInfo, "a refresh is already running")
		}
		return m.startLoad()
	}
	if m.mode == modePicker {
		return m.handlePickerKey(msg)
	}
	return m.handleSessionsKey(msg)
}

func (m *Model) handlePickerKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.storeCursor = max(m.storeCursor-1, 0)
	case key.Matches(msg, k.Down):
		m.storeCursor = min(m.storeCursor+1, max(len(m.stores)-1, 0))
	case key.Matches(msg, k.Home):
		m.storeCursor = 0
	case key.Matches(msg, k.End):
		m.storeCursor = max(len(m.stores)-1, 0)
	case key.Matches(msg, k.Open):
		if len(m.stores) == 0 {
			return nil
		}
		return m.openStore(m.stores[m.storeCursor])
	case key.Matches(msg, k.Close):
		if m.store.ID != "" {
			m.mode = modeSessions
			return m.startLoad()
		}
	}
	return nil
}

// openStore switches the table to a data store.
func (m *Model) openStore(s graphapi.DataStore) tea.Cmd {
	if s.ID != m.store.ID {
		m.rememberSelection()
		m.rows = map[string]*row{}
		m.marked = 0
		m.order = nil
		m.selectedID = m.storeSelection[s.ID]
		m.filter = ""
		m.renewQueue = nil
		m.offset = 0
		m.lastSuccess = time.Time{}
		m.loadErr = nil
		m.pane = paneNone
	}
	m.store = s
	m.mode = modeSessions
	m.failures = 0
	return m.startLoad()
}

func (m *Model) handleSessionsKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.pane != paneNone && m.paneFocus {
		switch {
		case key.Matches(msg, k.Up):
			m.paneOffset--
		case key.Matches(msg, k.Down):
			m.paneOffset++
		case key.Matches(msg, k.PageUp):
			m.paneOffset -= m.paneHeight() - 1
		case key.Matches(msg, k.PageDown):
			m.paneOffset += m.paneHeight() - 1
		case key.Matches(msg, k.Home):
			m.paneOffset = 0
		case key.Matches(msg, k.End):
			m.paneOffset = 1 << 30
		}
		m.paneOffset = min(m.paneOffset, max(len(m.paneContent())-m.paneHeight(), 0))
		m.clampOffsets()
	}
	switch {
	case key.Matches(msg, k.Close):
		switch {
		case m.pane != paneNone:
			m.pane, m.paneFocus = paneNone, false
			m.clampOffsets()
		case m.filter != "":
			m.filter = ""
			m.resort()
		}
		return nil
	case key.Matches(msg, k.Filter):
		return m.startFilter()
	case key.Matches(msg, k.Sort):
		m.sortKey = (m.sortKey + 1) % sortKeys
		m.resort()
		return m.setFlash(flashInfo, "sorted by "+m.sortKey.String()+pick(m.sortReverse, " (reversed)", ""))
	case key.Matches(msg, k.SortReverse):
		m.sortReverse = !m.sortReverse
		m.resort()
		return m.setFlash(flashInfo, "sorted by "+m.sortKey.String()+pick(m.sortReverse, " (reversed)", ""))
	case key.Matches(msg, k.Mark):
		return m.toggleMark()
	case key.Matches(msg, k.RenewMarked):
		return m.renewMarked()
	case key.Matches(msg, k.Cancel):
		return m.askConfirm("cancel")
	case key.Matches(msg, k.Commit):
		return m.askConfirm("commit")
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	case key.Matches(msg, k.Focus):
		if m.pane != paneNone {
			m.paneFocus = !m.paneFocus
		}
		return nil
	case key.Matches(msg, k.Details):
		m.togglePane(paneDetails)
		return nil
	case key.Matches(msg, k.Errors):
		m.togglePane(paneErrors)
		return nil
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.Renew):
		return m.renewSelected()
	case key.Matches(msg, k.Stores):
		m.rememberSelection()
		m.mode = modePicker
		m.pane, m.paneFocus = paneNone, false
		return m.startLoad()
	}
	if m.pane != paneNone && m.paneFocus {
		return nil
	}
	idx := m.selectedIndex()
	switch {
	case key.Matches(msg, k.Up):
		idx--
	case key.Matches(msg, k.Down):
		idx++
	case key.Matches(msg, k.PageUp):
		idx -= max(m.tableHeight()-1, 1)
	case key.Matches(msg, k.PageDown):
		idx += max(m.tableHeight()-1, 1)
	case key.Matches(msg, k.Home):
		idx = 0
	case key.Matches(msg, k.End):
		idx = len(m.order) - 1
	default:
		return nil
	}
	m.selectIndex(idx)
	return nil
}

// moveSelection moves the selection by delta rows.
func (m *Model) moveSelection(delta int) { m.selectIndex(m.selectedIndex() + delta) }

// selectIndex selects the row at i (clamped) and keeps it visible.
func (m *Model) selectIndex(i int) {
	if len(m.order) == 0 {
		return
	}
	i = min(max(i, 0), len(m.order)-1)
	if m.order[i] != m.selectedID {
		m.selectedID = m.order[i]
		m.paneOffset = 0
	}
	m.clampOffsets()
}

func (m *Model) togglePane(p pane) {
	if m.pane == p {
		m.pane, m.paneFocus = paneNone, false
	} else {
		m.pane, m.paneOffset = p, 0
	}
	m.clampOffsets()
}

func (m *Model) togglePause() tea.Cmd {
	m.paused = !m.paused
	if m.paused {
		m.tickGen++ // the pending tick is void
		m.nextRefresh = time.Time{}
		return m.setFlash(flashInfo, "auto-refresh paused (p resumes)")
	}
	cmds := []tea.Cmd{m.setFlash(flashInfo, "auto-refresh resumed")}
	if !m.loading {
		cmds = append(cmds, m.startLoad())
	}
	return tea.Batch(cmds...)
}

func (m *Model) renewSelected() tea.Cmd {
	r := m.selectedRow()
	if r == nil {
		return nil
	}
	if r.pending != "" {
		return m.setFlash(flashInfo, "already "+r.pending+"ing "+r.name+": wait for its answer")
	}
	if why := r.cannot("renew"); why != "" {
		return m.setFlash(flashWarn, "cannot renew "+r.name+": "+why)
	}
	return m.startRenew(r)
}

func (m *Model) startRenew(r *row) tea.Cmd {
	r.pending = "renew"
	m.log.Info("renewing session", "session", r.s.ID)
	return tea.Batch(renewCmd(m.ctx, m.svc, m.store.ID, r.s.ID, m.timeout), m.startSpinner())
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
