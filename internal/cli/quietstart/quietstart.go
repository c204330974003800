// Package quietstart keeps Bubble Tea's package initialisation from asking
// the terminal for its background colour.
//
// bubbletea v1.3's init calls lipgloss.HasDarkBackground, which makes termenv
// send OSC 11 and wait up to 5 s for an answer a silent terminal never
// gives: every edmtop command, `edmtop list` too, started 5 s late there.
// termenv does not ask when TERM is "dumb", so this package sets TERM=dumb
// while packages initialise and package cli puts the real value back
// (Restore) from its own init, before any code of ours runs. Go initialises
// packages in import-path order among those whose imports are ready (the
// Go 1.21 spec); this one imports only os and its path sorts before
// github.com/muesli/termenv, so it runs before termenv, hence before
// bubbletea. The dashboard then asks the terminal itself, within 100 ms.
// Bubble Tea v2 drops the init-time query; so can we then.
package quietstart

import "os"

var term, hadTerm = os.LookupEnv("TERM")

func init() { _ = os.Setenv("TERM", "dumb") }

// Restore puts the real TERM back.
func Restore() {
	if hadTerm {
		_ = os.Setenv("TERM", term)
	} else {
		_ = os.Unsetenv("TERM")
	}
}
