package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
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
	// start is when the run began: --timeout counts from it.
	start time.Time
}

// waitLong is wait's help: what it does, its deadline, what Graph's
// failures do, and the exit statuses.
const waitLong = `Wait polls a session until it is final and prints it as 'get' does, so a
pipeline can go on, or stop, once the index is built. SESSION is a session id
or a file name (the newest session uploaded from that file; a path is matched
by its file name; two running uploads of one file are ambiguous: give the
id). --datastore takes the store's id or name, typed as you like: "Patient
records", PatientRecords, patient-records, or the start of it (Patient).

Progress goes to stderr when it changes: on a terminal one line redrawn in
place, otherwise a line per change, each with its time. The session goes to
stdout at the end, also after --timeout or a stall.

--timeout is a hard deadline over the whole run: signing in, finding the store
and the session, every request and every pause. When it passes, wait exits 3
whatever Graph does, a hung request included.

When Graph fails for a while (no connection, no answer within
--request-timeout, HTTP 5xx or 429, an answer about another session), wait
does not give up: it says so on stderr ("Graph unreachable since …, retrying
in 1m") and tries again, first after --interval, then twice as long each time
up to 5m, never sooner than the service's Retry-After, until --timeout
(without --timeout, until interrupted). Only a definitive answer ends it early.

Exit status:
  0    the session completed
  1    it failed or was cancelled (stderr names the error); or the service
       answered for good: the session is gone (404), the token was refused
       (401) or the account may not read the store (403)
  2    usage error (unknown store or session, bad flag)
  3    --timeout passed (also while Graph was down, failing or hanging)
  4    stalled: no change in its update time or counts for --stall-after,
       counted from the session's own last update; a session waiting for its
       commit (UploadCompleted) names the 'edmtop commit' to run
  130  interrupted (Ctrl+C)`

const waitExample = `  # Nightly refresh: upload, then wait for the index (Task Scheduler, Git Bash)
  EdmUploadAgent.exe /UploadHash /DataStoreName PatientRecords /HashLocation "$DIR" &&
    edmtop wait --datastore PatientRecords "$FILE" --timeout 6h

  # PowerShell: stop the job when the session fails
  edmtop wait --datastore PatientRecords patients.EdmHash -o json > session.json
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }`

func newWaitCmd(g *globalFlags) *cobra.Command {
	var f waitFlags
	cmd := &cobra.Command{
		Use:     "wait SESSION",
		Short:   "Wait until a session completes, fails or stalls (for pipelines)",
		Long:    waitLong,
		Example: waitExample,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(g); err != nil {
				return err
			}
			return runWaitCmd(cmd, g, &f, args[0])
		},
	}
	registerOutputFlags(cmd, &f.scriptFlags, true)
	addSettingFlags(cmd, "datastore", "stall-after")
	cmd.Flags().Lookup("datastore").Usage = "the data store of the session: its id or name"
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "timeout", 0, "give up after this long, whatever Graph does: exit status 3 (0: never)")
	fl.DurationVar(&f.interval, "interval", defaultWaitInterval, "time between polls (at least 2s)")
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g, false))
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
	}
	return nil
}

// runWaitCmd bounds the whole run by --timeout (sign-in included), then
// signs in and waits.
func runWaitCmd(cmd *cobra.Command, g *globalFlags, f *waitFlags, arg string) error {
	parent := cmd.Context()
	f.start = pollClock.now()
	ctx, cancel := context.WithCancel(parent)
	if f.timeout > 0 {
		// The real deadline cuts a request that hangs; the clock's (the
		// same instant outside tests) ends the pauses.
		ctx, cancel = context.WithTimeout(parent, f.timeout)
	}
	defer cancel()
	cmd.SetContext(ctx)
	err := withClient(cmd, g, func(client *graphapi.Client) error {
		return runWait(cmd, g, f, client, arg)
	})
	switch {
	case parent.Err() != nil:
		return &exitError{code: exitInterrupted}
	case err == nil:
		return nil
	case ctx.Err() != nil && !isExit(err):
		// Signing in did not finish in time.
		return &exitError{code: exitTimeout, err: fmt.Errorf("--timeout %s passed before signing in finished: %v", f.timeout, err)}
	}
	return err
}

func isExit(err error) bool {
	_, ok := errors.AsType[*exitError](err)
	return ok || errors.Is(err, errReported)
}

// runWait names the store and session, then polls until the outcome and
// turns it into the exit status.
func runWait(cmd *cobra.Command, g *globalFlags, f *waitFlags, client *graphapi.Client, arg string) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	w := &waiter{svc: client, rules: health.Rules{StallAfter: f.stallAfter},
		interval: f.interval, timeout: f.timeout, clock: pollClock,
		progress: newProgressLine(stderr, isTerminalWriter(stderr))}
	if f.timeout > 0 {
		w.deadline = f.start.Add(f.timeout)
	}
	first, err := w.find(ctx, g, f.datastore, arg)
	if err != nil {
		w.progress.end(errors.Is(err, errInterrupted))
		return w.notFound(stderr, f.scriptFlags, err)
	}
	last, outcome := w.run(ctx, first)
	w.progress.end(outcome.code == exitInterrupted)
	switch {
	case outcome.code == exitInterrupted:
		return &exitError{code: exitInterrupted}
	case outcome.apiErr:
		reportError(stderr, f.scriptFlags, last.ID, outcome.err)
		return errReported
	}
	if err := writeSession(cmd.OutOrStdout(), f.scriptFlags, last, w.rules); err != nil {
		return err
	}
	if outcome.code == 0 {
		return nil
	}
	return &exitError{code: outcome.code, err: outcome.err}
}

// find resolves the store and the session, retrying as a poll does.
func (w *waiter) find(ctx context.Context, g *globalFlags, datastore, arg string) (graphapi.Session, error) {
	var store graphapi.DataStore
	err := w.call(ctx, func(ctx context.Context) (err error) {
		store, err = resolveStoreFlag(ctx, g, w.svc, datastore)
		return err
	})
	if err != nil {
		return graphapi.Session{}, err
	}
	w.storeID = store.ID
	names := &sessionNamer{svc: w.svc, store: store, rules: w.rules, now: w.clock.now}
	var first graphapi.Session
	err = w.call(ctx, func(ctx context.Context) (err error) {
		first, err = names.resolve(ctx, arg)
		return err
	})
	return first, err
}

// notFound turns a failure to find the session into the exit status:
// Ctrl+C, --timeout, a usage error (2) or the service's answer (1).
func (w *waiter) notFound(stderr io.Writer, out scriptFlags, err error) error {
	if errors.Is(err, errInterrupted) {
		return &exitError{code: exitInterrupted}
	}
	if to, ok := errors.AsType[*timedOut](err); ok {
		return &exitError{code: exitTimeout, err: fmt.Errorf("--timeout %s passed before the session was read; %s", w.timeout, to.why)}
	}
	if _, ok := errors.AsType[*usageError](err); ok {
		return err
	}
	reportError(stderr, out, "", err)
	return errReported
}
