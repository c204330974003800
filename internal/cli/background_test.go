package cli

import (
	"testing"
	"time"
)

func TestDarkBackgroundIsBounded(t *testing.T) {
	// A detector that never answers (until the test ends): the fallback,
	// dark, is chosen although the late answer would say light.
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	never := func() bool { <-block; return false }
	if !darkBackground("auto", never, time.Millisecond) {
		t.Error("a terminal that never answers did not fall back to dark")
	}
	// An answer is used when it comes (the wait is long, so this cannot
	// flake: the detector answers at once).
	if darkBackground("auto", func() bool { return false }, time.Hour) {
		t.Error("a light answer was ignored")
	}
}

func TestThemeSettingSkipsDetection(t *testing.T) {
	for theme, want := range map[string]bool{"light": false, "dark": true} {
		called := false
		got := darkBackground(theme, func() bool { called = true; return !want }, time.Hour)
		if got != want || called {
			t.Errorf("theme %s: dark=%v, detector called %v", theme, got, called)
		}
	}
}

func TestParseBackgroundReply(t *testing.T) {
	const cpr = "\x1b[12;1R"
	cases := []struct {
		name           string
		reply          string
		dark, ok, done bool
	}{
		{"black, ST", "\x1b]11;rgb:0000/0000/0000\x1b\\" + cpr, true, true, true},
		{"white, BEL", "\x1b]11;rgb:ffff/ffff/ffff\x07" + cpr, false, true, true},
		{"two digits, light grey", "\x1b]11;rgb:dd/dd/dd\x07" + cpr, false, true, true},
		{"solarized dark", "\x1b]11;rgb:0000/2b2b/3636\x1b\\" + cpr, true, true, true},
		{"no OSC 11 support", cpr, false, false, true},
		{"colour without the cursor report yet", "\x1b]11;rgb:ffff/ffff/ffff\x07", false, false, false},
		{"nothing yet", "", false, false, false},
		{"garbage then the report", "\x1b]11;nonsense\x07" + cpr, false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dark, ok, done := parseBackgroundReply([]byte(tc.reply))
			if dark != tc.dark || ok != tc.ok || done != tc.done {
				t.Errorf("got dark=%v ok=%v done=%v", dark, ok, done)
			}
		})
	}
}

func TestColorFGBGAndWhomToAsk(t *testing.T) {
	for v, want := range map[string][2]bool{"15;0": {true, true}, "0;15": {false, true}, "0;default;7": {false, true}, "": {false, false}, "15;x": {false, false}} {
		if dark, ok := colorFGBG(v); dark != want[0] || ok != want[1] {
			t.Errorf("COLORFGBG=%q: dark=%v ok=%v", v, dark, ok)
		}
	}
	for term, want := range map[string]bool{"xterm-256color": true, "linux": true, "tmux-256color": false, "screen": false, "dumb": false, "": false} {
		if got := queriesBackground(term); got != want {
			t.Errorf("TERM=%q: ask %v", term, got)
		}
	}
}
