// Package termtext makes text from the service safe to draw on a terminal.
// Every string the server controls passes through Sanitize before it is
// rendered or printed.
package termtext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Sanitize removes escape sequences and replaces what is left that could
// move the cursor, change the terminal's state or reorder text:
// C0 controls become their visible Control Pictures (␛, ␍, ␈ …), DEL ␡,
// and C1 controls, format characters (bidi controls, zero-width characters)
// and invalid UTF-8 become U+FFFD. Each replacement is one cell wide, so widths stay honest.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	// Pass 1: drop ESC/CSI/OSC/DCS/APC sequences, including 8-bit C1 ones.
	s = ansi.Strip(s)
	// Pass 2: ansi.Strip keeps C0 controls such as \r and \b, and lone C1 runes.
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case unsafeRune(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune reports C1 controls and format characters (Unicode Cf: bidi
// embeddings, overrides and isolates, zero-width spaces and joiners, BOM,
// soft hyphen …), which are invisible and can reorder or hide text.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r)
}

// OneLine sanitizes s and folds it onto one line (newlines and tabs become
// spaces) for table cells and status messages.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\t', '\r', '\v', '\f':
			return ' '
		}
		return r
	}, s)
	return Sanitize(s)
}

// Lines sanitizes multi-line text, keeping its line breaks.
func Lines(s string) []string {
	parts := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, p := range parts {
		parts[i] = OneLine(p)
	}
	return parts
}
