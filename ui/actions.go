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
func (m *Model) actionable(a action) (*row, tea.Cmd) {
	r := m.table.Selected()
	switch {
	case r == nil:
		return nil, nil
	case r.pending != noAction:
		return nil, m.status.Flash(flashInfo, "already "+r.pending.ing()+" "+r.name+": wait for its answer")
	}
	if why := r.cannot(a); why != "" {
		return nil, m.status.Flash(flashWarn, "cannot "+a.String()+" "+r.name+": "+why)
	}
	return r, nil
}

func (m *Model) renewSelected() tea.Cmd {
	r, refusal := m.actionable(actRenew)
	if r == nil {
		return refusal
	}
	return m.start(r, actRenew)
}

// askConfirm: cancel and commit ask first, naming the file.
func (m *Model) askConfirm(a action) tea.Cmd {
	r, refusal := m.actionable(a)
	if r == nil {
		return refusal
	}
	m.prompt.Ask(confirmation{action: a, sessionID: r.s.ID, name: r.name})
	return nil
}

// confirmed runs an action the user said yes to.
func (m *Model) confirmed(c confirmation) tea.Cmd {
	r, ok := m.table.Row(c.sessionID)
	if !ok {
		return m.status.Flash(flashWarn, c.name+" is no longer listed")
	}
	return m.start(r, c.action)
}

// start marks the row busy and sends the action. The command's timeout
// bounds how long the row can stay busy.
func (m *Model) start(r *row, a action) tea.Cmd {
	r.pending = a
	m.log.Info("session action", "op", a.String(), "session", r.s.ID)
	return tea.Batch(actionCmd(m.ctx, m.svc, a, m.store.ID, r.s.ID, m.timeout), m.startSpinner())
}

// handleResult applies an action's answer to the row of the session asked
// about, and to no other.
func (m *Model) handleResult(msg actionResultMsg) tea.Cmd {
	if msg.storeID != m.store.ID {
		return nil
	}
	if msg.err == nil && msg.session != nil && msg.session.ID != msg.sessionID {
		msg.err, msg.session = &mismatchError{asked: msg.sessionID, got: msg.session.ID}, nil
	}
	if msg.err != nil {
		return m.actionFailed(msg)
	}
	r, ok := m.table.Row(msg.sessionID)
	if msg.session != nil {
		r, ok = m.table.Apply(*msg.session, m.now()), true
	}
	name := shortID(msg.sessionID, 13)
	if ok {
		r.pending, r.lastErr = noAction, nil
		name = r.name
	}
	m.log.Info("session action done", "op", msg.action.String(), "session", msg.sessionID)
	flash := tea.Batch(m.status.Flash(flashSuccess, msg.action.past()+" "+name+" ✓"),
		m.logEvents([]event{{at: m.now(), kind: msg.action.eventKind(), text: msg.action.past() + " " + name}}))
	if msg.action == actRenew {
		m.table.SetMarked(r, false)
		return tea.Batch(flash, m.renewAnswered(msg.sessionID, "", nil))
	}
	// Cancel and commit answer 204 without the session: read the new state.
	return tea.Batch(flash, m.reread())
}

func (m *Model) actionFailed(msg actionResultMsg) tea.Cmd {
	op := msg.action.String()
	m.log.Warn("action failed", "op", op, "session", msg.sessionID, "err", msg.err)
	r, ok := m.table.Row(msg.sessionID)
	name := shortID(msg.sessionID, 13)
	if ok {
		name = r.name
	}
	var next tea.Cmd
	if msg.action == actRenew {
		next = m.renewAnswered(msg.sessionID, name, msg.err)
	}
	if !ok {
		return tea.Batch(m.status.Flash(flashError, op+" failed: "+errorSummary(msg.err)), next)
	}
	// A failed row keeps its mark, so "renew marked" can be tried again.
	r.pending = noAction
	r.lastErr, r.lastErrOp, r.lastErrAt = msg.err, msg.action, m.now()
	ge, _ := graphapi.AsError(msg.err)
	switch {
	case errors.Is(msg.err, graphapi.ErrNotFound):
		// Deleted since the list was read: say so on the row; the re-read
		// takes it away.
		r.gone = true
		return tea.Batch(m.status.Flash(flashWarn, r.name+" no longer exists (404 on "+op+"); re-reading the sessions"),
			next, m.reread())
	case ge != nil && ge.OutcomeUnknown:
		// The action may have happened: re-read the sessions to find out.
		return tea.Batch(m.status.Flash(flashWarn, op+" "+r.name+": no answer, outcome unknown; re-reading the sessions"),
			next, m.reread())
	}
	return tea.Batch(m.status.Flash(flashError, op+" "+r.name+" failed: "+errorSummary(msg.err)), next)
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
func (m *Model) renewMarked() tea.Cmd {
	var queued, skipped []string
	for _, id := range m.table.Visible() {
		r, _ := m.table.Row(id)
		if !r.marked {
			continue
		}
		if r.pending != noAction || r.cannot(actRenew) != "" {
			skipped = append(skipped, r.name)
			m.table.SetMarked(r, false)
			continue
		}
		queued = append(queued, id)
	}
	if len(queued) == 0 && len(skipped) == 0 {
		return m.status.Flash(flashInfo, "no marked sessions: space marks one")
	}
	b := &m.renews
	if b.waiting == nil {
		b.waiting = map[string]bool{}
	}
	for _, id := range queued {
		if !b.waiting[id] {
			b.waiting[id] = true
			b.queue = append(b.queue, id)
			b.total++
		}
	}
	text := fmt.Sprintf("renewing %d marked session(s)", len(queued))
	if len(skipped) > 0 {
		text += fmt.Sprintf("; skipped %d that cannot be renewed", len(skipped))
	}
	return tea.Batch(m.status.Flash(flashInfo, text), m.pumpRenews())
}

// pumpRenews starts queued renews while fewer than maxConcurrentRenews run,
// and sums the batch up when it is over.
func (m *Model) pumpRenews() tea.Cmd {
	b := &m.renews
	inFlight := m.table.InFlight(actRenew)
	var cmds []tea.Cmd
	for inFlight < maxConcurrentRenews && len(b.queue) > 0 {
		id := b.queue[0]
		b.queue = b.queue[1:]
		r, ok := m.table.Row(id)
		if !ok || r.pending != noAction {
			b.tally(id, shortID(id, 13), errNotStarted)
			continue
		}
		cmds = append(cmds, m.start(r, actRenew))
		inFlight++
	}
	return tea.Batch(append(cmds, m.renewSummary())...)
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

// renewAnswered counts a renew's answer and starts the next queued one.
func (m *Model) renewAnswered(id, name string, err error) tea.Cmd {
	m.renews.tally(id, name, err)
	return m.pumpRenews()
}

// renewSummary says how "renew marked" went once every session in it has
// answered: "renewed 4 of 5, 1 failed (forbid-grove: accessDenied)".
func (m *Model) renewSummary() tea.Cmd {
	b := m.renews
	if b.total == 0 || len(b.waiting) > 0 || len(b.queue) > 0 {
		return nil
	}
	m.renews = renewBatch{}
	text := fmt.Sprintf("renewed %d of %d", b.total-len(b.failed), b.total)
	if len(b.failed) == 0 {
		return m.status.Flash(flashSuccess, text+" ✓")
	}
	text += fmt.Sprintf(", %d failed (%s); failed rows stay marked", len(b.failed), strings.Join(b.failed, "; "))
	return m.status.Flash(flashError, text)
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
