// The table's columns: which fit a width, the header, and one row drawn
// as a line.

package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
)

// Column widths. Bars carry a 5-cell " 100%" label.
const (
	cursorW = 1
	stateW  = 22
	// stateShortW fits the short labels ("◇ Awaiting commit"), used below
	// narrowWidth columns so the file name keeps its room.
	stateShortW = 17
	narrowWidth = 100
	updatedW    = 8
	etaW        = 6
	// etaMinWidth is the terminal width from which the ETA column shows.
	etaMinWidth = 140
	createdW    = 11
	fileMinW    = 16
	fileMaxW    = 56
	labelW      = 5
)

// Columns chooses which optional columns may be shown (the file name
// always is); narrow terminals drop more of them.
type Columns struct {
	State, Upload, Processing, ETA, Updated, Created bool
}

// AllColumns shows every column that fits.
func AllColumns() Columns { return Columns{true, true, true, true, true, true} }

// ParseColumns reads a config list such as [state, upload, updated].
func ParseColumns(names []string) (Columns, error) {
	var c Columns
	for _, n := range names {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "file":
		case "state":
			c.State = true
		case "upload":
			c.Upload = true
		case "processing":
			c.Processing = true
		case "eta":
			c.ETA = true
		case "updated":
			c.Updated = true
		case "created":
			c.Created = true
		default:
			return c, fmt.Errorf("unknown column %q (columns: file, state, upload, processing, eta, updated, created)", n)
		}
	}
	return c, nil
}

// layout says which columns fit a width and how wide each one is.
type layout struct {
	// suffix is the file name ending every row shares (".EdmHash"): the
	// cells leave it out and the FILE title shows it once.
	suffix                                    string
	width                                     int
	file, state, bar                          int
	upload, processing, eta, updated, created bool
}

// computeLayout drops columns from the right until the file name has room.
func computeLayout(width int, cols Columns) layout {
	type option struct {
		bar                                  int
		upload, processing, updated, created bool
	}
	wideBar := 10
	if width >= 150 {
		wideBar = 20
	}
	options := []option{
		{wideBar, true, true, true, true},
		{10, true, true, true, true},
		{10, true, true, true, false},
		{8, true, true, true, false},
		{8, true, true, false, false},
		{8, true, false, false, false},
		{0, false, false, false, false},
	}
	state := stateW
	if width < narrowWidth {
		state = stateShortW // short labels: "Uploading", "Awaiting commit"
	}
	for _, o := range options {
		l := layout{width: width, state: state, bar: o.bar, upload: o.upload && cols.Upload, processing: o.processing && cols.Processing,
			updated: o.updated && cols.Updated, created: o.created && cols.Created}
		if !cols.State {
			l.state = 0
		}
		l.eta = cols.ETA && width >= etaMinWidth && o.created
		if file := width - l.fixed(); file >= fileMinW || o.bar == 0 {
			l.file = min(max(file, 1), fileMaxW)
			if o.bar == 0 && file < fileMinW && l.state > 0 {
				// The narrowest table: state shrinks to its icon and a few letters.
				l.state = max(state-(fileMinW-file), 6)
				l.file = max(width-l.fixed(), 1)
			}
			return l
		}
	}
	return layout{width: width}
}

// fixed is the width of everything but the file name, gaps included.
func (l layout) fixed() int {
	w := cursorW
	if l.state > 0 {
		w += 1 + l.state
	}
	if l.upload {
		w += 1 + l.bar + labelW
	}
	if l.processing {
		w += 1 + l.bar + labelW
	}
	if l.eta {
		w += 1 + etaW
	}
	if l.updated {
		w += 1 + updatedW
	}
	if l.created {
		w += 1 + createdW
	}
	return w
}

// header is the column titles; the sorted column carries an arrow (▼ for
// the key's own order, ▲ reversed).
func (l layout) header(st Styles, by sortKey, reverse bool) string {
	title := func(k sortKey, width int, titles ...string) string {
		if k != by {
			for _, t := range titles {
				if cells(t) <= width {
					return fit(t, width)
				}
			}
			return fit(titles[len(titles)-1], width)
		}
		arrow := pick(reverse, "▲", "▼")
		for _, t := range titles {
			if cells(t)+2 <= width {
				return fit(t+" "+arrow, width)
			}
		}
		return fit(arrow+titles[len(titles)-1], width)
	}
	var b strings.Builder
	b.WriteString(" ")
	files := []string{"FILE"}
	if l.suffix != "" {
		files = []string{"FILE (*" + l.suffix + ")", "FILE"}
	}
	b.WriteString(title(sortFile, l.file, files...))
	if l.state > 0 {
		b.WriteString(" " + title(sortState, l.state, "STATE"))
	}
	if l.upload {
		b.WriteString(" " + title(sortUpload, l.bar+labelW, pick(l.bar >= 10, "UPLOAD (blocks)", "UPLOAD"), "UPLOAD"))
	}
	if l.processing {
		b.WriteString(" " + title(sortProcessing, l.bar+labelW, pick(l.bar >= 12, "PROCESSING (jobs)", "PROCESSING"), "PROCESSING"))
	}
	if l.eta {
		b.WriteString(" " + fit("ETA", etaW))
	}
	if l.updated {
		b.WriteString(" " + title(sortUpdated, updatedW, "UPDATED"))
	}
	if l.created {
		b.WriteString(" " + title(sortCreated, createdW, "CREATED"))
	}
	return st.Header.Render(b.String())
}

// shows reports whether the column a sort key orders by is on screen.
func (l layout) shows(k sortKey) bool {
	switch k {
	case sortState:
		return l.state > 0
	case sortUpload:
		return l.upload
	case sortProcessing:
		return l.processing
	case sortUpdated:
		return l.updated
	case sortCreated:
		return l.created
	}
	return true // the file name always shows
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// rowEnv is what drawing a row needs besides the row: the spinner frame
// for a busy row, the clock, the health rules and the styles.
type rowEnv struct {
	frame string
	now   time.Time
	rules health.Rules
	st    Styles
}

// renderRow draws one table line; the caller paints a selected row whole
// (paint.around), padding included.
func renderRow(r *row, l layout, selected bool, env rowEnv) string {
	var b strings.Builder
	writeRow(&b, r, l, selected, env)
	return b.String()
}

// writeRow writes a row's text to b: the table writes all its rows to one
// builder, one allocation a frame instead of a few a row.
func writeRow(b *strings.Builder, r *row, l layout, selected bool, env rowEnv) {
	st, now := env.st, env.now
	cursor := " "
	switch {
	case selected && r.marked:
		cursor = "»"
	case selected:
		cursor = ">"
	case r.marked:
		cursor = "*"
	}
	b.WriteString(st.cursorP.on(cursor))
	b.WriteString(r.fit(l.file, l.suffix))
	if l.state > 0 {
		b.WriteByte(' ')
		b.WriteString(stateCell(r, l.state-2, env))
	}
	if l.upload {
		b.WriteByte(' ')
		writeBar(b, r.s.UploadProgress(), l.bar, r.class, st)
	}
	if l.processing {
		b.WriteByte(' ')
		writeBar(b, r.s.ProcessingProgress(), l.bar, r.class, st)
	}
	if l.eta {
		b.WriteByte(' ')
		b.WriteString(fitRight(r.eta(now), etaW))
	}
	if l.updated {
		b.WriteByte(' ')
		b.WriteString(fitRight(present.Ago(r.s.LastUpdatedDateTime.Time, now), updatedW))
	}
	if l.created {
		b.WriteByte(' ')
		b.WriteString(fit(present.ShortTime(r.s.CreationDateTime.Time, now), createdW))
	}
}

// stateCell is the state column: an icon and the state, so meaning never
// rests on colour alone. A busy row shows the spinner; a running session
// without an update for longer than the rules allow says "stalled 3h"; a
// session awaiting its commit and a state the service is not known to send
// have icons of their own.
func stateCell(r *row, width int, env rowEnv) string {
	st := env.st
	switch {
	case r.gone:
		return st.classP[graphapi.StateCancelled].on("⊘ " + fit("gone (404)", width))
	case r.class == graphapi.StateInProgress && env.rules.Stalled(r.s, env.now):
		idle := present.Duration(health.Idle(r.s, env.now))
		return st.warnP.on(pick(r.pending != noAction, env.frame, stalledIcon) + " " + fit("stalled "+idle, width))
	}
	if r.stateFitW != width {
		r.stateFit, r.stateFitW = fit(r.stateLabel(width), width), width
	}
	icon := stateIcon(r.class)
	switch {
	case r.pending != noAction:
		icon = env.frame
	case !r.known:
		return unknownIcon + " " + r.stateFit
	case r.awaiting:
		icon = awaitingIcon
	}
	return st.classP[r.class].on(icon + " " + r.stateFit)
}

// renderBar is a progress bar: one styled run for the filled part, one for
// the empty part, then the percent label (blank when unknown).
func renderBar(p graphapi.Progress, width int, class graphapi.StateClass, st Styles) string {
	var b strings.Builder
	writeBar(&b, p, width, class, st)
	return b.String()
}

// writeBar writes renderBar's text to b without a string of its own.
func writeBar(b *strings.Builder, p graphapi.Progress, width int, class graphapi.StateClass, st Styles) {
	filled, empty := barCells(p, width)
	if filled > 0 {
		st.classP[class].write(b, repeatCell(fullCells, "█", filled))
	}
	if empty > 0 {
		st.barEmptyP.write(b, repeatCell(emptyCells, "░", empty))
	}
	b.WriteByte(' ')
	b.WriteString(present.PercentLabel(p))
}

// fullCells and emptyCells are runs of bar cells to slice bars from.
var (
	fullCells  = strings.Repeat("█", 128)
	emptyCells = strings.Repeat("░", 128)
)

// repeatCell is cell n times: a slice of run (cell repeated) when it is
// long enough.
func repeatCell(run, cell string, n int) string {
	if n*len(cell) > len(run) {
		return strings.Repeat(cell, n)
	}
	return run[:n*len(cell)]
}

// padLine pads or cuts a rendered (possibly styled) line to width cells.
func padLine(s string, width int) string {
	w := ansi.StringWidth(s)
	switch {
	case w > width:
		return ansi.Truncate(s, width, "…")
	case w < width:
		return s + strings.Repeat(" ", width-w)
	}
	return s
}
