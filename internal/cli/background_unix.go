//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package cli

import (
	"io"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// queryBackground asks the terminal for its background colour (OSC 11) and
// reads the answer for at most wait. It restores the terminal before it
// returns, so it never races the dashboard for the terminal's mode.
func queryBackground(in, out *os.File, wait time.Duration) (dark, ok bool) {
	fd := int(in.Fd())
	// A background job reading its controlling terminal would be stopped
	// (SIGTTIN). The call fails on a terminal that is not ours: no job control.
	if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil && pgrp != unix.Getpgrp() {
		return false, false
	}
	state, err := term.MakeRaw(in.Fd())
	if err != nil {
		return false, false
	}
	defer func() { _ = term.Restore(in.Fd(), state) }()
	if _, err := io.WriteString(out, "\x1b]11;?\x1b\\\x1b[6n"); err != nil {
		return false, false
	}
	deadline := time.Now().Add(wait)
	var reply []byte
	for len(reply) < 256 {
		left := time.Until(deadline)
		if left <= 0 || !readable(fd, left) {
			return false, false
		}
		var b [64]byte
		n, err := unix.Read(fd, b[:])
		if err != nil || n <= 0 {
			return false, false
		}
		reply = append(reply, b[:n]...)
		if dark, ok, done := parseBackgroundReply(reply); done {
			return dark, ok
		}
	}
	return false, false
}

// readable waits up to d for fd to have input.
func readable(fd int, d time.Duration) bool {
	tv := unix.NsecToTimeval(d.Nanoseconds())
	for {
		var set unix.FdSet
		set.Set(fd)
		n, err := unix.Select(fd+1, &set, nil, nil, &tv)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}
