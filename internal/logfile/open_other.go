//go:build !unix

package logfile

import "os"

// openNoFollow cannot refuse a link at open here; Open's Lstat and the
// check of the opened file cover it.
func openNoFollow(path, _ string, flag int) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|flag|os.O_CREATE, 0o600)
}

// owned has nothing to check: Windows keeps a profile's files private with
// ACLs, which mode bits do not describe.
func owned(string, string, os.FileInfo) error { return nil }

func private(*os.File, os.FileInfo) error { return nil }
