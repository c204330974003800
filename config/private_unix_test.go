//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin fails the test instead of hanging when Load blocks.
func loadWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(path, false)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Load(%s) still running after 5s", path)
		return nil
	}
}

func TestLoadRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadWithin(t, fifo); err == nil || !strings.Contains(err.Error(), "named pipe (FIFO), not a regular file") {
		t.Errorf("FIFO: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if err := loadWithin(t, "/dev/zero"); err == nil || !strings.Contains(err.Error(), "is a device") {
		t.Errorf("/dev/zero: %v", err)
	}
}

func TestLoadRefusesFilesOthersCanChange(t *testing.T) {
	const content = "endpoint: https://graph.microsoft.com/beta\n"
	write := func(t *testing.T, dir string, mode os.FileMode) string {
		t.Helper()
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // not subject to the umask
			t.Fatal(err)
		}
		return p
	}
	chmodDir := func(t *testing.T, mode os.FileMode) string {
		t.Helper()
		d := t.TempDir()
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name    string
		dirMode os.FileMode
		mode    os.FileMode
		want    string // "" loads
		fixes   string // the path chmod go-w is advised for: "file" or "dir"
	}{
		{"private", 0o700, 0o600, "", ""},
		{"readable by all", 0o755, 0o644, "", ""},
		{"world-writable file", 0o700, 0o666, "writable by group or others (mode 0666)", "file"},
		{"group-writable file", 0o700, 0o620, "writable by group or others (mode 0620)", "file"},
		{"world-writable directory", 0o777, 0o600, "is writable by group or others (mode 0777)", "dir"},
		{"group-writable directory", 0o770, 0o600, "is writable by group or others (mode 0770)", "dir"},
		{"sticky directory", 0o777 | os.ModeSticky, 0o600, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := chmodDir(t, tc.dirMode)
			p := write(t, dir, tc.mode)
			_, err := Load(p, false)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			fix := "chmod go-w " + p
			if tc.fixes == "dir" {
				fix = "chmod go-w " + dir
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), fix) {
				t.Errorf("got %v, want %q and the fix %q", err, tc.want, fix)
			}
		})
	}
	t.Run("optional default location", func(t *testing.T) {
		p := write(t, t.TempDir(), 0o666)
		if _, err := Load(p, true); err == nil {
			t.Error("an existing default config is checked too")
		}
	})
	t.Run("symlink into a writable directory", func(t *testing.T) {
		target := write(t, chmodDir(t, 0o777), 0o600)
		link := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(link, false); err == nil || !strings.Contains(err.Error(), "chmod go-w "+filepath.Dir(target)) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("symlink to a private file", func(t *testing.T) {
		target := write(t, t.TempDir(), 0o600)
		link := filepath.Join(t.TempDir(), "config.yaml")
		os.Symlink(target, link)
		if f, err := Load(link, false); err != nil || func() bool { v, _ := f.Value("endpoint"); return v == "" }() {
			t.Errorf("a dotfiles-style symlink: %v", err)
		}
	})
	t.Run("owned by another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give a file away")
		}
		p := write(t, t.TempDir(), 0o644)
		if err := os.Chown(p, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p, false); err == nil || !strings.Contains(err.Error(), "owned by another user (uid 4242)") {
			t.Errorf("got %v", err)
		}
	})
}

// A directory above the file's own that others can write lets them swap
// the whole branch (issue 23, item 17); sticky directories do not.
func TestLoadRefusesAWritableDirectoryAbove(t *testing.T) {
	nested := func(t *testing.T, topMode os.FileMode) (top, file string) {
		t.Helper()
		top = t.TempDir()
		sub := filepath.Join(top, "sub", "edmtop")
		if err := os.MkdirAll(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		file = filepath.Join(sub, "config.yaml")
		if err := os.WriteFile(file, []byte("cloud: global\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(top, topMode); err != nil {
			t.Fatal(err)
		}
		return top, file
	}
	cases := []struct {
		name string
		mode os.FileMode
		want string // "" loads
	}{
		{"world-writable", 0o777, "a directory above it, %s is writable by group or others (mode 0777) without the sticky bit"},
		{"group-writable", 0o770, "a directory above it, %s is writable by group or others (mode 0770)"},
		{"sticky, as /tmp", 0o777 | os.ModeSticky, ""},
		{"private", 0o755, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top, file := nested(t, tc.mode)
			_, err := Load(file, false)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(tc.want, top)) || !strings.HasSuffix(err.Error(), "chmod go-w "+top) {
				t.Errorf("got %v, want it to name %s", err, top)
			}
		})
	}
	t.Run("relative path", func(t *testing.T) {
		top, _ := nested(t, 0o777)
		t.Chdir(filepath.Join(top, "sub"))
		if _, err := Load(filepath.Join("edmtop", "config.yaml"), false); err == nil || !strings.Contains(err.Error(), " "+top+" is writable") {
			t.Errorf("got %v, want it to name %s", err, top)
		}
	})
	t.Run("symlink to a file under a writable directory", func(t *testing.T) {
		top, target := nested(t, 0o777)
		link := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(link, false); err == nil || !strings.Contains(err.Error(), " "+top+" is writable") {
			t.Errorf("got %v, want it to name %s", err, top)
		}
	})
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/a/.config/edmtop/config.yaml": "/home/a/.config/edmtop/config.yaml",
		"/Users/a b/config.yaml":             "'/Users/a b/config.yaml'",
		"/tmp/it's.yaml":                     `'/tmp/it'\''s.yaml'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
