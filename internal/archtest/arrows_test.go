package archtest

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/edmtop/edmtop"

// root is the module's directory, two levels up from this package.
var root = filepath.Join("..", "..")

// The systems an import can differ on (build tags: ui/frame's input on
// Linux, auth's keychain on macOS, the background check on Windows).
var systems = []string{"linux", "darwin", "windows"}

// The map's table: each row names packages (in backticks, comma
// separated) and what they import of ours ("none", or names in backticks;
// text in parentheses says why and is not read).
func TestImportsFollowTheMap(t *testing.T) {
	want := readMap(t, filepath.Join(root, "docs", "architecture.md"))
	got := imports(t)
	for pkg, have := range got {
		claimed, listed := want[pkg]
		if !listed {
			t.Errorf("package %s is not in docs/architecture.md's import table (it imports %s)", pkg, list(have))
			continue
		}
		for _, imp := range have {
			if !slices.Contains(claimed, imp) {
				t.Errorf("new arrow %s -> %s: the map does not have it; add it to docs/architecture.md if it belongs (imports go one way)", pkg, imp)
			}
		}
		for _, imp := range claimed {
			if !slices.Contains(have, imp) {
				t.Errorf("the map says %s imports %s; it does not: correct docs/architecture.md", pkg, imp)
			}
		}
	}
	for pkg := range want {
		if _, ok := got[pkg]; !ok {
			t.Errorf("docs/architecture.md's import table lists %s, which is no package of the module", pkg)
		}
	}
}

// readMap reads the table under "## The packages and their arrows".
func readMap(t *testing.T, path string) map[string][]string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(text), "## The packages and their arrows")
	if !ok {
		t.Fatal(`docs/architecture.md has no "## The packages and their arrows"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	aside := regexp.MustCompile(`\([^)]*\)`)
	names := regexp.MustCompile("`([^`]+)`")
	arrows := map[string][]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 2 || !strings.HasPrefix(strings.TrimSpace(cells[0]), "`") {
			continue // not a row of the table, or its header
		}
		var imps []string
		for _, m := range names.FindAllStringSubmatch(aside.ReplaceAllString(cells[1], ""), -1) {
			imps = append(imps, m[1])
		}
		for _, m := range names.FindAllStringSubmatch(aside.ReplaceAllString(cells[0], ""), -1) {
			if _, dup := arrows[m[1]]; dup {
				t.Errorf("the table lists %s twice", m[1])
			}
			arrows[m[1]] = imps
		}
	}
	if len(arrows) == 0 {
		t.Fatal("docs/architecture.md's import table has no rows")
	}
	return arrows
}

// imports are the module's packages (by path inside the module, "main" for
// the root) and the module's packages each imports, in its non-test files
// on any of the systems.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, path)
		for _, goos := range systems {
			ctx := build.Default
			ctx.GOOS = goos
			p, err := ctx.ImportDir(path, 0)
			if err != nil || len(p.GoFiles)+len(p.CgoFiles) == 0 {
				continue // no Go files here for this system, or only tests (e2e)
			}
			pkg := filepath.ToSlash(rel)
			if pkg == "." {
				pkg = "main"
			}
			have := out[pkg]
			for _, imp := range p.Imports {
				if ours, ok := strings.CutPrefix(imp, module+"/"); ok && !slices.Contains(have, ours) {
					have = append(have, ours)
				}
			}
			out[pkg] = have
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, have := range out {
		sort.Strings(have)
	}
	return out
}

func list(imps []string) string {
	if len(imps) == 0 {
		return "none of ours"
	}
	return strings.Join(imps, ", ")
}
