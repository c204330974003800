package ui

import (
	"testing"

	"go.uber.org/goleak"
)

// No test may leave a goroutine behind: a command or request that outlives
// the program is a leak in the product too. The one exception is a
// tea.Tick the model tests started and did not wait for (a refresh or flash
// timer): it ends when its timer fires, as it would in the program. And
// teatest keeps a SIGINT watcher per test program, by its design.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/charmbracelet/bubbletea.Tick.func1"),
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}
