package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// listTimed is a Graph client that notes when the store listing answered.
type listTimed struct {
	*graphapi.Client
	listed atomic.Int64 // UnixNano
}

func (l *listTimed) ListDataStores(ctx context.Context) ([]graphapi.DataStore, error) {
	stores, err := l.Client.ListDataStores(ctx)
	l.listed.Store(time.Now().UnixNano())
	return stores, err
}

// BenchmarkFleetFirstRows10k times the fleet screen of 10,000 stores from the
// store listing's answer (100 pages from the simulator over loopback) to
// the first frame showing rows, each reading… while the stores' sessions
// are read (issue 23: at most 1 s). ms-to-rows is that time; ms-listing
// the listing itself, from the start.
func BenchmarkFleetFirstRows10k(b *testing.B) {
	const n = 10000
	clock := fakegraph.NewManualClock(testNow)
	sim := fakegraph.New(fakegraph.Options{Token: "tok", Clock: clock, PageSize: 100})
	for i := range n {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		sim.AddStore(fakegraph.Store{ID: id, DisplayName: fmt.Sprintf("Store %05d", i)})
		_, _ = sim.AddSession(id, fakegraph.SessionSpec{FileName: "upload.EdmHash", Created: clock.Now().Add(-time.Hour),
			TotalBlocks: 10, BlocksPerMinute: 1})
	}
	hs := httptest.NewServer(sim)
	b.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential("tok")
	client, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client()})
	if err != nil {
		b.Fatal(err)
	}
	var toRows, listing time.Duration
	for b.Loop() {
		svc := &listTimed{Client: client}
		ctx, cancel := context.WithCancel(context.Background())
		m := New(Options{Service: svc, Context: ctx, Refresh: 10 * time.Second, Renderer: asciiRenderer(), Now: clock.Now})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		begin := time.Now()
		next := start(m)
		shown := time.Now()
		if !strings.Contains(m.View(), "reading…") || !strings.Contains(m.View(), "10000 stores") {
			b.Fatalf("no rows:\n%s", m.View())
		}
		listed := time.Unix(0, svc.listed.Load())
		toRows += shown.Sub(listed)
		listing += listed.Sub(begin)
		cancel() // the stores' polls end at once
		run(m, next)
		// Wait for the poll to end (a refresh holds the monitor until it
		// does; a store not watched is refused after): nothing outlives
		// the benchmark.
		_, _ = m.loop.fleetMon.RefreshStore(context.Background(), "", false)
	}
	b.ReportMetric(float64(toRows.Microseconds())/1000/float64(b.N), "ms-to-rows")
	b.ReportMetric(float64(listing.Microseconds())/1000/float64(b.N), "ms-listing")
}
