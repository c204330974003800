// Package heap is the dashboard's memory policy: what a large store's
// load leaves behind is handed back to the system, and the heap is kept
// near what the dashboard holds while it sits open all day. It sets the
// runtime's process-wide collector settings (debug.SetGCPercent,
// debug.SetMemoryLimit), so a process has one Budget, built by the
// command that runs the dashboard; the dashboard's tests run without one.
package heap

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// BigListing is the number of sessions from which a load's garbage is
// worth handing back to the system at once.
const BigListing = 2000

// leanGC is the collector's setting while a store's first load runs: the
// decoding of a large listing makes garbage at several times the size of
// what it leaves, and at the default (100) the heap may grow to twice what
// is live before it is collected, which is the process's peak.
const leanGC = 30

// minRoom is the least room above what is held: the idle dashboard
// allocates a little for each frame and poll, and a collection every
// few seconds would cost more than it saves.
const minRoom = 4 << 20

// Budget is the collector's setting for the whole process. Between a
// store's first loads a soft memory limit holds the heap to what was held
// at the last release plus some room; polls and full listings of a store
// already held run under it too (they add little that stays: a listing
// keeps the held copy of each unchanged session). A first load lifts the
// limit, or it would collect without end as the store arrives, and runs
// the collector at leanGC instead; the release after it sets a new bound.
// A re-read that leaves the heap near the bound (the store grew) drops it
// until the next release. First loads may overlap (an abandoned one can
// still finish while its successor runs): the first sets, the last puts
// back. A GOMEMLIMIT of the user's own is left alone.
type Budget struct {
	mu      sync.Mutex
	enabled bool // false under the user's own GOMEMLIMIT
	growing int  // first loads running
	savedGC int
	limit   int64 // the bound; 0 for none
	// overhead is what the runtime held beyond the live heap when the
	// bound was set (stacks, metadata, fragments), to compare the live
	// heap of a later collection with the bound.
	overhead    uint64
	lastRelease time.Time
}

// New is the process's budget.
func New() *Budget { return &Budget{enabled: os.Getenv("GOMEMLIMIT") == ""} }

// Load runs load; first says it brings a store (or a fleet) not held yet,
// which runs at leanGC without the memory limit and leaves none: the
// release after it measures what is held then.
func (b *Budget) Load(first bool, load func()) {
	if first {
		b.growStart()
		defer b.growDone()
	} else {
		defer b.check()
	}
	load()
}

// Due reports whether a load of listed sessions that ended at `at` should
// hand its garbage back (Release, in a command), and if so records it: a
// large listing, at most once a minute, or at once when no bound holds
// (the last load was a first one, or outgrew the bound). Left to itself
// the runtime keeps the peak of the decoding resident, and lets the heap
// grow to twice what is held before it collects.
func (b *Budget) Due(listed int, at time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if listed < BigListing || (at.Sub(b.lastRelease) < time.Minute && b.boundedLocked()) {
		return false
	}
	b.lastRelease = at
	return true
}

// Release returns the garbage of a large load to the operating system and
// bounds the heap to what is then held. It collects: call it from a
// command, never on the dashboard's Update.
func (b *Budget) Release() {
	debug.FreeOSMemory()
	b.bound()
}

func (b *Budget) growStart() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.growing++; b.growing == 1 {
		b.savedGC = debug.SetGCPercent(leanGC)
		if b.enabled {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	}
	b.limit = 0
}

// growDone puts the collector back after the last first load.
func (b *Budget) growDone() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.growing--; b.growing == 0 {
		debug.SetGCPercent(b.savedGC)
	}
}

// check drops the bound when a re-read left the heap close to it (the
// store grew): below it the collector would run without end. The next
// release measures again.
func (b *Budget) check() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.enabled || b.limit == 0 || b.growing > 0 {
		return
	}
	if held := readMetric("/gc/heap/live:bytes") + b.overhead; held+minRoom/2 > uint64(b.limit) {
		b.limit = 0
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// bounded reports whether a bound holds (no release is needed to set one).
func (b *Budget) bounded() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.boundedLocked()
}

func (b *Budget) boundedLocked() bool { return !b.enabled || b.limit != 0 }

// bound sets the limit from what the runtime holds now (call it right after
// a collection): that, plus a quarter of it or minRoom, whichever is more.
func (b *Budget) bound() {
	held := readMetric("/memory/classes/total:bytes") - readMetric("/memory/classes/heap/released:bytes")
	live := readMetric("/gc/heap/live:bytes")
	limit := int64(held + max(held/4, minRoom))
	b.mu.Lock()
	defer b.mu.Unlock()
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
