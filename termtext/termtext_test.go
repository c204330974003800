package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// hostile is the payload table: each must come out with no byte that a
// terminal acts on, and printable text around it kept.
var hostile = []struct {
	name, in string
}{
	{"OSC 0 title", "a\x1b]0;pwned\x07b"},
	{"OSC 2 title ST", "a\x1b]2;pwned\x1b\\b"},
	{"OSC 8 hyperlink", "a\x1b]8;;https://evil.example\x07click\x1b]8;;\x07b"},
	{"OSC 52 clipboard", "a\x1b]52;c;cm0gLXJmIH4=\x07b"},
	{"CSI cursor move", "a\x1b[10;10Hb"},
	{"CSI erase", "a\x1b[2Jb"},
	{"CSI colour", "a\x1b[31mb\x1b[0m"},
	{"ESC c reset", "a\x1bcb"},
	{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b"},
	{"APC", "a\x1b_Gf=100;payload\x1b\\b"},
	{"raw 0x9b CSI", "a\x9b2Jb"},
	{"U+009B CSI", "a\u009b2Jb"},
	{"U+0085 NEL", "a\u0085b"},
	{"unterminated OSC", "a\x1b]0;title never ends"},
	{"carriage return", "safe\roverwritten"},
	{"backspace", "abc\b\b\bxyz"},
	{"bell", "a\x07b"},
	{"bidi override", "a\u202egnp.exe\u202cb"},
	{"bidi isolate", "a\u2066b\u2069"},
	{"zero-width joiner", "a\u200db\u200bc\ufeff"},
	{"invalid UTF-8", "a\xff\xfeb"},
	{"NUL and DEL", "a\x00b\x7f"},
	{"lone ESC at end", "ab\x1b"},
}

func TestSanitizePayloads(t *testing.T) {
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in)
			assertSafe(t, got)
			if !strings.HasPrefix(got, "a") && !strings.HasPrefix(got, "safe") {
				t.Errorf("leading text lost: %q -> %q", tc.in, got)
			}
		})
	}
}

func assertSafe(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unsafeRune(r) {
			t.Errorf("unsafe rune %U left in %q", r, s)
		}
	}
	if w := ansi.StringWidth(s); w > 2*utf8.RuneCountInString(s) {
		t.Errorf("width %d for %d runes in %q", w, utf8.RuneCountInString(s), s)
	}
}

func TestSanitizeKeepsText(t *testing.T) {
	cases := map[string]string{
		"employees-2026.EdmHash":   "employees-2026.EdmHash",
		"Ünïcödé 名前 ✓":             "Ünïcödé 名前 ✓",
		"a\x1b[31mred\x1b[0m b":    "ared b",
		"line\rover":               "line␍over",
		"tab\there":                "tab␉here",
		"a\u202eevil":              "a\ufffdevil",
		"a\x1b]0;title\x07b":       "ab",
		"x\x1b]8;;http://e\x07y":   "xy",
		"crlf\r\n":                 "crlf␍␊",
		"":                         "",
		"plain ascii, punctuation": "plain ascii, punctuation",
	}
	for in, want := range cases {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLineAndLines(t *testing.T) {
	if got := OneLine("a\nb\tc\r"); got != "a b c " {
		t.Errorf("OneLine = %q", got)
	}
	got := Lines("one\r\ntwo\x1b[2J\nthree\rx")
	if len(got) != 3 || got[0] != "one" || got[1] != "two" || got[2] != "three x" {
		t.Errorf("Lines = %q", got)
	}
}

func TestLongInput(t *testing.T) {
	in := strings.Repeat("\x1b[31mA\u202e", 10000)
	got := Sanitize(in)
	assertSafe(t, got)
	if strings.Count(got, "A") != 10000 {
		t.Errorf("lost text")
	}
}

func FuzzSanitize(f *testing.F) {
	for _, tc := range hostile {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		assertSafe(t, Sanitize(in))
		assertSafe(t, OneLine(in))
	})
}
