package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edmtop/edmtop/present"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// Pure text for what the details pane adds beyond the session's own
// properties (present writes those): the store's schema against the
// session's fields, and the store's recent runs.

// schemaFields lists the store's columns and says where the session's
// fields differ from them: an upload hashed against an old schema fails.
func schemaFields(ds *graphapi.DataStore, s *graphapi.Session) []present.Field {
	if ds == nil || len(ds.Columns) == 0 {
		return []present.Field{{Label: "schema", Value: present.Dash + " (the store lists no columns)"}}
	}
	fields := make([]present.Field, 0, len(ds.Columns)+2)
	for i, c := range ds.Columns {
		label := ""
		if i == 0 {
			label = fmt.Sprintf("schema (%d)", len(ds.Columns))
		}
		fields = append(fields, present.Field{Label: label, Value: c.Name + columnTraits(c)})
	}
	if missing, extra := fieldDiff(ds.Columns, s.Fields); len(s.Fields) > 0 && (len(missing) > 0 || len(extra) > 0) {
		if len(missing) > 0 {
			fields = append(fields, present.Field{Label: "not in the upload", Value: strings.Join(missing, ", ")})
		}
		if len(extra) > 0 {
			fields = append(fields, present.Field{Label: "not in the schema", Value: strings.Join(extra, ", ")})
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
