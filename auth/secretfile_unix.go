//go:build unix

package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// openFlags: O_NONBLOCK keeps a FIFO swapped in after the Stat from
// blocking the open; it changes nothing for a regular file.
const openFlags = syscall.O_NONBLOCK

// checkPrivate refuses, as for the config file, a secret file another
// local user could change (they could swap in their own app's secret):
// writable by group or others, owned by another user than root or us, or
// in a directory others can write to (a sticky one is fine). Readable by
// others is the deployment's choice: a Kubernetes Secret mounts 0644.
func checkPrivate(path string, fi os.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("writable by group or others (mode %04o): another local user could change the secret; fix: chmod go-w %s", perm, path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("owned by another user (uid %d), who could change it at any time", st.Uid)
	}
	dirs := []string{filepath.Dir(path)}
	if target, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(target) != dirs[0] {
		dirs = append(dirs, filepath.Dir(target))
	}
	for _, d := range dirs {
		di, err := os.Stat(d)
		if err != nil {
			return err
		}
		if perm := di.Mode().Perm(); perm&0o022 != 0 && di.Mode()&os.ModeSticky == 0 {
			return fmt.Errorf("its directory %s is writable by group or others (mode %04o): another local user could replace the file; fix: chmod go-w %s", d, perm, d)
		}
	}
	return nil
}
