package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// Exit statuses beyond 0 (success), 1 (failure) and 2 (usage).
const (
	exitTimeout     = 3   // wait: --timeout passed
	exitStalled     = 4   // wait: the session stalled
	exitInterrupted = 130 // Ctrl+C, as shells report SIGINT
)

// exitError ends the run with a chosen status. err, when not nil, is
// printed as "edmtop: …" on stderr; a nil err prints nothing (the command
// has said what it had to, or was interrupted).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// report prints the error, sanitized, and returns the exit status.
func (e *exitError) report(stderr io.Writer) int {
	if e.err != nil {
		fmt.Fprintln(stderr, "edmtop: "+strings.Join(termtext.Lines(e.err.Error()), "\n"))
	}
	return e.code
}

// pollClock is the time wait, check and list --since read, and the pause
// between polls.
// Tests replace it with the simulator's manual clock, so a poll costs no
// real time.
var pollClock = timing{now: time.Now, sleep: sleepContext}

type timing struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isTerminalWriter says whether progress can be redrawn in place; tests
// replace it.
var isTerminalWriter = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// terminalWidth is the width of w's terminal, 0 when unknown.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(f.Fd()); err == nil {
			return width
		}
	}
	return 0
}

const (
	defaultWaitInterval = 30 * time.Second
	minWaitInterval     = 2 * time.Second
)

type waitFlags struct {
	scriptFlags
	datastore                     string
	timeout, stallAfter, interval time.Duration
}

func newWaitCmd(g *globalFlags) *cobra.Command {
	var f waitFlags
	cmd := &cobra.Command{
		Use:   "wait SESSION",
		Short: "Wait until a session completes, fails or stalls (for pipelines)",
		Long: `Wait polls a session until it is final and prints it as 'get' does, so a
pipeline can go on, or stop, once the index is built. SESSION is a session id
or a file name (the newest session uploaded from that file; a path is matched
by its file name); STORE is a data store id or display name.

Progress goes to stderr when it changes (on a terminal, one line redrawn in
place). The session goes to stdout at the end, also after --timeout or a stall.

Exit status:
  0    the session completed
  1    it failed or was cancelled (stderr names the error), or the service
       kept failing after retries
  2    usage error (unknown store or session, bad flag)
  3    --timeout passed
  4    stalled: no change in its update time or counts for --stall-after,
       counted from the session's own last update
  130  interrupted (Ctrl+C)`,
		Example: `  # Nightly refresh: upload, then wait for the index (Task Scheduler, Git Bash)
  EdmUploadAgent.exe /UploadHash /DataStoreName PatientRecords /HashLocation "$DIR" &&
    edmtop wait --datastore PatientRecords "$FILE" --timeout 6h

  # PowerShell: stop the job when the session fails
  edmtop wait --datastore PatientRecords patients.EdmHash -o json > session.json
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(g); err != nil {
				return err
			}
			err := withClient(cmd, g, func(client *graphapi.Client) error {
				return runWait(cmd, g, &f, client, args[0])
			})
			if err != nil && cmd.Context().Err() != nil {
				return &exitError{code: exitInterrupted}
			}
			return err
		},
	}
	g.signInFlags(cmd)
	registerOutputFlags(cmd, &f.scriptFlags)
	addSettingFlags(cmd, "datastore", "stall-after")
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "timeout", 0, "give up after this long, exit status 3 (0: never)")
	fl.DurationVar(&f.interval, "interval", defaultWaitInterval, "time between polls (at least 2s)")
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g))
	cmd.ValidArgsFunction = completeSessions(g, true)
	return cmd
}

func (f *waitFlags) check(g *globalFlags) error {
	if err := checkScript(f.scriptFlags, false, "", nil); err != nil {
		return err
	}
	f.datastore, f.stallAfter = g.settings.str("datastore"), g.settings.duration("stall-after")
	switch {
	case f.datastore == "":
		return usageErrorf("--datastore is required (or set EDMTOP_DATASTORE, or datastore: in the config file)")
	case f.interval < minWaitInterval:
		return usageErrorf("--interval %s: use at least %s", f.interval, minWaitInterval)
	case f.timeout < 0:
		return usageErrorf("--timeout %s: use 0 (never) or a positive duration", f.timeout)
	case f.stallAfter < 0:
		return usageErrorf("--stall-after %s: use 0 (never) or a positive duration", f.stallAfter)
	}
	return nil
}

// runWait names the store and session, then polls until the outcome and
// turns it into the exit status.
func runWait(cmd *cobra.Command, g *globalFlags, f *waitFlags, client *graphapi.Client, arg string) error {
	ctx := cmd.Context()
	failed := func(id string, err error) error {
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted}
		}
		if _, ok := errors.AsType[*usageError](err); ok {
			return err
		}
		reportError(cmd.ErrOrStderr(), f.scriptFlags, id, err)
		return errReported
	}
	store, err := resolveStoreFlag(ctx, g, client, f.datastore)
	if err != nil {
		return failed("", err)
	}
	first, err := resolveSession(ctx, client, store.ID, arg)
	if err != nil {
		return failed("", err)
	}
	stderr := cmd.ErrOrStderr()
	w := &waiter{svc: client, storeID: store.ID, rules: health.Rules{StallAfter: f.stallAfter},
		interval: f.interval, timeout: f.timeout, clock: pollClock,
		progress: newProgressLine(stderr, isTerminalWriter(stderr))}
	last, outcome := w.run(ctx, first)
	w.progress.end(outcome.code == exitInterrupted)
	switch {
	case outcome.code == exitInterrupted:
		return &exitError{code: exitInterrupted}
	case outcome.apiErr:
		return failed(last.ID, outcome.err)
	}
	if err := writeSession(cmd.OutOrStdout(), f.scriptFlags, last); err != nil {
		return err
	}
	if outcome.code == 0 {
		return nil
	}
	return &exitError{code: outcome.code, err: outcome.err}
}

// waitOutcome is how a wait ended: the exit status and what to say.
type waitOutcome struct {
	code   int
	err    error
	apiErr bool // err is the service's: report it as such, print no session
}

// waiter polls one session. It is driven by its clock, so tests run hours
// of polling in milliseconds.
type waiter struct {
	svc               sessionFinder
	storeID           string
	rules             health.Rules
	interval, timeout time.Duration
	clock             timing
	progress          *progressLine

	// What the stall rule remembers between polls.
	seen      bool
	firstSeen time.Time
	movedAt   time.Time
	updated   time.Time
	counts    [4]graphapi.Count
}

// run polls until the session is final, stalls, the timeout passes, the
// service fails or ctx ends; it returns the last copy it saw.
func (w *waiter) run(ctx context.Context, s graphapi.Session) (graphapi.Session, waitOutcome) {
	now := w.clock.now()
	// seenAt is when s was read: a stall is judged on what was seen, not
	// on time spent throttled without news.
	seenAt := now
	var deadline time.Time
	if w.timeout > 0 {
		deadline = now.Add(w.timeout)
	}
	var retryAfter time.Duration
	for {
		w.observe(&s, seenAt)
		w.progress.show(&s, seenAt)
		switch {
		case health.Final(&s):
			return s, finalOutcome(&s)
		case w.stalled(&s, seenAt):
			return s, waitOutcome{code: exitStalled, err: w.stallError(&s, seenAt)}
		case !deadline.IsZero() && !now.Before(deadline):
			return s, waitOutcome{code: exitTimeout, err: fmt.Errorf("--timeout %s passed: session %s is still %s", w.timeout, describeSession(&s), progressText(&s))}
		}
		pause := max(w.interval, retryAfter)
		if !deadline.IsZero() {
			pause = min(pause, deadline.Sub(now))
		}
		if err := w.clock.sleep(ctx, pause); err != nil {
			return s, waitOutcome{code: exitInterrupted}
		}
		next, err := w.svc.GetSession(ctx, w.storeID, s.ID)
		now = w.clock.now()
		retryAfter = 0
		switch ge, _ := graphapi.AsError(err); {
		case ctx.Err() != nil:
			return s, waitOutcome{code: exitInterrupted}
		case err == nil:
			s, seenAt = next, now
		case errors.Is(err, graphapi.ErrThrottled) && ge.RetryAfter > 0:
			// The client waits out short Retry-After values itself; a long
			// one is waited here, between polls.
			retryAfter = ge.RetryAfter
		default:
			return s, waitOutcome{code: 1, err: err, apiErr: true}
		}
	}
}

func finalOutcome(s *graphapi.Session) waitOutcome {
	switch s.StateClass() {
	case graphapi.StateDone:
		return waitOutcome{}
	case graphapi.StateCancelled:
		return waitOutcome{code: 1, err: fmt.Errorf("session %s was %s", describeSession(s), s.State)}
	}
	return waitOutcome{code: 1, err: fmt.Errorf("session %s %s: %s", describeSession(s), termtext.OneLine(s.State), sessionErrorText(s))}
}

// sessionErrorText is a failed session's error code and message, on one line.
func sessionErrorText(s *graphapi.Session) string {
	e := s.Error
	switch {
	case e.IsEmpty():
		return "the service gave no error details"
	case e.Code == "" || e.Message == "":
		return termtext.OneLine(e.Code + e.Message)
	}
	return termtext.OneLine(e.Code + ": " + e.Message)
}

// describeSession names a session for a message: id and file.
func describeSession(s *graphapi.Session) string {
	if s.FileName == "" {
		return termtext.OneLine(s.ID)
	}
	return termtext.OneLine(s.ID) + " (" + termtext.OneLine(s.FileName) + ")"
}

// observe notes when the update time or the counts last moved; a change in
// counts without a new update time still counts as progress.
func (w *waiter) observe(s *graphapi.Session, now time.Time) {
	counts := [4]graphapi.Count{s.TotalBlockCount, s.RemainingBlockCount, s.TotalJobCount, s.RemainingJobCount}
	if !w.seen {
		w.seen, w.firstSeen = true, now
	} else if counts != w.counts || !s.LastUpdatedDateTime.Equal(w.updated) {
		w.movedAt = now
	}
	w.counts, w.updated = counts, s.LastUpdatedDateTime.Time
}

// stalled applies the health rule, counting from the session's own update
// time (so one already idle too long is stalled at once), unless wait saw it
// move since. Without an update time, wait counts from when it first saw it.
func (w *waiter) stalled(s *graphapi.Session, now time.Time) bool {
	if w.rules.StallAfter <= 0 || health.Final(s) {
		return false
	}
	if !w.movedAt.IsZero() && now.Sub(w.movedAt) <= w.rules.StallAfter {
		return false
	}
	if s.LastUpdatedDateTime.IsZero() {
		return now.Sub(w.firstSeen) > w.rules.StallAfter
	}
	return w.rules.Stalled(s, now)
}

func (w *waiter) stallError(s *graphapi.Session, now time.Time) error {
	since := w.firstSeen
	if !s.LastUpdatedDateTime.IsZero() {
		since = s.LastUpdatedDateTime.Time
	}
	if w.movedAt.After(since) {
		since = w.movedAt
	}
	return fmt.Errorf("session %s stalled: %s, no change for %s (since %s; --stall-after %s)",
		describeSession(s), progressText(s), now.Sub(since).Round(time.Second), since.UTC().Format("2006-01-02 15:04:05Z"), w.rules.StallAfter)
}

// progressText is a session's progress in words: state, upload and
// processing percentages.
func progressText(s *graphapi.Session) string {
	return fmt.Sprintf("%s · upload %s · processing %s", termtext.OneLine(orDash(s.State)),
		progressCell(s.UploadProgress(), "blocks"), progressCell(s.ProcessingProgress(), "jobs"))
}

func progressCell(p graphapi.Progress, unit string) string {
	if !p.Known {
		return "-"
	}
	return fmt.Sprintf("%d%% (%d/%d %s)", p.Percent(), p.Done, p.Total, unit)
}

// progressLine writes a session's progress to stderr when it changes: on a
// terminal one line redrawn in place, otherwise a line per change.
type progressLine struct {
	w       io.Writer
	inPlace bool
	width   int
	last    string
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
	if !p.inPlace {
		fmt.Fprintln(p.w, line)
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
