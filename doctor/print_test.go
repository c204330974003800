package doctor

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"
)

func printed(t *testing.T, live, ascii bool) string {
	t.Helper()
	tn := demoTenant(t, 0)
	var out bytes.Buffer
	p := NewPrinter(&out, live, ascii)
	o := tn.options()
	o.Progress = p
	p.Begin(o.Build, o.Timeout)
	rep := Run(context.Background(), o)
	p.End(rep, "/tmp/report.json")
	return tn.normalize(out.String())
}

// On a terminal each step shows a progress line that the check's line
// replaces; piped, the lines come plain, without escapes.
func TestPrinterLiveAndPiped(t *testing.T) {
	live := printed(t, true, false)
	if !strings.Contains(live, "  … data stores\r\x1b[K  ✓ data stores") {
		t.Errorf("no progress line replaced by its check:\n%q", live)
	}
	piped := printed(t, false, false)
	if strings.ContainsAny(piped, "\r\x1b") || strings.Contains(piped, "…  ") {
		t.Errorf("piped output has escapes or progress:\n%q", piped)
	}
	// What stays on a terminal is what a pipe gets.
	if got := erase(live); got != piped {
		t.Errorf("live output, progress erased, differs from piped:\n%s\n---\n%s", got, piped)
	}
	if !strings.Contains(piped, "Report: /tmp/report.json (names included; no token or secret).") {
		t.Errorf("no report line:\n%s", piped)
	}
}

// erase applies the progress line's carriage returns and erasures.
func erase(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.LastIndex(l, "\r\x1b[K"); i >= 0 {
			l = l[i+len("\r\x1b[K"):]
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// TERM=linux: every symbol in ASCII (the simulator's names are ASCII).
func TestPrinterASCII(t *testing.T) {
	out := printed(t, true, true)
	for _, r := range out {
		if r > unicode.MaxASCII {
			t.Fatalf("non-ASCII %q in:\n%s", r, out)
		}
	}
	for _, want := range []string{"  + data stores", "... data stores", "edmtop doctor | edmtop"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

func TestLabelFitsItsColumn(t *testing.T) {
	if got := label("A very long data store name"); got != "A very long dat…" {
		t.Errorf("%q", got)
	}
	if got := label("evil\x1b[2Jname"); strings.ContainsRune(got, '\x1b') {
		t.Errorf("escape kept: %q", got)
	}
}

// A sign-in prompt written to stderr starts on a line of its own.
func TestPrinterAbove(t *testing.T) {
	var out, errs bytes.Buffer
	p := NewPrinter(&out, true, false)
	p.Step(SectionSignIn, "token")
	fmt.Fprintln(p.Above(&errs), "To sign in, open the page and enter the code ABC.")
	if !strings.HasSuffix(out.String(), "  … token\r\x1b[K") || errs.String() != "To sign in, open the page and enter the code ABC.\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errs.String())
	}
}
