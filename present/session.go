package present

import (
	"fmt"
	"slices"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// A session's text as lists of labelled values: written once here and
// shown by the CLI's get and wait (aligned lines) and the dashboard's
// details and errors panes (which add their own lines between the
// groups). Values hold the service's text as sent: callers sanitize each
// value (termtext) before a terminal.

// Field is one line of a list: a label and its value. A list's later items
// (a session's fields, one a line) come under an empty label.
type Field struct{ Label, Value string }

// Clock says when "now" is, for spans still running ("12m so far"), and
// how timestamps read.
type Clock struct {
	Now time.Time
	// Local writes a time in Now's zone with its age, for a person at
	// the dashboard; else in UTC, as the CLI prints it (one zone for
	// everyone a pasted output reaches).
	Local bool
	// Rules judge a running session stalled at Now (a "stalled" line
	// under its state); the zero Rules judge none.
	Rules health.Rules
}

// Stamp is t as the clock writes times: Absolute when Local, else UTC.
func (c Clock) Stamp(t graphapi.Time) string {
	if c.Local {
		return Absolute(t, c.Now)
	}
	return UTC(t)
}

// SessionText is a session's properties in groups, so a screen can put its
// own lines between them; Fields is the whole list.
type SessionText struct {
	Head     []Field // file, session id, data store id, state (and a stall)
	Progress []Field // blocks, jobs, rows, and how long each phase took
	Times    []Field // created … completed
	Upload   []Field // checksum, upload URI, salt, upload agent, fields
}

// Fields is every group in order: what get and wait print.
func (t SessionText) Fields() []Field { return slices.Concat(t.Head, t.Progress, t.Times, t.Upload) }

// Session is every property of a session for people: times by the clock,
// the upload URL without its signature, the salt masked.
func Session(s *graphapi.Session, c Clock) SessionText {
	upload, processing := PhaseDurations(s, c.Now)
	return SessionText{
		Head: append([]Field{
			{"file", OrDash(s.FileName)},
			{"session id", OrDash(s.ID)},
			{"data store id", OrDash(s.DataStoreID)},
			{"state", State(s)},
		}, Stall(s, c)...),
		Progress: []Field{
			{"blocks", Counts(s.UploadProgress(), s.TotalBlockCount, s.RemainingBlockCount)},
			{"jobs", Counts(s.ProcessingProgress(), s.TotalJobCount, s.RemainingJobCount)},
			{"rows per block", Count(s.RowsPerBlock)},
			{"estimated rows", EstimatedRows(health.Rows(s))},
			{"upload time", upload},
			{"processing time", processing},
		},
		Times: []Field{
			{"created", c.Stamp(s.CreationDateTime)},
			{"started", c.Stamp(s.StartDateTime)},
			{"last updated", c.Stamp(s.LastUpdatedDateTime)},
			{"upload completed", c.Stamp(s.UploadCompletionDateTime)},
			{"processing completed", c.Stamp(s.ProcessingCompletionDateTime)},
			{"completed", c.Stamp(s.CompletionDateTime)},
		},
		Upload: append([]Field{
			{"checksum", OrDash(s.Checksum)},
			{"upload URI", UploadURI(s.DataUploadURI)},
			{"salt", MaskSecret(s.Salt)},
			{"upload agent id", OrDash(s.UploadAgentID)},
		}, List("fields", s.Fields)...),
	}
}

// State is a session's state with what edmtop makes of it: a final state
// the service is known to send alone ("Failed", not "Failed  (failed)"),
// an upload waiting for its commit so marked, any other with its kind
// ("ProcessingInProgress  (in progress)"; an unknown state is classed by
// the words it contains).
func State(s *graphapi.Session) string {
	if health.AwaitingCommit(s) {
		return s.State + "  (awaiting commit)"
	}
	if health.Final(s) && health.KnownState(s.State) {
		return s.State
	}
	return OrDash(s.State) + "  (" + s.StateClass().String() + ")"
}

// Stall is the line a stalled session adds under its state: "stalled  no
// update for 20h (stall after 2h)"; none when it is not stalled by the
// clock's rules.
func Stall(s *graphapi.Session, c Clock) []Field {
	if !c.Rules.Stalled(s, c.Now) {
		return nil
	}
	return []Field{{"stalled", "no update for " + Elapsed(health.Idle(s, c.Now)) + " (stall after " + Elapsed(c.Rules.StallAfter) + ")"}}
}

// List is a labelled, numbered list, one item a line: "fields (2)  1. Name"
// then "  2. Email" under an empty label; "fields  -" when empty.
func List(label string, items []string) []Field {
	if len(items) == 0 {
		return []Field{{label, Dash}}
	}
	out := make([]Field, len(items))
	for i, item := range items {
		out[i] = Field{Value: fmt.Sprintf("%d. %s", i+1, item)}
	}
	out[0].Label = fmt.Sprintf("%s (%d)", label, len(items))
	return out
}

// ErrorFields is a session's error in full; "error  -" without one.
func ErrorFields(e *graphapi.ClassificationError, c Clock) []Field {
	if e.IsEmpty() {
		return []Field{{"error", Dash}}
	}
	out := []Field{
		{"error code", OrDash(e.Code)},
		{"error message", OrDash(e.Message)},
		{"error target", OrDash(e.Target)},
	}
	if ie := e.InnerError; ie != nil {
		out = append(out,
			Field{"inner code", OrDash(ie.Code)},
			Field{"activity id", OrDash(ie.ActivityID)},
			Field{"client request id", OrDash(ie.ClientRequestID)},
			Field{"error time", c.Stamp(ie.ErrorDateTime)})
	}
	for i, d := range e.Details {
		text := OrDash(d.Code) + ": " + d.Message + Aside("target", d.Target)
		if d.InnerError != nil {
			text += Aside("inner code", d.InnerError.Code)
		}
		out = append(out, Field{fmt.Sprintf("detail %d", i+1), text})
	}
	return out
}

// Aside is what a value adds in passing, "  (target: rows)", or "" when
// the value is empty.
func Aside(label, value string) string {
	if value == "" {
		return ""
	}
	return "  (" + label + ": " + value + ")"
}

// Counts is a phase's counts as the bar reads them, clamped to [0, total]
// (never the service's negative or overflowing numbers): "3 of 10 done,
// 7 remaining  (30%)", or the counts as sent when the total is unknown.
func Counts(p graphapi.Progress, total, remaining graphapi.Count) string {
	if !p.Known {
		return "total " + Count(total) + ", remaining " + Count(remaining) + "  (progress unknown)"
	}
	left := Dash
	if remaining.Valid {
		left = fmt.Sprint(p.Remaining())
	}
	return fmt.Sprintf("%d of %d done, %s remaining  (%s)", p.Done, p.Total, left, Percent(p))
}

// UploadURI is the upload URL without its query and user info, saying
// why the query is hidden.
func UploadURI(raw string) string {
	s, hadQuery := RedactURI(raw)
	if hadQuery {
		s += "  (query hidden: it holds the upload signature)"
	}
	return s
}

// PhaseDurations says how long the upload and the processing took, or how
// long they have run so far.
func PhaseDurations(s *graphapi.Session, now time.Time) (upload, processing string) {
	begin := s.StartDateTime.Time
	if begin.IsZero() {
		begin = s.CreationDateTime.Time
	}
	upEnd, procEnd := s.UploadCompletionDateTime.Time, s.ProcessingCompletionDateTime.Time
	if procEnd.IsZero() && s.StateClass() == graphapi.StateDone {
		procEnd = s.CompletionDateTime.Time
	}
	running := !health.Final(s)
	// Blocks all in with no completion time: the upload ended, when is
	// unknown, and so is when processing began.
	up := s.UploadProgress()
	uploaded := up.Known && up.Done >= up.Total
	upload = span(begin, upEnd, now, running && upEnd.IsZero() && !uploaded)
	if !upEnd.IsZero() {
		return upload, span(upEnd, procEnd, now, running && procEnd.IsZero())
	}
	if uploaded {
		return upload, Dash + " (the upload's end is not reported)"
	}
	return upload, Dash + " (not started)"
}

// span is "1h12m", "12m so far" while it runs, or the dash when unknown.
func span(begin, end, now time.Time, running bool) string {
	if begin.IsZero() {
		return Dash
	}
	if !end.IsZero() && !end.Before(begin) {
		return Elapsed(end.Sub(begin))
	}
	if running && now.After(begin) {
		return Elapsed(now.Sub(begin)) + " so far"
	}
	return Dash
}
