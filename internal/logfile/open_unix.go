//go:build unix

package logfile

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// openNoFollow opens with O_NOFOLLOW (a symlink fails with ELOOP) and
// O_NONBLOCK, so a FIFO swapped in fails instead of blocking until a reader
// comes; O_NONBLOCK changes nothing for a regular file.
func openNoFollow(path, what string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|flag|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) { // EMLINK: FreeBSD's answer
		return nil, fmt.Errorf("%s is a symbolic link: give the %s's own path", path, what)
	}
	if errors.Is(err, syscall.ENXIO) { // a FIFO without a reader
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, err
}

// owned refuses a file another user owns (they could read it, or chmod it
// back) and one with other hard links (another name for someone's file).
func owned(path, what string, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s is owned by another user (uid %d): choose a %s of your own", path, st.Uid, what)
	}
	if st.Nlink > 1 {
		return fmt.Errorf("%s has %d hard links: give a %s of its own", path, st.Nlink, what)
	}
	return nil
}

// private makes an existing file 0600: a log or a report holds tenant ids,
// request ids and file names. Through the descriptor, so it is the file opened.
func private(f *os.File, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("%s is readable by others (mode %04o) and could not be made private: %w", f.Name(), fi.Mode().Perm(), err)
	}
	return nil
}
