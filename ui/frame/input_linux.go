package frame

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/charmbracelet/x/term"
)

// pollInput reopens a terminal input so that waiting for a key parks in
// Go's network poller instead of a blocking system call.
//
// Bubble Tea reads a terminal through epoll_wait, a blocking call: after a
// key wakes the event loop, the reader goes straight back into that call,
// and its processor stays with it, holding the event loop in its queue
// until the runtime's monitor takes the processor back, up to 10 ms later
// when the other processors are busy (a large listing being decoded). A
// reader that parks in the poller hands the processor to the event loop
// at once.
//
// The terminal is opened anew (/proc/self/fd/N opens the device itself):
// os.OpenFile registers it with the poller and makes it non-blocking,
// which then belongs to this open file alone, not to the shell's, nor to
// the output the frames are written to (a file the poller refuses stays
// blocking, and is read as before). Anything else (not a terminal, no
// /proc) is read as before. stop ends the reading: a read then returns
// io.EOF, which Bubble Tea takes as the input's end.
func pollInput(in io.Reader) (r io.Reader, stop func()) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return in, func() {}
	}
	path := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	polled, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return in, func() {}
	}
	return polledInput{polled}, func() { _ = polled.Close() }
}

// polledInput is only an io.Reader: Bubble Tea reads it as it comes
// instead of waiting on its descriptor with epoll.
type polledInput struct{ f *os.File }

func (p polledInput) Read(b []byte) (int, error) {
	n, err := p.f.Read(b)
	if errors.Is(err, os.ErrClosed) {
		return n, io.EOF
	}
	return n, err
}
