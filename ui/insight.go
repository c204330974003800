package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edmtop/edmtop/present"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
)

// Pure text for what the details pane adds beyond the session's own
// properties: how long each phase took, the estimated rows, the store's
// schema against the session's fields, and the store's recent runs.

// phaseDurations says how long the upload and the processing took, or how
// long they have run so far.
func phaseDurations(s *graphapi.Session, now time.Time) (upload, processing string) {
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
	switch {
	case !upEnd.IsZero():
		processing = span(upEnd, procEnd, now, running && procEnd.IsZero())
	case uploaded:
		processing = present.Dash + " (the upload's end is not reported)"
	default:
		processing = present.Dash + " (not started)"
	}
	return upload, processing
}

// span is "1h12m", "12m so far" while it runs, or the dash when unknown.
func span(begin, end, now time.Time, running bool) string {
	switch {
	case begin.IsZero():
		return present.Dash
	case !end.IsZero() && !end.Before(begin):
		return present.Elapsed(end.Sub(begin))
	case running && now.After(begin):
		return present.Elapsed(now.Sub(begin)) + " so far"
	}
	return present.Dash
}

// estimatedRows is blocks × rows per block, with thousands separated.
func estimatedRows(s *graphapi.Session) string {
	return present.EstimatedRows(health.Rows(s))
}

// schemaFields lists the store's columns and says where the session's
// fields differ from them: an upload hashed against an old schema fails.
func schemaFields(ds *graphapi.DataStore, s *graphapi.Session) []field {
	if ds == nil || len(ds.Columns) == 0 {
		return []field{{"schema", present.Dash + " (the store lists no columns)"}}
	}
	fields := make([]field, 0, len(ds.Columns)+2)
	for i, c := range ds.Columns {
		label := ""
		if i == 0 {
			label = fmt.Sprintf("schema (%d)", len(ds.Columns))
		}
		fields = append(fields, field{label, termtext.OneLine(c.Name) + columnTraits(c)})
	}
	if missing, extra := fieldDiff(ds.Columns, s.Fields); len(s.Fields) > 0 && (len(missing) > 0 || len(extra) > 0) {
		if len(missing) > 0 {
			fields = append(fields, field{"not in the upload", termtext.OneLine(strings.Join(missing, ", "))})
		}
		if len(extra) > 0 {
			fields = append(fields, field{"not in the schema", termtext.OneLine(strings.Join(extra, ", "))})
		}
	}
	return fields
}

func columnTraits(c graphapi.Column) string {
	var t []string
	for _, flag := range []struct {
		value *bool
		name  string
	}{{c.IsSearchable, "searchable"}, {c.IsCaseInsensitive, "case-insensitive"}} {
		switch {
		case flag.value == nil:
			t = append(t, flag.name+" unknown") // null on the wire is not false
		case *flag.value:
			t = append(t, flag.name)
		}
	}
	if len(c.IgnoredDelimiters) > 0 {
		quoted := make([]string, len(c.IgnoredDelimiters))
		for i, d := range c.IgnoredDelimiters {
			quoted[i] = fmt.Sprintf("%q", d)
		}
		t = append(t, "ignores "+strings.Join(quoted, " "))
	}
	if len(t) == 0 {
		return ""
	}
	return "  (" + strings.Join(t, ", ") + ")"
}

// fieldDiff compares column names case-insensitively, as the service does.
func fieldDiff(columns []graphapi.Column, fields []string) (missing, extra []string) {
	have := make(map[string]bool, len(fields))
	for _, f := range fields {
		have[strings.ToLower(f)] = true
	}
	want := make(map[string]bool, len(columns))
	for _, c := range columns {
		want[strings.ToLower(c.Name)] = true
		if !have[strings.ToLower(c.Name)] {
			missing = append(missing, c.Name)
		}
	}
	for _, f := range fields {
		if !want[strings.ToLower(f)] {
			extra = append(extra, f)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

// historyStrip is a store's last runs, newest first: outcome icon, duration,
// and a marker where rows (⚠rows) or duration (⚠time) drift from the median.
func historyStrip(runs []health.Run) string {
	if len(runs) == 0 {
		return present.Dash + " (no finished uploads listed)"
	}
	parts := make([]string, len(runs))
	for i, r := range runs {
		p := stateIcon(r.Session.StateClass())
		if r.Duration > 0 {
			p += " " + present.Elapsed(r.Duration)
		}
		if r.RowsDrift {
			p += " ⚠rows"
		}
		if r.DurationDrift {
			p += " ⚠time"
		}
		parts[i] = p
	}
	return strings.Join(parts, " · ")
}
