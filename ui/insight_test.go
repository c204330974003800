package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

var yes, no = ptr(true), ptr(false)

func ptr(b bool) *bool { return &b }

func TestSchemaFieldsNameTheDifference(t *testing.T) {
	ds := &graphapi.DataStore{Columns: []graphapi.Column{
		{Name: "EmployeeId", IsSearchable: yes, IsCaseInsensitive: no},
		{Name: "Email", IsSearchable: yes, IsCaseInsensitive: yes, IgnoredDelimiters: []string{"."}},
		{Name: "LastName", IsSearchable: no},
	}}
	s := &graphapi.Session{Fields: []string{"employeeid", "Email", "Phone\x1b[2J"}}
	var text []string
	for _, f := range schemaFields(ds, s) {
		text = append(text, f.Label+"="+f.Value)
	}
	got := strings.Join(text, "\n")
	for _, want := range []string{
		"schema (3)=EmployeeId  (searchable)",
		`=Email  (searchable, case-insensitive, ignores ".")`,
		"=LastName  (case-insensitive unknown)",
		"not in the upload=LastName",
		"not in the schema=Phone",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if rendered := strings.Join(renderFields(schemaFields(ds, s), 200, NewStyles(asciiRenderer(), DefaultTheme())), "\n"); strings.Contains(rendered, "\x1b") {
		t.Error("an escape from a field name reached the pane")
	}
	same := &graphapi.Session{Fields: []string{"EmployeeId", "Email", "LastName"}}
	if n := len(schemaFields(ds, same)); n != 3 {
		t.Errorf("matching fields still reported a difference (%d lines)", n)
	}
}

func TestHistoryStrip(t *testing.T) {
	runs := []health.Run{
		{Session: &graphapi.Session{State: "Completed"}, Duration: 72 * time.Minute, RowsDrift: true},
		{Session: &graphapi.Session{State: "Failed"}},
		{Session: &graphapi.Session{State: "Completed"}, Duration: time.Hour, DurationDrift: true},
	}
	if got := historyStrip(runs); got != "✓ 1h12m ⚠rows · ✗ · ✓ 1h ⚠time" {
		t.Errorf("%q", got)
	}
	if got := historyStrip(nil); !strings.HasPrefix(got, "-") {
		t.Errorf("%q", got)
	}
}
