package frame

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// writes describes a frame's bytes: the rows it writes text to (1-based),
// the row an erase-below starts at (0: none), the rows erased one by one.
type writes struct {
	rows      []int
	eraseFrom int
	erased    []int
}

var cup = regexp.MustCompile(`\x1b\[(?:(\d+);1)?H`)

func parseWrites(t *testing.T, b []byte) writes {
	t.Helper()
	var w writes
	s := string(b)
	if !strings.HasPrefix(s, ansi.SetModeSynchronizedOutput) || !strings.HasSuffix(s, ansi.ResetModeSynchronizedOutput) {
		t.Errorf("frame not wrapped in synchronized output: %q", s)
	}
	for _, m := range cup.FindAllStringSubmatchIndex(s, -1) {
		row := 1
		if m[2] >= 0 {
			row, _ = strconv.Atoi(s[m[2]:m[3]])
		}
		switch rest := s[m[1]:]; {
		case strings.HasPrefix(rest, ansi.EraseScreenBelow):
			w.eraseFrom = row
		case strings.HasPrefix(rest, ansi.EraseEntireLine):
			w.erased = append(w.erased, row)
		default:
			w.rows = append(w.rows, row)
		}
	}
	return w
}

func TestFrameWritesOnlyWhatChanged(t *testing.T) {
	tests := []struct {
		name          string
		width, height int // 0: size unknown
		before        string
		resized       bool // a resize between the two frames
		after         string
		want          *writes // nil: nothing written
	}{
		{name: "first frame", width: 10, height: 4, after: "a\nb\nc", want: &writes{rows: []int{1, 2, 3}, eraseFrom: 4}},
		{name: "first frame, size unknown", after: "a\nb", want: &writes{rows: []int{1, 2}}},
		{name: "unchanged", width: 10, height: 4, before: "a\nb\nc", after: "a\nb\nc"},
		{name: "one line", width: 10, height: 4, before: "a\nb\nc", after: "a\nB\nc", want: &writes{rows: []int{2}}},
		{name: "selection moves", width: 10, height: 4, before: ">a\n b\n c", after: " a\n b\n>c", want: &writes{rows: []int{1, 3}}},
		{name: "fewer lines", width: 10, height: 4, before: "a\nb\nc", after: "a\nb", want: &writes{eraseFrom: 3}},
		{name: "more lines", width: 10, height: 4, before: "a", after: "a\nb", want: &writes{rows: []int{2}}},
		{name: "resize redraws all", width: 10, height: 4, before: "a\nb", resized: true, after: "a\nb", want: &writes{rows: []int{1, 2}, eraseFrom: 3}},
		{name: "resize to a full screen", width: 10, height: 2, before: "a\nb", resized: true, after: "a\nb", want: &writes{rows: []int{1, 2}}},
		{name: "taller than the screen", width: 10, height: 2, before: "a\nb", after: "a\nb\nc", want: &writes{rows: []int{1, 2}}},
		{name: "unknown size, fewer lines", before: "a\nb\nc", after: "a", want: &writes{erased: []int{2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s screen
			if tt.width > 0 {
				s.resize(tt.width, tt.height)
			}
			if tt.before != "" {
				s.frame(tt.before)
			}
			if tt.resized {
				s.resize(tt.width, tt.height)
			}
			b := s.frame(tt.after)
			if tt.want == nil {
				if b != nil {
					t.Fatalf("wrote %q for an unchanged frame", b)
				}
				return
			}
			if got := parseWrites(t, b); !slices.Equal(got.rows, tt.want.rows) || got.eraseFrom != tt.want.eraseFrom || !slices.Equal(got.erased, tt.want.erased) {
				t.Errorf("wrote %+v, want %+v (%q)", got, *tt.want, b)
			}
		})
	}
}

func TestFrameFitsLinesToTheWidth(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"abc", "abc" + ansi.EraseLineRight},
		{"abcde", "abcde"}, // full width: an erase would take the last cell
		{"abcdefgh", "abcde"},
		{"\x1b[1mabcdefgh\x1b[m", "\x1b[1mabcde\x1b[m"},
		{"ab界界", "ab界" + ansi.EraseLineRight}, // a wide rune that would not fit whole
	}
	for _, tt := range tests {
		var s screen
		s.resize(5, 3)
		b := string(s.frame(tt.line))
		body := strings.TrimSuffix(strings.TrimPrefix(b, ansi.SetModeSynchronizedOutput+ansi.CursorHomePosition), ansi.CursorPosition(1, 2)+ansi.EraseScreenBelow+ansi.ResetModeSynchronizedOutput)
		if body != tt.want {
			t.Errorf("%q: wrote %q, want %q", tt.line, body, tt.want)
		}
	}
}

// TestFrameKeepsTheScreenRight feeds a long random sequence of views and
// resizes through a terminal emulator: after every frame the screen must show
// the view, whatever the frames before left on it.
func TestFrameKeepsTheScreenRight(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w, h := 30, 8
	emu := vt.NewEmulator(w, h)
	var s screen
	s.resize(w, h)
	lines := make([]string, h)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	for step := range 500 {
		switch r := rng.IntN(20); {
		case r == 0:
			w, h = 10+rng.IntN(30), 3+rng.IntN(10)
			emu.Resize(w, h)
			s.resize(w, h)
		case r < 3:
			lines = lines[:rng.IntN(len(lines)+1)]
		case r < 6:
			lines = append(lines, strings.Repeat("+", rng.IntN(45)))
		default:
			if len(lines) > 0 {
				i := rng.IntN(len(lines))
				lines[i] = fmt.Sprintf("\x1b[3%dm%s\x1b[m %d", rng.IntN(8), strings.Repeat("x", rng.IntN(40)), step)
			}
		}
		view := strings.Join(lines, "\n")
		_, _ = emu.Write(s.frame(view))
		if got, want := screenLines(emu.String()), expected(view, w, h); !slices.Equal(got, want) {
			t.Fatalf("step %d (%d×%d): screen\n%s\nwant\n%s", step, w, h, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// screenLines normalizes an emulator's text: no trailing blanks, no blank
// lines at the end.
func screenLines(txt string) []string {
	lines := strings.Split(txt, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// expected is what a w×h terminal shows for view: its bottom h lines, each
// cut to w cells, without styles.
func expected(view string, w, h int) []string {
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		lines = lines[len(lines)-h:]
	}
	for i, l := range lines {
		lines[i] = ansi.Strip(ansi.Truncate(l, w, ""))
	}
	return screenLines(strings.Join(lines, "\n"))
}

// BenchmarkFrameKeyMove is the drawing cost of a key press on a 200×60
// screen of styled lines: the selection mark moves, two lines change.
func BenchmarkFrameKeyMove(b *testing.B) {
	lines := make([]string, 60)
	for i := range lines {
		lines[i] = fmt.Sprintf(" \x1b[38;5;%dmupload-%05d.EdmHash\x1b[m %s", i%200, i, strings.Repeat("█", 150))
	}
	views := [2]string{}
	for k := range views {
		l := slices.Clone(lines)
		l[3+k] = ">" + l[3+k][1:]
		views[k] = strings.Join(l, "\n")
	}
	var s screen
	s.resize(200, 60)
	s.frame(views[1])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if s.frame(views[i%2]) == nil {
			b.Fatal("no frame for a changed view")
		}
	}
}
