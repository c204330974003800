package ui

import (
	"math"
	"runtime/debug"
	"testing"
)

// The bound holds between loads and while a held store is read again, is
// lifted while a store's first load runs, and is dropped (until the next
// release measures again) when a load left more held than it allows.
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
	budget.bound()
	set := debug.SetMemoryLimit(-1)
	if set == math.MaxInt64 || set < minRoom || !budget.bounded() {
		t.Fatalf("after a release the limit is %d", set)
	}
	leanLoad(true, func() {
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d", got)
		}
		if got := debug.SetGCPercent(leanGC); got != leanGC {
			t.Errorf("a load runs with GOGC %d, want %d", got, leanGC)
		}
		leanLoad(false, func() {}) // a re-read ending meanwhile leaves the limit off
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d once another load ended", got)
		}
		leanLoad(true, func() {}) // so does another first load
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("a first load runs under a limit of %d once another first load ended", got)
		}
	})
	if got := debug.SetMemoryLimit(-1); got != set {
		t.Errorf("after a load the limit is %d, want %d back", got, set)
	}
	leanLoad(false, func() {
		if got := debug.SetMemoryLimit(-1); got != set {
			t.Errorf("a re-read of a held store runs under a limit of %d, want %d", got, set)
		}
	})

	budget.Lock()
	budget.limit = 1 // far below what is held
	budget.Unlock()
	leanLoad(true, func() {})
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 || budget.bounded() {
		t.Errorf("a load that outgrew the bound left a limit of %d", got)
	}
}
