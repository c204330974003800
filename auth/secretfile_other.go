//go:build !unix

package auth

import "os"

const openFlags = 0

// checkPrivate checks nothing here: Windows keeps files private with ACLs,
// which mode bits do not describe.
func checkPrivate(string, os.FileInfo) error { return nil }
