package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
)

func firstNonASCII(s string) (rune, int) {
	for i, r := range s {
		if r >= utf8.RuneSelf {
			return r, i
		}
	}
	return 0, -1
}

// Every string literal the dashboard's packages draw from (ui, the keymap's
// help, present's text) comes out in ASCII, at the same width, when the
// ASCII glyph set is on: a glyph added without a fallback fails here.
func TestASCIIGlyphsCoverEveryLiteral(t *testing.T) {
	g := newGlyphSet(true)
	var files []string
	for _, dir := range []string{".", "../keymap", "../present"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range matches {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	if len(files) < 20 {
		t.Fatalf("only %d source files found", len(files))
	}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			// Text without room after it: an ellipsis takes the short form.
			drawn := g.draw(s)
			if r, _ := firstNonASCII(drawn); r != 0 {
				t.Errorf("%s: %q has no ASCII fallback for %q", fset.Position(lit.Pos()), s, r)
			}
			if ansi.StringWidth(drawn) != ansi.StringWidth(s) {
				t.Errorf("%s: %q changes width as %q", fset.Position(lit.Pos()), s, drawn)
			}
			return true
		})
	}
	for _, r := range sparkBlocks {
		if d := g.draw(string(r)); len(d) != 1 {
			t.Errorf("sparkline block %q drawn as %q", r, d)
		}
	}
}

// With ASCII on, every screen the dashboard can show is 7-bit: the table,
// panes, prompts, help, the fleet screen, the event log, a busy row's spinner,
// at several sizes.
func TestASCIIScreens(t *testing.T) {
	svc := newFake()
	svc.stores = []graphapi.DataStore{{ID: testStore, DisplayName: "Employee records", Columns: employeeColumns()}}
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
		Now: func() time.Time { return testNow }, ASCII: true})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	run(m, m.Init())
	release := make(chan struct{})
	svc.renewFn = func(string, string) (graphapi.Session, error) {
		<-release
		return graphapi.Session{}, &graphapi.Error{StatusCode: 403, Code: "accessDenied", Message: "no", Target: "t",
			InnerCodes: []string{"a"}, Details: []graphapi.ErrorDetail{{Code: "d", Message: "m"}}}
	}
	check := func(what string) {
		t.Helper()
		v := m.View()
		if r, i := firstNonASCII(v); r != 0 {
			t.Errorf("%s: %q drawn at %q", what, r, v[max(i-30, 0):min(i+30, len(v))])
		}
	}
	steps := []struct {
		what string
		do   func()
	}{
		{"table", func() {}},
		{"details", func() { press(m, "enter") }},
		{"details, end", func() { press(m, "tab", "G", "tab") }},
		{"errors of a failed session", func() { press(m, "G", "e") }},
		{"marked and selected", func() { press(m, "esc", "g", "j", " ", "k", " ", "k") }},
		{"sorted reversed", func() { press(m, "s", "S") }},
		{"filter", func() { press(m, "/", "e") }},
		{"filter matching nothing", func() { press(m, "z", "z", "enter") }},
		{"cancel prompt", func() { press(m, "esc", "g", "j", "c") }},
		{"renew in flight", func() {
			press(m, "n")
			_, cmd := m.Update(keyMsg("r"))
			m.Update(m.sh.spinner.Tick())
			check("renew in flight (spinner)")
			close(release)
			run(m, cmd)
		}},
		{"failed call", func() { press(m, "e") }},
		{"paused", func() { press(m, "esc", "p") }},
		{"help", func() { press(m, "?") }},
		{"event log", func() { press(m, "?", "L") }},
		{"fleet", func() { press(m, "L", "d") }},
		{"fleet help", func() { press(m, "?") }},
		{"narrow", func() { press(m, "?"); m.Update(tea.WindowSizeMsg{Width: 50, Height: 10}) }},
		{"too small", func() { m.Update(tea.WindowSizeMsg{Width: 30, Height: 5}) }},
		{"wide", func() { m.Update(tea.WindowSizeMsg{Width: 200, Height: 60}); press(m, "esc") }},
	}
	for _, s := range steps {
		s.do()
		check(s.what)
	}
}
