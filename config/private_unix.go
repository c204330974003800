//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openFlags: O_NONBLOCK keeps a FIFO swapped in after the Stat from
// blocking the open; it changes nothing for a regular file.
const openFlags = syscall.O_NONBLOCK

// checkPrivate refuses, as ssh does, a config file that another local user
// could change: it names the endpoint edmtop sends the token to. fi is the
// file's Stat (symlinks followed).
func checkPrivate(path string, fi os.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("writable by group or others (mode %04o): another local user could point edmtop at their server and receive your token; fix: chmod go-w %s", perm, shellQuote(path))
	}
	if uid, ok := owner(fi); ok && uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("owned by another user (uid %d), who could change it at any time: use a config file of your own", uid)
	}
	// Whoever can write the directory can replace the file; for a symlink,
	// that is the link's directory and the target's.
	dirs := []string{filepath.Dir(path)}
	if target, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(target) != dirs[0] {
		dirs = append(dirs, filepath.Dir(target))
	}
	for _, d := range dirs {
		di, err := os.Stat(d)
		if err != nil {
			return err
		}
		perm := di.Mode().Perm()
		// In a sticky directory (/tmp) others cannot replace a file they do
		// not own, and the owner was checked above.
		if perm&0o022 == 0 || di.Mode()&os.ModeSticky != 0 {
			continue
		}
		return fmt.Errorf("its directory %s is writable by group or others (mode %04o): another local user could replace the file and receive your token; fix: chmod go-w %s", d, perm, shellQuote(d))
	}
	return nil
}

func owner(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// shellQuote makes the fix copy-pasteable for any path.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+~@%:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
