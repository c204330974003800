//go:build unix && !linux

package frame

import "io"

// pollInput leaves the input as it is: reopening a terminal through
// /dev/fd elsewhere shares its open file, and with it the non-blocking
// flag.
func pollInput(in io.Reader) (io.Reader, func()) { return in, func() {} }
