package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the module's directory, two levels up from this package.
var root = filepath.Join("..", "..")

// blobMain is how the alert rules and docs link to a file of this
// repository on GitHub: checked as the file it names.
const blobMain = "https://github.com/edmtop/edmtop/blob/main/"

// Every link between the repository's Markdown pages leads to a file that
// exists and, when it names one, to a heading that exists: moving a
// section (issue 26 moved most of the README into docs/) cannot leave a
// link behind.
func TestLinksResolve(t *testing.T) {
	pages := markdownPages(t)
	if len(pages) < 10 {
		t.Fatalf("found %d Markdown pages, want the README, CONTRIBUTING.md and docs/", len(pages))
	}
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		anchors[path] = Anchors(string(text))
		return anchors[path]
	}
	checked := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range Links(string(text)) {
			if problem := resolve(page, l.Target, anchorsOf); problem != "" {
				t.Errorf("%s:%d: link %q: %s", rel(page), l.Line, l.Target, problem)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no link checked")
	}
}

// resolve says what is wrong with a link from page, or "".
func resolve(page, target string, anchorsOf func(string) map[string]bool) string {
	switch {
	case strings.HasPrefix(target, blobMain):
		target = strings.TrimPrefix(target, blobMain)
		page = filepath.Join(root, "README.md") // relative to the root
	case strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:"):
		return "" // outside the repository: not checked here
	}
	path, anchor, _ := strings.Cut(target, "#")
	file := page
	if path != "" {
		file = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
	}
	if r, err := filepath.Rel(root, file); err != nil || strings.HasPrefix(r, "..") {
		return "leads outside the repository"
	}
	info, err := os.Stat(file)
	if err != nil {
		return "no such file"
	}
	if anchor == "" {
		return ""
	}
	if info.IsDir() || !strings.HasSuffix(file, ".md") {
		return "an anchor into something that is not a Markdown page"
	}
	if !anchorsOf(file)[anchor] {
		return "no heading of " + rel(file) + " has the anchor #" + anchor
	}
	return ""
}

// markdownPages are the repository's .md files, outside hidden
// directories and testdata.
func markdownPages(t *testing.T) []string {
	t.Helper()
	var pages []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func rel(path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}
