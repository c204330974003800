package health

import (
	"fmt"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// spec describes one run of a drift history.
type spec struct {
	state  string        // "" for Completed
	blocks int64         // × 1000 rows; 0: size unknown
	took   time.Duration // 0: duration unknown (no completion or update time)
}

func failed(blocks int64, took time.Duration) spec    { return spec{"Failed", blocks, took} }
func cancelled(blocks int64, took time.Duration) spec { return spec{"Cancelled", blocks, took} }
func ok(blocks int64, took time.Duration) spec        { return spec{"", blocks, took} }

func times(n int, s spec) []spec {
	out := make([]spec, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// history builds the newest run (created an hour ago) and the older runs,
// one a day before it, newest first.
func history(newest spec, older ...spec) []*graphapi.Session {
	out := []*graphapi.Session{runSession("newest", time.Hour, newest)}
	for i, o := range older {
		out = append(out, runSession(fmt.Sprintf("older-%d", i), time.Duration(i+1)*24*time.Hour+time.Hour, o))
	}
	return out
}

func runSession(id string, created time.Duration, sp spec) *graphapi.Session {
	s := &graphapi.Session{ID: id, State: "Completed", CreationDateTime: at(created)}
	if sp.state != "" {
		s.State = sp.state
	}
	if sp.took > 0 {
		s.CompletionDateTime = at(created - sp.took)
		s.LastUpdatedDateTime = s.CompletionDateTime
	}
	if sp.blocks > 0 {
		s.TotalBlockCount = graphapi.Count{Value: sp.blocks, Valid: true}
		s.RowsPerBlock = graphapi.Count{Value: 1000, Valid: true}
	}
	return s
}

// A run is marked when its rows or its duration differ by more than 30 %
// from the median of the up to 7 completed runs before it.
func TestDriftAgainstTheCompletedRunsBefore(t *testing.T) {
	hr, m := time.Hour, time.Minute
	cases := []struct {
		name             string
		newest           spec
		older            []spec
		rowsDrift, durDr bool
	}{
		{"steady", ok(100, hr), times(3, ok(100, hr)), false, false},
		{"failed and cancelled runs are not the baseline", ok(100, hr),
			[]spec{failed(10, 10*m), cancelled(10, 10*m), failed(10, 10*m), cancelled(10, 10*m), ok(100, hr), ok(100, hr), ok(100, hr)}, false, false},
		{"a failed run: its rows are compared, its duration is not", failed(10, 10*m), times(3, ok(100, hr)), true, false},
		{"exactly 30 % more rows and time", ok(130, 78*m), times(3, ok(100, hr)), false, false},
		{"exactly 30 % fewer rows and less time", ok(70, 42*m), times(3, ok(100, hr)), false, false},
		{"just over 30 % more", ok(131, 79*m), times(3, ok(100, hr)), true, true},
		{"just over 30 % fewer", ok(69, 41*m), times(3, ok(100, hr)), true, true},
		{"10 % more", ok(110, 66*m), times(3, ok(100, hr)), false, false},
		{"the median of two is their mean: 20 % under it", ok(120, 72*m), []spec{ok(100, hr), ok(200, 2*hr)}, false, false},
		{"the median of two is their mean: twice it", ok(300, 3*hr), []spec{ok(100, hr), ok(200, 2*hr)}, true, true},
		{"the median of three is the middle one", ok(250, 150*m), []spec{ok(100, hr), ok(200, 2*hr), ok(400, 4*hr)}, false, false},
		{"only the 7 newest runs' rows count", ok(130, 0),
			[]spec{ok(100, 0), ok(100, 0), ok(100, 0), ok(200, 0), ok(200, 0), ok(200, 0), ok(200, 0), ok(100, 0)}, true, false},
		{"only the 7 newest runs' durations count", ok(0, 78*m),
			[]spec{ok(0, hr), ok(0, hr), ok(0, hr), ok(0, 2*hr), ok(0, 2*hr), ok(0, 2*hr), ok(0, 2*hr), ok(0, hr)}, false, true},
		{"runs of unknown size do not end the search for sizes", ok(60, hr),
			append(times(7, ok(0, hr)), times(3, ok(100, hr))...), true, false},
		{"runs of unknown duration do not end the search for durations", ok(100, 30*m),
			append(times(7, ok(100, 0)), times(3, ok(100, hr))...), false, true},
		{"a run of unknown size is not marked", ok(0, hr), times(3, ok(100, hr)), false, false},
		{"a run of unknown duration is not marked", ok(100, 0), times(3, ok(100, hr)), false, false},
		{"no completed run before: nothing to compare", ok(10, 10*m), []spec{failed(100, hr), cancelled(100, hr)}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runs := History(history(c.newest, c.older...), 1)
			if len(runs) != 1 || runs[0].Session.ID != "newest" {
				t.Fatalf("History(…, 1) = %+v, want the newest run", runs)
			}
			if r := runs[0]; r.RowsDrift != c.rowsDrift || r.DurationDrift != c.durDr {
				t.Errorf("rows drift %v, duration drift %v; want %v, %v", r.RowsDrift, r.DurationDrift, c.rowsDrift, c.durDr)
			}
		})
	}
}

// History lists final runs only, newest first, at most n.
func TestHistoryListsFinalRunsNewestFirst(t *testing.T) {
	ss := history(ok(100, time.Hour), failed(100, time.Hour), ok(100, time.Hour), cancelled(100, time.Hour))
	ss = append(ss, sess("live", "UploadInProgress", 30*time.Minute, time.Minute))
	runs := History(ss, 10)
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.Session.ID)
	}
	if fmt.Sprint(ids) != "[newest older-0 older-1 older-2]" {
		t.Errorf("runs %v, want [newest older-0 older-1 older-2]", ids)
	}
	if got := len(History(ss, 2)); got != 2 {
		t.Errorf("History(…, 2) has %d runs", got)
	}
	if got := History(ss, 0); len(got) != 0 {
		t.Errorf("History(…, 0) = %v", got)
	}
}

func TestRunFigures(t *testing.T) {
	base := func() *graphapi.Session {
		return &graphapi.Session{State: "Completed", CreationDateTime: at(3 * time.Hour)}
	}
	withStart := base()
	withStart.StartDateTime, withStart.CompletionDateTime = at(2*time.Hour), at(time.Hour)
	noCompletion := base()
	noCompletion.LastUpdatedDateTime = at(time.Hour)
	backwards := base()
	backwards.CompletionDateTime = at(4 * time.Hour)
	both := base()
	both.CompletionDateTime, both.LastUpdatedDateTime = at(2*time.Hour), at(time.Minute)
	for name, c := range map[string]struct {
		s    *graphapi.Session
		want time.Duration
	}{
		"from the start, not the creation":   {withStart, time.Hour},
		"to the last update, when no finish": {noCompletion, 2 * time.Hour},
		"to the completion, not later reads": {both, time.Hour},
		"a finish before the start: unknown": {backwards, 0},
	} {
		if got := Duration(c.s); got != c.want {
			t.Errorf("%s: Duration = %v, want %v", name, got, c.want)
		}
	}
	count := func(v int64) graphapi.Count { return graphapi.Count{Value: v, Valid: true} }
	for name, c := range map[string]struct {
		blocks, perBlock graphapi.Count
		want             int64
	}{
		"3 blocks of 1000":   {count(3), count(1000), 3000},
		"no block count":     {graphapi.Count{}, count(1000), 0},
		"no rows per block":  {count(3), graphapi.Count{}, 0},
		"negative blocks":    {count(-3), count(1000), 0},
		"negative per block": {count(3), count(-1000), 0},
		"both negative":      {count(-3), count(-1000), 0},
	} {
		s := graphapi.Session{TotalBlockCount: c.blocks, RowsPerBlock: c.perBlock}
		if got := Rows(&s); got != c.want {
			t.Errorf("%s: Rows = %d, want %d", name, got, c.want)
		}
	}
}
