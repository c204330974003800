package ui

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/internal/heap"
	"github.com/edmtop/edmtop/present"
	"github.com/muesli/termenv"
)

// manySessions makes n sessions in every phase, newest first.
func manySessions(n int, updated time.Time) []*graphapi.Session {
	states := []string{"UploadInProgress", "ProcessingInProgress", "Completed", "Failed", "UploadCompleted", "Cancelled"}
	out := make([]*graphapi.Session, n)
	for i := range out {
		out[i] = &graphapi.Session{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), DataStoreID: testStore,
			FileName: fmt.Sprintf("upload-%05d-%s.EdmHash", i, strings.Repeat("x", i%20)), State: states[i%len(states)],
			CreationDateTime:    graphapi.Time{Time: testNow.Add(-time.Duration(i) * time.Minute)},
			LastUpdatedDateTime: graphapi.Time{Time: updated.Add(-time.Duration(i%600) * time.Second)},
			TotalBlockCount:     cnt(100), RemainingBlockCount: cnt(int64(i % 101)),
			TotalJobCount: cnt(20), RemainingJobCount: cnt(int64(i % 21)),
		}
	}
	return out
}

func benchModel(b *testing.B, n, w, h int) *Model {
	b.Helper()
	m := New(Options{Service: newFake(), StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
		Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.setClock(testNow)
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: manySessions(n, testNow), at: testNow})
	if len(m.ids()) != n {
		b.Fatalf("%d rows", len(m.ids()))
	}
	return m
}

// BenchmarkView10k renders the dashboard holding 10,000 sessions at 200×60.
func BenchmarkView10k(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}

// BenchmarkViewVsBubblesTable times our View and bubbles/table v1 rendering
// the same visible rows as plain text, and reports the ratio (ours/theirs).
func BenchmarkViewVsBubblesTable(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	l := computeLayout(200, AllColumns())
	cols := []table.Column{{Title: "FILE", Width: l.file}, {Title: "STATE", Width: l.state}, {Title: "UPLOAD", Width: l.bar + labelW},
		{Title: "PROCESSING", Width: l.bar + labelW}, {Title: "ETA", Width: etaW}, {Title: "UPDATED", Width: updatedW}, {Title: "CREATED", Width: createdW}}
	var rows []table.Row
	for _, id := range m.ids()[:m.tableHeight()] {
		r := m.rowMap()[id]
		rows = append(rows, table.Row{r.name, r.state, present.PercentLabel(r.s.UploadProgress()), present.PercentLabel(r.s.ProcessingProgress()),
			r.eta(testNow), present.Ago(r.s.LastUpdatedDateTime.Time, testNow), present.ShortTime(r.s.CreationDateTime.Time, testNow)})
	}
	t := table.New(table.WithColumns(cols), table.WithRows(rows), table.WithHeight(m.tableHeight()+1), table.WithWidth(200))
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		_ = m.View()
	}
	ours := time.Since(start)
	start = time.Now()
	for range b.N {
		_ = t.View()
	}
	theirs := time.Since(start)
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
	b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "bubbles-ns/op")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
}

// BenchmarkKeyMove is one selection move through Update and View.
func BenchmarkKeyMove(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	down, up := keyMsg("j"), keyMsg("k")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := down
		if i%2 == 1 {
			k = up
		}
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkKeyRenewStart is pressing r (row marked, command built, not run)
// through Update and View.
func BenchmarkKeyRenewStart(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	r := keyMsg("r")
	// Select an uploading session.
	for m.selectedRow().class != graphapi.StateInProgress {
		m.Update(keyMsg("j"))
	}
	row := m.selectedRow()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.store.table.idle(row) // the answer, not timed
		m.stopSpinner()
		m.Update(r)
		_ = m.View()
	}
}

// BenchmarkMerge10k merges a refresh of 10,000 sessions into a loaded table.
func BenchmarkMerge10k(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	fresh := manySessions(10000, testNow.Add(time.Second))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m.merge(fresh, testNow.Add(time.Duration(i)*time.Second))
	}
}

// BenchmarkModelMemory10k reports the heap the model holds with 10,000
// sessions loaded, with the listing its rows point into (the monitor holds
// that listing in the program); LoadedMemory10k measures the whole load,
// e2e the process's resident size.
func BenchmarkModelMemory10k(b *testing.B) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := benchModel(b, 10000, 200, 60)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
		runtime.KeepAlive(m)
	}
}

// benchModelProfile is benchModel drawing with a colour profile.
func benchModelProfile(b *testing.B, n int, p termenv.Profile) *Model {
	b.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	m := New(Options{Service: newFake(), StoreID: testStore, Refresh: 10 * time.Second, Renderer: r,
		Now: func() time.Time { return testNow }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.setClock(testNow)
	m.Update(sessionsLoadedMsg{gen: m.loadGeneration(), storeID: testStore, sessions: manySessions(n, testNow), at: testNow})
	return m
}

// BenchmarkViewTrueColor renders 10,000 sessions at 200×60 with 24-bit
// colour, as most terminals get it.
func BenchmarkViewTrueColor(b *testing.B) {
	m := benchModelProfile(b, 10000, termenv.TrueColor)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}

// BenchmarkKeyMoveLast is a selection move at the bottom of the table
// (where finding the selection by scanning cost the most) through Update
// and View, at 10,000 and 100,000 sessions, with 24-bit colour.
func BenchmarkKeyMoveLast(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n/1000, "k"), func(b *testing.B) {
			m := benchModelProfile(b, n, termenv.TrueColor)
			m.Update(keyMsg("G"))
			if m.selID() != m.ids()[n-1] {
				b.Fatalf("selected %s, want the last row", m.selID())
			}
			up, down := keyMsg("k"), keyMsg("j")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				k := up
				if i%2 == 1 {
					k = down
				}
				m.Update(k)
				_ = m.View()
			}
		})
	}
}

// changedSessions is sessions with every hundredth one updated later: what
// a refresh brings when 1 % of the store moved.
func changedSessions(sessions []*graphapi.Session, at time.Time) []*graphapi.Session {
	out := append([]*graphapi.Session(nil), sessions...)
	for i := 0; i < len(out); i += 100 {
		out[i].LastUpdatedDateTime.Time = at
		out[i].RemainingBlockCount = cnt(0)
	}
	return out
}

// BenchmarkMerge10kChanged1pct merges a refresh of 10,000 sessions of which
// 100 changed.
func BenchmarkMerge10kChanged1pct(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	base := manySessions(10000, testNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		fresh := changedSessions(base, testNow.Add(time.Duration(i+1)*time.Second))
		b.StartTimer()
		m.merge(fresh, testNow.Add(time.Duration(i+1)*time.Second))
	}
}

// BenchmarkMerge10kFirstLoad merges 10,000 sessions into an empty table.
func BenchmarkMerge10kFirstLoad(b *testing.B) {
	sessions := manySessions(10000, testNow)
	b.ReportAllocs()
	for b.Loop() {
		t := newSessionTable(&shared{}, AllColumns())
		t.SetSize(200, 50)
		t.Merge(sessions, testNow)
	}
}

// BenchmarkLoadedMemory10k reports the heap that stays live once a store of
// 10,000 sessions is loaded as the dashboard loads it: the Graph client
// reading the simulator over loopback, the store's monitor and the model
// (ModelMemory10k counts the model and the listing its rows point into).
func BenchmarkLoadedMemory10k(b *testing.B) {
	client, clock := simClient(b, 10000)
	budget := heap.New() // the dashboard's memory policy, as edmtop runs it
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := New(Options{Service: client, StoreID: testStore, Renderer: asciiRenderer(), Context: context.Background(), Memory: budget})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		mon := m.loop.storeMonitor(client, testStore, clock.Now, 0)
		m.loop.loading = true
		m.Update(loadSessionsCmd(context.Background(), mon, m.be.mem, m.loadGeneration(), testStore, false)())
		if m.store.table.Len() != 10000 {
			b.Fatalf("%d rows", m.store.table.Len())
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
		runtime.KeepAlive(m)
	}
}

// simClient is a Graph client of a simulator holding n sessions in one
// store, on a stopped clock, most of them finished (a seventh running).
func simClient(b *testing.B, n int) (*graphapi.Client, *fakegraph.ManualClock) {
	b.Helper()
	clock := fakegraph.NewManualClock(testNow)
	sim := fakegraph.New(fakegraph.Options{Token: "tok", Clock: clock, PageSize: 100, MaxSessionsPerStore: n + 1})
	sim.AddStore(fakegraph.Store{ID: testStore, DisplayName: "Bench", Columns: []fakegraph.Column{{Name: "Id"}, {Name: "Email"}}})
	for i := range n {
		_, _ = sim.AddSession(testStore, fakegraph.SessionSpec{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), FileName: fmt.Sprintf("upload-%05d.EdmHash", i),
			Created:     clock.Now().Add(-time.Duration(i) * time.Minute),
			TotalBlocks: 100, BlocksPerMinute: float64(i%7 + 1), TotalJobs: 20, JobsPerMinute: float64(i%7 + 1), AutoCommit: true, FailAfterJobs: i % 13,
		})
	}
	hs := httptest.NewServer(sim)
	b.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential("tok")
	client, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client()})
	if err != nil {
		b.Fatal(err)
	}
	return client, clock
}

// BenchmarkRelisting10k times ctrl+r on a loaded store of 10,000 sessions
// that did not change, as the dashboard runs it (the monitor's listing
// through the Graph client from the simulator over loopback, then Update),
// and reports what it allocates (the simulator's encoding included) and
// how many sessions the store holds afterwards that it did not hold before
// (0: an unchanged store keeps what it held).
func BenchmarkRelisting10k(b *testing.B) {
	client, clock := simClient(b, 10000)
	m := New(Options{Service: client, StoreID: testStore, Renderer: asciiRenderer(), Context: context.Background(), Memory: heap.New()})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	mon := m.loop.storeMonitor(client, testStore, clock.Now, 0)
	load := func(full bool) {
		m.loop.loading = true
		m.Update(loadSessionsCmd(context.Background(), mon, m.be.mem, m.loadGeneration(), testStore, full)())
	}
	load(false)
	before, _ := mon.Store(testStore)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		load(true)
	}
	b.StopTimer()
	after, _ := mon.Store(testStore)
	fresh := 0
	for i, s := range after.Sessions {
		if s != before.Sessions[i] {
			fresh++
		}
	}
	b.ReportMetric(float64(fresh), "new-sessions")
}
