package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/spinner"
)

// glyphSet is how the screen spells its symbols. The dashboard writes them
// in Unicode (● ✓ ✗ ⊘ ⧗ ◷ ◇ ▲ ▼ █ ░ … and the rest); a terminal whose font
// lacks them (the Linux console, TERM=linux) gets each as one ASCII
// character of the same width, so no column moves. The set is chosen once,
// in New; the frame is translated at the end of View, which catches every
// glyph whichever component, library (help's • and …) or package (the
// keymap's ↑, present's •) drew it.
type glyphSet struct {
	ascii *strings.Replacer // nil: draw Unicode as is
}

// asciiGlyphs pairs each glyph the dashboard draws with its fallback; the
// test for the set checks that every screen comes out in ASCII.
var asciiGlyphs = []string{
	// An ellipsis that ends a line's text ("Loading sessions…" before the
	// padding) becomes "...", using two of the spaces after it and keeping
	// one; elsewhere, as in a name cut short, "~".
	"…   ", "... ", "…", "~",
	"••••••••", "********", // a masked secret
	// States and verdicts (the word beside each carries the meaning).
	"●", "o", "○", "-", "✓", "+", "✗", "x", "⊘", "/", "◇", "=", "⧗", "!", "◷", "~", "⚠", "!",
	// Sort arrows, the key hints' arrows, the marked and selected row.
	"▲", "^", "▼", "v", "↑", "^", "↓", "v", "←", "<", "→", ">", "»", "*",
	// Bars and sparklines, from empty to full.
	"░", ".", "▁", "_", "▂", ".", "▃", ":", "▄", "-", "▅", "=", "▆", "+", "▇", "*", "█", "#",
	// Punctuation.
	"❚", "|", "·", "|", "•", "|", "─", "-", "–", "-", "—", "-", "×", "x", "≈", "~",
}

func newGlyphSet(ascii bool) glyphSet {
	if !ascii {
		return glyphSet{}
	}
	return glyphSet{ascii: strings.NewReplacer(asciiGlyphs...)}
}

// draw is the frame as the terminal can show it.
func (g glyphSet) draw(frame string) string {
	if g.ascii == nil {
		return frame
	}
	return g.ascii.Replace(frame)
}

// spinner is the busy animation: braille dots, or | / - \ in ASCII.
func (g glyphSet) spinner() spinner.Spinner {
	if g.ascii != nil {
		return spinner.Line
	}
	return spinner.MiniDot
}
