// Actions on a session: renew, cancel, commit. One typed action, one
// command that calls the service for it, one result message applied to the
// row by session id.

package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

type action int

const (
	noAction action = iota
	actRenew
	actCancel
	actCommit
)

// String is the verb: "renew", "cancel", "commit".
func (a action) String() string {
	switch a {
	case actRenew:
		return "renew"
	case actCancel:
		return "cancel"
	case actCommit:
		return "commit"
	}
	return "no action"
}

// ing is the verb in progress: "renewing", "cancelling", "committing".
func (a action) ing() string {
	switch a {
	case actRenew:
		return "renewing"
	case actCancel:
		return "cancelling"
	case actCommit:
		return "committing"
	}
	return "idle"
}

// eventKind is how the event log files the action's success.
func (a action) eventKind() eventKind {
	switch a {
	case actRenew:
		return eventRenewed
	case actCancel:
		return eventCancelled
	case actCommit:
		return eventCommitted
	}
	return eventInfo
}

// past is the verb done: "renewed", "cancelled", "committed".
func (a action) past() string {
	switch a {
	case actRenew:
		return "renewed"
	case actCancel:
		return "cancelled"
	case actCommit:
		return "committed"
	}
	return "nothing done"
}

// maxConcurrentRenews bounds "renew marked": the service throttles bursts.
const maxConcurrentRenews = 4

// actionResultMsg is the answer to one action: the renewed session (renew
// only), or the error.
type actionResultMsg struct {
	storeID, sessionID string
	action             action
	session            *graphapi.Session
	err                error
}

// errUnknownAction answers an action the switch does not know: nothing is
// sent, so a new action can never fall through to another one's call.
var errUnknownAction = errors.New("unknown action: nothing sent")

// actionCmd calls the service for one action on one session.
func actionCmd(ctx context.Context, svc Service, a action, storeID, sessionID string, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		res := actionResultMsg{storeID: storeID, sessionID: sessionID, action: a}
		switch a {
		case actRenew:
			s, err := svc.RenewSession(ctx, storeID, sessionID)
			if err == nil {
				if s.ID == "" {
					s.ID = sessionID // an answer without an id is about the session asked for
				}
				res.session = &s
			}
			res.err = err
		case actCancel:
			res.err = svc.CancelSession(ctx, storeID, sessionID)
		case actCommit:
			res.err = svc.CommitSession(ctx, storeID, sessionID)
		default: // noAction, or an action added without its call
			res.err = errUnknownAction
		}
		return res
	}
}

// mismatchError: the service answered a renew with another session.
type mismatchError struct{ asked, got string }

func (e *mismatchError) Error() string {
	return fmt.Sprintf("the service answered for session %s, not %s: nothing applied", e.got, e.asked)
}

// actionable returns the selected row when a may start on it, or the
// status-bar message that says why not: an action already in flight on the
// session, or one that does not apply to its state.
func (s *storeScreen) actionable(a action) (*row, tea.Cmd) {
	r := s.table.Selected()
	switch {
	case r == nil:
		return nil, nil
	case r.pending != noAction:
		return nil, s.status.Flash(flashInfo, "already "+r.pending.ing()+" "+r.name+": wait for its answer")
	}
	if why := r.cannot(a); why != "" {
		return nil, s.status.Flash(flashWarn, "cannot "+a.String()+" "+r.name+": "+why)
	}
	return r, nil
}

func (s *storeScreen) renewSelected() tea.Cmd {
	r, refusal := s.actionable(actRenew)
	if r == nil {
		return refusal
	}
	return s.start(r, actRenew)
}

// ask: cancel and commit ask first, naming the file.
func (s *storeScreen) ask(a action) tea.Cmd {
	r, refusal := s.actionable(a)
	if r == nil {
		return refusal
	}
	s.prompt.Ask(confirmation{action: a, sessionID: r.s.ID, name: r.name})
	return nil
}

// Confirmed runs an action the user said yes to.
func (s *storeScreen) Confirmed(c confirmation) tea.Cmd {
	r, ok := s.table.Row(c.sessionID)
	if !ok {
		return s.status.Flash(flashWarn, c.name+" is no longer listed")
	}
	return s.start(r, c.action)
}

// start marks the row busy and sends the action. The command's timeout
// bounds how long the row can stay busy.
func (s *storeScreen) start(r *row, a action) tea.Cmd {
	s.table.Begin(r, a)
	s.be.log.Info("session action", "op", a.String(), "session", r.s.ID)
	return actionCmd(s.be.ctx, s.be.svc, a, s.store.ID, r.s.ID, s.be.timeout)
}

// Result applies an action's answer to the row of the session asked
// about, and to no other; reread says the sessions should be read again
// to learn what it did.
func (s *storeScreen) Result(msg actionResultMsg) (cmd tea.Cmd, reread bool) {
	if msg.storeID != s.store.ID {
		return nil, false
	}
	if msg.err == nil && msg.session != nil && msg.session.ID != msg.sessionID {
		msg.err, msg.session = &mismatchError{asked: msg.sessionID, got: msg.session.ID}, nil
	}
	if msg.err != nil {
		return s.failed(msg)
	}
	r := s.table.Settle(msg.sessionID, msg.session, s.be.now())
	name := shortID(msg.sessionID, 13)
	if r != nil {
		name = r.name
	}
	s.be.log.Info("session action done", "op", msg.action.String(), "session", msg.sessionID)
	flash := tea.Batch(s.status.Flash(flashSuccess, msg.action.past()+" "+name+" ✓"),
		emit([]event{{at: s.be.now(), kind: msg.action.eventKind(), text: msg.action.past() + " " + name}}))
	if msg.action == actRenew {
		if r != nil {
			s.table.SetMarked(r, false)
		}
		return tea.Batch(flash, s.renewAnswered(msg.sessionID, "", nil)), false
	}
	// Cancel and commit answer 204 without the session: read the new state.
	return flash, true
}

// failed applies an action's failure: the row keeps the error (and its
// mark, so "renew marked" can be tried again); a session gone, or an
// outcome unknown, asks for a re-read.
func (s *storeScreen) failed(msg actionResultMsg) (tea.Cmd, bool) {
	op := msg.action.String()
	s.be.log.Warn("action failed", "op", op, "session", msg.sessionID, "err", msg.err)
	r := s.table.Fail(msg.sessionID, msg.action, msg.err, s.be.now())
	name := shortID(msg.sessionID, 13)
	if r != nil {
		name = r.name
	}
	var next tea.Cmd
	if msg.action == actRenew {
		next = s.renewAnswered(msg.sessionID, name, msg.err)
	}
	if r == nil {
		return tea.Batch(s.status.Flash(flashError, op+" failed: "+errorSummary(msg.err)), next), false
	}
	ge, _ := graphapi.AsError(msg.err)
	switch {
	case errors.Is(msg.err, graphapi.ErrNotFound):
		// Deleted since the list was read: the row says so; the re-read
		// takes it away.
		return tea.Batch(s.status.Flash(flashWarn, r.name+" no longer exists (404 on "+op+"); re-reading the sessions"), next), true
	case ge != nil && ge.OutcomeUnknown:
		// The action may have happened: re-read the sessions to find out.
		return tea.Batch(s.status.Flash(flashWarn, op+" "+r.name+": no answer, outcome unknown; re-reading the sessions"), next), true
	}
	return tea.Batch(s.status.Flash(flashError, op+" "+r.name+" failed: "+errorSummary(msg.err)), next), false
}

// renewBatch is "renew marked" under way: the sessions still to start and
// the tally for the summary at the end.
type renewBatch struct {
	queue   []string
	waiting map[string]bool // sessions of the batch not answered yet
	total   int
	failed  []string // "name: reason"
}

// renewMarked queues every marked session that can be renewed; at most
// maxConcurrentRenews run at once, each row showing its own result, and the
// end says how many were renewed.
func (s *storeScreen) renewMarked() tea.Cmd {
	var queued, skipped []string
	for _, id := range s.table.Visible() {
		r, _ := s.table.Row(id)
		if !r.marked {
			continue
		}
		if r.pending != noAction || r.cannot(actRenew) != "" {
			skipped = append(skipped, r.name)
			s.table.SetMarked(r, false)
			continue
		}
		queued = append(queued, id)
	}
	if len(queued) == 0 && len(skipped) == 0 {
		return s.status.Flash(flashInfo, "no marked sessions: space marks one")
	}
	s.renews.add(queued)
	text := fmt.Sprintf("renewing %d marked session(s)", len(queued))
	if len(skipped) > 0 {
		text += fmt.Sprintf("; skipped %d that cannot be renewed", len(skipped))
	}
	return tea.Batch(s.status.Flash(flashInfo, text), s.pumpRenews())
}

// add queues sessions not in the batch yet.
func (b *renewBatch) add(ids []string) {
	if b.waiting == nil {
		b.waiting = map[string]bool{}
	}
	for _, id := range ids {
		if !b.waiting[id] {
			b.waiting[id] = true
			b.queue = append(b.queue, id)
			b.total++
		}
	}
}

// next takes the next queued session; ok is false when none waits.
func (b *renewBatch) next() (id string, ok bool) {
	if len(b.queue) == 0 {
		return "", false
	}
	id, b.queue = b.queue[0], b.queue[1:]
	return id, true
}

// pumpRenews starts queued renews while fewer than maxConcurrentRenews run,
// and sums the batch up when it is over.
func (s *storeScreen) pumpRenews() tea.Cmd {
	inFlight := s.table.InFlight(actRenew)
	var cmds []tea.Cmd
	for inFlight < maxConcurrentRenews {
		id, ok := s.renews.next()
		if !ok {
			break
		}
		r, ok := s.table.Row(id)
		if !ok || r.pending != noAction {
			s.renews.tally(id, shortID(id, 13), errNotStarted)
			continue
		}
		cmds = append(cmds, s.start(r, actRenew))
		inFlight++
	}
	return tea.Batch(append(cmds, s.renewSummary())...)
}

// errNotStarted: a queued session left the table, or got busy, before its
// turn.
var errNotStarted = errors.New("not started: no longer listed or busy")

// tally counts a batch session's answer (err nil: renewed).
func (b *renewBatch) tally(id, name string, err error) {
	if !b.waiting[id] {
		return
	}
	delete(b.waiting, id)
	if err != nil {
		b.failed = append(b.failed, name+": "+failureReason(err))
	}
}

// over reports whether every session of a batch has answered.
func (b *renewBatch) over() bool { return b.total > 0 && len(b.waiting) == 0 && len(b.queue) == 0 }

// renewAnswered counts a renew's answer and starts the next queued one.
func (s *storeScreen) renewAnswered(id, name string, err error) tea.Cmd {
	s.renews.tally(id, name, err)
	return s.pumpRenews()
}

// renewSummary says how "renew marked" went once every session in it has
// answered: "renewed 4 of 5, 1 failed (forbid-grove: accessDenied)".
func (s *storeScreen) renewSummary() tea.Cmd {
	b := s.renews
	if !b.over() {
		return nil
	}
	s.renews = renewBatch{}
	text := fmt.Sprintf("renewed %d of %d", b.total-len(b.failed), b.total)
	if len(b.failed) == 0 {
		return s.status.Flash(flashSuccess, text+" ✓")
	}
	text += fmt.Sprintf(", %d failed (%s); failed rows stay marked", len(b.failed), strings.Join(b.failed, "; "))
	return s.status.Flash(flashError, text)
}

// failureReason is the shortest useful word on a failure: the service's
// code, else its status, else the summary.
func failureReason(err error) string {
	if ge, ok := graphapi.AsError(err); ok {
		switch {
		case ge.Code != "":
			return termtext.OneLine(ge.Code)
		case ge.StatusCode != 0:
			return fmt.Sprint(ge.StatusCode)
		}
	}
	return errorSummary(err)
}
