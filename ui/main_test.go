package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"go.uber.org/goleak"
)

// No test may leave a goroutine behind: a command or request that outlives
// the program is a leak in the product too. (teatest keeps a SIGINT watcher
// per test program, by its design.)
func TestMain(m *testing.M) {
	// Model tests run commands themselves and wait for their messages; the
	// model's timers would only make them wait. Tests that need a timer's
	// message send it.
	tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}
