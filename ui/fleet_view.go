package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/edmtop/edmtop/present"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
)

// fleetLayout is the fleet screen's column widths at one terminal width; a
// zero width drops the column (from the right, the least needed first).
type fleetLayout struct {
	name, verdict, index, current, uploads int
}

// fleetColumns lays the columns out; old makes room in the verdict
// column for a row's age ("⧗ stalled · 12h old"), from the name.
func fleetColumns(width int, old bool) fleetLayout {
	l := fleetLayout{verdict: 10, index: 11, uploads: 5}
	l.name = min(max(width/4, 14), 32)
	if old {
		l.verdict = 19
		l.name = max(l.name-6, 14)
	}
	rest := func() int { return width - 1 - l.name - 1 - l.verdict - 1 - l.index - 1 - l.uploads - 1 }
	if rest() < 24 {
		l.uploads = 0
	}
	if rest() < 20 {
		l.index = 0
	}
	l.current = max(rest(), 8)
	return l
}

// line lays out one row; paintVerdict styles the fitted verdict cell.
func (l fleetLayout) line(name, verdict, index, current, uploads string, paintVerdict func(string) string) string {
	var b strings.Builder
	b.WriteString(fit(name, l.name) + " " + paintVerdict(fit(verdict, l.verdict)) + " ")
	if l.index > 0 {
		b.WriteString(fit(index, l.index) + " ")
	}
	b.WriteString(fit(current, l.current))
	if l.uploads > 0 {
		b.WriteString(" " + fitRight(uploads, l.uploads))
	}
	return b.String()
}

// View draws the column header and the visible store rows in height lines.
func (o *fleetScreen) View() string {
	if o.width <= 0 || o.height <= 0 {
		return ""
	}
	l := fleetColumns(o.width, o.tally[classOld] > 0)
	lines := make([]string, 0, o.height)
	lines = append(lines, o.sh.styles.Header.Render(" "+l.line("STORE", "HEALTH", "LAST INDEX", "CURRENT SESSION", "24H", plain)))
	now := o.sh.clock
	switch {
	case len(o.rows) == 0 && o.err != nil:
		lines = append(lines, loadFailure(o.sh.styles, o.width, "Could not list the data stores.", o.err)...)
	case len(o.rows) == 0 && (o.loading || o.loadedAt.IsZero()):
		lines = append(lines, " "+o.sh.frame()+" Loading data stores…")
	case len(o.rows) == 0:
		lines = append(lines, o.sh.styles.Muted.Render(" No EDM data stores are visible to this account."),
			o.sh.styles.Muted.Render(" Uploading and reading EDM sessions needs membership of the EDM_DataUploaders group."))
	case len(o.shown) == 0:
		lines = append(lines, o.sh.styles.Muted.Render(" no store matches "+fmt.Sprintf("%q", termtext.OneLine(o.filter))+", esc clears"))
	}
	end := min(o.offset+o.pageRows(), len(o.shown))
	for i := o.offset; i < end; i++ {
		s := &o.rows[o.shown[i]]
		lines = append(lines, o.rowLine(s, l, s.store.ID == o.selected, now))
	}
	return strings.Join(lines, "\n")
}

func (o *fleetScreen) rowLine(s *storeStatus, l fleetLayout, selected bool, now time.Time) string {
	name := termtext.OneLine(s.store.DisplayName)
	if name == "" {
		name = shortID(s.store.ID, 8)
	}
	verdict, current, index, uploads := "? unknown", "", present.Dash, ""
	switch {
	case s.unknown():
		current = "error: " + storeWhy(s.err)
	case s.read.IsZero():
		verdict, index = "reading…", ""
	default:
		verdict = verdictIcon(s.health.Verdict) + " " + s.health.Verdict.String()
		current = currentCell(s, o.sh.rules, now)
		if !s.health.LastIndex.IsZero() {
			index = present.Ago(s.health.LastIndex, now)
		}
		uploads = uploadsCell(&s.health)
	}
	if s.old() {
		verdict += " · " + present.Duration(now.Sub(s.read)) + " old"
		if !o.outage { // Graph answers for the others: say why this one failed
			current = storeWhy(s.err) + " · " + current
		}
	}
	line := l.line(name, verdict, index, current, uploads, plain)
	if !selected {
		line = l.line(name, verdict, index, current, uploads, o.verdictPaint(s))
	}
	if s.old() || s.read.IsZero() && !s.unknown() {
		// Old or not yet read: dimmed, which is not a colour (reverse
		// and dim when selected under NO_COLOR).
		line = o.sh.styles.oldP.around(line)
	}
	if selected {
		// One style over the whole row: inner colours would end its background.
		return o.sh.styles.selectedP.around(">" + padLine(line, o.width-1))
	}
	return " " + line
}

func plain(s string) string { return s }

// uploadsCell is the uploads of the last 24 hours against the limit, "!"
// first once the limit is used up: the service refuses another upload
// until NextUpload (not colour alone).
func uploadsCell(h *health.Store) string {
	cell := fmt.Sprintf("%d/%d", h.Uploads24h, h.UploadLimit)
	if h.LimitReached {
		cell = "!" + cell
	}
	return cell
}

// verdictPaint colours a verdict cell; the word and icon carry the meaning.
func (o *fleetScreen) verdictPaint(s *storeStatus) func(string) string {
	st := o.sh.styles.Success
	switch {
	case s.read.IsZero() && !s.unknown():
		st = o.sh.styles.Muted
	case s.unknown(), s.health.Verdict == health.Failed:
		st = o.sh.styles.Error
	case s.health.Verdict != health.OK:
		st = o.sh.styles.Warn
	}
	return func(text string) string { return st.Render(text) }
}

// verdictIcon gives each verdict a glyph, so meaning never rests on colour.
func verdictIcon(v health.Verdict) string {
	switch v {
	case health.Failed:
		return stateIcon(graphapi.StateFailed)
	case health.Stalled:
		return stalledIcon
	case health.Stale:
		return staleIcon
	default:
		return stateIcon(graphapi.StateDone)
	}
}

// currentCell says what the store is doing: a failure that decides the
// verdict, the newest running session with its progress, or idle.
func currentCell(s *storeStatus, rules health.Rules, now time.Time) string {
	if n := s.newest; s.health.Verdict == health.Failed && n != nil {
		text := "✗ Failed"
		if n.Error != nil && n.Error.Code != "" {
			text += "  " + termtext.OneLine(n.Error.Code)
		}
		return text + " (" + strings.TrimSuffix(present.Ago(n.LastUpdatedDateTime.Time, now), " ago") + ")"
	}
	c := s.current
	if c == nil {
		return "idle"
	}
	if s.old() {
		now = s.read // a stall is judged as of what was seen
	}
	icon := "●"
	if rules.Stalled(c, now) {
		icon = stalledIcon
	}
	text := icon + " " + shortState(c.State)
	if p := present.PhaseProgress(c); p.Known {
		text += fmt.Sprintf(" %d%%", p.Percent())
	}
	if rules.Stalled(c, now) {
		text += "  no update for " + present.Duration(health.Idle(c, now))
	}
	return text
}

// shortState is a state's label where space is short (the table's
// shortStates); unknown states stay verbatim (sanitized).
func shortState(state string) string {
	if short, ok := shortStates[strings.ToLower(state)]; ok {
		return short
	}
	return termtext.OneLine(state)
}
