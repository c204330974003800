package heap

import (
	"math"
	"runtime/debug"
	"testing"
	"time"
)

// The bound holds between loads and while a held store is read again; a
// store's first load lifts it and leaves none (the release after it
// measures again); a re-read that leaves the heap near it drops it.
func TestBudget(t *testing.T) {
	b := New()
	if !b.enabled {
		t.Skip("GOMEMLIMIT is set: the dashboard leaves it alone")
	}
	t.Cleanup(func() { debug.SetMemoryLimit(math.MaxInt64) })
	limit := func() int64 { return debug.SetMemoryLimit(-1) }

	b.bound()
	set := limit()
	if set == math.MaxInt64 || set < minRoom || !b.bounded() {
		t.Fatalf("after a release the limit is %d", set)
	}
	b.Load(false, func() {
		if got := limit(); got != set {
			t.Errorf("a re-read of a held store runs under a limit of %d, want %d", got, set)
		}
	})
	if got := limit(); got != set || !b.bounded() {
		t.Errorf("after a re-read the limit is %d, want %d kept", got, set)
	}

	b.Load(true, func() {
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d", got)
		}
		if got := debug.SetGCPercent(leanGC); got != leanGC {
			t.Errorf("a first load runs with GOGC %d, want %d", got, leanGC)
		}
		b.Load(false, func() {}) // a re-read ending meanwhile sets no limit
		b.Load(true, func() {})  // nor does another first load
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d once other loads ended", got)
		}
		b.bound() // a release meanwhile measures nothing
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a release set a limit of %d while a first load runs", got)
		}
	})
	if got := limit(); got != math.MaxInt64 || b.bounded() {
		t.Errorf("a first load left a limit of %d; the release after it sets the next", got)
	}

	b.bound()
	b.mu.Lock()
	b.limit = minRoom // as if the store had grown far past it
	debug.SetMemoryLimit(minRoom)
	b.mu.Unlock()
	b.Load(false, func() {})
	if got := limit(); got != math.MaxInt64 || b.bounded() {
		t.Errorf("a re-read that outgrew the bound left a limit of %d", got)
	}
}

// A large load hands its garbage back at most once a minute while a bound
// holds, at once when none does; a small one never.
func TestDue(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	b := &Budget{enabled: true}
	steps := []struct {
		name    string
		listed  int
		at      time.Time
		bounded bool
		want    bool
	}{
		{"small listing", BigListing - 1, t0, false, false},
		{"large listing, no bound", BigListing, t0, false, true},
		{"again within the minute, no bound yet", BigListing, t0.Add(time.Second), false, true},
		{"within the minute, bounded", BigListing, t0.Add(59 * time.Second), true, false},
		{"a minute on, bounded", BigListing, t0.Add(61 * time.Second), true, true},
		{"small listing, a minute on", 10, t0.Add(5 * time.Minute), true, false},
	}
	for _, s := range steps {
		b.limit = 0
		if s.bounded {
			b.limit = 1 << 30
		}
		if got := b.Due(s.listed, s.at); got != s.want {
			t.Errorf("%s: due %v, want %v", s.name, got, s.want)
		}
	}
	// Under the user's own GOMEMLIMIT there is no bound to wait for: at
	// most once a minute.
	user := &Budget{}
	if !user.Due(BigListing, t0) || user.Due(BigListing, t0.Add(time.Second)) {
		t.Error("under GOMEMLIMIT: want a release, then none within the minute")
	}
}
