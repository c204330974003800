package frame

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// A terminal input is read through its own non-blocking open file: keys
// arrive, the terminal's own open file stays blocking (the shell and the
// output share it), and stop ends a read that is waiting.
func TestPollInputReadsTheTerminalAndStops(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if _, err := term.MakeRaw(tty.Fd()); err != nil { // keys one by one, as the dashboard has them
		t.Fatal(err)
	}
	r, stop := pollInput(tty)
	if _, ok := r.(polledInput); !ok {
		t.Fatalf("a terminal input is read as %T, want polledInput", r)
	}
	if _, err := ptmx.WriteString("j"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	read := make(chan string, 1)
	go func() {
		n, err := r.Read(buf)
		read <- fmt.Sprintf("%q %v", buf[:n], err)
	}()
	select {
	case got := <-read:
		if got != `"j" <nil>` {
			t.Fatalf("read %s; want the key j", got)
		}
	case <-time.After(5 * time.Second):
		stop()
		t.Fatal("the key did not arrive")
	}
	flags, err := unix.FcntlInt(tty.Fd(), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_NONBLOCK != 0 {
		t.Errorf("the terminal's own open file is non-blocking (flags %#x, %v)", flags, err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := r.Read(buf)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // the read is waiting for a key
	stop()
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("a stopped read returned %v, want io.EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not end a waiting read")
	}
}

// Anything else is read as it is.
func TestPollInputLeavesOtherInputs(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for _, in := range []io.Reader{pr, strings.NewReader("q")} {
		if r, stop := pollInput(in); r != in {
			t.Errorf("%T is read as %T", in, r)
		} else {
			stop()
		}
	}
}
