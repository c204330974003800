package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// openStoreMsg asks the root to open a store's sessions.
type openStoreMsg struct{ store graphapi.DataStore }

// fleetScreen is the fleet (the start screen without a store, and d):
// one row per data store with its health verdict, worst first. It owns its
// rows, selection, scroll and filter; the root's refresh loop asks it for
// the load command and hands it the news. A poll streams: the rows show as
// soon as the stores are listed and fill store by store, each message
// costing Update what it carries, not the fleet's size.
type fleetScreen struct {
	sh *shared

	rows     []storeStatus  // worst first, then by name (re-sorted when dirty)
	index    map[string]int // store id → position in rows
	shown    []int          // indexes into rows that pass the filter
	selected string         // store id
	// chosen: the user (or the open store) picked the selection; until
	// then it stays on the top row while the rows fill and re-sort.
	chosen bool
	offset int
	width  int
	height int
	// dirty: a row's rank changed since the rows were sorted.
	dirty bool
	// tally counts the rows by what their verdict cell says, for the header.
	tally map[rowClass]int

	gen      int
	loading  bool
	loadedAt time.Time // when the last poll ended
	listed   bool      // a store listing has answered
	err      error     // the store listing's last error
	// outage: the last poll failed as a whole; the header says why, so
	// the rows do not.
	outage bool
	poll   pollTally
	// failing are the stores whose own failure (Graph answering for the
	// others) was logged, and since when: their recovery is logged once.
	failing map[string]time.Time

	filter string // as typed in the prompt's filter input
}

// rowClass is what a row's verdict cell says.
type rowClass int

const (
	classOK rowClass = iota // the verdicts first, in their order
	classStale
	classStalled
	classFailed
	classUnknown // never read, failed
	classReading // listed, not polled yet
	classOld     // counted apart: an old row also counts by its verdict
)

// pollTally is what the poll under way has told of the stores.
type pollTally struct {
	answered, failed int
	firstErr         error
	// newlyFailing and recovered are stores whose own failure started or
	// ended: logged when the poll ends, unless it was an outage.
	newlyFailing, recovered []string
}

func newFleetScreen(sh *shared) *fleetScreen {
	return &fleetScreen{sh: sh, index: map[string]int{}, tally: map[rowClass]int{}, failing: map[string]time.Time{}}
}

// Load returns the command of fleet poll gen: every store and its sessions
// through mon, judged off the Update path and streamed. Only the news of
// the latest gen is applied.
func (o *fleetScreen) Load(be *backend, mon *monitor.Monitor, gen int, full bool) tea.Cmd {
	o.loading = true
	o.gen = gen
	o.poll = pollTally{}
	return loadFleetCmd(be, mon, o.sh.rules, gen, full, !o.listed)
}

// SetCurrent tells the fleet screen which store is open; the selection starts
// on it.
func (o *fleetScreen) SetCurrent(id string) {
	if id != "" {
		o.selected, o.chosen = id, true
		o.clampOffset()
	}
}

// Loading reports whether a poll is in flight.
func (o *fleetScreen) Loading() bool { return o.loading }

// Err is the error of the last poll of the store listing, if it failed.
func (o *fleetScreen) Err() error { return o.err }

// Status is a store's row, or nil.
func (o *fleetScreen) Status(id string) *storeStatus {
	if i, ok := o.index[id]; ok {
		return &o.rows[i]
	}
	return nil
}

// SetSize is the space the fleet screen may draw in. The root calls it
// after every message; only a new size moves the window (the paths that
// change rows or the selection clamp it themselves), so a tick does not
// scan the fleet for the cursor.
func (o *fleetScreen) SetSize(w, h int) {
	if w == o.width && h == o.height {
		return
	}
	o.width, o.height = w, h
	o.clampOffset()
}

// Filter is the filter in effect; SetFilter changes it (the prompt's
// filter input calls it as the user types).
func (o *fleetScreen) Filter() string { return o.filter }

func (o *fleetScreen) SetFilter(q string) {
	o.filter = q
	o.refilter()
}

// pollResult is how a fleet poll ended, for the root's refresh loop.
type pollResult struct {
	at time.Time
	// err is why the poll failed as a whole (the store listing, or every
	// store), nil when it did not.
	err error
}

// apply takes a poll's news and returns the events it makes and, once the
// poll has ended, how it went.
func (o *fleetScreen) apply(msg fleetNewsMsg) ([]event, *pollResult) {
	if msg.gen != o.gen {
		return nil, nil
	}
	var events []event
	var done *pollResult
	for _, item := range msg.items {
		switch item := item.(type) {
		case fleetListed:
			o.list(item)
		case storeStatus:
			events = append(events, o.polled(item)...)
		case fleetDone:
			var more []event
			done, more = o.finish(item.at)
			events = append(events, more...)
		}
	}
	return events, done
}

// list takes the store listing: the rows become its stores, each keeping
// what it showed, a new one reading…; a failed listing keeps the rows.
func (o *fleetScreen) list(l fleetListed) {
	o.err = l.err
	if l.err != nil {
		return
	}
	o.listed = true
	rows := make([]storeStatus, 0, len(l.stores))
	for _, ds := range l.stores {
		if i, ok := o.index[ds.ID]; ok {
			r := o.rows[i]
			r.store, r.key = ds, strings.ToLower(ds.DisplayName)
			rows = append(rows, r)
			continue
		}
		rows = append(rows, storeStatus{store: ds, key: strings.ToLower(ds.DisplayName)})
	}
	o.rows = rows
	o.dirty = true // and the index is of the rows before
	clear(o.tally)
	for i := range o.rows {
		o.count(&o.rows[i], 1)
	}
	o.resort()
}

// polled takes one store's new row and returns its verdict change, if
// any: O(1), whatever the fleet's size.
func (o *fleetScreen) polled(s storeStatus) []event {
	i, ok := o.index[s.store.ID]
	if !ok { // a store this fleet screen has not listed: the first row of its kind
		i = len(o.rows)
		o.rows = append(o.rows, storeStatus{store: s.store, key: s.key})
		o.index[s.store.ID] = i
		o.count(&o.rows[i], 1)
		o.dirty = true
	}
	prev := &o.rows[i]
	o.tally1(s)
	var events []event
	if was, now := prev.health.Verdict, s.health.Verdict; !prev.read.IsZero() && s.err == nil && was != now {
		kind := map[health.Verdict]eventKind{health.Failed: eventFailed, health.Stalled: eventStalled, health.Stale: eventStale, health.OK: eventInfo}[now]
		events = append(events, event{at: s.read, kind: kind, text: s.store.DisplayName + " is " + now.String() + " (was " + was.String() + ")"})
	}
	if s.err == nil && s.health.LimitReached && !prev.health.LimitReached {
		events = append(events, limitEvent(&s))
	}
	if rank(prev) != rank(&s) {
		o.dirty = true
	}
	o.count(prev, -1)
	*prev = s
	o.count(prev, 1)
	return events
}

// limitEvent says, once, that a store has used its uploads for 24 hours
// and when the service takes the next.
func limitEvent(s *storeStatus) event {
	h := &s.health
	return event{at: s.read, kind: eventInfo, text: fmt.Sprintf("%s: no upload left until %s (%d of %d in 24h)",
		storeName(s), present.Until(h.NextUpload, s.read), h.Uploads24h, h.UploadLimit)}
}

// tally1 counts a store's poll for the outage rule and the per-store log.
func (o *fleetScreen) tally1(s storeStatus) {
	_, logged := o.failing[s.store.ID]
	switch {
	case s.err == nil:
		o.poll.answered++
		if logged {
			o.poll.recovered = append(o.poll.recovered, s.store.ID)
		}
	default:
		o.poll.failed++
		if o.poll.firstErr == nil {
			o.poll.firstErr = s.err
		}
		if !logged {
			o.poll.newlyFailing = append(o.poll.newlyFailing, s.store.ID)
		}
	}
}

// finish ends a poll: it failed as a whole when the store listing did or
// every store did (one event for the root, not one per store); else each
// store whose own failure started or ended is logged once.
func (o *fleetScreen) finish(at time.Time) (*pollResult, []event) {
	o.loading = false
	o.loadedAt = at
	p := o.poll
	o.poll = pollTally{}
	res := &pollResult{at: at, err: o.err}
	if res.err == nil && p.answered == 0 && p.failed > 0 {
		res.err = p.firstErr
	}
	o.outage = res.err != nil
	var events []event
	if !o.outage {
		for _, id := range p.newlyFailing {
			if s := o.Status(id); s != nil && s.err != nil {
				o.failing[id] = s.errAt
				events = append(events, event{at: at, kind: eventOutage, text: storeName(s) + ": " + storeWhy(s.err)})
			}
		}
	}
	for _, id := range p.recovered {
		if s := o.Status(id); s != nil {
			events = append(events, event{at: at, kind: eventRecovered, text: storeName(s) + ": readable again after " + present.Countdown(at.Sub(o.failing[id]))})
		}
		delete(o.failing, id)
	}
	o.resort()
	return res, events
}

// Tick re-sorts the rows while a long poll fills them (the clock calls it
// once a second), so the worst stores rise before the poll ends.
func (o *fleetScreen) Tick() {
	if o.loading && o.dirty {
		o.resort()
	}
}

// resort sorts the rows when a rank changed, keeping the selection.
func (o *fleetScreen) resort() {
	if o.dirty || len(o.index) != len(o.rows) {
		slices.SortStableFunc(o.rows, compareStatus)
		clear(o.index)
		for i := range o.rows {
			o.index[o.rows[i].store.ID] = i
		}
	}
	o.dirty = false
	o.refilter()
}

// count adds n rows of s's class to the tally.
func (o *fleetScreen) count(s *storeStatus, n int) {
	o.tally[classOf(s)] += n
	if s.old() {
		o.tally[classOld] += n
	}
}

func classOf(s *storeStatus) rowClass {
	switch {
	case s.unknown():
		return classUnknown
	case s.read.IsZero():
		return classReading
	}
	return rowClass(s.health.Verdict)
}

func storeName(s *storeStatus) string {
	if s.store.DisplayName != "" {
		return s.store.DisplayName
	}
	return shortID(s.store.ID, 8)
}

// rank orders rows worst first: what cannot be judged, then the verdicts
// (an old row by its last one, so a failed read moves nothing), then the
// stores not read yet.
func rank(s *storeStatus) int {
	switch classOf(s) {
	case classUnknown:
		return int(health.Failed) + 1
	case classReading:
		return -1
	}
	return int(s.health.Verdict)
}

func compareStatus(a, b storeStatus) int {
	if ra, rb := rank(&a), rank(&b); ra != rb {
		return rb - ra
	}
	return strings.Compare(a.key, b.key)
}

// Update handles the fleet screen's own messages and keys; the root routes
// everything else.
func (o *fleetScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return o.key(msg)
	case tea.MouseMsg:
		o.mouse(msg)
	}
	return nil
}

// mouse moves the selection: the wheel by one, a click to the row under it
// (y counts from the column header).
func (o *fleetScreen) mouse(msg tea.MouseMsg) {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		o.move(-1)
	case tea.MouseButtonWheelDown:
		o.move(1)
	case tea.MouseButtonLeft:
		o.Click(msg.Y)
	}
}

// Click selects the store on line y (counted from the column header) and
// returns its id, "" when no row is there.
func (o *fleetScreen) Click(y int) string {
	i := o.offset + y - 1
	if y < 1 || i >= len(o.shown) {
		return ""
	}
	o.selected, o.chosen = o.rows[o.shown[i]].store.ID, true
	return o.selected
}

func (o *fleetScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := o.sh.keys
	switch {
	case key.Matches(msg, k.Up):
		o.move(-1)
	case key.Matches(msg, k.Down):
		o.move(1)
	case key.Matches(msg, k.PageUp):
		o.move(-o.pageRows())
	case key.Matches(msg, k.PageDown):
		o.move(o.pageRows())
	case key.Matches(msg, k.Home):
		o.move(-len(o.rows))
	case key.Matches(msg, k.End):
		o.move(len(o.rows))
	case key.Matches(msg, k.Open):
		return o.OpenSelected()
	}
	return nil
}

// OpenSelected asks the root to open the selected store (enter, l, →, a
// double click).
func (o *fleetScreen) OpenSelected() tea.Cmd {
	s := o.Selected()
	if s == nil {
		return nil
	}
	ds := s.store
	return func() tea.Msg { return openStoreMsg{store: ds} }
}

// refilter recomputes the shown rows and keeps the selection on the same
// store when it is still shown, else on the first.
func (o *fleetScreen) refilter() {
	q := strings.ToLower(strings.TrimSpace(o.filter))
	o.shown = o.shown[:0]
	for i := range o.rows {
		if q == "" || strings.Contains(o.rows[i].key, q) || strings.Contains(classWord(&o.rows[i]), q) {
			o.shown = append(o.shown, i)
		}
	}
	if !o.chosen || o.cursor() < 0 {
		o.selected = ""
		if len(o.shown) > 0 {
			o.selected = o.rows[o.shown[0]].store.ID
		}
	}
	o.clampOffset()
}

// cursor is the selected store's position among the shown rows, or -1.
func (o *fleetScreen) cursor() int {
	for i, r := range o.shown {
		if o.rows[r].store.ID == o.selected {
			return i
		}
	}
	return -1
}

// Selected is the selected store's status, or nil.
func (o *fleetScreen) Selected() *storeStatus {
	if c := o.cursor(); c >= 0 {
		return &o.rows[o.shown[c]]
	}
	return nil
}

func (o *fleetScreen) move(n int) {
	if len(o.shown) == 0 {
		return
	}
	c := min(max(o.cursor()+n, 0), len(o.shown)-1)
	o.selected, o.chosen = o.rows[o.shown[c]].store.ID, true
	o.clampOffset()
}

// pageRows is how many store rows fit under the fleet screen's two header lines.
func (o *fleetScreen) pageRows() int { return max(o.height-2, 1) }

// clampOffset keeps the cursor inside the visible window.
func (o *fleetScreen) clampOffset() {
	page, c := o.pageRows(), max(o.cursor(), 0)
	o.offset = min(max(o.offset, c-page+1), c)
	o.offset = max(min(o.offset, len(o.shown)-page), 0)
}

// ShortHelp is the fleet screen's own keys (the root adds ? and q).
func (o *fleetScreen) ShortHelp() []key.Binding { return o.sh.keys.FleetHelp() }

// FullHelp lists the fleet screen's keys for the help screen (not the
// table's); the root labels q and esc with what they do here.
func (o *fleetScreen) FullHelp() [][]key.Binding {
	k := o.sh.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Open, k.Filter, k.Events},
		{k.Refresh, k.Pause, k.Help, k.Close, k.Quit}}
}

// Summary is the header's count of stores by verdict, worst first:
// "5 stores · 1 failed · 1 stalled · 1 stale".
func (o *fleetScreen) Summary() string { return o.summary(false) }

// ShortSummary is the count where the header is short of room, with the
// verdicts' icons for words: "5 stores: 1? 1✗ 1⧗ 1◷".
func (o *fleetScreen) ShortSummary() string { return o.summary(true) }

func (o *fleetScreen) summary(short bool) string {
	word := func(n int, what string) string {
		if short {
			return fmt.Sprintf("%d%s", n, what)
		}
		return fmt.Sprintf("%d %s", n, what)
	}
	var parts []string
	if n := o.tally[classUnknown]; n > 0 {
		parts = append(parts, word(n, pick(short, unknownIcon, "unknown")))
	}
	for _, v := range []health.Verdict{health.Failed, health.Stalled, health.Stale} {
		if n := o.tally[rowClass(v)]; n > 0 {
			parts = append(parts, word(n, pick(short, verdictIcon(v), v.String())))
		}
	}
	if n := o.tally[classOld]; n > 0 && !short {
		parts = append(parts, word(n, "old"))
	}
	if n := o.tally[classReading]; n > 0 && !short {
		parts = append(parts, word(n, "reading"))
	}
	stores := plural(len(o.rows), "store", "stores")
	// The counts are the fleet's; the filter only narrows the rows shown.
	matching := ""
	if o.filter != "" {
		matching = fmt.Sprintf(" · %d match /%s", len(o.shown), termtext.OneLine(o.filter))
	}
	switch {
	case !short:
		return strings.Join(append([]string{stores}, parts...), " · ") + matching
	case len(parts) == 0:
		return stores + matching
	}
	return stores + ": " + strings.Join(parts, " ") + matching
}

// classWord is the word of a row's verdict cell, for the filter.
func classWord(s *storeStatus) string {
	switch classOf(s) {
	case classUnknown:
		return "unknown"
	case classReading:
		return "reading"
	}
	return s.health.Verdict.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
