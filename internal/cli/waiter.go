package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// waitService is what wait needs; *graphapi.Client satisfies it.
type waitService interface {
	storeLister
	sessionFinder
}

var _ waitService = (*graphapi.Client)(nil)

// waitOutcome is how a wait ended: the exit status and what to say.
type waitOutcome struct {
	code   int
	err    error
	apiErr bool // err is the service's: report it as such, print no session
}

// waiter polls one session. It is driven by its clock, so tests run hours
// of polling in milliseconds; the context carries the real --timeout
// deadline, which cuts a request that hangs.
type waiter struct {
	svc      waitService
	storeID  string
	rules    health.Rules
	interval time.Duration
	timeout  time.Duration
	deadline time.Time // zero: no --timeout
	clock    timing
	progress *progressLine
	outage   outage

	// What the stall rule remembers between polls.
	seen      bool
	firstSeen time.Time
	movedAt   time.Time
	updated   time.Time
	counts    [4]graphapi.Count
}

// errInterrupted: the run was cancelled (Ctrl+C).
var errInterrupted = errors.New("interrupted")

// timedOut: --timeout passed; why says what Graph was doing then.
type timedOut struct{ why string }

func (e *timedOut) Error() string { return "--timeout passed: " + e.why }

// run polls until the session is final, stalls, the timeout passes, the
// service answers for good or ctx ends; it returns the last copy it saw.
func (w *waiter) run(ctx context.Context, s graphapi.Session) (graphapi.Session, waitOutcome) {
	// seenAt is when s was read: a stall is judged on what was seen, not
	// on time spent without news.
	seenAt := w.clock.now()
	for {
		w.observe(&s, seenAt)
		w.progress.show(&s, seenAt)
		switch {
		case health.Final(&s):
			return s, finalOutcome(&s)
		case w.stalled(&s, seenAt):
			return s, waitOutcome{code: exitStalled, err: w.stallError(&s, seenAt)}
		case w.passed(seenAt):
			return s, w.timeoutOutcome(&s, "")
		}
		pause := w.interval
		if !w.deadline.IsZero() {
			pause = min(pause, w.deadline.Sub(seenAt)) // the last pause ends at the deadline
		}
		err := w.clock.sleep(ctx, pause)
		if err == nil && w.passed(w.clock.now()) {
			return s, w.timeoutOutcome(&s, "")
		}
		if err != nil {
			err = w.ended(ctx, nil)
		} else {
			err = w.call(ctx, func(ctx context.Context) error {
				next, err := w.svc.GetSession(ctx, w.storeID, s.ID)
				if err == nil {
					s = next
				}
				return err
			})
		}
		seenAt = w.clock.now()
		if err != nil {
			return s, w.failedOutcome(&s, err)
		}
	}
}

func (w *waiter) failedOutcome(s *graphapi.Session, err error) waitOutcome {
	if errors.Is(err, errInterrupted) {
		return waitOutcome{code: exitInterrupted}
	}
	if to, ok := errors.AsType[*timedOut](err); ok {
		return w.timeoutOutcome(s, to.why)
	}
	return waitOutcome{code: 1, err: err, apiErr: true}
}

func (w *waiter) timeoutOutcome(s *graphapi.Session, why string) waitOutcome {
	err := fmt.Errorf("--timeout %s passed: session %s is still %s", w.timeout, describeSession(s), progressText(s))
	if why != "" {
		err = fmt.Errorf("%w; %s", err, why)
	}
	return waitOutcome{code: exitTimeout, err: err}
}

// passed reports whether t is at or past the --timeout deadline.
func (w *waiter) passed(t time.Time) bool {
	return !w.deadline.IsZero() && !t.Before(w.deadline)
}

// call runs fn until it succeeds, retrying transient failures (see
// transient) with a backoff until the deadline. It returns nil, the
// service's definitive answer, a *timedOut, or errInterrupted.
func (w *waiter) call(ctx context.Context, fn func(context.Context) error) error {
	for {
		err := fn(ctx)
		now := w.clock.now()
		switch {
		case err == nil:
			if since, ended := w.outage.end(); ended {
				w.progress.note(now, "Graph answering again after "+present.Countdown(now.Sub(since)))
			}
			return nil
		case ctx.Err() != nil:
			return w.ended(ctx, err)
		case !transient(err):
			return err
		}
		w.outage.fail(now, err)
		pause := backoff(w.interval, w.outage.failures, retryAfterOf(err))
		if w.passed(now.Add(pause)) {
			pause = max(w.deadline.Sub(now), 0)
			w.progress.note(now, w.outage.describe()+"; --timeout passes in "+present.Countdown(pause))
		} else {
			w.progress.note(now, w.outage.describe()+", retrying in "+present.Countdown(pause))
		}
		if err := w.clock.sleep(ctx, pause); err != nil {
			return w.ended(ctx, nil)
		}
		if w.passed(w.clock.now()) {
			return &timedOut{why: w.outage.describe()}
		}
	}
}

// ended says why ctx ended: its deadline is --timeout (cut, when not nil,
// is the request it cut), a cancel is Ctrl+C.
func (w *waiter) ended(ctx context.Context, cut error) error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errInterrupted
	}
	switch {
	case w.outage.failures > 0:
		return &timedOut{why: w.outage.describe()}
	case cut != nil:
		return &timedOut{why: "Graph did not answer: " + boundedText(cut.Error(), maxReason)}
	}
	return &timedOut{}
}

// transient reports a failure that says nothing about the session, so a
// wait tries again: no answer (network, timeouts, a token that could not be
// had), 408, 429, 5xx, a 2xx answer that could not be used, an answer
// about another session, or a listing with entries that could not be read.
// 401, 403, 404 and other 4xx are the service's word: they end a wait.
func transient(err error) bool {
	if errors.Is(err, graphapi.ErrOtherSession) || errors.Is(err, errUnreadableListing) {
		return true
	}
	ge, ok := graphapi.AsError(err)
	if !ok {
		return false // ours: a usage error, a name that matches nothing
	}
	switch s := ge.StatusCode; {
	case s == 0, s == 408, s == 429, s >= 500:
		return true
	case s >= 200 && s < 300:
		return true
	}
	return false
}

func retryAfterOf(err error) time.Duration {
	if ge, ok := graphapi.AsError(err); ok {
		return ge.RetryAfter
	}
	return 0
}

// maxBackoff caps the doubling pause between retries; a longer --interval
// or Retry-After still wins.
const maxBackoff = 5 * time.Minute

// backoff is the pause after the n-th failure in a row: the interval,
// doubled for each failure before, capped, and never shorter than the
// service's Retry-After (of this failure only: a long one does not stretch
// later pauses).
func backoff(interval time.Duration, n int, retryAfter time.Duration) time.Duration {
	pause := interval
	for i := 1; i < n && pause < maxBackoff; i++ {
		pause *= 2
	}
	return max(min(pause, max(interval, maxBackoff)), retryAfter)
}

// maxReason bounds the server's text quoted in a retry line.
const maxReason = 200

// outage is a run of transient failures: since when, how many, the last.
type outage struct {
	since    time.Time
	failures int
	last     error
}

func (o *outage) fail(now time.Time, err error) {
	if o.failures == 0 {
		o.since = now
	}
	o.failures++
	o.last = err
}

// end closes an outage; ended is false when there was none.
func (o *outage) end() (since time.Time, ended bool) {
	since, ended = o.since, o.failures > 0
	*o = outage{}
	return since, ended
}

// describe says what fails, since when and why: "Graph unreachable since
// 09:02:10 (get session: connection refused)".
func (o *outage) describe() string {
	what := "Graph failing"
	ge, _ := graphapi.AsError(o.last)
	switch {
	case errors.Is(o.last, graphapi.ErrOtherSession):
		what = "Graph answering about another session"
	case errors.Is(o.last, errUnreadableListing):
		what = "Graph listing unreadable sessions"
	case graphapi.NoAnswer(o.last):
		what = "Graph not answering"
	case ge != nil && ge.StatusCode == 0:
		what = "Graph unreachable"
	case errors.Is(o.last, graphapi.ErrThrottled) && ge.StatusCode == 429:
		what = "Graph throttling"
	}
	return fmt.Sprintf("%s since %s (%s)", what, o.since.Format("15:04:05"), boundedText(o.last.Error(), maxReason))
}

// boundedText is server text on one line, sanitized, at most n runes.
func boundedText(s string, n int) string {
	r := []rune(termtext.OneLine(s))
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return string(r)
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
	err := fmt.Errorf("session %s stalled: %s, no change for %s (since %s; --stall-after %s)",
		describeSession(s), progressText(s), now.Sub(since).Round(time.Second), since.UTC().Format("2006-01-02 15:04:05Z"), w.rules.StallAfter)
	if health.AwaitingCommit(s) {
		// The upload is done; an agent that does not commit leaves it here.
		err = fmt.Errorf("%w; it waits for a commit: edmtop commit --datastore %s %s", err, termtext.OneLine(w.storeID), termtext.OneLine(s.ID))
	}
	return err
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
