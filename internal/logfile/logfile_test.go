package logfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesAndAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edmtop.log")
	appendTo(t, path, "one\n")
	appendTo(t, path, "two\n")
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "one\ntwo\n" {
		t.Errorf("content %q, %v", b, err)
	}
}

// The log was appended to a symlink's target (issue 17, item 4).
func TestOpenRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{"to a file": target, "dangling": filepath.Join(dir, "not-yet")} {
		t.Run(name, func(t *testing.T) {
			link := filepath.Join(dir, "link-"+strings.ReplaceAll(name, " ", "-"))
			if err := os.Symlink(dest, link); err != nil {
				t.Skipf("no symlinks here: %v", err)
			}
			f, err := Open(link)
			if err == nil {
				f.Close()
				t.Fatal("opened through a symlink")
			}
			if !strings.Contains(err.Error(), link+" is a symbolic link") {
				t.Errorf("error %v", err)
			}
		})
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Errorf("target changed: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(dir, "not-yet")); err == nil {
		t.Error("a dangling link's target was created")
	}
}

func TestOpenRefusesADirectory(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("got %v", err)
	}
}
