package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// Pure presentation helpers: values in, strings out, no styles or IO.

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
