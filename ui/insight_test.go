package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

func TestPhaseDurations(t *testing.T) {
	cases := []struct {
		name     string
		s        graphapi.Session
		up, proc string
	}{
		{"finished", graphapi.Session{State: "Completed", StartDateTime: ago(3 * time.Hour), UploadCompletionDateTime: ago(2 * time.Hour), ProcessingCompletionDateTime: ago(48 * time.Minute)}, "1h00m", "1h12m"},
		{"uploading", graphapi.Session{State: "UploadInProgress", CreationDateTime: ago(12 * time.Minute)}, "12m so far", "- (not started)"},
		{"processing", graphapi.Session{State: "ProcessingInProgress", CreationDateTime: ago(time.Hour), UploadCompletionDateTime: ago(20 * time.Minute)}, "40m", "20m so far"},
		{"failed while processing", graphapi.Session{State: "Failed", CreationDateTime: ago(time.Hour), UploadCompletionDateTime: ago(20 * time.Minute)}, "40m", "-"},
		{"completed, only completion time", graphapi.Session{State: "Completed", CreationDateTime: ago(3 * 24 * time.Hour), UploadCompletionDateTime: ago(49 * time.Hour), CompletionDateTime: ago(time.Hour)}, "23h00m", "2d0h"},
		{"nothing known", graphapi.Session{State: "Completed"}, "-", "- (not started)"},
		{"uploaded, no completion time", graphapi.Session{State: "ProcessingInProgress", CreationDateTime: ago(time.Hour), TotalBlockCount: cnt(4), RemainingBlockCount: cnt(0)}, "-", "- (the upload's end is not reported)"},
		{"end before begin (skew)", graphapi.Session{State: "Completed", CreationDateTime: ago(time.Hour), UploadCompletionDateTime: ago(2 * time.Hour)}, "-", "-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up, proc := phaseDurations(&c.s, fleetNow)
			if up != c.up || proc != c.proc {
				t.Errorf("got %q / %q, want %q / %q", up, proc, c.up, c.proc)
			}
		})
	}
}

func TestEstimatedRows(t *testing.T) {
	s := graphapi.Session{TotalBlockCount: cnt(24), RowsPerBlock: cnt(100000)}
	if got := estimatedRows(&s); got != "about 2,400,000 (blocks × rows per block)" {
		t.Errorf("%q", got)
	}
	if got := estimatedRows(&graphapi.Session{TotalBlockCount: cnt(-3), RowsPerBlock: cnt(10)}); got != "-" {
		t.Errorf("negative blocks: %q", got)
	}
}

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
		text = append(text, f.label+"="+f.value)
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
	if strings.Contains(got, "\x1b") {
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
	if got := historyStrip(runs); got != "✓ 1h12m ⚠rows · ✗ · ✓ 1h00m ⚠time" {
		t.Errorf("%q", got)
	}
	if got := historyStrip(nil); !strings.HasPrefix(got, "-") {
		t.Errorf("%q", got)
	}
}
