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
// renderer, signal, input, output, alternate screen and mouse options are
// this package's: SIGTERM quits, SIGINT interrupts, as with Bubble Tea. The terminal is put back before Run returns, whatever ended
// the program.
func Run(m tea.Model, o Options, opts ...tea.ProgramOption) (_ tea.Model, err error) {
	d, err := open(o.Input, o.Output, o.Mouse)
	if err != nil {
		return m, err
	}
	defer func() {
		if rerr := d.restore(); err == nil {
			err = rerr
		}
	}()
	size := func() (int, int, error) { return term.GetSize(o.Output.Fd()) }
	if w, h, err := size(); err == nil {
		d.resize(w, h) // the first frame, drawn before the size message arrives, fits
	}
	wrapper := &model{inner: m, d: d, size: size}
	input, stopInput := pollInput(o.Input)
	defer stopInput()
	opts = append(opts, tea.WithoutRenderer(), tea.WithoutSignalHandler(), tea.WithInput(input), tea.WithOutput(o.Output))
	p := tea.NewProgram(wrapper, opts...)
	stop := watch(size, p.Send)
	defer stop()
	final, err := p.Run()
	if w, ok := final.(*model); ok {
		return w.inner, err
	}
	return m, err
}

// watch relays the terminal's size (now and on SIGWINCH), SIGINT and
// SIGTERM to the program. Bubble Tea's own signal handler is off: it sends
// without watching for the program's end, so when the program ends
// meanwhile (a context cancelled on the same SIGTERM, as edmtop's main
// does) its shutdown waits for that send forever. Send returns once the
// program is gone.
func watch(size func() (int, int, error), send func(tea.Msg)) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	sendSize := func() {
		if w, h, err := size(); err == nil {
			send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	}
	go func() {
		sendSize() // Bubble Tea sends none without its renderer
		for {
			select {
			case s := <-sig:
				switch s {
				case syscall.SIGWINCH:
					sendSize()
				case syscall.SIGINT: // ctrl+c when the input is no terminal
					send(tea.InterruptMsg{})
				default:
					send(tea.QuitMsg{})
				}
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
