// The session table: the rows of the open store, their order (filter and
// sort), the selection (by id), the marks and the visible window.

package ui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

type sessionTable struct {
	sh      *shared
	columns Columns

	rows        map[string]*row
	order       []string // ids of the visible rows, in display order; each row knows its position (row.at)
	selectedID  string
	offset      int // first visible row
	filter      string
	sortKey     sortKey
	sortReverse bool
	marked      int // marked rows, kept by SetMarked (read on every frame)
	// inFlight counts the rows with each action in flight, kept by Begin,
	// Settle and Fail: Busy costs the same at 100,000 rows as at 10.
	inFlight map[action]int
	merges   uint64 // listings merged; a row seen in the last has row.merged == merges
	suffix   string // the file name ending all rows share (".EdmHash")
	widest   int    // the widest file name, in cells
	// remembered is the selection of each store visited, restored on return.
	remembered map[string]string

	width, height int // height counts rows, without the column header
	bodyBytes     int // the last frame's rows, to size the next
	// old: the rows are of an earlier read (a failed load, the fleet's
	// read): dimmed.
	old bool
}

func newSessionTable(sh *shared, columns Columns) *sessionTable {
	return &sessionTable{sh: sh, columns: columns, rows: map[string]*row{}, remembered: map[string]string{}, inFlight: map[action]int{}}
}

// SetSize sets the width and the number of visible rows.
func (t *sessionTable) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// SetOld says whether the rows are of an earlier read than the screen's
// last load would give.
func (t *sessionTable) SetOld(old bool) { t.old = old }

// Len is the number of visible (filtered) rows.
func (t *sessionTable) Len() int { return len(t.order) }

// Visible is the ids of the rows shown, in order.
func (t *sessionTable) Visible() []string { return t.order }

// Row is a session's row, visible or not.
func (t *sessionTable) Row(id string) (*row, bool) {
	r, ok := t.rows[id]
	return r, ok
}

// Selected is the selected row, nil when none.
func (t *sessionTable) Selected() *row {
	if t.selectedID == "" {
		return nil
	}
	return t.rows[t.selectedID]
}

// index is the position of a row in the visible order, -1 when it is
// not shown: a lookup, so a key costs the same at the bottom of 100,000
// rows as at the top.
func (t *sessionTable) index(id string) int {
	if r, ok := t.rows[id]; ok && id != "" {
		return r.at
	}
	return -1
}

// Select selects a visible row by id and keeps it in view.
func (t *sessionTable) Select(id string) {
	if t.index(id) >= 0 {
		t.selectedID = id
		t.clamp()
	}
}

// selectWanted selects a session when it shows, else the first row.
func (t *sessionTable) selectWanted(id string) {
	if t.index(id) >= 0 {
		t.Select(id)
		return
	}
	t.selectIndex(0)
}

// Replace switches the table to another store: the rows go, the selection
// made in the store left is remembered, and the one made earlier in the
// store entered comes back once its rows arrive.
func (t *sessionTable) Replace(fromStore, toStore string) {
	t.Remember(fromStore)
	t.rows = map[string]*row{}
	t.order = nil
	t.marked = 0
	clear(t.inFlight) // the answers to the store left are dropped
	t.selectedID = t.remembered[toStore]
	t.filter = ""
	t.offset = 0
}

// Remember keeps the selection of a store for a later visit.
func (t *sessionTable) Remember(storeID string) {
	if storeID != "" && t.selectedID != "" {
		t.remembered[storeID] = t.selectedID
	}
}

// Merge applies a full listing and returns the sessions seen running that
// finished. A row is never replaced by an older copy of its session: a list
// that left the service before a renew answered must not undo the renew.
// Rows missing from the listing go, unless an action on them is in flight.
func (t *sessionTable) Merge(sessions []*graphapi.Session, at time.Time) []notice {
	t.merges++
	selectedAt := t.index(t.selectedID) // before its row may go
	moved := false                      // whether the order may have changed
	var notices []notice
	for _, s := range sessions { // never written: rows point at them
		if s.ID == "" {
			continue
		}
		r, ok := t.rows[s.ID]
		if !ok {
			r = newRow(s)
			t.rows[s.ID] = r
			moved = true
		} else if r.gone = false; !r.s.NewerThan(s) {
			before := r.class
			moved = moved || t.reorders(r.s, s)
			r.set(s)
			if n, ok := finished(before, r); ok {
				notices = append(notices, n)
			}
		}
		r.merged = t.merges
		r.observe(at)
	}
	for id, r := range t.rows {
		if r.merged != t.merges && r.pending == noAction {
			t.SetMarked(r, false)
			delete(t.rows, id)
			moved = true
		}
	}
	if moved {
		t.resortFrom(selectedAt)
	}
	return notices
}

// reorders reports whether a session's new copy may move its row: a
// different value of the sort key, or of what the filter and the shared
// suffix look at. A refresh of an unchanged order (most refreshes, sorted
// by creation) then costs no sort.
func (t *sessionTable) reorders(old, s *graphapi.Session) bool {
	if old.FileName != s.FileName || (t.filter != "" && old.State != s.State) {
		return true
	}
	switch t.sortKey {
	case sortUpdated:
		return !old.LastUpdatedDateTime.Equal(s.LastUpdatedDateTime.Time)
	case sortState:
		return old.State != s.State
	case sortUpload:
		return old.UploadProgress() != s.UploadProgress()
	case sortProcessing:
		return old.ProcessingProgress() != s.ProcessingProgress()
	case sortFile:
		return false // the name is checked above
	}
	return !old.CreationDateTime.Equal(s.CreationDateTime.Time)
}

// Apply puts one session's newer copy (a renew's answer) in its row, by
// id; a session not listed yet gets a row.
func (t *sessionTable) Apply(s graphapi.Session, at time.Time) *row {
	r, ok := t.rows[s.ID]
	if !ok {
		r = newRow(&s)
		t.rows[s.ID] = r
		t.resort()
	} else if !r.s.NewerThan(&s) {
		r.set(&s)
	}
	r.observe(at)
	return r
}

// Filter is the text rows must contain (file name, state or id).
func (t *sessionTable) Filter() string { return t.filter }

// SetFilter filters the rows, keeping the selection when it still shows.
func (t *sessionTable) SetFilter(f string) {
	if f != t.filter {
		t.filter = f
		t.resort()
	}
}

// CycleSort moves to the next sort key; ReverseSort flips the order.
func (t *sessionTable) CycleSort() {
	t.sortKey = (t.sortKey + 1) % sortKeys
	t.resort()
}

func (t *sessionTable) ReverseSort() {
	t.sortReverse = !t.sortReverse
	t.resort()
}

// SortShown reports whether the sorted column is on screen (with its
// arrow).
func (t *sessionTable) SortShown() bool { return computeLayout(t.width, t.columns).shows(t.sortKey) }

// SortText is "created", "upload % (reversed)"...
func (t *sessionTable) SortText() string {
	return t.sortKey.String() + pick(t.sortReverse, " (reversed)", "")
}

// Marked counts marked rows.
func (t *sessionTable) Marked() int { return t.marked }

func (t *sessionTable) SetMarked(r *row, on bool) {
	if r.marked != on {
		r.marked = on
		t.marked += map[bool]int{true: 1, false: -1}[on]
	}
}

// ToggleMark marks or unmarks the selected row and moves down.
func (t *sessionTable) ToggleMark() {
	if r := t.Selected(); r != nil {
		t.SetMarked(r, !r.marked)
		t.move(1)
	}
}

// Begin marks a row busy with a: one action at a time per session.
func (t *sessionTable) Begin(r *row, a action) {
	t.idle(r)
	r.pending = a
	t.inFlight[a]++
}

// Settle applies an action's success to its session's row: a renew's
// newer copy (a session not listed yet gets a row), the busy state and
// the last failure cleared. Nil when the session has no row.
func (t *sessionTable) Settle(id string, renewed *graphapi.Session, at time.Time) *row {
	r, ok := t.rows[id]
	if renewed != nil {
		r, ok = t.Apply(*renewed, at), true
	}
	if !ok {
		return nil
	}
	t.idle(r)
	r.lastErr = nil
	return r
}

// Fail records an action's failure on its session's row: no longer busy,
// the error kept for the errors pane, and a session the service no longer
// has marked gone. Nil when the session has no row.
func (t *sessionTable) Fail(id string, a action, err error, at time.Time) *row {
	r, ok := t.rows[id]
	if !ok {
		return nil
	}
	t.idle(r)
	r.lastErr, r.lastErrOp, r.lastErrAt = err, a, at
	if errors.Is(err, graphapi.ErrNotFound) {
		r.gone = true
	}
	return r
}

// idle ends the action in flight on a row, if any.
func (t *sessionTable) idle(r *row) {
	if r.pending != noAction {
		t.inFlight[r.pending]--
		r.pending = noAction
	}
}

// Busy reports whether an action is in flight on any row.
func (t *sessionTable) Busy() bool {
	for _, n := range t.inFlight {
		if n > 0 {
			return true
		}
	}
	return false
}

// InFlight counts the rows with a given action in flight.
func (t *sessionTable) InFlight(a action) int { return t.inFlight[a] }

// Update moves the selection: keys (up, down, pages, first, last) and the
// mouse (the wheel, a click on a row; y counts from the column header).
func (t *sessionTable) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		t.navigate(msg)
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			t.move(-1)
		case tea.MouseButtonWheelDown:
			t.move(1)
		case tea.MouseButtonLeft:
			t.Click(msg.Y)
		}
	}
	return nil
}

// Click selects the session on line y (counted from the column header) and
// returns its id, "" when no row is there.
func (t *sessionTable) Click(y int) string {
	i := t.offset + y - 1
	if y < 1 || y > t.height || i >= len(t.order) {
		return ""
	}
	t.selectIndex(i)
	return t.selectedID
}

func (t *sessionTable) navigate(msg tea.KeyMsg) {
	k := t.sh.keys
	idx := t.index(t.selectedID)
	switch {
	case key.Matches(msg, k.Up):
		idx--
	case key.Matches(msg, k.Down):
		idx++
	case key.Matches(msg, k.PageUp):
		idx -= max(t.height-1, 1)
	case key.Matches(msg, k.PageDown):
		idx += max(t.height-1, 1)
	case key.Matches(msg, k.Home):
		idx = 0
	case key.Matches(msg, k.End):
		idx = len(t.order) - 1
	default:
		return
	}
	t.selectIndex(idx)
}

// move moves the selection by delta rows.
func (t *sessionTable) move(delta int) { t.selectIndex(t.index(t.selectedID) + delta) }

// selectIndex selects the row at i (clamped) and keeps it visible.
func (t *sessionTable) selectIndex(i int) {
	if len(t.order) == 0 {
		return
	}
	t.selectedID = t.order[min(max(i, 0), len(t.order)-1)]
	t.clamp()
}

// clamp keeps the selection inside the visible window, and the window
// inside the rows.
func (t *sessionTable) clamp() {
	th := max(t.height, 1)
	if idx := t.index(t.selectedID); idx >= 0 {
		if idx < t.offset {
			t.offset = idx
		}
		if idx >= t.offset+th {
			t.offset = idx - th + 1
		}
	}
	t.offset = min(max(t.offset, 0), max(len(t.order)-th, 0))
}

// resort applies the filter and the sort, keeping the selection on the
// same session, or on its neighbour when it is gone or filtered out.
func (t *sessionTable) resort() { t.resortFrom(t.index(t.selectedID)) }

// resortFrom is resort with the selection's position before the change
// (its row may be gone).
func (t *sessionTable) resortFrom(oldIndex int) {
	// The rows in their current order first, the others after: the sort
	// then mostly finds runs already in order.
	visible := make([]*row, 0, len(t.rows))
	for _, id := range t.order {
		if r, ok := t.rows[id]; ok && r.at >= 0 {
			r.at = -2 // collected
			if r.matches(t.filter) {
				visible = append(visible, r)
			}
		}
	}
	for _, r := range t.rows {
		if r.at != -2 && r.matches(t.filter) {
			visible = append(visible, r)
		}
		r.at = -1
	}
	cmp := t.sortKey.compare
	slices.SortFunc(visible, func(a, b *row) int {
		c := cmp(a, b)
		if t.sortReverse {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.s.ID, b.s.ID)
	})
	t.suffix, t.widest = sharedSuffix(t.rows), 0
	for _, r := range t.rows {
		t.widest = max(t.widest, r.nameW)
	}
	t.order = t.order[:0]
	for i, r := range visible {
		r.at = i
		t.order = append(t.order, r.s.ID)
	}
	if t.index(t.selectedID) < 0 {
		t.selectedID = ""
		if len(t.order) > 0 {
			t.selectedID = t.order[min(max(oldIndex, 0), len(t.order)-1)]
		}
	}
	t.clamp()
}

// layout is the columns at the table's width.
func (t *sessionTable) layout() layout {
	l := computeLayout(t.width, t.columns)
	if t.widest > l.file {
		l.suffix = t.suffix // leave it out only when a name would be cut
	}
	return l
}

// Header is the column header at the table's width.
func (t *sessionTable) Header() string {
	l := t.layout()
	return padLine(l.header(t.sh.styles, t.sortKey, t.sortReverse), t.width)
}

// View draws the column header and the visible rows.
func (t *sessionTable) View() string { return strings.Join(t.lines(), "\n") }

// lines are the column header and the visible rows, each exactly as wide
// as the table (rows are padded without measuring them).
func (t *sessionTable) lines() []string {
	l := t.layout()
	lines := make([]string, 0, t.height+1)
	lines = append(lines, padLine(l.header(t.sh.styles, t.sortKey, t.sortReverse), t.width))
	end := min(t.offset+t.height, len(t.order))
	env := rowEnv{frame: t.sh.frame(), now: t.sh.clock, rules: t.sh.rules, st: t.sh.styles}
	pad := strings.Repeat(" ", max(t.width-l.fixed()-l.file, 0))
	// Every row is written to one builder, sized by the last frame's rows,
	// and each line is a slice of its text.
	var body strings.Builder
	body.Grow(t.bodyBytes)
	ends := make([]int, 0, end-t.offset)
	for i := t.offset; i < end; i++ {
		id := t.order[i]
		if id == t.selectedID {
			// Its own string: the selection's colour wraps the whole line.
			ends = append(ends, -1)
			continue
		}
		writeRow(&body, t.rows[id], l, false, env)
		body.WriteString(pad)
		ends = append(ends, body.Len())
	}
	text, start := body.String(), 0
	t.bodyBytes = len(text)
	dim := func(line string) string { return line }
	if t.old {
		dim = env.st.oldP.around
	}
	for i, e := range ends {
		if e < 0 {
			id := t.order[t.offset+i]
			lines = append(lines, env.st.selectedP.around(dim(renderRow(t.rows[id], l, true, env)+pad)))
			continue
		}
		lines = append(lines, dim(text[start:e]))
		start = e
	}
	return lines
}

// ShortHelp is the table's footer: the actions that apply to the selected
// session (why the others do not is in the help and in the flash their key
// brings), then the screen's keys.
func (t *sessionTable) ShortHelp() []key.Binding {
	all := t.sh.keys.ShortHelp()
	out := make([]key.Binding, 0, len(all))
	for _, b := range all {
		if t.applies(b) {
			out = append(out, b)
		}
	}
	return out
}

// applies reports whether b does something for the selected session: an
// action it can take, errors it has, marks to renew.
func (t *sessionTable) applies(b key.Binding) bool {
	k := t.sh.keys
	r := t.Selected()
	switch {
	case sameKeys(b, k.Renew):
		return r != nil && r.cannot(actRenew) == ""
	case sameKeys(b, k.Cancel):
		return r != nil && r.cannot(actCancel) == ""
	case sameKeys(b, k.Commit):
		return r != nil && r.cannot(actCommit) == ""
	case sameKeys(b, k.Errors):
		return r != nil && (!r.s.Error.IsEmpty() || r.lastErr != nil)
	case sameKeys(b, k.Details), sameKeys(b, k.Mark), sameKeys(b, k.Copy):
		return r != nil
	case sameKeys(b, k.RenewMarked):
		return t.marked > 0
	}
	return true
}

// unavailable says which actions do not apply to the selected session and
// why, for the help screen; "" when all apply.
func (t *sessionTable) unavailable() string {
	r := t.Selected()
	if r == nil {
		return ""
	}
	var na []string
	for _, a := range []action{actRenew, actCancel, actCommit} {
		if why := r.cannot(a); why != "" {
			na = append(na, a.String()+": "+why)
		}
	}
	if len(na) == 0 {
		return ""
	}
	return "Not available for " + r.name + ": " + strings.Join(na, "; ")
}
