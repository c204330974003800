package doctor

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/edmtop/edmtop/termtext"
)

// Printer writes a run for a person as it goes: a heading per section, a
// line per check with its verdict and, under a problem, the fix. On a
// terminal (live) a progress line names the step under way and gives way
// to the check's line; piped, only the plain lines are written.
type Printer struct {
	mu      sync.Mutex // a sign-in prompt may come from another goroutine
	w       io.Writer
	live    bool
	ascii   *strings.Replacer
	section Section
	drawn   bool // a progress line is on the screen
}

var _ Progress = (*Printer)(nil)

// asciiGlyphs are the fallbacks where the font lacks the symbols (the
// Linux console, TERM=linux), as the dashboard's.
var asciiGlyphs = []string{"✓", "+", "✗", "x", "…", "...", "·", "|", "×", "x", "—", "-"}

// NewPrinter writes to w; live draws the progress line (a terminal),
// ascii spells the symbols in ASCII.
func NewPrinter(w io.Writer, live, ascii bool) *Printer {
	p := &Printer{w: w, live: live}
	if ascii {
		p.ascii = strings.NewReplacer(asciiGlyphs...)
	}
	return p
}

var sectionTitles = map[Section]string{
	SectionConfig: "Configuration", SectionSignIn: "Sign-in", SectionReach: "Reach",
	SectionAccess: "Access", SectionService: "What the service does",
}

var verdictGlyphs = map[Verdict]string{OK: "✓", Warn: "!", Fail: "✗", Skip: "-", NotRun: "?"}

func (p *Printer) print(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	if p.ascii != nil {
		s = p.ascii.Replace(s)
	}
	_, _ = io.WriteString(p.w, s)
}

// Above wraps w (stderr, where sign-in prompts go) so that what is written
// there first clears the progress line, instead of running on from it.
func (p *Printer) Above(w io.Writer) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		p.clear()
		p.mu.Unlock()
		return w.Write(b)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Begin writes the first line: which edmtop, where, and the time bound.
func (p *Printer) Begin(b Build, timeout time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print("edmtop doctor · edmtop %s on %s/%s · at most %s, read-only\n", termtext.OneLine(b.Version), b.OS, b.Arch, timeout)
}

// Step shows, on a terminal, what is being looked at.
func (p *Printer) Step(s Section, what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.heading(s)
	if !p.live {
		return
	}
	p.clear()
	p.print("  … %s", termtext.OneLine(what))
	p.drawn = true
}

// Done writes a check's line, and its fix or lines under it.
func (p *Printer) Done(c Check) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.heading(c.Section)
	p.clear()
	p.print("  %s %-16s %s\n", verdictGlyphs[c.Verdict], label(c.Title), c.Detail)
	if c.Fix != "" {
		p.print("      fix: %s\n", c.Fix)
	}
	for _, l := range c.Lines {
		p.print("      %s\n", termtext.OneLine(l))
	}
}

// label is a check's title cut to its column.
func label(title string) string {
	r := []rune(termtext.OneLine(title))
	if len(r) > 16 {
		return string(r[:15]) + "…"
	}
	return string(r)
}

func (p *Printer) heading(s Section) {
	if s == p.section {
		return
	}
	p.clear()
	p.section = s
	p.print("\n%s\n", sectionTitles[s])
}

func (p *Printer) clear() {
	if p.drawn {
		p.print("\r\x1b[K")
		p.drawn = false
	}
}

// End writes the verdict of the whole run and where the report went.
func (p *Printer) End(rep *Report, reportPath string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	s := rep.Summary
	warnings := ""
	if s.Warn > 0 {
		warnings = "; " + plural(s.Warn, "warning") + " above"
	}
	if rep.Exit == 0 {
		p.print("\n✓ edmtop has what it needs%s.\n", warnings)
	} else {
		var parts []string
		if s.Fail > 0 {
			parts = append(parts, plural(s.Fail, "problem")+" (fixes above)")
		}
		if s.NotRun > 0 {
			parts = append(parts, plural(s.NotRun, "check")+" not run")
		}
		p.print("\n✗ edmtop is not ready: %s%s.\n", strings.Join(parts, ", "), warnings)
		switch {
		case s.Interrupted:
			p.print("  Interrupted before every check ran.\n")
		case s.TimedOut:
			p.print("  The %s timeout passed before every check ran: --timeout gives more.\n", rep.Timeout)
		}
	}
	if reportPath != "" {
		names := "names replaced by placeholders"
		if rep.Names == "included" {
			names = "names included"
		}
		p.print("Report: %s (%s; no token or secret).\n", termtext.OneLine(reportPath), names)
	}
}
