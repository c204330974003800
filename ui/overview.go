package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/termtext"
)

// openStoreMsg asks the root to open a store's sessions.
type openStoreMsg struct{ store graphapi.DataStore }

// backToStoreMsg asks the root to return to the store that is open.
type backToStoreMsg struct{}

// overview is the fleet screen (the start screen without a store, and d):
// one row per data store with its health verdict, worst first. It owns its
// rows, selection, scroll and filter; the root's refresh loop asks it for
// the load command and hands it the answer.
type overview struct {
	sh *shared

	rows     []storeStatus // sorted worst first, then by name
	shown    []int         // indexes into rows that pass the filter
	selected string        // store id
	current  string        // the open store, "" when none: esc goes back to it
	offset   int
	width    int
	height   int

	gen      int
	loading  bool
	loadedAt time.Time
	err      error

	filter string // as typed in the prompt's filter input
}

func newOverview(sh *shared) *overview { return &overview{sh: sh} }

// Load returns the command of fleet poll gen: every store and its sessions
// through mon, judged off the Update path. Only the answer to the latest
// gen is applied.
func (o *overview) Load(ctx context.Context, mon *monitor.Monitor, now func() time.Time, gen int, full bool, timeout time.Duration) tea.Cmd {
	o.loading = true
	o.gen = gen
	return loadFleetCmd(ctx, mon, o.sh.rules, now, gen, full, timeout)
}

// SetCurrent tells the overview which store is open; the selection starts
// on it.
func (o *overview) SetCurrent(id string) {
	o.current = id
	if id != "" {
		o.selected = id
		o.clampOffset()
	}
}

// Loading reports whether a poll is in flight.
func (o *overview) Loading() bool { return o.loading }

// Err is the error of the last poll of the store listing, if it failed.
func (o *overview) Err() error { return o.err }

// SetSize is the space the overview may draw in.
func (o *overview) SetSize(w, h int) {
	o.width, o.height = w, h
	o.clampOffset()
}

// Filter is the filter in effect; SetFilter changes it (the prompt's
// filter input calls it as the user types).
func (o *overview) Filter() string { return o.filter }

func (o *overview) SetFilter(q string) {
	o.filter = q
	o.refilter()
}

// apply takes a poll's answer and returns the verdict changes it saw. A
// failed store-list poll keeps the rows shown.
func (o *overview) apply(msg fleetLoadedMsg) []event {
	if msg.gen != o.gen {
		return nil
	}
	o.loading = false
	o.err = msg.err
	if msg.err != nil {
		return nil
	}
	events := verdictChanges(o.rows, msg.stores, msg.at)
	o.loadedAt = msg.at
	o.rows = msg.stores
	slices.SortStableFunc(o.rows, compareStatus)
	o.refilter()
	return events
}

// verdictChanges lists the stores whose verdict changed between two polls.
// The first poll reports nothing: the screen shows it all.
func verdictChanges(before, after []storeStatus, at time.Time) []event {
	if len(before) == 0 {
		return nil
	}
	prev := make(map[string]health.Verdict, len(before))
	for i := range before {
		if before[i].err == nil {
			prev[before[i].store.ID] = before[i].health.Verdict
		}
	}
	var events []event
	for i := range after {
		s := &after[i]
		was, known := prev[s.store.ID]
		if s.err != nil || !known || was == s.health.Verdict {
			continue
		}
		kind := map[health.Verdict]eventKind{health.Failed: eventFailed, health.Stalled: eventStalled, health.Stale: eventStale, health.OK: eventInfo}[s.health.Verdict]
		events = append(events, event{at: at, kind: kind, text: s.store.DisplayName + " is " + s.health.Verdict.String() + " (was " + was.String() + ")"})
	}
	return events
}

func rank(s *storeStatus) int {
	if s.err != nil {
		return int(health.Failed) + 1 // what cannot be judged is shown first
	}
	return int(s.health.Verdict)
}

func compareStatus(a, b storeStatus) int {
	if ra, rb := rank(&a), rank(&b); ra != rb {
		return rb - ra
	}
	return strings.Compare(strings.ToLower(a.store.DisplayName), strings.ToLower(b.store.DisplayName))
}

// Update handles the overview's own messages and keys; the root routes
// everything else.
func (o *overview) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case fleetLoadedMsg:
		return emit(o.apply(msg))
	case tea.KeyMsg:
		return o.key(msg)
	case tea.MouseMsg:
		o.mouse(msg)
	}
	return nil
}

// mouse moves the selection: the wheel by one, a click to the row under it
// (y counts from the column header).
func (o *overview) mouse(msg tea.MouseMsg) {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		o.move(-1)
	case tea.MouseButtonWheelDown:
		o.move(1)
	case tea.MouseButtonLeft:
		if i := o.offset + msg.Y - 1; msg.Y >= 1 && i < len(o.shown) {
			o.selected = o.rows[o.shown[i]].store.ID
		}
	}
}

func (o *overview) key(msg tea.KeyMsg) tea.Cmd {
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
	case key.Matches(msg, k.Close) && o.filter != "":
		o.SetFilter("")
	case key.Matches(msg, k.Close) && o.current != "":
		return func() tea.Msg { return backToStoreMsg{} }
	case key.Matches(msg, k.Open):
		if s := o.Selected(); s != nil {
			ds := s.store
			return func() tea.Msg { return openStoreMsg{store: ds} }
		}
	}
	return nil
}

// refilter recomputes the shown rows and keeps the selection on the same
// store when it is still shown, else on the first.
func (o *overview) refilter() {
	q := strings.ToLower(strings.TrimSpace(o.filter))
	o.shown = o.shown[:0]
	for i := range o.rows {
		if q == "" || strings.Contains(strings.ToLower(o.rows[i].store.DisplayName), q) ||
			strings.Contains(strings.ToLower(o.rows[i].health.Verdict.String()), q) {
			o.shown = append(o.shown, i)
		}
	}
	if o.cursor() < 0 {
		o.selected = ""
		if len(o.shown) > 0 {
			o.selected = o.rows[o.shown[0]].store.ID
		}
	}
	o.clampOffset()
}

// cursor is the selected store's position among the shown rows, or -1.
func (o *overview) cursor() int {
	for i, r := range o.shown {
		if o.rows[r].store.ID == o.selected {
			return i
		}
	}
	return -1
}

// Selected is the selected store's status, or nil.
func (o *overview) Selected() *storeStatus {
	if c := o.cursor(); c >= 0 {
		return &o.rows[o.shown[c]]
	}
	return nil
}

func (o *overview) move(n int) {
	if len(o.shown) == 0 {
		return
	}
	c := min(max(o.cursor()+n, 0), len(o.shown)-1)
	o.selected = o.rows[o.shown[c]].store.ID
	o.clampOffset()
}

// pageRows is how many store rows fit under the overview's two header lines.
func (o *overview) pageRows() int { return max(o.height-2, 1) }

// clampOffset keeps the cursor inside the visible window.
func (o *overview) clampOffset() {
	page, c := o.pageRows(), max(o.cursor(), 0)
	o.offset = min(max(o.offset, c-page+1), c)
	o.offset = max(min(o.offset, len(o.shown)-page), 0)
}

// ShortHelp is the overview's own keys; esc goes back when a store is open.
func (o *overview) ShortHelp() []key.Binding {
	keys := o.sh.keys.OverviewHelp()
	if o.current != "" {
		back := o.sh.keys.Close
		back.SetHelp(back.Help().Key, "back to the store")
		keys = append(keys, back)
	}
	return keys
}

// FullHelp lists the overview's keys for the help screen (not the table's).
func (o *overview) FullHelp() [][]key.Binding {
	k := o.sh.keys
	closing := k.Close
	closing.SetHelp(closing.Help().Key, "clear the filter")
	if o.current != "" {
		closing.SetHelp(closing.Help().Key, "clear the filter, or back to the store")
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Open, k.Filter, closing, k.Events}, {k.Refresh, k.Pause, k.Help, k.Quit}}
}

// Summary is the header's count of stores by verdict, worst first:
// "5 stores · 1 failed · 1 stalled · 1 stale".
func (o *overview) Summary() string { return o.summary(false) }

// ShortSummary is the count where the header is short of room, with the
// verdicts' icons for words: "5 stores: 1? 1✗ 1⧗ 1◷".
func (o *overview) ShortSummary() string { return o.summary(true) }

func (o *overview) summary(short bool) string {
	counts := map[health.Verdict]int{}
	errs := 0
	for i := range o.rows {
		if o.rows[i].err != nil {
			errs++
			continue
		}
		counts[o.rows[i].health.Verdict]++
	}
	word := func(n int, what string) string {
		if short {
			return fmt.Sprintf("%d%s", n, what)
		}
		return fmt.Sprintf("%d %s", n, what)
	}
	var parts []string
	if errs > 0 {
		parts = append(parts, word(errs, pick(short, unknownIcon, "unknown")))
	}
	for _, v := range []health.Verdict{health.Failed, health.Stalled, health.Stale} {
		if counts[v] > 0 {
			parts = append(parts, word(counts[v], pick(short, verdictIcon(v), v.String())))
		}
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

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
