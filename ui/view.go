// The root's view: the header, the body of the current screen (help, the
// fleet screen, the event log, or the table and the pane) and the status line.

package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// View draws the screen in the terminal's glyphs.
func (m *Model) View() string { return m.sh.glyphs.draw(m.view()) }

// view draws the screen. It renders only what fits: header, the visible
// rows, the pane and the status bar.
func (m *Model) view() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.tooSmall() {
		return m.tooSmallView()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, padLine(m.headerLine(), m.width))
	switch {
	case m.status.ShowingHelp():
		lines = appendPadded(lines, m.helpView(), m.width)
	case m.events.Open():
		lines = appendPadded(lines, strings.Split(m.events.View(), "\n"), m.width)
	case m.screen == screenFleet:
		lines = appendPadded(lines, strings.Split(m.fleet.View(), "\n"), m.width)
	default:
		lines = m.appendSessions(lines)
	}
	body := m.height - 1
	for len(lines) < body {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	lines = append(lines[:body], m.statusLine())
	return strings.Join(lines, "\n")
}

// appendPadded appends lines cut or padded to width.
func appendPadded(to, lines []string, width int) []string {
	for _, l := range lines {
		to = append(to, padLine(l, width))
	}
	return to
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }

func (m *Model) tooSmallView() string {
	lines := []string{
		fmt.Sprintf("Terminal too small: %d×%d.", m.width, m.height),
		fmt.Sprintf("edmtop needs at least %d×%d.", minWidth, minHeight),
		"Enlarge it, or press q to quit.",
	}
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.height], "\n")
}

// appendSessions adds the table (its lines are already at the width), or
// why it is empty, then the pane.
func (m *Model) appendSessions(lines []string) []string {
	th := m.table.height
	if m.table.Len() == 0 {
		lines = append(lines, m.table.Header())
		lines = appendPadded(lines, m.emptyTableLines(th), m.width)
	} else {
		lines = append(lines, m.table.lines()...)
		if f := m.loop.fromFleet; !f.IsZero() && m.table.Len() < th {
			// The header may have no room left to say it while reads fail.
			lines = append(lines, padLine(m.sh.styles.Muted.Render(" These rows are the fleet's read of "+clockTime(f, m.sh.clock)+
				"; the store's own has not answered yet."), m.width))
		}
	}
	for len(lines) < th+2 { // the header line, the column header, th rows
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	if m.pane.Open() {
		lines = appendPadded(lines, m.pane.lines(), m.width)
	}
	return lines
}

func (m *Model) emptyTableLines(th int) []string {
	st := m.sh.styles
	var lines []string
	switch {
	case m.loop.err != nil:
		lines = loadFailure(st, m.width, "Could not load the sessions.", m.loop.err)
	case m.loop.loading || m.loop.lastSuccess.IsZero():
		lines = append(lines, " "+m.sh.frame()+" Loading sessions…")
	case m.table.Filter() != "" && len(m.table.rows) > 0:
		lines = append(lines, st.Muted.Render(" No session matches /"+termtext.OneLine(m.table.Filter())+"; esc clears the filter."))
	default:
		lines = append(lines, st.Muted.Render(" No upload sessions in this data store."))
	}
	if len(lines) > th {
		lines = lines[:th]
	}
	return lines
}

// loadFailure explains a failed load in place of what it would have shown.
func loadFailure(st Styles, width int, what string, err error) []string {
	lines := []string{st.Error.Render(" " + what)}
	lines = append(lines, renderFields(callErrorFields(err), width-2, st)...)
	return append(lines, st.Muted.Render(" edmtop keeps retrying; ctrl+r retries now."))
}

func (m *Model) headerLine() string {
	title := m.sh.styles.Title.Render("edmtop")
	var where string
	switch {
	case m.screen == screenFleet:
		where = "fleet"
	case m.store.DisplayName != "":
		where = termtext.OneLine(m.store.DisplayName) + " (" + shortID(m.store.ID, 4) + ")"
	default:
		where = shortID(m.store.ID, 13)
	}
	if m.cfg.label != "" {
		where += " · " + m.cfg.label
	}
	left := " " + title + " · "
	// The store's name keeps some room: the right side gives up parts
	// first, the least telling first; what the data's freshness and a
	// failure say gives way last.
	p := m.liveStatus()
	keep := min(cells(where), minWhere)
	for _, giveWay := range p.dropOrder(&keep) {
		if ansi.StringWidth(left)+keep+2+ansi.StringWidth(p.join()) <= m.width {
			break
		}
		giveWay()
	}
	right := p.join()
	room := m.width - ansi.StringWidth(left) - ansi.StringWidth(right) - 2
	where = fit(where, max(room, 0))
	return left + where + "  " + right
}

// minWhere is the header room the store's name keeps; minWhereFailing
// while a failure needs the room.
const (
	minWhere        = 16
	minWhereFailing = 8
)

// liveParts are the header's right side: the refresh state, the count
// (with the filter and marks), the order when its column is off screen,
// and the age of the data.
type liveParts struct {
	// state is the refresh state and its shorter forms, longest first;
	// the first shows.
	state                     []string
	count, order, age, listed string
	shortCount                string // the count in fewer cells, "" when none
	old, failing              bool
}

func (p *liveParts) join() string {
	var parts []string
	if len(p.state) > 0 {
		parts = append(parts, p.state[0])
	}
	for _, s := range []string{p.count, p.order, p.age, p.listed} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ") + " "
}

// dropOrder is what gives way, step by step, when the header is short of
// room: the listing's age, a fresh age, the count (first to its short
// form), the order; while what shows is old, the store's name down to
// minWhereFailing, and while reads fail the data's age (the failure says
// since when); last the state's own shorter forms. keep is the room the
// store's name keeps.
func (p *liveParts) dropOrder(keep *int) []func() {
	drop := func(s *string) func() { return func() { *s = "" } }
	shorten := func() {
		if p.shortCount != "" {
			p.count = p.shortCount
		}
	}
	narrow := func() { *keep = min(*keep, minWhereFailing) }
	var steps []func()
	switch {
	case p.failing:
		steps = []func(){drop(&p.listed), shorten, drop(&p.count), drop(&p.order), narrow, drop(&p.age)}
	case p.old:
		steps = []func(){drop(&p.listed), shorten, drop(&p.count), drop(&p.order), narrow}
	default:
		steps = []func(){drop(&p.listed), drop(&p.age), shorten, drop(&p.count), drop(&p.order)}
	}
	for range max(len(p.state)-1, 0) {
		steps = append(steps, func() { p.state = p.state[1:] })
	}
	return append(steps, drop(&p.age))
}

// liveStatus is the header's right side.
func (m *Model) liveStatus() *liveParts {
	now := m.sh.clock
	st := m.sh.styles
	p := &liveParts{state: m.stateText(), failing: !m.loop.outage.since.IsZero()}
	sessions := m.screen == screenStore
	if sessions {
		p.count, p.order = m.countText(), m.orderText()
	} else {
		p.count, p.shortCount = m.fleet.Summary(), m.fleet.ShortSummary()
	}
	// Running sessions are read each refresh; the whole store is listed
	// less often: say so when the listing is older (new sessions may wait).
	if l := m.loop.listed; sessions && !l.IsZero() && m.loop.lastSuccess.Sub(l) >= time.Minute {
		p.listed = "listed " + present.Ago(l, now)
	}
	// The time is of the last successful read, never of a failed one.
	if t := m.dataTime(); !t.IsZero() {
		p.age = "updated " + present.Ago(t, now)
		if p.old = m.old(); p.old {
			whose := "data "
			if m.loop.lastSuccess.IsZero() {
				whose = "from the fleet, "
			}
			p.age = st.Warn.Render(whose + present.Duration(max(now.Sub(t), 0)) + " old")
		}
	}
	return p
}

// stateText is the refresh state, with its shorter forms: Graph silent for
// notAnsweringAfter, a failure with since when, why and when the next try
// is (or how long the retry has waited), or the loop's state.
func (m *Model) stateText() []string {
	st, now := m.sh.styles, m.sh.clock
	silence := m.silence()
	if o := m.loop.outage; o.since.IsZero() && silence >= notAnsweringAfter {
		waited := "(" + present.Elapsed(silence) + ")"
		return styled(st.Warn, m.sh.frame()+" Graph not answering "+waited, "not answering "+waited)
	}
	// During an outage its words stay: a retry waiting long says so in
	// its tail, not by taking their place.
	if o := m.loop.outage; !o.since.IsZero() {
		f := describe(o.err)
		icon, style := "✗", st.Error
		if f.throttled {
			icon, style = "⧗", st.Warn
		}
		head := icon + " " + f.what + " since " + clockTime(o.since, now)
		var why, next string
		if f.why != "" { // the log (L) and the error text have it whole
			why = " (" + ansi.Truncate(f.why, maxHeaderWhy, "…") + ")"
		}
		switch {
		case m.loop.loading && silence >= notAnsweringAfter:
			next = " · retrying, no answer for " + present.Elapsed(silence)
		case m.loop.loading:
			next = " · retrying…"
		case m.loop.paused:
			next = " · paused"
		case !m.loop.next.IsZero():
			next = " · retry in " + present.Countdown(m.loop.next.Sub(now))
		}
		return styled(style, head+why+next, head+why, head+next, head, icon+" "+f.what)
	}
	switch {
	case m.loop.loading:
		return styled(st.Accent, m.sh.frame()+" refreshing")
	case m.loop.paused:
		return styled(st.Warn, "❚❚ paused")
	case m.loop.every > 0:
		return styled(st.Success, "● live "+present.Duration(m.loop.every))
	}
	return styled(st.Muted, "○ manual (ctrl+r)")
}

// maxHeaderWhy bounds a failure's reason in the header.
const maxHeaderWhy = 40

// styled renders each distinct form in style.
func styled(style lipgloss.Style, forms ...string) []string {
	out := make([]string, 0, len(forms))
	for i, f := range forms {
		if !slices.Contains(forms[:i], f) {
			out = append(out, style.Render(f))
		}
	}
	return out
}

// orderText names the sort when the sorted column is off screen (else its
// header carries the arrow) and the order is not the default.
func (m *Model) orderText() string {
	t := m.table
	if (t.sortKey == sortCreated && !t.sortReverse) || t.SortShown() {
		return ""
	}
	return "by " + t.sortKey.String() + pick(t.sortReverse, " ↑", "")
}

// countText is "4 sessions", with the filter and marks when set.
func (m *Model) countText() string {
	t := m.table
	n := t.Len()
	count := fmt.Sprintf("%d session%s", n, pick(n == 1, "", "s"))
	if m.loop.partial {
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

// helpView is the help screen of what is on screen: each screen lists its
// own keys.
func (m *Model) helpView() []string {
	if m.screen == screenFleet {
		return m.status.HelpView(m.fleet.FullHelp(), "", fleetNotes(m.sh.rules))
	}
	return m.status.HelpView(m.sh.keys.FullHelp(), m.table.unavailable(), helpNotes(m.sh.rules))
}

// statusLine is the prompt while it asks, else the status bar.
func (m *Model) statusLine() string {
	if m.prompt.Active() {
		return m.prompt.View()
	}
	return m.status.View()
}

// hints are the keys of what is on screen, for the status bar.
func (m *Model) hints() []key.Binding {
	switch {
	case m.events.Open():
		return m.events.ShortHelp()
	case m.screen == screenFleet:
		return m.fleet.ShortHelp()
	case m.pane.Open():
		return append(m.pane.ShortHelp(), m.table.ShortHelp()...)
	}
	return m.table.ShortHelp()
}
