//go:build unix

package frame

import (
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
)

// Run runs m on the terminal until it quits and returns its final state.
// opts go to tea.NewProgram (tea.WithContext, tea.WithFilter, ...); the
// renderer, input, output, alternate screen and mouse options are this
// package's. The terminal is put back before Run returns, whatever ended
// the program.
func Run(m tea.Model, o Options, opts ...tea.ProgramOption) (tea.Model, error) {
	d, err := open(o.Input, o.Output, o.Mouse)
	if err != nil {
		return m, err
	}
	defer d.restore()
	size := func() (int, int, error) { return term.GetSize(o.Output.Fd()) }
	if w, h, err := size(); err == nil {
		d.resize(w, h) // the first frame, drawn before the size message arrives, fits
	}
	wrapper := &model{inner: m, d: d, size: size}
	opts = append(opts, tea.WithoutRenderer(), tea.WithInput(o.Input), tea.WithOutput(o.Output))
	p := tea.NewProgram(wrapper, opts...)
	stop := watchSize(size, p.Send)
	defer stop()
	final, err := p.Run()
	if w, ok := final.(*model); ok {
		return w.inner, err
	}
	return m, err
}

// watchSize sends the terminal's size now and after every SIGWINCH, as
// Bubble Tea does for its renderer (without one it sends none).
func watchSize(size func() (int, int, error), send func(tea.Msg)) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			// send returns at once when the program has ended.
			if w, h, err := size(); err == nil {
				send(tea.WindowSizeMsg{Width: w, Height: h})
			}
			select {
			case <-sig:
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}
