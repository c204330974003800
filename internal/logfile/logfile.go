// Package logfile opens the --log-file: appended to, private to the user
// (mode 0600, whatever the file's mode was), and never through a symbolic
// link, which would let whoever placed the link choose what is appended to.
package logfile

import (
	"fmt"
	"os"
)

// Open opens path for appending, creating it with mode 0600. It refuses a
// symbolic link, anything but a regular file, a file owned by another user
// and a file with other hard links; an existing file readable or writable
// by group or others is made 0600 first. The caller closes the file.
func Open(path string) (*os.File, error) {
	// Lstat gives the clear message; the open itself refuses a link placed
	// after it (O_NOFOLLOW where the platform has it).
	if fi, err := os.Lstat(path); err == nil {
		if err := check(path, fi); err != nil {
			return nil, err
		}
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = check(path, fi)
	}
	if err == nil {
		err = private(f, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// check refuses what must not receive logs.
func check(path string, fi os.FileInfo) error {
	switch m := fi.Mode(); {
	case m&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: give the log file's own path", path)
	case !m.IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	}
	return owned(path, fi)
}
