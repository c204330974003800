//go:build !unix

package doctor

import (
	"os"
	"path/filepath"
)

// openReport cannot refuse a link at open here; WriteReport's Lstat and
// the check of the opened file cover it.
func openReport(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
}

// owned has nothing to check: Windows keeps a profile's files private with
// ACLs, which mode bits do not describe.
func owned(string, os.FileInfo) error { return nil }

func private(*os.File, os.FileInfo) error { return nil }

func parentDir(path string) string { return filepath.Dir(path) }
