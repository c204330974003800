// The root's view: the header, the body of the current screen (help, the
// fleet screen, the event log, or the table and the pane) and the status line.

package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/present"
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
		return tooSmallView(m.width, m.height)
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, padLine(m.headerLine(), m.width))
	switch {
	case m.status.ShowingHelp():
		lines = appendPadded(lines, m.status.HelpPage(m.helpLines(), m.height-2), m.width)
	case m.events.Open():
		lines = appendPadded(lines, strings.Split(m.events.View(), "\n"), m.width)
	case m.screen == screenFleet:
		lines = appendPadded(lines, strings.Split(m.fleet.View(), "\n"), m.width)
	default:
		lines = m.store.appendTo(lines)
	}
	body := m.height - 1
	for len(lines) < body {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	status := m.status.View()
	if m.prompt.Active() { // the prompt takes the status line while it asks
		status = m.prompt.View()
	}
	return strings.Join(append(lines[:body], status), "\n")
}

// helpLines is the help screen of what shows: its keys, labelled with what
// they do there, and its notes.
func (m *Model) helpLines() []string {
	if m.screen == screenFleet {
		return m.status.HelpView(relabel(m.sh.keys, m.backStep(true), m.fleet.FullHelp()), "", fleetNotes(m.sh.rules))
	}
	return m.store.HelpView(relabel(m.sh.keys, m.backStep(true), m.store.FullHelp()))
}

// appendPadded appends lines cut or padded to width.
func appendPadded(to, lines []string, width int) []string {
	for _, l := range lines {
		to = append(to, padLine(l, width))
	}
	return to
}

// tooSmallView is all a screen below minWidth×minHeight shows.
func tooSmallView(width, height int) string {
	lines := []string{
		fmt.Sprintf("Terminal too small: %d×%d.", width, height),
		fmt.Sprintf("edmtop needs at least %d×%d.", minWidth, minHeight),
		"Enlarge it, or press q to quit.",
	}
	for i, l := range lines {
		lines[i] = fit(l, width)
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:height], "\n")
}

// loadFailure explains a failed load in place of what it would have shown.
func loadFailure(st Styles, width int, what string, err error) []string {
	lines := []string{st.Error.Render(" " + what)}
	lines = append(lines, renderFields(callErrorFields(err), width-2, st)...)
	return append(lines, st.Muted.Render(" edmtop keeps retrying; ctrl+r retries now."))
}

func (m *Model) headerLine() string {
	title := m.sh.styles.Title.Render("edmtop")
	where := "fleet"
	if m.screen == screenStore {
		where = m.store.Title()
	}
	name := where
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
	if cells(where) > room {
		where = name // the endpoint's label goes before the name is cut
	}
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
// room: the listing's age, the count (first to its short form), the
// order; while what shows is old, the store's name down to
// minWhereFailing, and while reads fail the data's age (the failure says
// since when); then the state's own shorter forms. The data's age goes
// last: how fresh the screen is matters more than what it counts. keep is
// the room the store's name keeps.
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
		steps = []func(){drop(&p.listed), shorten, drop(&p.count), drop(&p.order)}
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
	p := &liveParts{state: m.loop.stateText(m.sh), failing: !m.loop.outage.since.IsZero()}
	sessions := m.screen == screenStore
	if sessions {
		p.count, p.order = m.store.CountText(), m.store.OrderText()
	} else {
		p.count, p.shortCount = m.fleet.Summary(), m.fleet.ShortSummary()
	}
	// Running sessions are read each refresh; the whole store is listed
	// less often: say so when the listing is older (new sessions may wait).
	if l := m.loop.listed; sessions && !l.IsZero() && m.loop.lastSuccess.Sub(l) >= time.Minute {
		p.listed = "listed " + present.Ago(l, now)
		p.listed += cadenceText(m.loop.cadence)
	}
	// The time is of the last successful read, never of a failed one.
	if t := m.loop.dataTime(); !t.IsZero() {
		p.age = "updated " + present.Ago(t, now)
		if p.old = m.loop.old(now); p.old {
			whose := "data "
			if m.loop.lastSuccess.IsZero() {
				whose = "from the fleet, "
			}
			p.age = st.Warn.Render(whose + present.Duration(max(now.Sub(t), 0)) + " old")
		}
	}
	return p
}

// cadenceText says, briefly, how often the store is listed in full and
// why ("" before its first listing): ", every 5m (quiet)".
func cadenceText(c monitor.Cadence) string {
	why := map[monitor.CadenceReason]string{monitor.CadenceRunning: "uploads running", monitor.CadenceQuiet: "quiet",
		monitor.CadenceCounted: "or when the count changes", monitor.CadenceBudget: fmt.Sprintf("%d pages", c.Pages)}[c.Reason]
	if why == "" || c.Every <= 0 {
		return ""
	}
	return ", every " + present.Elapsed(c.Every) + " (" + why + ")"
}

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
