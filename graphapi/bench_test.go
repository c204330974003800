package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
)

// bigSimulator serves one store with n sessions at a fixed time.
func bigSimulator(b *testing.B, n, pageSize int) (*httptest.Server, string) {
	b.Helper()
	clock := fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	sim := fakegraph.New(fakegraph.Options{Clock: clock, PageSize: pageSize, MaxSessionsPerStore: n + 1})
	const store = "bench-store"
	sim.AddStore(fakegraph.Store{ID: store, DisplayName: "Bench", Columns: []fakegraph.Column{{Name: "Id"}, {Name: "Email"}, {Name: "Name"}}})
	for i := range n {
		_, _ = sim.AddSession(store, fakegraph.SessionSpec{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), FileName: fmt.Sprintf("upload-%05d.EdmHash", i),
			Created:     clock.Now().Add(-time.Duration(i) * time.Minute),
			TotalBlocks: 100, BlocksPerMinute: float64(i%7 + 1), TotalJobs: 20, JobsPerMinute: 2, AutoCommit: true, FailAfterJobs: i % 13,
		})
	}
	hs := httptest.NewServer(sim)
	b.Cleanup(hs.Close)
	return hs, store
}

// BenchmarkDecodePages decodes 100 pages of 100 sessions (MB/s, allocs).
func BenchmarkDecodePages(b *testing.B) {
	hs, store := bigSimulator(b, 10000, 100)
	pages := fetchPages(b, hs.URL+"/beta/dataClassification/exactMatchDataStores/"+store+"/sessions")
	if len(pages) != 100 {
		b.Fatalf("%d pages", len(pages))
	}
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		for _, p := range pages {
			page, err := decodeSessionPage(p, nil)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.Value)
		}
		if n != 10000 {
			b.Fatalf("%d sessions", n)
		}
	}
}

func fetchPages(b *testing.B, first string) [][]byte {
	var pages [][]byte
	next := first
	for next != "" {
		resp, err := httpGet(next)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, resp)
		var link struct {
			Next string `json:"@odata.nextLink"`
		}
		_ = json.NewDecoder(bytes.NewReader(resp)).Decode(&link)
		next = link.Next
	}
	return pages
}

// BenchmarkFullRefresh10k lists 10,000 sessions (100 pages) from the
// simulator over loopback, as one dashboard refresh does.
func BenchmarkFullRefresh10k(b *testing.B) {
	hs, store := bigSimulator(b, 10000, 100)
	cred, _ := NewStaticTokenCredential("bench")
	c, err := New(hs.URL+"/beta", cred, &Options{Transport: hs.Client()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sessions, err := c.ListSessions(context.Background(), store)
		if err != nil || len(sessions) != 10000 {
			b.Fatalf("%d sessions, %v", len(sessions), err)
		}
	}
}

// BenchmarkDecodeUnchanged10k decodes a re-listing of 10,000 sessions of
// which every one is held and unchanged, as the monitor's periodic listing
// of a settled store does: keep finds each held copy by id. Client side
// only (the pages are read once, before the clock starts); reports the
// CPU per listing and per session.
func BenchmarkDecodeUnchanged10k(b *testing.B) {
	hs, store := bigSimulator(b, 10000, 100)
	pages := fetchPages(b, hs.URL+"/beta/dataClassification/exactMatchDataStores/"+store+"/sessions")
	held := map[string]*Session{}
	for _, p := range pages {
		page, err := decodeSessionPage(p, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range page.Value {
			held[s.ID] = s
		}
	}
	keep := func(s *Session) *Session {
		if h := held[s.ID]; h != nil && h.State == s.State && h.LastUpdatedDateTime.Equal(s.LastUpdatedDateTime.Time) {
			return h
		}
		return nil
	}
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		kept := 0
		for _, p := range pages {
			page, err := decodeSessionPage(p, keep)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range page.Value {
				if held[s.ID] == s {
					kept++
				}
			}
		}
		if kept != len(held) || kept != 10000 {
			b.Fatalf("kept %d of %d sessions", kept, len(held))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/listing")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000/1000, "µs/session")
}
