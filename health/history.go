package health

import (
	"slices"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// DriftThreshold is how far a run may differ from the median of recent runs
// before it is marked: a table that shrank by a third deserves a look.
const DriftThreshold = 0.30

// driftWindow is how many earlier completed runs the median is taken over.
const driftWindow = 7

// Run is one finished session as the history strip shows it.
type Run struct {
	Session  *graphapi.Session
	Duration time.Duration // creation (or start) to finish; zero when unknown
	Rows     int64         // blocks × rows per block; zero when unknown
	// RowsDrift and DurationDrift are set when the value differs by more than
	// DriftThreshold from the median of the up to 7 completed runs before it.
	RowsDrift, DurationDrift bool
}

// Rows estimates a session's row count: blocks × rows per block.
func Rows(s *graphapi.Session) int64 {
	if !s.TotalBlockCount.Valid || !s.RowsPerBlock.Valid || s.TotalBlockCount.Value <= 0 || s.RowsPerBlock.Value <= 0 {
		return 0
	}
	return s.TotalBlockCount.Value * s.RowsPerBlock.Value
}

// Duration is how long a finished session took, from its start (else its
// creation) to its completion (else its last update); zero when unknown.
func Duration(s *graphapi.Session) time.Duration {
	begin := s.StartDateTime.Time
	if begin.IsZero() {
		begin = s.CreationDateTime.Time
	}
	end := s.CompletionDateTime.Time
	if end.IsZero() {
		end = s.LastUpdatedDateTime.Time
	}
	if begin.IsZero() || end.IsZero() || end.Before(begin) {
		return 0
	}
	return end.Sub(begin)
}

// History returns the last n final sessions, newest first, each compared with
// the completed runs before it.
func History(sessions []*graphapi.Session, n int) []Run {
	final := make([]*graphapi.Session, 0, len(sessions))
	for _, s := range sessions {
		if Final(s) {
			final = append(final, s)
		}
	}
	slices.SortFunc(final, NewestFirst)
	runs := make([]Run, 0, min(n, len(final)))
	for i := 0; i < len(final) && len(runs) < n; i++ {
		runs = append(runs, runOf(final[i], final[i+1:]))
	}
	return runs
}

func runOf(s *graphapi.Session, older []*graphapi.Session) Run {
	run := Run{Session: s, Duration: Duration(s), Rows: Rows(s)}
	var rows, durs []float64
	for _, o := range older {
		if len(rows) == driftWindow && len(durs) == driftWindow {
			break
		}
		if o.StateClass() != graphapi.StateDone {
			continue
		}
		if r := Rows(o); r > 0 && len(rows) < driftWindow {
			rows = append(rows, float64(r))
		}
		if d := Duration(o); d > 0 && len(durs) < driftWindow {
			durs = append(durs, float64(d))
		}
	}
	run.RowsDrift = run.Rows > 0 && drifts(float64(run.Rows), rows)
	run.DurationDrift = run.Duration > 0 && s.StateClass() == graphapi.StateDone && drifts(float64(run.Duration), durs)
	return run
}

func drifts(v float64, earlier []float64) bool {
	if len(earlier) == 0 {
		return false
	}
	slices.Sort(earlier)
	m := earlier[len(earlier)/2]
	if len(earlier)%2 == 0 {
		m = (earlier[len(earlier)/2-1] + m) / 2
	}
	if m <= 0 {
		return false
	}
	d := (v - m) / m
	return d > DriftThreshold || d < -DriftThreshold
}
