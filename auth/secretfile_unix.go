//go:build unix

package auth

import (
	"os"
	"syscall"

	"github.com/edmtop/edmtop/config"
)

// openFlags: O_NONBLOCK keeps a FIFO swapped in after the Stat from
// blocking the open; it changes nothing for a regular file.
const openFlags = syscall.O_NONBLOCK

// checkPrivate refuses, as for the config file, a secret file another
// local user could change (they could swap in their own app's secret).
func checkPrivate(path string, fi os.FileInfo) error {
	return config.CheckPrivate(path, fi, "swap in their own app's secret")
}
