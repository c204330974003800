// The root's view: the header, the body of the current screen (help, the
// fleet overview, the event log, or the table and the pane) and the status line.

package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
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
	case m.screen == screenStores:
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
	case m.screen == screenStores:
		where = "fleet"
	case m.store.DisplayName != "":
		where = termtext.OneLine(m.store.DisplayName) + " (" + shortID(m.store.ID, 4) + ")"
	default:
		where = shortID(m.store.ID, 13)
	}
	if m.opts.label != "" {
		where += " · " + m.opts.label
	}
	left := " " + title + " · "
	// The store's name keeps some room: the right side gives up parts
	// first, the least telling first.
	p := m.liveStatus()
	keep := min(cells(where), minWhere)
	for _, giveWay := range p.dropOrder() {
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

// minWhere is the header room the store's name keeps.
const minWhere = 16

// liveParts are the header's right side: the refresh state, the count
// (with the filter and marks), the order when its column is off screen,
// and the age of the data.
type liveParts struct {
	state, count, order, age, listed string
	shortCount                       string // the count in fewer cells, "" when none
	stale                            bool
}

func (p *liveParts) join() string {
	var parts []string
	for _, s := range []string{p.state, p.count, p.order, p.age, p.listed} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ") + " "
}

// dropOrder is what gives way, step by step, when the header is short of
// room: the listing's age, a fresh age, the count (first to its short
// form), a stale age, the order. The refresh state stays.
func (p *liveParts) dropOrder() []func() {
	drop := func(s *string) func() { return func() { *s = "" } }
	shorten := func() {
		if p.shortCount != "" {
			p.count = p.shortCount
		}
	}
	if p.stale {
		return []func(){drop(&p.listed), shorten, drop(&p.count), drop(&p.age), drop(&p.order)}
	}
	return []func(){drop(&p.listed), drop(&p.age), shorten, drop(&p.count), drop(&p.order)}
}

// liveStatus is the header's right side.
func (m *Model) liveStatus() *liveParts {
	now := m.sh.clock
	st := m.sh.styles
	p := &liveParts{}
	var ge *graphapi.Error
	throttled := errors.As(m.loop.err, &ge) && errors.Is(m.loop.err, graphapi.ErrThrottled)
	sessions := m.screen == screenSessions
	switch {
	case m.loop.loading:
		p.state = st.Accent.Render(m.sh.frame() + " refreshing")
	case m.loop.paused:
		p.state = st.Warn.Render("❚❚ paused")
	case throttled && !m.loop.next.IsZero():
		p.state = st.Warn.Render("⧗ throttled · retry in " + present.Countdown(m.loop.next.Sub(now)))
	case m.loop.err != nil:
		p.state = "✗ failing"
		if !m.loop.next.IsZero() {
			p.state += " · retry in " + present.Countdown(m.loop.next.Sub(now))
		}
		p.state = st.Error.Render(p.state)
	case m.loop.every > 0:
		p.state = st.Success.Render("● live " + present.Duration(m.loop.every))
	default:
		p.state = st.Muted.Render("○ manual (ctrl+r)")
	}
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
	if !m.loop.lastSuccess.IsZero() {
		p.age = "updated " + present.Ago(m.loop.lastSuccess, now)
		if p.stale = m.stale(); p.stale {
			p.age = st.Warn.Render("stale · " + p.age)
		}
	}
	return p
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
	if m.screen == screenStores {
		return m.status.HelpView(m.fleet.FullHelp(), "", overviewNotes(m.sh.rules))
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
	case m.screen == screenStores:
		return m.fleet.ShortHelp()
	case m.pane.Open():
		return append(m.pane.ShortHelp(), m.table.ShortHelp()...)
	}
	return m.table.ShortHelp()
}
