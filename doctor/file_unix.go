//go:build unix

package doctor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// openReport opens for writing without following a symbolic link
// (O_NOFOLLOW) and without blocking on a FIFO swapped in (O_NONBLOCK); it
// does not truncate: WriteReport empties the file once it is checked.
func openReport(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) { // EMLINK: FreeBSD's answer
		return nil, fmt.Errorf("%s is a symbolic link: give the report's own path", path)
	}
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, err
}

// owned refuses another user's file and one with other hard links.
func owned(path string, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s is owned by another user (uid %d): write the report to a file of your own", path, st.Uid)
	}
	if st.Nlink > 1 {
		return fmt.Errorf("%s has %d hard links: write the report to a file of its own", path, st.Nlink)
	}
	return nil
}

// private makes the file 0600 through its descriptor.
func private(f *os.File, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return f.Chmod(0o600)
}

func parentDir(path string) string { return filepath.Dir(path) }
