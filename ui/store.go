// The store screen: one data store's sessions. It owns the session table,
// the pane under it and "renew marked", starts the actions and applies
// their answers; the root gives it its size and what the refresh loop
// knows, and routes the keys that reach beyond it (pause, the fleet).

package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/termtext"
)

// loadState is what the store screen shows of the refresh loop.
type loadState struct {
	err     error // the last load's failure
	waiting bool  // a load runs, or none has answered yet
	// fromFleet: the rows are the fleet's read of the store, of then.
	fromFleet time.Time
	// old: the rows are of an earlier read than the last load would give
	// (dimmed).
	old bool
}

// storeScreen is the open store's sessions. The root lends it the backend
// (to call Graph), the status bar (to say what an action did) and the
// prompt (to ask before cancel and commit).
type storeScreen struct {
	sh     *shared
	be     *backend
	cfg    settings
	status *statusBar
	prompt *prompt

	store  graphapi.DataStore // the open store; zero on the fleet at start
	table  *sessionTable
	pane   *detailPane
	renews renewBatch // "renew marked" under way
	load   loadState
	// fleetTotal is how many sessions the store had when the fleet read
	// the rows it opened with (the fleet holds fewer; 0: none).
	fleetTotal int

	// partial: the table shows a first page while the store's first
	// listing runs (the header says "so far"). want is the selection
	// asked for before it (a store's remembered one, or none: the top),
	// firstSel the one the page's rows left: while the user has not moved
	// it, the listing selects as if no page had come.
	partial        bool
	want, firstSel string

	width, height int
}

func newStoreScreen(sh *shared, be *backend, cfg settings, status *statusBar, prompt *prompt, columns Columns) *storeScreen {
	return &storeScreen{sh: sh, be: be, cfg: cfg, status: status, prompt: prompt,
		table: newSessionTable(sh, columns), pane: newDetailPane(sh)}
}

// ID is the open store's id; "" before one was opened.
func (s *storeScreen) ID() string { return s.store.ID }

// Title names the open store for the header: its name and the start of
// its id, or the id alone while the name is not known.
func (s *storeScreen) Title() string {
	if s.store.DisplayName != "" {
		return termtext.OneLine(s.store.DisplayName) + " (" + shortID(s.store.ID, 4) + ")"
	}
	return shortID(s.store.ID, 13)
}

// Open switches to a data store. A store not open before shows at once
// what the fleet read of it (fleetRead, nil when none), until its own load
// answers: while Graph fails or hangs the screen is not an endless
// "Loading…". changed says the store is another one; read is when the
// fleet read what the table shows (zero: nothing).
func (s *storeScreen) Open(ds graphapi.DataStore, fleetRead *storeStatus) (changed bool, read time.Time) {
	if changed = ds.ID != s.store.ID; changed {
		s.table.Replace(s.store.ID, ds.ID)
		s.partial = false
		s.renews = renewBatch{}
		s.pane.Close()
		s.fleetTotal = 0
		if fleetRead != nil && !fleetRead.read.IsZero() {
			s.table.Merge(fleetRead.sessions, fleetRead.read)
			read, s.fleetTotal = fleetRead.read, fleetRead.total
		}
	}
	s.store = ds
	return changed, read
}

// Leave keeps the selection for a return (esc from the fleet) and closes
// the pane.
func (s *storeScreen) Leave() {
	s.table.Remember(s.store.ID)
	s.pane.Close()
}

// NameCmd looks the stores up once when a store was opened by id, so the
// header can show its display name.
func (s *storeScreen) NameCmd() tea.Cmd {
	ctx, svc, timeout := s.be.ctx, s.be.svc, s.be.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		stores, _ := svc.ListDataStores(ctx) // the header falls back to the id
		return storeNamesMsg{stores: stores}
	}
}

// SetName takes the open store's display name from a store listing.
func (s *storeScreen) SetName(stores []graphapi.DataStore) {
	for _, ds := range stores {
		if ds.ID == s.store.ID && s.store.DisplayName == "" {
			s.store = ds
		}
	}
}

// Load is load gen of the open store through its monitor. A store never
// listed shows its first page while the listing runs, when the service
// reads one alone.
func (s *storeScreen) Load(mon *monitor.Monitor, gen int, full, neverListed bool) tea.Cmd {
	load := loadSessionsCmd(s.be.ctx, mon, s.be.mem, gen, s.store.ID, full)
	if fp, ok := s.be.svc.(firstPager); ok && s.table.Len() == 0 && neverListed {
		load = tea.Batch(load, firstPageCmd(s.be.ctx, fp, gen, s.store.ID, s.be.now, s.be.timeout))
	}
	return load
}

// FirstPage shows a store's first page while its first listing runs;
// once rows are shown it is void.
func (s *storeScreen) FirstPage(msg firstPageMsg) {
	if msg.storeID != s.store.ID || s.table.Len() > 0 {
		return
	}
	want := s.table.selectedID
	s.table.Merge(msg.sessions, msg.at)
	s.partial = len(msg.sessions) > 0
	s.want, s.firstSel = want, s.table.selectedID
}

// Loaded takes a successful load of the store: its sessions merged when
// they changed, the store's recent runs, and the sessions seen running
// that finished announced.
func (s *storeScreen) Loaded(msg sessionsLoadedMsg, changed bool) tea.Cmd {
	partial := s.partial
	s.partial = false
	if !changed {
		return nil // no merge, no frame work
	}
	notices := s.table.Merge(msg.sessions, msg.at)
	if partial && s.table.selectedID == s.firstSel {
		s.table.selectWanted(s.want)
	}
	s.pane.SetHistory(msg.history)
	s.be.log.Debug("sessions loaded", "store", msg.storeID, "count", len(msg.sessions))
	return s.announce(notices)
}

// SetLoad tells the screen what the refresh loop knows (sync calls it).
func (s *storeScreen) SetLoad(l loadState) { s.load = l }

// SetSize splits the screen between the column header, the rows and the
// pane, and points the pane at the selected session.
func (s *storeScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	body := max(h-1, 0) // under the column header
	ph := 0
	if s.pane.Open() {
		ph = paneHeight(body, s.table.Len())
	}
	th := body - ph
	if s.pane.Open() {
		th-- // the pane's title rule
	}
	s.table.SetSize(w, max(th, 1))
	s.table.SetOld(s.load.old)
	s.pane.SetSize(w, ph)
	s.pane.SetStore(s.store)
	s.pane.Show(s.table.Selected())
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

// Update takes the screen's keys and the mouse (y counted from its top).
func (s *storeScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		// The pane scrolls when it has the focus, the screen's keys act,
		// and the rest move the table.
		if s.pane.Focused() {
			s.pane.Update(msg)
		}
		if cmd, ok := s.action(msg); ok {
			return cmd
		}
		if s.pane.Focused() {
			return nil
		}
		return s.table.Update(msg)
	case tea.MouseMsg:
		if s.overPane(msg.Y) {
			if msg.Button != tea.MouseButtonLeft {
				s.pane.Update(msg)
			}
			return nil
		}
		return s.table.Update(msg)
	}
	return nil
}

// overPane: line y (counted from the screen's top) is the pane's, under
// the column header and the rows.
func (s *storeScreen) overPane(y int) bool { return s.pane.Open() && y >= 1+s.table.height }

// Click selects the session on line y and returns its id, "" when no row
// is there (the pane, the empty lines).
func (s *storeScreen) Click(y int) string {
	if s.overPane(y) {
		return ""
	}
	return s.table.Click(y)
}

// OpenDetails shows the selected session's details (l, →, a double click);
// enter toggles them.
func (s *storeScreen) OpenDetails() {
	if s.table.Selected() != nil {
		s.pane.OpenKind(paneDetails)
	}
}

// action runs the key's action; ok is false for keys that only move.
func (s *storeScreen) action(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := s.sh.keys
	switch {
	case key.Matches(msg, k.Filter):
		return s.prompt.StartFilter(s.table.Filter(), storeFilterHint), true
	case key.Matches(msg, k.Sort):
		s.table.CycleSort()
		return s.status.Flash(flashInfo, "sorted by "+s.table.SortText()), true
	case key.Matches(msg, k.SortReverse):
		s.table.ReverseSort()
		return s.status.Flash(flashInfo, "sorted by "+s.table.SortText()), true
	case key.Matches(msg, k.Mark):
		s.table.ToggleMark()
	case key.Matches(msg, k.RenewMarked):
		return s.renewMarked(), true
	case key.Matches(msg, k.Cancel):
		return s.ask(actCancel), true
	case key.Matches(msg, k.Commit):
		return s.ask(actCommit), true
	case key.Matches(msg, k.Copy):
		return s.copySelected(), true
	case key.Matches(msg, k.Focus):
		s.pane.ToggleFocus()
	case key.Matches(msg, k.Details):
		s.pane.Toggle(paneDetails)
	case key.Matches(msg, k.OpenDetails()):
		s.OpenDetails()
	case key.Matches(msg, k.Errors):
		s.pane.Toggle(paneErrors)
	case key.Matches(msg, k.Renew):
		return s.renewSelected(), true
	default:
		return nil, false
	}
	return nil, true
}

// PaneOpen reports whether a pane shows; ClosePane closes it.
func (s *storeScreen) PaneOpen() bool { return s.pane.Open() }
func (s *storeScreen) ClosePane()     { s.pane.Close() }

// Filter is the table's filter; SetFilter changes it (the prompt's filter
// input calls it as the user types).
func (s *storeScreen) Filter() string     { return s.table.Filter() }
func (s *storeScreen) SetFilter(f string) { s.table.SetFilter(f) }

// Busy reports whether an action is in flight on any row.
func (s *storeScreen) Busy() bool { return s.table.Busy() }

// agentTimeout bounds an upload agent lookup.
const agentTimeout = 30 * time.Second

// FetchAgent starts the lookup of the upload agent the details pane asks
// for, if any: the pane decides what it needs, the screen does the IO.
func (s *storeScreen) FetchAgent() tea.Cmd {
	id, ok := s.pane.WantAgent()
	if !ok {
		return nil
	}
	s.pane.FetchingAgent(id)
	// A short bound: while one lookup runs, no other row's agent loads.
	return uploadAgentCmd(s.be.ctx, s.be.svc, s.store.ID, id, min(s.be.timeout, agentTimeout))
}

// SetAgent takes a lookup's answer.
func (s *storeScreen) SetAgent(msg uploadAgentMsg) { s.pane.SetAgent(msg) }

// View is the column header, the rows (or why there are none) and the
// pane.
func (s *storeScreen) View() string { return strings.Join(s.appendTo(nil), "\n") }

// fleetNote says the rows are the fleet's read, which holds only the
// sessions health reads (running, recent, the newest of each kind).
func (s *storeScreen) fleetNote(read time.Time) string {
	which := "These rows are"
	if n := s.table.Len(); s.fleetTotal > n {
		which = fmt.Sprintf("These %d of the store's %d sessions are", n, s.fleetTotal)
	}
	return which + " the fleet's read of " + clockTime(read, s.sh.clock) + "; the store's own has not answered yet."
}

// appendTo adds the screen's lines, each at the width, to the frame's.
func (s *storeScreen) appendTo(lines []string) []string {
	start, th := len(lines), s.table.height
	if s.table.Len() == 0 {
		lines = append(lines, s.table.Header())
		lines = appendPadded(lines, s.emptyLines(th), s.width)
	} else {
		lines = append(lines, s.table.lines()...)
		if f := s.load.fromFleet; !f.IsZero() && s.table.Len() < th {
			// The header may have no room left to say it while reads fail.
			lines = append(lines, padLine(s.sh.styles.Muted.Render(" "+s.fleetNote(f)), s.width))
		}
	}
	for len(lines) < start+th+1 { // the column header, th rows
		lines = append(lines, strings.Repeat(" ", s.width))
	}
	if s.pane.Open() {
		lines = appendPadded(lines, s.pane.lines(), s.width)
	}
	return lines
}

// emptyLines say why the table has no row.
func (s *storeScreen) emptyLines(th int) []string {
	st := s.sh.styles
	var lines []string
	switch {
	case s.load.err != nil:
		lines = loadFailure(st, s.width, "Could not load the sessions.", s.load.err)
	case s.load.waiting:
		lines = append(lines, " "+s.sh.frame()+" Loading sessions…")
	case s.table.Filter() != "" && len(s.table.rows) > 0:
		lines = append(lines, st.Muted.Render(" No session matches /"+termtext.OneLine(s.table.Filter())+"; esc clears the filter."))
	default:
		lines = append(lines, st.Muted.Render(" No upload sessions in this data store."))
	}
	if len(lines) > th {
		lines = lines[:th]
	}
	return lines
}

// ShortHelp is the pane's keys, then the table's but the key of the pane
// that shows (q closes it) and d while the store is not the top (q goes
// back to the fleet).
func (s *storeScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	var keys []key.Binding
	if s.pane.Open() {
		keys = s.pane.ShortHelp()
	}
	for _, b := range s.table.ShortHelp() {
		switch {
		case s.cfg.fleetTop && sameKeys(b, k.Fleet),
			s.pane.kind == paneDetails && sameKeys(b, k.Details),
			s.pane.kind == paneErrors && sameKeys(b, k.Errors):
			continue
		}
		keys = append(keys, b)
	}
	return keys
}

// FullHelp is every key of a store, for the help screen.
func (s *storeScreen) FullHelp() [][]key.Binding { return s.sh.keys.FullHelp() }

// HelpView is the help screen of the store: its keys (groups, as the root
// labels them), and which actions do not apply to the selected session.
func (s *storeScreen) HelpView(groups [][]key.Binding) []string {
	return s.status.HelpView(groups, s.table.unavailable(), helpNotes(s.sh.rules))
}

// CountText is "4 sessions", with the filter and marks when set.
func (s *storeScreen) CountText() string {
	t := s.table
	n := t.Len()
	count := fmt.Sprintf("%d session%s", n, pick(n == 1, "", "s"))
	if s.partial {
		count += " so far"
	}
	if t.Filter() != "" {
		count = fmt.Sprintf("%d of %d sessions match /%s", n, len(t.rows), termtext.OneLine(t.Filter()))
	}
	if marked := t.Marked(); marked > 0 {
		count += fmt.Sprintf(" · %d marked", marked)
	}
	return count
}

// OrderText names the sort when the sorted column is off screen (else its
// header carries the arrow) and the order is not the default.
func (s *storeScreen) OrderText() string {
	t := s.table
	if (t.sortKey == sortCreated && !t.sortReverse) || t.SortShown() {
		return ""
	}
	return "by " + t.sortKey.String() + pick(t.sortReverse, " ↑", "")
}
