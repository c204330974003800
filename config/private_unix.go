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

// CheckPrivate refuses a file another local user could change: writable
// by group or others, owned by another user than root or the caller, or
// below a directory (up to /) that group or others can write without the
// sticky bit. fi is the file's Stat (symlinks followed); risk says what
// such a user could then do, for the message. Readable by others is the
// caller's choice (a Kubernetes Secret mounts 0644).
func CheckPrivate(path string, fi os.FileInfo, risk string) error {
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("writable by group or others (mode %04o): another local user could %s; fix: chmod go-w %s", perm, risk, shellQuote(path))
	}
	if uid, ok := owner(fi); ok && uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("owned by another user (uid %d), who could change it at any time: use a file of your own", uid)
	}
	return checkDirs(path, risk)
}

// checkDirs refuses a file below a directory that group or others can
// write without the sticky bit, up to the root, as ssh does: whoever can
// write any of them can rename what is below it and put their own file in
// its place. For a symlink the link's directories and the target's are
// checked. In a sticky directory (/tmp) others cannot move what they do
// not own.
func checkDirs(path, risk string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	paths := []string{abs}
	if target, err := filepath.EvalSymlinks(abs); err == nil && target != abs {
		paths = append(paths, target)
	}
	checked := map[string]bool{}
	for _, p := range paths {
		parent := filepath.Dir(p)
		for d := parent; !checked[d]; d = filepath.Dir(d) {
			checked[d] = true
			if err := checkDir(d, d == parent, risk); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkDir(d string, parent bool, risk string) error {
	di, err := os.Stat(d)
	if err != nil {
		return err
	}
	perm := di.Mode().Perm()
	if perm&0o022 == 0 || di.Mode()&os.ModeSticky != 0 {
		return nil
	}
	which := "its directory"
	if !parent {
		which = "a directory above it,"
	}
	return fmt.Errorf("%s %s is writable by group or others (mode %04o) without the sticky bit: another local user could replace the file and %s; fix: chmod go-w %s",
		which, d, perm, risk, shellQuote(d))
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
