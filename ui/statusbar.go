// The status bar: the keys that apply, and a flash message that clears
// itself; and the full help screen it opens with ?.

package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

type flashLevel int

const (
	flashInfo flashLevel = iota
	flashSuccess
	flashWarn
	flashError
)

type flash struct {
	text  string
	level flashLevel
	id    int
}

const flashFor = 6 * time.Second

type flashExpiredMsg struct{ id int }

type statusBar struct {
	sh       *shared
	help     help.Model
	flash    flash
	flashSeq int
	// full is set while the help screen shows, scrolled by helpOff lines.
	full    bool
	helpOff int
	// hints are the keys shown, set by the root for what is on screen;
	// quit is q labelled with what it does now, shown last with ?.
	hints []key.Binding
	quit  key.Binding
	width int
}

func newStatusBar(sh *shared) *statusBar {
	st := sh.styles
	h := help.New()
	h.Styles.ShortKey, h.Styles.FullKey = st.Accent, st.Accent
	h.Styles.ShortDesc, h.Styles.FullDesc = st.Muted, st.Muted
	h.Styles.ShortSeparator, h.Styles.FullSeparator = st.Muted, st.Muted
	h.Styles.Ellipsis = st.Muted
	return &statusBar{sh: sh, help: h}
}

func (s *statusBar) SetSize(w, _ int) {
	s.width = w
	s.help.Width = w
}

// SetHints sets the keys the bar shows: hints, which give way from the
// end when the line is short, then ? and quit, which always show.
func (s *statusBar) SetHints(hints []key.Binding, quit key.Binding) { s.hints, s.quit = hints, quit }

// Flash shows text until a newer flash or flashFor has passed.
func (s *statusBar) Flash(level flashLevel, text string) tea.Cmd {
	s.flashSeq++
	s.flash = flash{text: text, level: level, id: s.flashSeq}
	id := s.flashSeq
	return tick(flashFor, func(time.Time) tea.Msg { return flashExpiredMsg{id: id} })
}

// Update clears an expired flash.
func (s *statusBar) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(flashExpiredMsg); ok && msg.id == s.flash.id {
		s.flash = flash{}
	}
	return nil
}

// ShortHelp: the bar shows others' keys and has none of its own.
func (s *statusBar) ShortHelp() []key.Binding { return nil }

// ShowingHelp reports whether the help screen is open; ToggleHelp opens or
// closes it, at its top.
func (s *statusBar) ShowingHelp() bool { return s.full }
func (s *statusBar) ToggleHelp()       { s.full, s.helpOff = !s.full, 0 }

// ScrollHelp moves the help screen by n lines, within its total lines
// shown height at a time.
func (s *statusBar) ScrollHelp(n, total, height int) {
	s.helpOff = max(min(s.helpOff+n, total-height), 0)
}

// HelpPage is the part of the help screen's lines that shows in height.
func (s *statusBar) HelpPage(lines []string, height int) []string {
	off := max(min(s.helpOff, len(lines)-height), 0)
	return lines[off:min(off+max(height, 0), len(lines))]
}

// View is the status line: the hints on the left, the flash on the right.
func (s *statusBar) View() string {
	st := s.sh.styles
	tail := s.help.ShortHelpView([]key.Binding{s.sh.keys.Help, s.quit})
	right := ""
	if s.flash.text != "" {
		style := st.Info
		switch s.flash.level {
		case flashSuccess:
			style = st.Success
		case flashWarn:
			style = st.Warn
		case flashError:
			style = st.Error
		}
		// The flash leaves room for ? and q: the margins, a gap, the tail.
		room := s.width - 3 - ansi.StringWidth(tail)
		text := fit(s.flash.text, max(min(ansi.StringWidth(s.flash.text), room), 0))
		right = style.Render(text) + " "
	}
	left := " " + s.hintsView(tail, s.width-ansi.StringWidth(right)-2)
	gap := s.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return padLine(left, s.width-ansi.StringWidth(right)-1) + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// hintsView is the hints in at most width cells, then tail (? and q),
// which always shows: the other hints give way first.
func (s *statusBar) hintsView(tail string, width int) string {
	k := s.sh.keys
	rest := make([]key.Binding, 0, len(s.hints))
	for _, b := range s.hints {
		if !sameKeys(b, k.Help) && !sameKeys(b, k.Quit) && !sameKeys(b, k.Close) {
			rest = append(rest, b)
		}
	}
	sep := s.help.Styles.ShortSeparator.Render(s.help.ShortSeparator)
	head := s.shortHelp(rest, width-ansi.StringWidth(tail)-ansi.StringWidth(sep))
	if head == "" {
		return tail
	}
	return head + sep + tail
}

// sameKeys reports whether two bindings are the same keys (a binding and
// its relabelled copy).
func sameKeys(a, b key.Binding) bool { return slices.Equal(a.Keys(), b.Keys()) }

// shortHelp is help.Model's ShortHelpView held to width: bubbles v1.0.0
// goes past its width when the ellipsis does not fit.
func (s *statusBar) shortHelp(bindings []key.Binding, width int) string {
	h := s.help
	h.Width = 0
	sep := h.Styles.ShortSeparator.Render(h.ShortSeparator)
	var b strings.Builder
	w := 0
	for _, kb := range bindings {
		if !kb.Enabled() {
			continue
		}
		item := h.ShortHelpView([]key.Binding{kb})
		if w > 0 {
			item = sep + item
		}
		iw := ansi.StringWidth(item)
		if w+iw > width {
			if w > 0 && w+2 <= width {
				b.WriteString(" " + h.Styles.Ellipsis.Render(h.Ellipsis))
			}
			break
		}
		b.WriteString(item)
		w += iw
	}
	return b.String()
}

// helpNotes explain the table's marks and words.
func helpNotes(rules health.Rules) string {
	return "Bars: upload counts blocks uploaded, processing counts jobs finished, of the totals the service reports; " +
		"a bar without a total shows no percent. Icons: ● running, " + awaitingIcon + " awaiting commit, ✓ done, ✗ failed, " +
		"⊘ cancelled, " + unknownIcon + " a state edmtop does not know; * marks a row. " +
		"A running session with no update for over " + present.Duration(rules.StallAfter) + " shows \"stalled\" and for how long. " +
		"Sort cycles created, updated, state, upload %, processing %, file name. " +
		"ETA is the time left in the current phase at the pace seen between refreshes. " +
		historyNotes + " " + backNotes
}

// historyNotes explain the marks of the details' recent runs.
var historyNotes = fmt.Sprintf("Recent runs (in the details) are the store's last uploads, newest first: each one's icon and how long it took; "+
	"⚠rows: its row count differs by more than %d%% from the median of the runs before it (a file cut short, or doubled); "+
	"⚠time: its duration does.", int(health.DriftThreshold*100))

// backNotes say what q and esc do, on every screen.
const backNotes = "q, esc, h and ← go back one step: close the help, the log or the pane, clear the filter, leave the screen; " +
	"where there is nothing to go back to, q quits (esc never does). ctrl+c quits from anywhere."

// fleetNotes explains the verdicts with the thresholds in force.
func fleetNotes(rules health.Rules) string {
	return "Health, worst first: ✗ failed: the newest upload failed; ⧗ stalled: a running session has had no update for over " +
		present.Duration(rules.StallAfter) + "; ◷ stale: the last index is older than " + present.Duration(rules.MaxAge) +
		"; ✓ ok; " + unknownIcon + " unknown: never read. A dimmed row ending \"· 4m old\" shows the last read of a store that cannot be read now. " +
		"LAST INDEX is when the newest completed upload finished (else the store's last data update). " +
		"24H counts uploads started in the last 24 hours against the limit; \"!\" before it: the store has used them all (the service takes no upload until the oldest is 24 hours old; the event log says when). " +
		"enter, l or → opens a store (so does a double click, with the mouse on); d comes back here from a store. " + backNotes
}

// maxHelpKey is the widest key column of the help screen.
const maxHelpKey = 10

// HelpView lists the screen's bindings (groups) in as many columns as fit,
// then unavailable (why actions do not apply to the selected session) and
// the screen's notes.
func (s *statusBar) HelpView(groups [][]key.Binding, unavailable, notes string) []string {
	st := s.sh.styles
	keyW := 0 // the widest key, within reason: a rebinding can be long
	for _, group := range groups {
		for _, b := range group {
			keyW = max(keyW, min(ansi.StringWidth(b.Help().Key), maxHelpKey))
		}
	}
	var cells []string
	for _, group := range groups {
		for _, b := range group {
			h := b.Help()
			cells = append(cells, st.Accent.Render(padLine(fit(h.Key, keyW), keyW))+" "+st.Muted.Render(h.Desc))
		}
	}
	cols := max(min((s.width-2)/30, 4), 1)
	colW := (s.width - 2) / cols
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
	if unavailable != "" {
		lines = append(lines, "", st.Warn.Render(" "+unavailable))
	}
	if notes == "" {
		return lines
	}
	lines = append(lines, "")
	for _, l := range strings.Split(ansi.Wrap(notes, s.width-2, " "), "\n") {
		lines = append(lines, st.Muted.Render(" "+l))
	}
	return lines
}

// errorSummary is the one-line form for the status bar: code and message
// (or the whole error), sanitized.
func errorSummary(err error) string {
	if ge, ok := graphapi.AsError(err); ok {
		var parts []string
		if ge.StatusCode != 0 {
			parts = append(parts, fmt.Sprint(ge.StatusCode))
		}
		if ge.Code != "" {
			parts = append(parts, ge.Code)
		}
		text := ge.Message
		if len(parts) > 0 {
			text = strings.Join(parts, " ") + ": " + text
		}
		if ge.RetryAfter > 0 {
			text += " (retry after " + present.Countdown(ge.RetryAfter) + ")"
		}
		return termtext.OneLine(text)
	}
	return termtext.OneLine(err.Error())
}
