package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
)

func prog(done, total int64) graphapi.Progress {
	return graphapi.Progress{Done: done, Total: total, Fraction: float64(done) / float64(total), Known: true}
}

func TestBarCells(t *testing.T) {
	cases := []struct {
		name          string
		p             graphapi.Progress
		width         int
		filled, empty int
	}{
		{"unknown", graphapi.Progress{}, 10, 0, 10},
		{"none", prog(0, 10), 10, 0, 10},
		{"tiny shows one cell", prog(1, 1000), 10, 1, 9},
		{"half", prog(5, 10), 10, 5, 5},
		{"almost is not full", prog(999, 1000), 10, 9, 1},
		{"done", prog(10, 10), 10, 10, 0},
		{"zero width", prog(5, 10), 0, 0, 0},
	}
	for _, tc := range cases {
		f, e := barCells(tc.p, tc.width)
		if f != tc.filled || e != tc.empty {
			t.Errorf("%s: got %d/%d, want %d/%d", tc.name, f, e, tc.filled, tc.empty)
		}
	}
}

func TestFitMiddleKeepsTheEnd(t *testing.T) {
	cases := map[int]string{
		19: "employe…1-28.EdmHash",
		28: "employees-2026-11-28.EdmHash",
		40: "employees-2026-11-28.EdmHash            ",
		5:  "empl…",
	}
	for w, want := range cases {
		got := fitMiddle("employees-2026-11-28.EdmHash", w)
		if ansi.StringWidth(got) != w {
			t.Errorf("width %d: %q is %d wide", w, got, ansi.StringWidth(got))
		}
		if w != 19 && got != want {
			t.Errorf("fitMiddle(%d) = %q, want %q", w, got, want)
		}
		if w == 19 && (!strings.HasSuffix(got, ".EdmHash") || !strings.HasPrefix(got, "employ")) {
			t.Errorf("fitMiddle(19) = %q", got)
		}
	}
	if got := fitMiddle("名前名前名前名前名前名前", 9); ansi.StringWidth(got) != 9 {
		t.Errorf("wide runes: %q", got)
	}
}

func TestPercentLabel(t *testing.T) {
	cases := map[string]graphapi.Progress{"    ": {}, "  0%": prog(0, 3), " 66%": prog(2, 3), " 99%": prog(999, 1000), "100%": prog(4, 4)}
	for want, p := range cases {
		if got := present.PercentLabel(p); got != want {
			t.Errorf("present.PercentLabel(%+v) = %q, want %q", p, got, want)
		}
	}
}

func TestRenderBarIsFixedWidth(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	for _, p := range []graphapi.Progress{{}, prog(0, 1), prog(1, 3), prog(1, 1)} {
		got := renderBar(p, 10, graphapi.StateInProgress, st)
		if w := ansi.StringWidth(got); w != 15 {
			t.Errorf("bar %q is %d wide", got, w)
		}
	}
	if got := renderBar(prog(3, 4), 8, graphapi.StateDone, st); got != "██████░░  75%" {
		t.Errorf("bar = %q", got)
	}
	if got := renderBar(graphapi.Progress{}, 4, graphapi.StateDone, st); got != "░░░░     " {
		t.Errorf("unknown bar = %q", got)
	}
	// Wider than the runs bars are cut from.
	if got, want := renderBar(prog(1, 2), 300, graphapi.StateDone, st), strings.Repeat("█", 150)+strings.Repeat("░", 150)+"  50%"; got != want {
		t.Errorf("a 300-cell bar is %d cells, want 305", ansi.StringWidth(got))
	}
}

func TestFitHandlesWideAndLongText(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
	}{
		{"short", 8, "short   "},
		{"exactly8", 8, "exactly8"},
		{"much-too-long.EdmHash", 8, "much-to…"},
		{"名前名前名前", 7, "名前名…"},
		{"x", 0, ""},
	}
	for _, tc := range cases {
		got := fit(tc.in, tc.width)
		if got != tc.want || ansi.StringWidth(got) != tc.width {
			t.Errorf("fit(%q, %d) = %q (width %d), want %q", tc.in, tc.width, got, ansi.StringWidth(got), tc.want)
		}
	}
}

func TestLayoutDropsColumnsFromTheRight(t *testing.T) {
	cases := []struct {
		width                                string
		w                                    int
		upload, processing, updated, created bool
	}{
		{"wide", 160, true, true, true, true},
		{"medium", 120, true, true, true, true},
		{"80", 80, true, true, true, false},
		{"70", 70, true, true, false, false},
		{"55", 55, true, false, false, false},
		{"50", 50, true, false, false, false}, // a narrow bar with its percent (short state labels make room)
	}
	for _, tc := range cases {
		l := computeLayout(tc.w, AllColumns())
		if l.upload != tc.upload || l.processing != tc.processing || l.updated != tc.updated || l.created != tc.created {
			t.Errorf("%s: %+v", tc.width, l)
		}
		if l.fixed()+l.file > tc.w {
			t.Errorf("%s: layout is %d wide", tc.width, l.fixed()+l.file)
		}
		if l.file < fileMinW && tc.w >= 60 {
			t.Errorf("%s: file column only %d wide", tc.width, l.file)
		}
	}
}

func TestRenderRowWidthMatchesLayout(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	for _, s := range sampleSessions() {
		s.FileName = strings.Repeat("名", 40)
		r := rowOf(s)
		for _, w := range []int{50, 55, 70, 80, 120, 160, 220} {
			l := computeLayout(w, AllColumns())
			line := renderRow(r, l, true, testEnv(st, "⠋"))
			if got := ansi.StringWidth(line); got != l.fixed()+l.file {
				t.Errorf("width %d: row is %d wide, layout says %d: %q", w, got, l.fixed()+l.file, line)
			}
			if head := ansi.StringWidth(l.header(st, sortUpload, false)); head != l.fixed()+l.file {
				t.Errorf("width %d: header is %d wide", w, head)
			}
		}
	}
}

func TestRowShowsSpinnerOnlyWhileRenewing(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	r := rowOf(sampleSessions()[1])
	l := computeLayout(120, AllColumns())
	if line := renderRow(r, l, false, testEnv(st, "⠋")); strings.Contains(line, "⠋") || !strings.Contains(line, "● UploadInProgress") {
		t.Errorf("idle row: %q", line)
	}
	r.pending = actRenew
	if line := renderRow(r, l, false, testEnv(st, "⠋")); !strings.Contains(line, "⠋ UploadInProgress") {
		t.Errorf("renewing row: %q", line)
	}
}

func TestUnknownStateShownVerbatim(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	s := sampleSessions()[0]
	s.State = "QueuedForIndexing"
	line := renderRow(rowOf(s), computeLayout(120, AllColumns()), false, testEnv(st, ""))
	if !strings.Contains(line, "? QueuedForIndexing") {
		t.Errorf("row: %q", line)
	}
}

func testEnv(st Styles, frame string) rowEnv {
	return rowEnv{frame: frame, now: testNow, rules: health.DefaultRules(), st: st}
}

func TestStateCell(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	base := sampleSessions()[1] // UploadInProgress, updated 3m before testNow
	cases := []struct {
		name  string
		edit  func(s *graphapi.Session, r *row)
		rules health.Rules
		want  string
	}{
		{"running", nil, health.DefaultRules(), "● UploadInProgress"},
		{"stalled", func(s *graphapi.Session, _ *row) { s.LastUpdatedDateTime = at("2026-11-28T06:00:00Z") }, health.DefaultRules(), "⧗ stalled 3h"},
		{"idle within the rules", func(s *graphapi.Session, _ *row) { s.LastUpdatedDateTime = at("2026-11-28T06:00:00Z") },
			health.Rules{StallAfter: 10 * time.Hour}, "● UploadInProgress"},
		{"finished is never stalled", func(s *graphapi.Session, _ *row) {
			s.State, s.LastUpdatedDateTime = "Completed", at("2026-11-20T06:00:00Z")
		}, health.DefaultRules(), "✓ Completed"},
		{"awaiting commit", func(s *graphapi.Session, _ *row) { s.State = "UploadCompleted" }, health.DefaultRules(), "◇ UploadCompleted"},
		{"unknown state", func(s *graphapi.Session, _ *row) { s.State = "QueuedForIndexing" }, health.DefaultRules(), "? QueuedForIndexing"},
		{"busy", func(_ *graphapi.Session, r *row) { r.pending = actRenew }, health.DefaultRules(), "⠋ UploadInProgress"},
		{"gone", func(_ *graphapi.Session, r *row) { r.gone = true }, health.DefaultRules(), "⊘ gone (404)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first := *base
			r := rowOf(&first)
			if tc.edit != nil {
				s := first // a new copy, as a refresh brings
				tc.edit(&s, r)
				r.set(&s)
			}
			got := strings.TrimRight(stateCell(r, 20, rowEnv{frame: "⠋", now: testNow, rules: tc.rules, st: st}), " ")
			if got != tc.want {
				t.Errorf("state cell %q, want %q", got, tc.want)
			}
		})
	}
}

// Issue 18 item 6: a narrow table drops the suffix all rows share and uses
// short state labels; the details pane keeps the full text.
func TestSharedSuffixAndShortStates(t *testing.T) {
	rows := func(names ...string) map[string]*row {
		out := map[string]*row{}
		for i, n := range names {
			out[fmt.Sprint(i)] = rowOf(&graphapi.Session{ID: fmt.Sprint(i), FileName: n})
		}
		return out
	}
	suffixes := []struct {
		names []string
		want  string
	}{
		{[]string{"a.EdmHash", "b-2026.EdmHash"}, ".EdmHash"},
		{[]string{"a.EdmHash", "b.csv"}, ""},
		{[]string{"a.EdmHash", ".EdmHash"}, ""},
		{[]string{"a", "b"}, ""},
		{[]string{"one.EdmHash"}, ".EdmHash"},
		{nil, ""},
	}
	for _, tc := range suffixes {
		if got := sharedSuffix(rows(tc.names...)); got != tc.want {
			t.Errorf("sharedSuffix(%v) = %q, want %q", tc.names, got, tc.want)
		}
	}
	r := rowOf(&graphapi.Session{ID: "x", FileName: "employees-2026-11-28.EdmHash", State: "ProcessingInProgress"})
	if got := r.fit(20, ".EdmHash"); got != "employees-2026-11-28" {
		t.Errorf("fit without suffix = %q", got)
	}
	if got := r.fit(30, ""); got != "employees-2026-11-28.EdmHash  " {
		t.Errorf("fit with suffix = %q", got)
	}
	labels := map[string]string{"ProcessingInProgress": "Processing", "UploadInProgress": "Uploading", "UploadCompleted": "Awaiting commit",
		"Completed": "Done", "Failed": "Failed", "cancelled": "Cancelled", "QueuedForIndexing": "QueuedForIndexing"}
	for state, want := range labels {
		r := rowOf(&graphapi.Session{ID: "x", State: state})
		if got := r.stateLabel(stateShortW - 2); got != want {
			t.Errorf("short label of %s = %q, want %q", state, got, want)
		}
		if got := r.stateLabel(stateW - 2); got != state {
			t.Errorf("wide label of %s = %q", state, got)
		}
	}
}
