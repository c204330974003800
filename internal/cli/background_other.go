//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package cli

import (
	"os"
	"time"
)

// queryBackground does not ask terminals here: COLORFGBG or dark decide.
func queryBackground(_, _ *os.File, _ time.Duration) (dark, ok bool) { return false, false }
