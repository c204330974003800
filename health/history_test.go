package health

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

func run(id string, created time.Duration, took time.Duration, blocks int64) *graphapi.Session {
	s := completed(id, created, created-took)
	s.TotalBlockCount = graphapi.Count{Value: blocks, Valid: true}
	s.RowsPerBlock = graphapi.Count{Value: 1000, Valid: true}
	return s
}

func TestHistoryMarksDrift(t *testing.T) {
	var ss []*graphapi.Session
	for i := 1; i <= 7; i++ {
		ss = append(ss, run(string(rune('a'+i)), time.Duration(i)*24*time.Hour, time.Hour, 100))
	}
	ss = append(ss,
		run("shrunk", 2*time.Hour, time.Hour, 60),   // 40 % fewer rows
		run("slow", time.Hour, 90*time.Minute, 100), // 50 % longer
	)
	h := History(ss, 3)
	if len(h) != 3 {
		t.Fatalf("%d runs", len(h))
	}
	if h[0].Session.ID != "slow" || !h[0].DurationDrift || h[0].RowsDrift {
		t.Errorf("slow: %+v", h[0])
	}
	if h[1].Session.ID != "shrunk" || !h[1].RowsDrift || h[1].DurationDrift {
		t.Errorf("shrunk: %+v", h[1])
	}
	if h[2].RowsDrift || h[2].DurationDrift {
		t.Errorf("steady run marked: %+v", h[2])
	}
	if h[1].Rows != 60000 || h[2].Duration != time.Hour {
		t.Errorf("figures: %d rows, %v", h[1].Rows, h[2].Duration)
	}
}

func TestHistorySkipsRunningAndHandlesNoBaseline(t *testing.T) {
	ss := []*graphapi.Session{
		sess("live", "UploadInProgress", time.Hour, time.Minute),
		run("only", 3*time.Hour, time.Hour, 100),
	}
	h := History(ss, 5)
	if len(h) != 1 || h[0].Session.ID != "only" || h[0].RowsDrift || h[0].DurationDrift {
		t.Errorf("%+v", h)
	}
}

func TestRowsAndDurationUnknown(t *testing.T) {
	s := graphapi.Session{State: "Completed"}
	if Rows(&s) != 0 || Duration(&s) != 0 {
		t.Error("unknown figures must be zero")
	}
}
