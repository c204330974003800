package doctor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// runner is one run's state: the report being filled and what later steps
// need from earlier ones.
type runner struct {
	o   Options
	rep *Report
	obs *observer

	cred   *auth.Credential
	client *graphapi.Client
	stores []graphapi.DataStore

	// Why a later step cannot run; "" when it can.
	noConfig, noGraph, noToken, noStores string
}

// Run runs every check, bounded by o.Timeout as a whole, and returns the
// report. It sends no request but GET (a transport refuses any other), so
// it never renews, cancels or commits.
func Run(ctx context.Context, o Options) *Report {
	o = o.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	r := &runner{o: o, obs: newObserver(o), rep: &Report{
		Schema: ReportSchema, Edmtop: o.Build, At: o.Now().UTC().Truncate(time.Second), Timeout: o.Timeout.String(),
		Names: "included", Config: o.Config, names: newNamer(),
	}}
	r.configuration()
	r.signIn(ctx)
	r.reach(ctx)
	r.access(ctx)
	r.service(ctx)
	r.finish()
	return r.rep
}

// emit records a finished check and hands it on.
func (r *runner) emit(c Check) {
	// A check Ctrl+C cut short did not fail: it did not finish.
	if c.Verdict == Fail && r.rep.Summary.Interrupted && strings.HasSuffix(c.Detail, "interrupted") {
		c.Verdict, c.Fix = NotRun, ""
	}
	c.Title, c.Store = termtext.OneLine(c.Title), termtext.OneLine(c.Store)
	c.Detail, c.Fix = termtext.OneLine(c.Detail), termtext.OneLine(c.Fix)
	r.rep.Checks = append(r.rep.Checks, c)
	r.o.Progress.Done(c)
}

// ready reports whether a step may start: the deadline has not passed and
// nothing it needs is missing. Otherwise it records the step as not run.
func (r *runner) ready(ctx context.Context, s Section, id, title string, missing ...string) bool {
	why := r.cut(ctx)
	for _, m := range missing {
		if why == "" && m != "" {
			why = m
		}
	}
	if why != "" {
		r.emit(Check{ID: id, Section: s, Title: title, Verdict: NotRun, Detail: "not run: " + why})
		return false
	}
	r.o.Progress.Step(s, title)
	return true
}

// cut says why the run is stopping early: "" while it is not, else that
// the timeout passed or that it was interrupted (Ctrl+C).
func (r *runner) cut(ctx context.Context) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.rep.Summary.TimedOut = true
		return "the " + r.rep.Timeout + " timeout passed first"
	case ctx.Err() != nil:
		r.rep.Summary.Interrupted = true
		return "interrupted"
	}
	return ""
}

// noAnswer is a request's failure once the run was cut short.
func (r *runner) noAnswer() string {
	if r.rep.Summary.Interrupted {
		return "interrupted"
	}
	return "no answer within the " + r.rep.Timeout + " timeout"
}

func (r *runner) configuration() {
	c := r.o.Config
	file := Check{ID: "config.file", Section: SectionConfig, Title: "config file", Verdict: OK}
	switch {
	case c.Error != "":
		file.Verdict, file.Detail = Fail, c.Error
		file.Fix = configFix(c.Error)
		r.noConfig = "fix the configuration first"
	case c.Found:
		file.Detail = c.File + " (mode " + c.Mode + ")"
	default:
		file.Detail = c.File + ": none, the defaults apply"
	}
	r.emit(file)
	if c.Error != "" {
		return
	}
	from := map[string]int{}
	for _, s := range c.Settings {
		kind, _, _ := strings.Cut(s.Source, " ")
		if s.Value == "not set" { // the token's row names its variable even when unset
			kind = "default"
		}
		from[kind]++
	}
	width := 0
	for _, s := range c.Settings {
		width = max(width, len(s.Name))
	}
	var lines []string
	for _, s := range c.Settings {
		lines = append(lines, fmt.Sprintf("%-*s %s  (%s)", width, s.Name, s.Value, s.Source))
	}
	r.emit(Check{ID: "config.settings", Section: SectionConfig, Title: "settings", Verdict: OK,
		Detail: plural(len(c.Settings), "setting") + ": " + sourceCounts(from), Lines: lines})
}

// configFix is the fix a settings error names ("…; fix: chmod go-w …"),
// else where to look.
func configFix(msg string) string {
	if _, fix, ok := strings.Cut(msg, "fix: "); ok {
		return fix
	}
	return "correct the value named above; `edmtop config show` lists every setting and where it comes from"
}

func sourceCounts(from map[string]int) string {
	var parts []string
	for _, k := range []struct{ key, say string }{{"flag", "from flags"}, {"env", "from EDMTOP_* variables"}, {"config", "from the file"}, {"default", "defaults"}} {
		if n := from[k.key]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+k.say)
		}
	}
	return strings.Join(parts, ", ")
}

// finish counts the verdicts, sets the exit status and the shape.
func (r *runner) finish() {
	s := &r.rep.Summary
	for _, c := range r.rep.Checks {
		switch c.Verdict {
		case OK:
			s.OK++
		case Warn:
			s.Warn++
		case Fail:
			s.Fail++
		case Skip:
			s.Skip++
		case NotRun:
			s.NotRun++
		}
	}
	if s.Fail > 0 || s.NotRun > 0 {
		r.rep.Exit = 1
	}
	r.rep.Shape = r.shape()
}
