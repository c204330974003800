package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// stampLayout starts each progress line written to a log (not a
// terminal): a job's log then says when each change and outage happened.
const stampLayout = "2006-01-02 15:04:05Z07:00"

// progressLine writes a session's progress to stderr when it changes: on a
// terminal one line redrawn in place, otherwise a timestamped line per
// change. Notes (Graph failing, back again) go the same way.
type progressLine struct {
	w       io.Writer
	inPlace bool
	width   int
	last    string // the key of the progress shown last
	text    string // the progress shown last, for a note drawn after it
	drawn   bool
	rate    rateMeter
}

func newProgressLine(w io.Writer, inPlace bool) *progressLine {
	p := &progressLine{w: w, inPlace: inPlace}
	if inPlace {
		p.width = terminalWidth(w)
	}
	return p
}

// show writes the line if state, upload % or processing % changed since
// the last one. The rate alone does not count as a change.
func (p *progressLine) show(s *graphapi.Session, now time.Time) {
	rate := p.rate.observe(s, now)
	key := fmt.Sprintf("%s|%s|%s", s.State, present.Percent(s.UploadProgress()), present.Percent(s.ProcessingProgress()))
	if key == p.last {
		return
	}
	p.last = key
	line := termtext.OneLine(orDash(s.FileName)) + ": " + progressText(s)
	if rate != "" {
		line += " · " + rate
	}
	p.text = line
	p.write(now, line)
}

// note says something about the wait itself. On a terminal it follows the
// progress on its line, until the next reading redraws the progress.
func (p *progressLine) note(now time.Time, msg string) {
	if !p.inPlace {
		p.write(now, msg)
		return
	}
	if p.text != "" {
		msg = p.text + " · " + msg
	}
	p.write(now, msg)
	p.last = ""
}

func (p *progressLine) write(now time.Time, line string) {
	if !p.inPlace {
		fmt.Fprintln(p.w, now.Format(stampLayout)+" "+line)
		return
	}
	if p.width > 1 {
		line = ansi.Truncate(line, p.width-1, "…")
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.drawn = true
}

// end finishes an in-place line: kept on a normal end, erased when
// interrupted (Ctrl+C prints nothing else).
func (p *progressLine) end(interrupted bool) {
	if !p.drawn {
		return
	}
	p.drawn = false
	if interrupted {
		fmt.Fprint(p.w, "\r\x1b[K")
		return
	}
	fmt.Fprintln(p.w)
}

// rateMeter measures the active phase's pace (blocks while uploading, jobs
// while processing) since wait first saw that phase.
type rateMeter struct {
	unit  string
	since time.Time
	done  int64
}

func (r *rateMeter) observe(s *graphapi.Session, now time.Time) string {
	unit, p := "blocks", s.UploadProgress()
	if !p.Known || p.Done >= p.Total {
		unit, p = "jobs", s.ProcessingProgress()
	}
	if !p.Known || p.Done >= p.Total || health.Final(s) {
		r.unit = ""
		return ""
	}
	if r.unit != unit {
		*r = rateMeter{unit: unit, since: now, done: p.Done}
		return ""
	}
	elapsed := now.Sub(r.since)
	if elapsed < time.Second || p.Done <= r.done {
		return ""
	}
	perMinute := float64(p.Done-r.done) / elapsed.Minutes()
	return fmt.Sprintf("%.1f %s/min", perMinute, unit)
}
