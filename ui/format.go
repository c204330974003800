package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// Pure presentation helpers: values in, strings out, no styles or IO.

// relTime is "5s ago", "3m ago", "2h ago", "4d ago" or "now"; "—" for a
// zero time.
func relTime(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	if d < time.Second {
		// Past events only: a time slightly ahead is clock skew between
		// us and the service, not the future.
		return "now"
	}
	return shortDuration(d) + " ago"
}

// shortDuration is the largest whole unit: 45s, 12m, 5h, 3d.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// countdown is a wait in whole seconds, rounded up, as "45s" or "2m05s".
func countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm%02ds", secs/60, secs%60)
	}
	return fmt.Sprintf("%dh%02dm", secs/3600, secs%3600/60)
}

// shortTime is a compact local timestamp for the table: "11-28 09:04" this
// year, "2025-11-28" before.
func shortTime(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(now.Location())
	if t.Year() == now.Year() {
		return t.Format("01-02 15:04")
	}
	return t.Format("2006-01-02")
}

// absTime is a full timestamp with its zone, for the details pane.
func absTime(t graphapi.Time, now time.Time) string {
	if t.IsZero() {
		if t.Raw != "" {
			return termtext.OneLine(t.Raw) + " (unreadable)"
		}
		return "—"
	}
	return t.In(now.Location()).Format("2006-01-02 15:04:05 MST") + "  (" + relTime(t.Time, now) + ")"
}

// percentLabel is "  7%", " 80%", "100%", or four spaces when unknown.
func percentLabel(p graphapi.Progress) string {
	if !p.Known {
		return "    "
	}
	return fmt.Sprintf("%3d%%", p.Percent())
}

// barCells splits a bar of width cells into filled and empty counts.
// A bar is full only when the work is done, and shows at least one cell
// once anything is done.
func barCells(p graphapi.Progress, width int) (filled, empty int) {
	if !p.Known || width <= 0 {
		return 0, max(width, 0)
	}
	filled = int(p.Fraction * float64(width))
	if filled == 0 && p.Done > 0 {
		filled = 1
	}
	if filled == width && p.Done < p.Total {
		filled = width - 1
	}
	return filled, width - filled
}

// cells is the display width of sanitized text, with a fast path for ASCII
// (most cells: times, counts, ids), which needs no grapheme segmentation.
func cells(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// fit truncates s to width cells with "…" and pads it with spaces to exactly
// width. s must already be sanitized.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := cells(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = ansi.StringWidth(s)
	}
	if w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// fitMiddle is fit for file names: it cuts the middle, so both the start
// and the distinguishing end ("…-2026-11-28.EdmHash") stay visible.
func fitMiddle(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= width || width < 8 {
		return fit(s, width)
	}
	head := (width - 1) / 3
	tail := width - 1 - head
	left := ansi.Truncate(s, head, "")
	right := ansi.TruncateLeft(s, ansi.StringWidth(s)-tail, "")
	return fit(left+"…"+right, width)
}

// fitRight right-aligns s in width cells.
func fitRight(s string, width int) string {
	w := cells(s)
	if w >= width {
		return fit(s, width)
	}
	return strings.Repeat(" ", width-w) + s
}

// shortID shows the start of a GUID: "3f2a…".
func shortID(id string, n int) string {
	id = termtext.OneLine(id)
	if len([]rune(id)) <= n {
		return id
	}
	return string([]rune(id)[:n]) + "…"
}

// redactedURI drops the query (a SAS signature) and user info of a URL.
func redactedURI(raw string) string {
	if raw == "" {
		return "—"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL hidden)"
	}
	hidden := ""
	if u.RawQuery != "" {
		hidden = "  (query hidden: it holds the upload signature)"
	}
	return termtext.OneLine(graphapi.RedactURLString(raw)) + hidden
}

// maskedSecret shows that a secret exists without showing it.
func maskedSecret(s string) string {
	if s == "" {
		return "—"
	}
	return fmt.Sprintf("•••••••• (%d characters, hidden)", len([]rune(s)))
}

// countText is "12" or "—" for a null count.
func countText(c graphapi.Count) string {
	if !c.Valid {
		return "—"
	}
	return fmt.Sprint(c.Value)
}
