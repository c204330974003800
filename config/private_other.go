//go:build !unix

package config

import "os"

const openFlags = 0

// checkPrivate checks nothing here: Windows keeps a profile's files private
// with ACLs, which mode bits do not describe.
func checkPrivate(string, os.FileInfo) error { return nil }

// CheckPrivate checks nothing here (see checkPrivate).
func CheckPrivate(string, os.FileInfo, string) error { return nil }
