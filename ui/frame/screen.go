package frame

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// screen turns a sequence of views into the bytes that bring a full-window
// terminal from the last view to the next: only the lines that differ, each
// placed with an absolute cursor position, so no line depends on where the
// previous write left the cursor. It does no IO.
type screen struct {
	width, height int      // 0 while unknown
	lines         []string // the lines on the terminal, as View gave them
	last          string   // the view they came from
	full          bool     // the terminal's content is unknown: redraw everything
	buf           []byte
}

// resize records the terminal's new size. Terminals reflow or crop their
// content on a resize, so the next frame is drawn whole.
func (s *screen) resize(width, height int) {
	s.width, s.height = width, height
	s.full = true
}

// redraw makes the next frame a full one.
func (s *screen) redraw() { s.full = true }

// frame returns what to write to show view, or nil when the terminal
// already shows it. The slice is reused by the next call.
func (s *screen) frame(view string) []byte {
	if !s.full && s.lines != nil && view == s.last {
		return nil
	}
	lines := strings.Split(view, "\n")
	// Like Bubble Tea's renderer: a view taller than the terminal keeps its
	// bottom lines; writing below the last row would scroll the screen.
	if s.height > 0 && len(lines) > s.height {
		lines = lines[len(lines)-s.height:]
	}
	// Synchronized output (mode 2026) asks the terminal to show the frame at
	// once, never half-drawn; terminals without it ignore the private mode.
	b := append(s.buf[:0], ansi.SetModeSynchronizedOutput...)
	start := len(b)
	for i, l := range lines {
		if !s.full && i < len(s.lines) && s.lines[i] == l {
			continue
		}
		b = append(b, ansi.CursorPosition(1, i+1)...)
		b = s.appendLine(b, l)
	}
	b = s.appendErase(b, len(lines))
	s.lines, s.last, s.full, s.buf = lines, view, false, b
	if len(b) == start {
		return nil
	}
	return append(b, ansi.ResetModeSynchronizedOutput...)
}

// appendLine writes one line at the cursor: cut to the terminal's width (a
// wrapped line would push the frame down) and cleared to the end of the
// row when shorter, which removes what the row showed before.
func (s *screen) appendLine(b []byte, line string) []byte {
	if s.width <= 0 {
		return append(append(b, line...), ansi.EraseLineRight...)
	}
	w := ansi.StringWidth(line)
	if w > s.width {
		line = ansi.Truncate(line, s.width, "")
		w = ansi.StringWidth(line)
	}
	b = append(b, line...)
	if w < s.width {
		// At full width the cursor waits in the last column, where an erase
		// would take the last character.
		b = append(b, ansi.EraseLineRight...)
	}
	return b
}

// appendErase clears the rows below a frame of n lines that the previous
// frame, or whatever the terminal showed before a full redraw, occupied.
func (s *screen) appendErase(b []byte, n int) []byte {
	switch {
	case s.height > 0 && n < s.height && (s.full || n < len(s.lines)):
		b = append(b, ansi.CursorPosition(1, n+1)...)
		b = append(b, ansi.EraseScreenBelow...)
	case s.height <= 0:
		// Without a size, clear only rows known to exist.
		for i := n; i < len(s.lines); i++ {
			b = append(b, ansi.CursorPosition(1, i+1)...)
			b = append(b, ansi.EraseEntireLine...)
		}
	}
	return b
}
