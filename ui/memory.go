// Memory: what a large store's refresh leaves behind is handed back to the
// system, and the heap is kept near what the dashboard holds.

package ui

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// bigListing is the number of sessions from which a refresh's garbage is
// worth handing back to the system at once.
const bigListing = 2000

// releaseMemory returns the garbage of a large refresh to the operating
// system and bounds the heap to what is then held (budget.bound), at most
// once a minute, or at once when a load left more held than the bound
// allowed: left to itself the runtime keeps the peak of the decoding
// resident, and lets the heap grow to twice what is held before it
// collects, while the dashboard sits open all day.
func (m *Model) releaseMemory(sessions int, at time.Time) tea.Cmd {
	if sessions < bigListing || (at.Sub(m.loop.lastRelease) < time.Minute && budget.bounded()) {
		return nil
	}
	m.loop.lastRelease = at
	return func() tea.Msg {
		debug.FreeOSMemory()
		budget.bound()
		return nil
	}
}

// leanGC is the collector's setting while a store's first load runs: the
// decoding of a large listing makes garbage at several times the size of
// what it leaves, and at the default (100) the heap may grow to twice what
// is live before it is collected, which is the process's peak.
const leanGC = 30

// budget is the collector's setting for the whole process. Between a
// store's first loads a soft memory limit (debug.SetMemoryLimit) holds the
// heap to what was held at the last release plus some room; polls and
// full listings of a store already held run under it too (they add little
// that stays: a listing keeps the held copy of each unchanged session). A
// first load lifts the limit, or it would collect without end as the store
// arrives, and runs the collector at leanGC instead; the release after it
// sets a new bound. A re-read that leaves the heap near the bound (the
// store grew) drops it until the next release. First loads may overlap
// (an abandoned one can still finish while its successor runs): the first
// sets, the last puts back. A GOMEMLIMIT of the user's own is left alone.
var budget = memoryBudget{enabled: os.Getenv("GOMEMLIMIT") == ""}

type memoryBudget struct {
	sync.Mutex
	enabled bool
	growing int // first loads running
	savedGC int
	limit   int64 // the bound; 0 for none
	// overhead is what the runtime held beyond the live heap when the
	// bound was set (stacks, metadata, fragments), to compare the live
	// heap of a later collection with the bound.
	overhead uint64
}

// minRoom is the least room above what is held: the idle dashboard
// allocates a little for each frame and poll, and a collection every
// few seconds would cost more than it saves.
const minRoom = 4 << 20

// leanLoad runs load; first says it brings a store not held yet, which
// runs at leanGC without the memory limit and leaves none: the release
// after it measures what is held then.
func leanLoad(first bool, load func()) {
	if first {
		budget.growStart()
		defer budget.growDone()
	} else {
		defer budget.check()
	}
	load()
}

func (b *memoryBudget) growStart() {
	b.Lock()
	defer b.Unlock()
	if b.growing++; b.growing == 1 {
		b.savedGC = debug.SetGCPercent(leanGC)
		if b.enabled {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	}
	b.limit = 0
}

// growDone puts the collector back after the last first load.
func (b *memoryBudget) growDone() {
	b.Lock()
	defer b.Unlock()
	if b.growing--; b.growing == 0 {
		debug.SetGCPercent(b.savedGC)
	}
}

// check drops the bound when a re-read left the heap close to it (the
// store grew): below it the collector would run without end. The next
// release measures again.
func (b *memoryBudget) check() {
	b.Lock()
	defer b.Unlock()
	if !b.enabled || b.limit == 0 || b.growing > 0 {
		return
	}
	if held := readMetric("/gc/heap/live:bytes") + b.overhead; held+minRoom/2 > uint64(b.limit) {
		b.limit = 0
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// bounded reports whether a bound holds (no release is needed to set one).
func (b *memoryBudget) bounded() bool {
	b.Lock()
	defer b.Unlock()
	return !b.enabled || b.limit != 0
}

// bound sets the limit from what the runtime holds now (call it right after
// a collection): that, plus a quarter of it or minRoom, whichever is more.
func (b *memoryBudget) bound() {
	held := readMetric("/memory/classes/total:bytes") - readMetric("/memory/classes/heap/released:bytes")
	live := readMetric("/gc/heap/live:bytes")
	limit := int64(held + max(held/4, minRoom))
	b.Lock()
	defer b.Unlock()
	if !b.enabled || b.growing > 0 {
		return // what a first load holds midway says nothing
	}
	b.limit, b.overhead = limit, held-min(live, held)
	debug.SetMemoryLimit(limit)
}

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
