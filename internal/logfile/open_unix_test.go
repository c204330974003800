//go:build unix

package logfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// A pre-existing 0644/0666 log kept its mode (issue 17, item 4).
func TestOpenMakesAnExistingFilePrivate(t *testing.T) {
	for _, m := range []os.FileMode{0o600, 0o644, 0o666, 0o640, 0o604} {
		path := filepath.Join(t.TempDir(), "edmtop.log")
		os.WriteFile(path, []byte("old\n"), 0o600)
		if err := os.Chmod(path, m); err != nil {
			t.Fatal(err)
		}
		appendTo(t, path, "new\n")
		if got := mode(t, path); got != 0o600 {
			t.Errorf("%04o became %04o, want 0600", m, got)
		}
		if b, _ := os.ReadFile(path); string(b) != "old\nnew\n" {
			t.Errorf("%04o: content %q", m, b)
		}
	}
}

func TestOpenCreatesPrivately(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "edmtop.log")
	appendTo(t, path, "x\n")
	if got := mode(t, path); got != 0o600 {
		t.Errorf("new file %04o, want 0600", got)
	}
}

// The open itself refuses a link that appears after the Lstat.
func TestOpenNoFollow(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	os.WriteFile(target, nil, 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if f, err := openNoFollow(link, "log file", os.O_APPEND); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		if f != nil {
			f.Close()
		}
		t.Errorf("got %v", err)
	}
}

func TestOpenRefusesAFIFOWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "edmtop.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := openNoFollow(fifo, "log file", os.O_APPEND) // past the Lstat, as if swapped in
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
	if _, err := Open(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open: %v", err)
	}
}

func TestOpenRefusesAHardLink(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "someone-elses")
	os.WriteFile(other, []byte("keep\n"), 0o600)
	path := filepath.Join(dir, "edmtop.log")
	if err := os.Link(other, path); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "2 hard links") {
		t.Errorf("got %v", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep\n" {
		t.Errorf("changed: %q", b)
	}
}

func TestOpenRefusesAnotherUsersFile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file away")
	}
	path := filepath.Join(t.TempDir(), "edmtop.log")
	os.WriteFile(path, nil, 0o644)
	if err := os.Chown(path, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "owned by another user (uid 4242)") {
		t.Errorf("got %v", err)
	}
	if got := mode(t, path); got != 0o644 {
		t.Errorf("another user's file was changed to %04o", got)
	}
}
