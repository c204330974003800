// Back: q, esc, h and ← take one step back, the same step on every
// screen: close what is on top (the help, the event log, the pane), clear
// the filter, then leave a sub-screen. Where there is nothing to go back
// to, q quits and the others say so: esc never quits (k9s, lazygit), so a
// stray esc cannot end a session. The footer and the help name the step,
// so what q says is what q does.

package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/keymap"
)

// backStep is what going back does now.
type backStep int

const (
	backTop    backStep = iota // nothing to go back to: q quits
	backHelp                   // close the help
	backLog                    // close the event log
	backPane                   // close the store's pane
	backFilter                 // clear the screen's filter
	backFleet                  // leave a store opened from the fleet
	backStore                  // leave the fleet opened with d, for the store
)

// brief is the step in a footer's words.
func (b backStep) brief() string {
	switch b {
	case backHelp:
		return "close help"
	case backLog:
		return "close log"
	case backPane:
		return "close pane"
	case backFilter:
		return "clear filter"
	case backFleet, backStore:
		return "back"
	}
	return "quit"
}

// long is the step in the help's words.
func (b backStep) long() string {
	switch b {
	case backFleet:
		return "back to the fleet"
	case backStore:
		return "back to the store"
	}
	return b.brief()
}

// backStep is the step back from what shows; under the help, from what
// the help covers (what the help should describe).
func (m *Model) backStep(underHelp bool) backStep {
	switch {
	case !underHelp && m.status.ShowingHelp():
		return backHelp
	case m.events.Open():
		return backLog
	case m.screen == screenStore && m.store.PaneOpen():
		return backPane
	case m.filtered().Filter() != "":
		return backFilter
	case m.screen == screenStore && m.cfg.fleetTop:
		return backFleet
	case m.screen == screenFleet && !m.cfg.fleetTop && m.store.ID() != "":
		return backStore
	}
	return backTop
}

// goBack takes the step; quit says the key was q, which quits at the top.
func (m *Model) goBack(quit bool) tea.Cmd {
	switch m.backStep(false) {
	case backHelp:
		m.status.ToggleHelp()
	case backLog:
		m.events.Toggle()
	case backPane:
		m.store.ClosePane()
	case backFilter:
		m.filtered().SetFilter("")
	case backFleet:
		return m.showFleet()
	case backStore:
		return m.backToStore()
	case backTop:
		if quit {
			return tea.Quit
		}
		return m.status.Flash(flashInfo, "nothing to go back to; "+m.sh.keys.Quit.Help().Key+" quits")
	}
	return nil
}

// backKeys are q and esc labelled with what step does; underHelp, in the
// help's words (what they do on the screen the help covers).
func backKeys(k keymap.KeyMap, step backStep, underHelp bool) (quit, back key.Binding) {
	quit, back = k.Quit, k.Close
	if underHelp {
		quit.SetHelp(quit.Help().Key, step.long())
		if step == backTop {
			back.SetHelp(back.Help().Key, "back, never quits")
		} else {
			back.SetHelp(back.Help().Key, step.long())
		}
		return quit, back
	}
	quit.SetHelp(quit.Help().Key, step.brief())
	return quit, back
}

// relabel puts q and esc in the help's groups with what step does.
func relabel(k keymap.KeyMap, step backStep, groups [][]key.Binding) [][]key.Binding {
	quit, back := backKeys(k, step, true)
	out := make([][]key.Binding, len(groups))
	for i, g := range groups {
		out[i] = make([]key.Binding, len(g))
		for j, b := range g {
			switch {
			case sameKeys(b, k.Quit):
				b = quit
			case sameKeys(b, k.Close):
				b = back
			}
			out[i][j] = b
		}
	}
	return out
}

// filterable is a screen with a filter: the fleet's or the store's.
type filterable interface {
	Filter() string
	SetFilter(string)
}

// filtered is the screen shown, whose filter the prompt sets and the back
// keys clear.
func (m *Model) filtered() filterable {
	if m.screen == screenFleet {
		return m.fleet
	}
	return m.store
}
