// Package frame runs a Bubble Tea v1 model full-window and draws a frame
// when the model changes, and only then.
//
// Bubble Tea v1's renderer writes on a ticker: a key's echo waits for the
// next tick (up to 100 ms at 10 frames a second) and every tick costs CPU
// while nothing changes. Here Bubble Tea runs without its renderer and a
// wrapper model draws right after each message, writing only the lines that
// differ from the last frame. The package owns what the renderer owned: raw
// mode, the alternate screen, the cursor, mouse reporting, bracketed paste,
// the window size, and putting the terminal back on every way out (quit,
// ctrl+c, SIGTERM, a panic in Init, Update or View).
//
// Not carried over from the renderer: inline (non-alt-screen) programs,
// tea.Println, tea.SetWindowTitle, entering or leaving the alternate screen
// while running, tea.ExecProcess and suspending with tea.Suspend.
package frame

import (
	"io"
	"os"
)

// Options say where a program runs.
type Options struct {
	// Input carries keys (and mouse reports). When it is a terminal it is
	// in raw mode while the program runs.
	Input io.Reader
	// Output is the terminal the frames are drawn on.
	Output *os.File
	// Mouse turns on click, wheel and drag reports (cell motion).
	Mouse bool
}
