package monitor

import (
	"context"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// BenchmarkNormalPoll is one poll of a listed store of 10,000 sessions, 10
// running and each changed since the last poll: 10 GETs and one
// copy-on-write of the held slice.
func BenchmarkNormalPoll(b *testing.B) {
	f := newFake()
	f.addStore("a", makeSessions(10000, 10))
	m, c := newMonitor(f, Options{FullEvery: 1 << 30, ListEvery: 1 << 62, FullAfter: 1 << 62})
	ctx := context.Background()
	if err := m.Refresh(ctx, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Advance(time.Second)
		at := c.Now()
		f.getAnswer = func(s graphapi.Session) graphapi.Session {
			s.LastUpdatedDateTime.Time = at
			return s
		}
		if err := m.Refresh(ctx, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.count("get"))/float64(b.N), "gets/op")
}
