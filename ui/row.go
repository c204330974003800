package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// row is one session as the table holds it: the session, its sanitized
// display strings (computed once per copy, not per frame) and what the
// dashboard knows about actions on it.
type row struct {
	// s is read-only: it points into the listing the monitor published
	// (never written once published) or at an action's own answer, so the
	// table holds no second copy of 10,000 sessions.
	s     *graphapi.Session
	name  string
	nameW int // display width of name
	state string
	class graphapi.StateClass
	// known: the service is known to send this state; awaiting: the upload
	// is done and the session waits for a commit.
	known, awaiting bool
	// fitted caches name fitted to fittedW cells; stateFit the same for state.
	fitted       string
	fittedW      int
	fittedSuffix string
	stateFit     string
	stateFitW    int

	// pending is the action in flight on this row, noAction when none: one
	// action at a time per session. The table sets it (Begin) and clears
	// it (Settle, Fail), and counts the rows busy.
	pending action
	marked  bool
	// gone is set when the service answered 404 for this session.
	gone bool
	// merged is the table's merge count when a listing last had this row.
	merged uint64
	// at is the row's position in the table's visible order, -1 when
	// filtered out (kept by sessionTable.resort).
	at      int
	samples []sample
	// lastErr is the last failed call on this row, kept until one succeeds
	// (sessionTable.Fail, Settle).
	lastErr   error
	lastErrOp action
	lastErrAt time.Time
}

func newRow(s *graphapi.Session) *row {
	r := &row{at: -1}
	r.set(s)
	return r
}

func (r *row) set(s *graphapi.Session) {
	// A refresh mostly brings the same name and state: keep their
	// sanitized forms and measurements.
	sameName := r.s != nil && r.name != "" && s.FileName == r.s.FileName
	sameState := r.s != nil && r.state != "" && s.State == r.s.State
	r.s = s
	if !sameName {
		r.name = termtext.OneLine(s.FileName)
		if r.name == "" {
			r.name = "(no file name) " + shortID(s.ID, 8)
		}
		r.nameW = cells(r.name)
		r.fittedW = -1
	}
	if !sameState {
		r.state = termtext.OneLine(s.State)
		if r.state == "" {
			r.state = "(no state)"
		}
		r.stateFitW = -1
		r.class = s.StateClass()
		r.known, r.awaiting = health.KnownState(s.State), health.AwaitingCommit(s)
	}
}

// uploading tells which counter is moving: blocks while uploading (some
// are still to come), else jobs.
func (r *row) uploading() bool {
	up := r.s.UploadProgress()
	return up.Known && up.Done < up.Total
}

// eta is the time left in the current phase at the pace seen so far.
func (r *row) eta(now time.Time) string {
	if r.class != graphapi.StateInProgress {
		return present.Dash
	}
	if r.uploading() {
		up := r.s.UploadProgress()
		rate, ok := ratePerMinute(r.samples, now, false)
		return etaText(up.Total-up.Done, rate, ok)
	}
	proc := r.s.ProcessingProgress()
	if !proc.Known {
		return present.Dash
	}
	rate, ok := ratePerMinute(r.samples, now, true)
	return etaText(proc.Total-proc.Done, rate, ok)
}

// observe records the row's progress as seen at a moment. Rates and
// sparklines are shown only while a session runs: a finished row keeps no
// samples (most of a large store's rows).
func (r *row) observe(at time.Time) {
	if r.class != graphapi.StateInProgress {
		r.samples = nil
		return
	}
	up, proc := r.s.UploadProgress(), r.s.ProcessingProgress()
	r.samples = addSample(r.samples, sample{at: at, blocks: up.Done, jobs: proc.Done, up: up.Fraction, proc: proc.Fraction})
}

// fit is the name without suffix fitted to width cells, cached for the
// last width and suffix.
func (r *row) fit(width int, suffix string) string {
	if width != r.fittedW || suffix != r.fittedSuffix {
		name, nameW := r.name, r.nameW
		if suffix != "" {
			name = strings.TrimSuffix(name, suffix)
			nameW = cells(name)
		}
		if nameW <= width {
			r.fitted = name + strings.Repeat(" ", width-nameW)
		} else {
			r.fitted = fitMiddle(name, width)
		}
		r.fittedW, r.fittedSuffix = width, suffix
	}
	return r.fitted
}

// shortStates are the labels of the known states where the full name does
// not fit; the details pane keeps the full text.
var shortStates = map[string]string{
	"uploadinprogress": "Uploading", "uploadcompleted": "Awaiting commit", "processinginprogress": "Processing",
	"completed": "Done", "failed": "Failed", "cancelled": "Cancelled",
}

// stateLabel is the state as the table shows it in width cells: in full
// in a column wide enough for every known state, else the short label (the
// same words for every row), or the state as sent when it has none.
func (r *row) stateLabel(width int) string {
	if width >= stateW-2 {
		return r.state
	}
	if short, ok := shortStates[strings.ToLower(r.state)]; ok {
		return short
	}
	return r.state
}

// sharedSuffix is the file name ending (".EdmHash") every row has, "" when
// they differ or a name is nothing but it.
func sharedSuffix(rows map[string]*row) string {
	suffix := ""
	for _, r := range rows {
		if suffix == "" {
			i := strings.LastIndexByte(r.name, '.')
			if i <= 0 || i == len(r.name)-1 {
				return ""
			}
			suffix = r.name[i:]
		}
		if len(r.name) <= len(suffix) || !strings.HasSuffix(r.name, suffix) {
			return ""
		}
	}
	return suffix
}

// matches reports whether the row passes a filter: the text, ignoring case
// and spaces, in the file name, the state (so "in progress" finds
// UploadInProgress) or its short label ("uploading"), the state's class as
// the details pane words it, or the id. A leading "!" keeps the rows that do not match.
func (r *row) matches(filter string) bool {
	f, negate := strings.CutPrefix(strings.TrimSpace(filter), "!")
	f = squash(f)
	if f == "" {
		return true
	}
	hit := strings.Contains(strings.ToLower(r.name), f) || strings.Contains(squash(r.state), f) ||
		strings.Contains(squash(shortStates[strings.ToLower(r.state)]), f) ||
		strings.Contains(squash(r.class.String()), f) || strings.Contains(strings.ToLower(r.s.ID), f)
	return hit != negate
}

// squash lowercases s and drops its spaces, so words match a CamelCase
// state.
func squash(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "") }

// Which actions apply to a session. An empty reason means it applies.

func (r *row) cannot(a action) string {
	if r.gone {
		return "session no longer exists"
	}
	if r.class != graphapi.StateInProgress {
		return "session is " + r.state
	}
	if a != actCommit {
		return ""
	}
	up := r.s.UploadProgress()
	switch {
	case !up.Known:
		return "no block count"
	case up.Done < up.Total:
		return fmt.Sprintf("upload at %d%%", up.Percent())
	case strings.Contains(strings.ToLower(r.state), "processing"):
		return "processing started"
	}
	return ""
}
