package cli

import (
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
)

// backgroundWait bounds the wait for the terminal's background colour: a
// terminal that never answers the query would otherwise hold the first frame
// for 5 s (lipgloss's own wait).
const backgroundWait = 100 * time.Millisecond

// darkBackground decides which colour of each light/dark pair to use: the
// theme setting when it names one (no query at all), else detect's answer if
// it comes within wait, else dark, the commoner terminal default.
func darkBackground(theme string, detect func() bool, wait time.Duration) bool {
	switch theme {
	case "light":
		return false
	case "dark":
		return true
	}
	answer := make(chan bool, 1) // buffered: a late detector must not leak blocked
	go func() { answer <- detect() }()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case dark := <-answer:
		return dark
	case <-timer.C:
		return true
	}
}

var (
	// oscBackground is the answer to OSC 11: rgb:RRRR/GGGG/BBBB with 1-4
	// hex digits a component, ended by BEL or ST.
	oscBackground = regexp.MustCompile(`\x1b\]11;rgb:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})(?:\x07|\x1b\\)`)
	// cursorReport answers the DSR sent after the query: every terminal
	// answers it, so its arrival ends the wait.
	cursorReport = regexp.MustCompile(`\x1b\[[0-9]+;[0-9]+R`)
)

// parseBackgroundReply reads what the terminal answered so far: done once
// the cursor report has come; ok when the background colour came before it.
func parseBackgroundReply(b []byte) (dark, ok, done bool) {
	if !cursorReport.Match(b) {
		return false, false, false
	}
	m := oscBackground.FindSubmatch(b)
	if m == nil {
		return false, false, true
	}
	var lo, hi float64 = 1, 0
	for _, hex := range m[1:] {
		v, _ := strconv.ParseUint(string(hex), 16, 16)
		c := float64(v) / float64(uint64(1)<<(4*len(hex))-1)
		lo, hi = min(lo, c), max(hi, c)
	}
	// HSL lightness, as termenv judges it.
	return (lo+hi)/2 < 0.5, true, true
}

// colorFGBG reads COLORFGBG ("15;0": light text on black), set by some
// terminals; ok is false when it says nothing usable.
func colorFGBG(v string) (dark, ok bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return false, false
	}
	bg, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return false, false
	}
	// ANSI 7 (white) and 9-15 are light; the rest are dark.
	return !(bg == 7 || (bg >= 9 && bg <= 15)), true
}

// queriesBackground says whether to ask this terminal at all: multiplexers
// may sit on several terminals (termenv skips them too), dumb ones never
// answer.
func queriesBackground(term string) bool {
	for _, p := range []string{"screen", "tmux", "dumb"} {
		if strings.HasPrefix(term, p) {
			return false
		}
	}
	return term != ""
}

// detectBackground asks the terminal, then COLORFGBG; dark when neither
// says. The query's own deadline is shorter than darkBackground's wait, so
// it has restored the terminal before the dashboard takes it.
func detectBackground(stdin io.Reader, out *os.File, getenv func(string) string) bool {
	if in, ok := stdin.(*os.File); ok && term.IsTerminal(in.Fd()) && queriesBackground(getenv("TERM")) {
		if dark, ok := queryBackground(in, out, backgroundWait*4/5); ok {
			return dark
		}
	}
	if dark, ok := colorFGBG(getenv("COLORFGBG")); ok {
		return dark
	}
	return true
}
