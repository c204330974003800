package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// View draws the screen. It renders only what fits: header, the visible
// rows, the pane and the status bar.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	// exact marks lines built at the terminal's width: no need to measure them.
	exact := make([]bool, m.height)
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.headerLine())
	switch {
	case m.showHelp:
		lines = append(lines, m.helpLines()...)
	case m.mode == modePicker:
		lines = append(lines, m.pickerLines()...)
	default:
		lines = append(lines, m.sessionLines(exact[1:])...)
	}
	body := m.height - 1
	for len(lines) < body {
		lines = append(lines, "")
	}
	lines = lines[:body]
	for i, l := range lines {
		if !exact[i] {
			lines[i] = padLine(l, m.width)
		}
	}
	lines = append(lines, m.statusLine())
	return strings.Join(lines, "\n")
}

func (m *Model) tooSmall() string {
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

func (m *Model) headerLine() string {
	title := m.styles.Title.Render("edmtop")
	var where string
	switch {
	case m.mode == modePicker:
		where = "data stores"
	case m.store.DisplayName != "":
		where = termtext.OneLine(m.store.DisplayName) + " (" + shortID(m.store.ID, 4) + ")"
	default:
		where = shortID(m.store.ID, 13)
	}
	if m.label != "" {
		where += " · " + m.label
	}
	right := m.liveStatus()
	left := " " + title + " · "
	room := m.width - ansi.StringWidth(left) - ansi.StringWidth(right) - 2
	where = fit(where, max(room, 0))
	return left + where + "  " + right
}

// liveStatus is the header's right side: refresh state, count, age.
func (m *Model) liveStatus() string {
	now := m.clockTime
	st := m.styles
	var parts []string
	var ge *graphapi.Error
	throttled := errors.As(m.loadErr, &ge) && errors.Is(m.loadErr, graphapi.ErrThrottled)
	switch {
	case m.loading:
		parts = append(parts, st.Accent.Render(m.spinner.View()+" refreshing"))
	case m.paused:
		parts = append(parts, st.Warn.Render("❚❚ paused"))
	case throttled && !m.nextRefresh.IsZero():
		parts = append(parts, st.Warn.Render("⧗ throttled · retry in "+present.Countdown(m.nextRefresh.Sub(now))))
	case m.loadErr != nil || m.storesErr != nil:
		s := "✗ failing"
		if !m.nextRefresh.IsZero() {
			s += " · retry in " + present.Countdown(m.nextRefresh.Sub(now))
		}
		parts = append(parts, st.Error.Render(s))
	case m.refresh > 0 && m.mode == modeSessions:
		parts = append(parts, st.Success.Render("● live "+present.Duration(m.refresh)))
	case m.mode == modeSessions:
		parts = append(parts, st.Muted.Render("○ manual (ctrl+r)"))
	}
	if m.mode == modeSessions {
		n := len(m.order)
		count := fmt.Sprintf("%d session%s", n, pick(n == 1, "", "s"))
		if m.filter != "" {
			count = fmt.Sprintf("%d of %d sessions match /%s", n, len(m.rows), termtext.OneLine(m.filter))
		}
		if marked := m.markedCount(); marked > 0 {
			count += fmt.Sprintf(" · %d marked", marked)
		}
		if m.sortKey != sortCreated || m.sortReverse {
			count += " · by " + m.sortKey.String() + pick(m.sortReverse, " ↑", "")
		}
		parts = append(parts, count)
	} else {
		parts = append(parts, fmt.Sprintf("%d store%s", len(m.stores), pick(len(m.stores) == 1, "", "s")))
	}
	if !m.lastSuccess.IsZero() {
		age := "updated " + present.Ago(m.lastSuccess, now)
		if m.stale() {
			age = st.Warn.Render("stale · " + age)
		}
		parts = append(parts, age)
	}
	return strings.Join(parts, " · ") + " "
}

// stale: the table may no longer match the service.
func (m *Model) stale() bool {
	if m.loadErr != nil {
		return true
	}
	return m.refresh > 0 && m.clockTime.Sub(m.lastSuccess) > 3*m.refresh
}

// sessionLines draws the table and the pane; exact[i] is set for each line
// i (counted from the column header) built at exactly the terminal's width.
func (m *Model) sessionLines(exact []bool) []string {
	l := computeLayout(m.width, m.columns)
	lines := []string{l.header(m.styles)}
	th := m.tableHeight()
	switch {
	case len(m.order) == 0:
		lines = append(lines, m.emptyTableLines(th)...)
	default:
		end := min(m.offset+th, len(m.order))
		frame := m.spinner.View()
		// Rows are exactly as wide as the layout: pad without measuring.
		pad := strings.Repeat(" ", max(m.width-l.fixed()-l.file, 0))
		for i := m.offset; i < end; i++ {
			id := m.order[i]
			if len(lines) < len(exact) {
				exact[len(lines)] = true
			}
			lines = append(lines, renderRow(m.rows[id], l, id == m.selectedID, frame, m.clockTime, m.styles)+pad)
		}
	}
	for len(lines) < th+1 {
		lines = append(lines, "")
	}
	if m.pane != paneNone {
		lines = append(lines, m.paneLines()...)
	}
	return lines
}

func (m *Model) emptyTableLines(th int) []string {
	st := m.styles
	var lines []string
	switch {
	case m.loadErr != nil:
		lines = m.loadFailure("Could not load the sessions.", m.loadErr)
	case m.loading || m.lastSuccess.IsZero():
		lines = append(lines, " "+m.spinner.View()+" Loading sessions…")
	default:
		lines = append(lines, st.Muted.Render(" No upload sessions in this data store."))
	}
	if len(lines) > th {
		lines = lines[:th]
	}
	return lines
}

// paneContent is the selected session's pane, wrapped to the width.
func (m *Model) paneContent() []string {
	r := m.selectedRow()
	if r == nil {
		return []string{m.styles.Muted.Render(" No session selected.")}
	}
	var fields []field
	if m.pane == paneErrors {
		fields = errorFields(r, m.clockTime)
	} else {
		fields = detailsFields(r, m.clockTime)
	}
	return renderFields(fields, m.width-2, m.styles)
}

func (m *Model) paneLines() []string {
	content := m.paneContent()
	ph := m.paneHeight()
	off := min(m.paneOffset, max(len(content)-ph, 0))
	title := "─ " + m.pane.title() + " "
	if r := m.selectedRow(); r != nil {
		title += "· " + r.name + " "
	}
	if len(content) > ph {
		title += fmt.Sprintf("· %d–%d of %d ", off+1, min(off+ph, len(content)), len(content))
	}
	if m.paneFocus {
		title += "· scrolling (tab: table) "
	} else if len(content) > ph {
		title += "· tab to scroll "
	}
	if ansi.StringWidth(title) > m.width-1 {
		title = ansi.Truncate(title, m.width-2, "…") + " "
	}
	rule := title + strings.Repeat("─", max(m.width-ansi.StringWidth(title), 0))
	lines := []string{m.styles.Rule.Render(rule)}
	end := min(off+ph, len(content))
	lines = append(lines, content[off:end]...)
	return lines
}

// loadFailure explains a failed load in place of what it would have shown.
func (m *Model) loadFailure(what string, err error) []string {
	lines := []string{m.styles.Error.Render(" " + what)}
	lines = append(lines, renderFields(callErrorFields(err), m.width-2, m.styles)...)
	return append(lines, m.styles.Muted.Render(" edmtop keeps retrying; ctrl+r retries now."))
}

func (m *Model) pickerLines() []string {
	st := m.styles
	lines := []string{st.Header.Render(" " + fit("DATA STORE", 28) + " " + fit("ID", 36) + " " + fit("UPDATED", 9) + " DESCRIPTION")}
	switch {
	case len(m.stores) == 0 && m.storesErr != nil:
		return append(lines, m.loadFailure("Could not list the data stores.", m.storesErr)...)
	case len(m.stores) == 0 && (m.loading || m.lastSuccess.IsZero()):
		return append(lines, " "+m.spinner.View()+" Loading data stores…")
	case len(m.stores) == 0:
		return append(lines, st.Muted.Render(" No EDM data stores are visible to this account."),
			st.Muted.Render(" Uploading and reading EDM sessions needs membership of the EDM_DataUploaders group."))
	}
	visible := max(m.height-3, 1)
	top := max(0, m.storeCursor-visible+1)
	for i := top; i < min(len(m.stores), top+visible); i++ {
		s := m.stores[i]
		name := termtext.OneLine(s.DisplayName)
		if name == "" {
			name = "(unnamed)"
		}
		text := fit(name, 28) + " " + fit(termtext.OneLine(s.ID), 36) + " " +
			fitRight(present.Ago(s.DataLastUpdatedDateTime.Time, m.clockTime), 9) + " " + termtext.OneLine(s.Description)
		if i == m.storeCursor {
			lines = append(lines, st.Cursor.Render(">")+st.Selected.Render(text))
		} else {
			lines = append(lines, " "+text)
		}
	}
	return lines
}

// helpLines lists every binding in as many columns as fit, with the reason
// an action does not apply to the selected session.
func (m *Model) helpLines() []string {
	st := m.styles
	var cells []string
	for _, group := range m.keys.FullHelp() {
		for _, b := range group {
			h := b.Help()
			cells = append(cells, st.Accent.Render(fit(h.Key, 7))+" "+st.Muted.Render(h.Desc))
		}
	}
	cols := max(min((m.width-2)/30, 4), 1)
	colW := (m.width - 2) / cols
	rows := (len(cells) + cols - 1) / cols
	lines := []string{"", st.Title.Render(" Keys"), ""}
	for r := range rows {
		var b strings.Builder
		b.WriteString(" ")
		for c := range cols {
			if i := c*rows + r; i < len(cells) {
				b.WriteString(padLine(cells[i], colW-1) + " ")
			}
		}
		lines = append(lines, b.String())
	}
	if r := m.selectedRow(); r != nil && m.mode == modeSessions {
		var na []string
		for _, action := range []string{"renew", "cancel", "commit"} {
			if why := r.cannot(action); why != "" {
				na = append(na, action+": "+why)
			}
		}
		if len(na) > 0 {
			lines = append(lines, "", st.Warn.Render(" Not available for "+r.name+": "+strings.Join(na, "; ")))
		}
	}
	notes := "Bars: upload counts blocks uploaded, processing counts jobs finished, of the totals the service reports; " +
		"a bar without a total shows no percent. Icons: ● running, ✓ done, ✗ failed, ⊘ cancelled; * marks a row. " +
		"Sort cycles created, updated, state, upload %, processing %, file name. " +
		"ETA is the time left in the current phase at the pace seen between refreshes. Press ? or esc to close."
	lines = append(lines, "")
	for _, l := range strings.Split(ansi.Wrap(notes, m.width-2, " "), "\n") {
		lines = append(lines, st.Muted.Render(" "+l))
	}
	return lines
}

func (m *Model) statusLine() string {
	st := m.styles
	switch {
	case m.confirm != nil:
		q := fmt.Sprintf(" %s session %s? press y to %s, any other key to keep it ", strings.ToUpper(m.confirm.action[:1])+m.confirm.action[1:], m.confirm.name, m.confirm.action)
		return padLine(st.Warn.Render(q), m.width)
	case m.filtering:
		hint := st.Muted.Render("  enter keeps · esc clears")
		return padLine(" "+m.filterInput.View()+hint, m.width)
	}
	right := ""
	if m.flash.text != "" {
		style := st.Info
		switch m.flash.level {
		case flashSuccess:
			style = st.Success
		case flashWarn:
			style = st.Warn
		case flashError:
			style = st.Error
		}
		text := fit(m.flash.text, min(ansi.StringWidth(m.flash.text), m.width-4))
		right = style.Render(text) + " "
	}
	keys := m.contextKeys()
	bindings := keys.ShortHelp()
	if m.mode == modePicker {
		bindings = keys.PickerHelp()
	}
	if m.pane != paneNone {
		bindings = append([]key.Binding{keys.Focus, keys.Close}, bindings...)
	}
	h := m.help
	h.Width = max(m.width-ansi.StringWidth(right)-2, 0)
	left := " " + h.ShortHelpView(bindings)
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return padLine(left, m.width-ansi.StringWidth(right)-1) + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}
