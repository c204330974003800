package ui

import (
	"math"
	"runtime/debug"
	"testing"
)

// The bound holds between loads and while a held store is read again; a
// store's first load lifts it and leaves none (the release after it
// measures again); a re-read that leaves the heap near it drops it.
func TestMemoryBudget(t *testing.T) {
	if !budget.enabled {
		t.Skip("GOMEMLIMIT is set: the dashboard leaves it alone")
	}
	t.Cleanup(func() {
		budget.Lock()
		budget.limit = 0
		budget.Unlock()
		debug.SetMemoryLimit(math.MaxInt64)
	})
	limit := func() int64 { return debug.SetMemoryLimit(-1) }

	budget.bound()
	set := limit()
	if set == math.MaxInt64 || set < minRoom || !budget.bounded() {
		t.Fatalf("after a release the limit is %d", set)
	}
	leanLoad(false, func() {
		if got := limit(); got != set {
			t.Errorf("a re-read of a held store runs under a limit of %d, want %d", got, set)
		}
	})
	if got := limit(); got != set || !budget.bounded() {
		t.Errorf("after a re-read the limit is %d, want %d kept", got, set)
	}

	leanLoad(true, func() {
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d", got)
		}
		if got := debug.SetGCPercent(leanGC); got != leanGC {
			t.Errorf("a first load runs with GOGC %d, want %d", got, leanGC)
		}
		leanLoad(false, func() {}) // a re-read ending meanwhile sets no limit
		leanLoad(true, func() {})  // nor does another first load
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d once other loads ended", got)
		}
		budget.bound() // a release meanwhile measures nothing
		if got := limit(); got != math.MaxInt64 {
			t.Errorf("a release set a limit of %d while a first load runs", got)
		}
	})
	if got := limit(); got != math.MaxInt64 || budget.bounded() {
		t.Errorf("a first load left a limit of %d; the release after it sets the next", got)
	}

	budget.bound()
	budget.Lock()
	budget.limit = minRoom // as if the store had grown far past it
	debug.SetMemoryLimit(minRoom)
	budget.Unlock()
	leanLoad(false, func() {})
	if got := limit(); got != math.MaxInt64 || budget.bounded() {
		t.Errorf("a re-read that outgrew the bound left a limit of %d", got)
	}
}
