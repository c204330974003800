package exporter

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

func TestLabel(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain.csv", "plain.csv"},
		{"two\nlines\tand tab", "two lines and tab"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"bidi\u202Eoverride", "bidi\uFFFDoverride"},
		{strings.Repeat("x", 300), strings.Repeat("x", maxLabel-1) + "…"},
		{strings.Repeat("é", maxLabel), strings.Repeat("é", maxLabel)}, // exactly the bound: kept
		{strings.Repeat("é", maxLabel+1), strings.Repeat("é", maxLabel-1) + "…"},
	}
	for _, tc := range cases {
		got := label(tc.in)
		if got != tc.want {
			t.Errorf("label(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxLabel {
			t.Errorf("label(%q) = %q: invalid or too long", tc.in, got)
		}
	}
}

func session(id, state string, createdAgo time.Duration) *graphapi.Session {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	return &graphapi.Session{ID: id, State: state, FileName: id + ".csv",
		CreationDateTime:    graphapi.Time{Time: now.Add(-createdAgo)},
		LastUpdatedDateTime: graphapi.Time{Time: now.Add(-time.Minute)}}
}

func TestAssessPicksSessions(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		sessions   []*graphapi.Session
		maxRunning int
		want       []string
		verdict    health.Verdict
	}{
		{"running newest first, then the newest final", []*graphapi.Session{
			session("old-done", "Completed", 48*time.Hour), session("run-a", "UploadInProgress", 2*time.Hour),
			session("new-done", "Failed", 3*time.Hour), session("run-b", "ProcessingInProgress", time.Hour),
		}, 20, []string{"run-b", "run-a", "new-done"}, health.OK},
		{"the cap keeps the newest running", []*graphapi.Session{
			session("r1", "UploadInProgress", 3*time.Hour), session("r2", "UploadInProgress", 2*time.Hour),
			session("r3", "UploadInProgress", time.Hour), session("done", "Completed", 9*time.Hour),
		}, 2, []string{"r3", "r2", "done"}, health.OK},
		{"no id, no series; an id once", []*graphapi.Session{
			session("", "UploadInProgress", time.Hour), session("dup", "UploadInProgress", time.Hour),
			session("dup", "UploadInProgress", time.Hour),
		}, 20, []string{"dup"}, health.Stale}, // never indexed
		{"no sessions", nil, 20, nil, health.Stale},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := monitor.Store{DataStore: graphapi.DataStore{ID: "s", DisplayName: "S"}, Sessions: tc.sessions}
			v := assess(&st, health.DefaultRules(), now, tc.maxRunning)
			var got []string
			for _, s := range v.sessions {
				got = append(got, s.id)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("sessions %v, want %v", got, tc.want)
			}
			if v.verdict != tc.verdict {
				t.Errorf("verdict %v, want %v", v.verdict, tc.verdict)
			}
		})
	}
}
