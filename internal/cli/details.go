package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// writeSession prints one session as get and wait do: the details view
// (a stall judged by rules), or the JSON object with -o json.
func writeSession(w io.Writer, out scriptFlags, s graphapi.Session, rules health.Rules) error {
	if out.output == "json" {
		return writeSessions(w, out, []*graphapi.Session{&s}, false)
	}
	return writeDetails(w, sessionDetails(&s, pollClock.now(), rules))
}

// sessionDetails is every property of a session and its error, as present
// writes them for the dashboard's panes too: times in UTC, the upload URL
// without its signature, the salt masked (-o json --reveal shows both).
func sessionDetails(s *graphapi.Session, now time.Time, rules health.Rules) []present.Field {
	c := present.Clock{Now: now, Rules: rules}
	return append(present.Session(s, c).Fields(), present.ErrorFields(s.Error, c)...)
}

// writeDetails aligns the values after the longest label; every value is
// sanitized onto one line.
func writeDetails(w io.Writer, fields []present.Field) error {
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Label))
	}
	var b strings.Builder
	for _, f := range fields {
		label := f.Label
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, label, termtext.OneLine(f.Value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
