// Package logfile opens the files edmtop writes for the user alone: the
// --log-file (appended to) and a doctor report (written anew). Each is
// private to the user (mode 0600, whatever the file's mode was) and never
// opened through a symbolic link, which would let whoever placed the link
// choose what is written to.
package logfile

import (
	"errors"
	"fmt"
	"os"
)

// Open opens path for appending, creating it with mode 0600. It refuses a
// symbolic link, anything but a regular file, a file owned by another user
// and a file with other hard links; an existing file readable or writable
// by group or others is made 0600 first. The caller closes the file.
func Open(path string) (*os.File, error) {
	return open(path, "log file", os.O_APPEND)
}

// Create opens path to be written anew, as Open would open it (what names
// the file in errors, e.g. "report"), and empties it once the opened file
// is checked: never a file swapped in after the check.
func Create(path, what string) (*os.File, error) {
	f, err := open(path, what, 0)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Check refuses, before anything is written, a path Open and Create would
// refuse (nil when nothing is there yet).
func Check(path, what string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return check(path, what, fi)
}

func open(path, what string, flag int) (*os.File, error) {
	// Lstat gives the clear message; the open itself refuses a link placed
	// after it (O_NOFOLLOW where the platform has it).
	if err := Check(path, what); err != nil {
		return nil, err
	}
	f, err := openNoFollow(path, what, flag)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = check(path, what, fi)
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

// check refuses what must not be written to.
func check(path, what string, fi os.FileInfo) error {
	switch m := fi.Mode(); {
	case m&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: give the %s's own path", path, what)
	case !m.IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	}
	return owned(path, what, fi)
}
