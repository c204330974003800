//go:build !unix

package config

import "os"

const openFlags = 0

// CheckPrivate checks nothing here: Windows keeps a profile's files
// private with ACLs, which mode bits do not describe.
func CheckPrivate(string, os.FileInfo, string) error { return nil }
