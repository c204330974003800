package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
)

func TestRatesAndETA(t *testing.T) {
	t0 := testNow
	var s []sample
	s = addSample(s, sample{at: t0, blocks: 0})
	if _, ok := ratePerMinute(s, t0.Add(time.Minute), false); ok {
		t.Error("a rate from one sample")
	}
	s = addSample(s, sample{at: t0.Add(time.Minute), blocks: 10})
	s = addSample(s, sample{at: t0.Add(90 * time.Second), blocks: 10}) // unchanged: not recorded
	if len(s) != 2 {
		t.Fatalf("%d samples", len(s))
	}
	rate, ok := ratePerMinute(s, t0.Add(time.Minute), false)
	if !ok || rate != 10 {
		t.Errorf("rate %v %v", rate, ok)
	}
	// A stall lowers the rate as time passes.
	if slow, _ := ratePerMinute(s, t0.Add(5*time.Minute), false); slow != 2 {
		t.Errorf("stalled rate %v", slow)
	}
	if _, ok := ratePerMinute(s, t0.Add(time.Minute), true); ok {
		t.Error("a job rate without job progress")
	}
	// Old samples fall out of the window.
	s = addSample(s, sample{at: t0.Add(30 * time.Minute), blocks: 12})
	s = addSample(s, sample{at: t0.Add(31 * time.Minute), blocks: 72})
	if r, _ := ratePerMinute(s, t0.Add(31*time.Minute), false); r != 60 {
		t.Errorf("windowed rate %v", r)
	}
	cases := []struct {
		rem  int64
		rate float64
		ok   bool
		want string
	}{
		{0, 0, false, "done"}, {10, 0, false, present.Dash}, {10, 20, true, "<1m"}, {40, 10, true, "4m"},
		{650, 10, true, "1h05m"}, {10000, 1, true, "6d22h"}, {1 << 40, 1, true, ">1y"},
	}
	for _, tc := range cases {
		if got := etaText(tc.rem, tc.rate, tc.ok); got != tc.want {
			t.Errorf("etaText(%d, %v) = %q, want %q", tc.rem, tc.rate, got, tc.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{0, 0.5, 1, 2, -1}, 10); got != "▁▅██▁" {
		t.Errorf("sparkline = %q", got)
	}
	if got := sparkline([]float64{0, 0.25, 0.5, 0.75, 1}, 3); got != "▅▆█" {
		t.Errorf("cut to width: %q", got)
	}
	if sparkline(nil, 5) != "" || sparkline([]float64{1}, 0) != "" {
		t.Error("empty cases")
	}
}

// Only running rows keep progress samples: a large store's finished rows
// would each hold one for nothing.
func TestFinishedRowsKeepNoSamples(t *testing.T) {
	tbl := newSessionTable(&shared{}, AllColumns())
	tbl.Merge(sampleSessions(), testNow)
	if r := tbl.rows["s-completed"]; r.samples != nil {
		t.Errorf("a completed row holds %d samples", len(r.samples))
	}
	if r := tbl.rows["s-uploading"]; len(r.samples) != 1 {
		t.Errorf("a running row holds %d samples, want 1", len(r.samples))
	}
}

func TestRatesETAAndSparklineFromRefreshes(t *testing.T) {
	svc := newFake()
	now := testNow
	clock := func() time.Time { return now }
	s := sampleSessions()[1] // 50 blocks, 35 remaining
	svc.sessions[testStore] = []*graphapi.Session{s}
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: clock, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	run(m, m.Init())
	for i := 1; i <= 3; i++ {
		now = now.Add(time.Minute)
		s.RemainingBlockCount = cnt(35 - int64(i)*5)
		s.LastUpdatedDateTime = graphapi.Time{Time: now}
		svc.sessions[testStore] = []*graphapi.Session{s}
		press(m, "ctrl+r")
	}
	m.setClock(now)
	press(m, "enter")
	v := m.View()
	// 15 blocks in 3 minutes: 5/min; 20 left: 4m.
	for _, want := range []string{"5.0 blocks/min", "ETA (this phase)      4m", "▃▄▅▅  (4 changes seen)", " ETA ", "    4m ",
		"processing history    - (shown while this phase runs)"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
