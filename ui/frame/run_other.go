//go:build !unix

package frame

import (
	tea "github.com/charmbracelet/bubbletea"
)

// Run runs m on the terminal with Bubble Tea's own renderer, at 10 frames a
// second: drawing on change needs SIGWINCH and the raw-mode handling done
// here for Unix terminals only.
func Run(m tea.Model, o Options, opts ...tea.ProgramOption) (tea.Model, error) {
	opts = append(opts, tea.WithAltScreen(), tea.WithInput(o.Input), tea.WithOutput(o.Output), tea.WithFPS(10))
	if o.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	return tea.NewProgram(m, opts...).Run()
}
