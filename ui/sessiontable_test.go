package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// A listing that omits a session drops its row, unless an action on it is
// in flight: its answer is still to come and must find the row (issue 17,
// a mutation that removed this check survived).
func TestMergeKeepsOmittedRowsWithActionInFlight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pending action
		marked  bool
		kept    bool
	}{
		{"idle row goes", noAction, false, false},
		{"marked idle row goes", noAction, true, false},
		{"renew in flight stays", actRenew, false, true},
		{"cancel in flight stays", actCancel, false, true},
		{"commit in flight stays, marked", actCommit, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl := newSessionTable(&shared{}, AllColumns())
			all := sampleSessions()
			tbl.Merge(all, testNow)
			r, _ := tbl.Row("s-uploading")
			if tc.pending != noAction {
				tbl.Begin(r, tc.pending)
			}
			tbl.SetMarked(r, tc.marked)

			var rest []*graphapi.Session
			for _, s := range all {
				if s.ID != "s-uploading" {
					rest = append(rest, s)
				}
			}
			tbl.Merge(rest, testNow.Add(10*time.Second))

			_, kept := tbl.Row("s-uploading")
			if kept != tc.kept || slices.Contains(tbl.Visible(), "s-uploading") != tc.kept {
				t.Fatalf("row kept %v, shown %v; want %v", kept, slices.Contains(tbl.Visible(), "s-uploading"), tc.kept)
			}
			if want := map[bool]int{true: 1}[tc.marked && tc.kept]; tbl.Marked() != want {
				t.Errorf("%d marked, want %d", tbl.Marked(), want)
			}
			if tc.kept && !tbl.Busy() {
				t.Error("the action in flight is forgotten")
			}
		})
	}
}

// Every shown row knows its position and every hidden one knows it is
// hidden, after each change that reorders the table; the selection stays
// on its session while it is shown.
func TestRowPositionsFollowOrder(t *testing.T) {
	all := sampleSessions()
	for _, tc := range []struct {
		name   string
		change func(*sessionTable)
	}{
		{"merge", func(tbl *sessionTable) { tbl.Merge(all, testNow.Add(time.Second)) }},
		{"sort", func(tbl *sessionTable) { tbl.CycleSort() }},
		{"reverse", func(tbl *sessionTable) { tbl.ReverseSort() }},
		{"filter", func(tbl *sessionTable) { tbl.SetFilter("upload") }},
		{"negated filter", func(tbl *sessionTable) { tbl.SetFilter("!completed") }},
		{"merge without one", func(tbl *sessionTable) { tbl.Merge(all[1:], testNow.Add(time.Second)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl := newSessionTable(&shared{}, AllColumns())
			tbl.SetSize(120, 10)
			tbl.Merge(all, testNow)
			tbl.Select("s-uploading")
			tc.change(tbl)
			for id, r := range tbl.rows {
				want := slices.Index(tbl.Visible(), id)
				if r.at != want {
					t.Errorf("%s at %d, shown at %d", id, r.at, want)
				}
			}
			if slices.Contains(tbl.Visible(), "s-uploading") && tbl.selectedID != "s-uploading" {
				t.Errorf("selection moved to %q", tbl.selectedID)
			}
		})
	}
}

// A refresh that changes a row's sort key moves the row, one that does not
// leaves the order (and skips the sort).
func TestMergeReordersOnSortKeyChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		key   sortKey
		edit  func(*graphapi.Session)
		first bool // the edited session is first after the merge
	}{
		{"updated, newest now", sortUpdated, func(s *graphapi.Session) { s.LastUpdatedDateTime.Time = testNow.Add(time.Hour) }, true},
		{"created, newest now", sortCreated, func(s *graphapi.Session) { s.CreationDateTime.Time = testNow.Add(time.Hour) }, true},
		{"file name, first now", sortFile, func(s *graphapi.Session) { s.FileName = "aaa.EdmHash" }, true},
		{"created, only updated", sortCreated, func(s *graphapi.Session) { s.LastUpdatedDateTime.Time = testNow.Add(time.Hour) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl := newSessionTable(&shared{}, AllColumns())
			tbl.SetSize(120, 10)
			tbl.sortKey = tc.key
			all := sampleSessions()
			tbl.Merge(all, testNow)
			last := tbl.Visible()[len(tbl.Visible())-1]
			fresh := append([]*graphapi.Session(nil), all...)
			for i := range fresh {
				if fresh[i].ID == last {
					c := *fresh[i] // a new copy: the table points at the old one
					tc.edit(&c)
					fresh[i] = &c
				}
			}
			tbl.Merge(fresh, testNow.Add(time.Second))
			if got := tbl.Visible()[0] == last; got != tc.first {
				t.Errorf("%s first: %v, want %v (order %v)", last, got, tc.first, tbl.Visible())
			}
		})
	}
}
