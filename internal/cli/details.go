package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// detail is one line of a session's details view: a label and its value.
type detail struct{ label, value string }

// writeSession prints one session as get and wait do: the details view, or
// the JSON object with -o json.
func writeSession(w io.Writer, out scriptFlags, s graphapi.Session) error {
	if out.output == "json" {
		return writeSessions(w, out, []*graphapi.Session{&s}, false)
	}
	return writeDetails(w, sessionDetails(&s))
}

// writeDetails aligns the values after the longest label; every value is
// sanitized onto one line.
func writeDetails(w io.Writer, details []detail) error {
	width := 0
	for _, d := range details {
		width = max(width, len(d.label))
	}
	var b strings.Builder
	for _, d := range details {
		label := d.label
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, label, termtext.OneLine(d.value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sessionDetails lists every property of a session, as the dashboard's
// details pane does, for people: times in UTC, the upload URL without its
// signature, the salt masked (-o json --reveal shows both).
func sessionDetails(s *graphapi.Session) []detail {
	details := []detail{
		{"file", present.OrDash(s.FileName)},
		{"session id", present.OrDash(s.ID)},
		{"data store id", present.OrDash(s.DataStoreID)},
		{"state", present.OrDash(s.State) + "  (" + s.StateClass().String() + ")"},
		{"blocks", countsText(s.UploadProgress(), s.TotalBlockCount, s.RemainingBlockCount)},
		{"jobs", countsText(s.ProcessingProgress(), s.TotalJobCount, s.RemainingJobCount)},
		{"rows per block", present.Count(s.RowsPerBlock)},
		{"estimated rows", estimatedRows(s)},
		{"created", present.UTC(s.CreationDateTime)},
		{"started", present.UTC(s.StartDateTime)},
		{"last updated", present.UTC(s.LastUpdatedDateTime)},
		{"upload completed", present.UTC(s.UploadCompletionDateTime)},
		{"processing completed", present.UTC(s.ProcessingCompletionDateTime)},
		{"completed", present.UTC(s.CompletionDateTime)},
		{"checksum", present.OrDash(s.Checksum)},
		{"upload URI", redactQuery(s.DataUploadURI)},
		{"salt", present.MaskSecret(s.Salt)},
		{"upload agent id", present.OrDash(s.UploadAgentID)},
	}
	if len(s.Fields) == 0 {
		details = append(details, detail{"fields", present.Dash})
	}
	for i, f := range s.Fields {
		label := ""
		if i == 0 {
			label = fmt.Sprintf("fields (%d)", len(s.Fields))
		}
		details = append(details, detail{label, fmt.Sprintf("%d. %s", i+1, f)})
	}
	return append(details, errorDetails(s.Error)...)
}

// errorDetails is a session's error in full, or "error: -" without one.
func errorDetails(e *graphapi.ClassificationError) []detail {
	if e.IsEmpty() {
		return []detail{{"error", present.Dash}}
	}
	details := []detail{
		{"error code", present.OrDash(e.Code)},
		{"error message", present.OrDash(e.Message)},
		{"error target", present.OrDash(e.Target)},
	}
	if ie := e.InnerError; ie != nil {
		details = append(details,
			detail{"inner code", present.OrDash(ie.Code)},
			detail{"activity id", present.OrDash(ie.ActivityID)},
			detail{"client request id", present.OrDash(ie.ClientRequestID)},
			detail{"error time", present.UTC(ie.ErrorDateTime)})
	}
	for i, d := range e.Details {
		text := present.OrDash(d.Code) + ": " + d.Message
		if d.Target != "" {
			text += " (target: " + d.Target + ")"
		}
		if d.InnerError != nil && d.InnerError.Code != "" {
			text += " (inner code: " + d.InnerError.Code + ")"
		}
		details = append(details, detail{fmt.Sprintf("detail %d", i+1), text})
	}
	return details
}

// countsText is a phase's counts: "3 of 10 done, 7 remaining (30%)".
func countsText(p graphapi.Progress, total, remaining graphapi.Count) string {
	if !p.Known {
		return fmt.Sprintf("total %s, remaining %s (progress unknown)", present.Count(total), present.Count(remaining))
	}
	left := present.Dash
	if remaining.Valid {
		left = fmt.Sprint(p.Remaining())
	}
	return fmt.Sprintf("%d of %d done, %s remaining (%s)", p.Done, p.Total, left, present.Percent(p))
}

// estimatedRows is blocks × rows per block, or Dash when either is unknown.
func estimatedRows(s *graphapi.Session) string {
	return present.EstimatedRows(health.Rows(s))
}
