// The refresh loop: one list request at a time, re-armed only where its
// answer is handled, backing off on failures; and handing what it brings
// to the screen that asked. The loop changes its own state (begin, end,
// arm, pause…); the root only routes.

package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/present"
)

// refreshLoop is the loop's state. Generations make stale answers and
// ticks recognisable: only the latest of each counts.
type refreshLoop struct {
	every       time.Duration // 0: manual
	loading     bool
	loadGen     int
	tickGen     int
	paused      bool
	failures    int
	next        time.Time // when the armed tick fires; zero when none
	lastSuccess time.Time
	err         error // the last load's failure
	// outage is the run of failed loads, on either screen, for the header
	// and the event log.
	outage outage
	// started is when the load in flight began; answered when the
	// monitor last heard from Graph (the clock asks it), so the header
	// can say Graph is not answering.
	started, answered time.Time
	// fromFleet: the table shows the fleet's read of the store, of then,
	// until the store's own first load answers.
	fromFleet time.Time
	// full asks the next load for full listings (ctrl+r), not only the
	// running sessions by id.
	full bool
	// The monitors keep what was read between loads: one for the fleet,
	// one for the open store; version is the open store's last merged,
	// listed when its last full listing started.
	fleetMon, storeMon *monitor.Monitor
	storeID            string
	version            uint64
	listed             time.Time
	cadence            monitor.Cadence // the open store's, as of its last load
}

// storeMonitor is the open store's monitor, new when the store changed.
// answer bounds a poll by Graph's silence (the request timeout).
func (l *refreshLoop) storeMonitor(svc Service, storeID string, now func() time.Time, answer time.Duration) *monitor.Monitor {
	if l.storeMon == nil || l.storeID != storeID {
		l.storeMon = monitor.New(svc, monitor.Options{Stores: []string{storeID}, Now: now, PageSize: monitor.GraphPageSize, AnswerTimeout: answer})
		l.storeID, l.version, l.listed, l.cadence = storeID, 0, time.Time{}, monitor.Cadence{}
	}
	return l.storeMon
}

// fleetMonitor watches every store the account sees.
func (l *refreshLoop) fleetMonitor(svc Service, now func() time.Time, answer time.Duration) *monitor.Monitor {
	if l.fleetMon == nil {
		// The fleet judges health: it holds only the sessions health reads
		// (running, recent, the newest of each kind), not every store's all.
		l.fleetMon = monitor.New(svc, monitor.Options{Now: now, PageSize: monitor.GraphPageSize, AnswerTimeout: answer, HealthOnly: true})
	}
	return l.fleetMon
}

// begin starts load gen: any pending tick becomes stale, so there is only
// ever one loop. full says the load lists everything (ctrl+r asked).
func (l *refreshLoop) begin(now time.Time) (gen int, full bool) {
	l.tickGen++
	l.loadGen++
	l.loading, l.next, l.started = true, time.Time{}, now
	full, l.full = l.full, false
	return l.loadGen, full
}

// current reports whether an answer is of the load in flight.
func (l *refreshLoop) current(gen int) bool { return gen == l.loadGen }

// due reports whether tick gen should start a load: the latest tick, not
// paused, nothing in flight.
func (l *refreshLoop) due(gen int) bool { return gen == l.tickGen && !l.paused && !l.loading }

// end takes the load's outcome: its failure, or the time of what it read;
// now is when it ended. It returns the outage's events, if it started or
// ended one.
func (l *refreshLoop) end(err error, read, now time.Time) []event {
	l.loading, l.err = false, err
	if err != nil {
		return l.outage.failed(err, l.started, now)
	}
	// A read that answered is the screen's own: the fleet's read a store
	// showed is no longer what shows (on the fleet it never was).
	l.lastSuccess, l.fromFleet = read, time.Time{}
	return l.outage.recovered(now)
}

// took records the open store's listing and reports whether its sessions
// changed (a version of 0 is unknown: changed), and whether the store was
// listed again since the last (its decoding left garbage even when nothing
// changed). The table now shows the store's own read.
func (l *refreshLoop) took(version uint64, listed time.Time, cadence monitor.Cadence) (changed, relisted bool) {
	relisted = !listed.Equal(l.listed)
	changed = version == 0 || version != l.version
	l.version, l.listed, l.fromFleet, l.cadence = version, listed, time.Time{}, cadence
	return changed, relisted
}

// arm arms the next tick after a load, on either screen: its wait and
// generation; ok is false when none is to be armed.
func (l *refreshLoop) arm(err error, now time.Time) (wait time.Duration, gen int, ok bool) {
	l.tickGen++
	l.next = time.Time{}
	if wait, ok = l.wait(err, true); ok {
		l.next = now.Add(wait)
	}
	return wait, l.tickGen, ok
}

// wait is how long until the next load: the interval after a success, a
// doubling backoff after failures, and never sooner than the service's
// Retry-After. ok is false when nothing is to be armed.
func (l *refreshLoop) wait(err error, auto bool) (time.Duration, bool) {
	if err == nil {
		l.failures = 0
		return l.every, l.every > 0 && auto && !l.paused
	}
	l.failures++
	base := l.every
	if base <= 0 {
		base = retryWhenOff
	}
	wait := base
	for i := 1; i < l.failures && wait < maxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, maxBackoff)
	if ge, ok := graphapi.AsError(err); ok && ge.RetryAfter > wait {
		wait = ge.RetryAfter
	}
	return wait, !l.paused
}

// togglePause stops or resumes the loop and reports whether it is paused
// now; pausing makes the pending tick void.
func (l *refreshLoop) togglePause() bool {
	if l.paused = !l.paused; l.paused {
		l.tickGen++
		l.next = time.Time{}
	}
	return l.paused
}

// askFull asks the next load for full listings (ctrl+r); false while a load
// runs.
func (l *refreshLoop) askFull() bool {
	if l.loading {
		return false
	}
	l.full = true
	return true
}

// heard takes when the monitor last heard from Graph (the clock's probe).
func (l *refreshLoop) heard(answered time.Time) {
	if answered.After(l.answered) {
		l.answered = answered
	}
}

// openStore starts on a store: another store's freshness and failure are
// not this one's, and its table shows the fleet's read of then (zero:
// none) until its own load answers. Any store opened starts without
// backoff.
func (l *refreshLoop) openStore(changed bool, fleetRead time.Time) {
	if changed {
		l.lastSuccess, l.err, l.fromFleet = time.Time{}, nil, fleetRead
	}
	l.failures = 0
}

// probe asks the screen's monitor when Graph last answered it (an answer
// older than the load in flight does not count); nil before any.
func (l *refreshLoop) probe(fleet bool) func() time.Time {
	mon := l.storeMon
	if fleet {
		mon = l.fleetMon
	}
	if mon == nil {
		return nil
	}
	return mon.LastAnswer
}

// shown is what the store screen shows of the loop at now.
func (l *refreshLoop) shown(now time.Time) loadState {
	return loadState{err: l.err, waiting: l.loading || l.lastSuccess.IsZero(), fromFleet: l.fromFleet, old: l.old(now)}
}

// old: what the screen shows may no longer match the service (its last
// load failed, it came from the fleet, or loads stopped long ago).
func (l *refreshLoop) old(now time.Time) bool {
	if l.err != nil || !l.fromFleet.IsZero() {
		return true
	}
	return l.every > 0 && now.Sub(l.lastSuccess) > 3*l.every
}

// dataTime is when what the screen shows was read: the last successful
// load, else the fleet's read of the store; zero before either.
func (l *refreshLoop) dataTime() time.Time {
	if l.lastSuccess.IsZero() {
		return l.fromFleet
	}
	return l.lastSuccess
}

// silence is how long the load in flight has gone without an answer from
// Graph; 0 when none is in flight.
func (l *refreshLoop) silence(now time.Time) time.Duration {
	if !l.loading {
		return 0
	}
	since := l.started
	if l.answered.After(since) {
		since = l.answered
	}
	return max(now.Sub(since), 0)
}

// stateText is the header's refresh state, with its shorter forms: Graph
// silent for notAnsweringAfter, a failure with since when, why and when
// the next try is (or how long the retry has waited), or the loop's state.
func (l *refreshLoop) stateText(sh *shared) []string {
	st, now := sh.styles, sh.clock
	silence := l.silence(now)
	if o := l.outage; o.since.IsZero() && silence >= notAnsweringAfter {
		waited := "(" + present.Elapsed(silence) + ")"
		return styled(st.Warn, sh.frame()+" Graph not answering "+waited, "not answering "+waited)
	}
	// During an outage its words stay: a retry waiting long says so in
	// its tail, not by taking their place.
	if o := l.outage; !o.since.IsZero() {
		f := describe(o.err)
		icon, style := "✗", st.Error
		if f.throttled {
			icon, style = "⧗", st.Warn
		}
		head := icon + " " + f.what + " since " + clockTime(o.since, now)
		var why, next string
		if f.why != "" { // the log (L) and the error text have it whole
			why = " (" + ansi.Truncate(f.why, maxHeaderWhy, "…") + ")"
		}
		switch {
		case l.loading && silence >= notAnsweringAfter:
			next = " · retrying, no answer for " + present.Elapsed(silence)
		case l.loading:
			next = " · retrying…"
		case l.paused:
			next = " · paused"
		case !l.next.IsZero():
			next = " · retry in " + present.Countdown(l.next.Sub(now))
		}
		return styled(style, head+why+next, head+why, head+next, head, icon+" "+f.what)
	}
	switch {
	case l.loading:
		return styled(st.Accent, sh.frame()+" refreshing")
	case l.paused:
		return styled(st.Warn, "❚❚ paused")
	case l.every > 0:
		return styled(st.Success, "● live "+present.Duration(l.every))
	}
	return styled(st.Muted, "○ manual (ctrl+r)")
}

// maxHeaderWhy bounds a failure's reason in the header.
const maxHeaderWhy = 40

// startLoad sends the list request for the current screen.
func (m *Model) startLoad() tea.Cmd {
	gen, full := m.loop.begin(m.be.now())
	if m.screen == screenFleet {
		return m.fleet.Load(m.be, m.loop.fleetMonitor(m.be.svc, m.be.now, m.be.timeout), gen, full)
	}
	mon := m.loop.storeMonitor(m.be.svc, m.store.ID(), m.be.now, m.be.timeout)
	return m.store.Load(mon, gen, full, m.loop.listed.IsZero())
}

// reread starts a load unless one is already running: the way to learn
// what an action did, or to catch up after a pause.
func (m *Model) reread() tea.Cmd {
	if m.loop.loading {
		return nil
	}
	return m.startLoad()
}

// scheduleNext arms the next refresh after a load, on either screen.
func (m *Model) scheduleNext(err error) tea.Cmd {
	wait, gen, ok := m.loop.arm(err, m.be.now())
	if !ok {
		return nil
	}
	return tick(wait, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

// handleFleet takes a fleet poll's news: the fleet screen applies it as it
// comes; once the poll ends it counts as failed when the store listing
// failed or every store did (one store's failure shows on its row).
func (m *Model) handleFleet(msg fleetNewsMsg) tea.Cmd {
	if !m.loop.current(msg.gen) || m.screen != screenFleet {
		return nil // an abandoned poll: read no more of it
	}
	events, done := m.fleet.apply(msg)
	if done == nil {
		return tea.Batch(msg.next, emit(events))
	}
	if done.err != nil {
		m.be.log.Warn("fleet poll failed", "err", done.err)
	}
	events = append(events, m.loop.end(done.err, done.at, done.at)...)
	return tea.Batch(m.scheduleNext(done.err), emit(events))
}

// handleSessions takes the open store's load: a failure is said once (the
// header keeps saying it); sessions go to the store screen unless nothing
// changed, and a large listing's garbage is handed back.
func (m *Model) handleSessions(msg sessionsLoadedMsg) tea.Cmd {
	if !m.loop.current(msg.gen) || msg.storeID != m.store.ID() || m.screen != screenStore {
		return nil // an answer for a store or load we have moved on from
	}
	events := emit(m.loop.end(msg.err, msg.at, m.be.now()))
	if msg.err != nil {
		m.be.log.Warn("list sessions failed", "store", msg.storeID, "err", msg.err)
		if events == nil {
			return m.scheduleNext(msg.err) // the header says it; the flash and the log said it once
		}
		return tea.Batch(m.scheduleNext(msg.err), m.status.Flash(flashError, "refresh failed: "+errorSummary(msg.err)), events)
	}
	changed, relisted := m.loop.took(msg.version, msg.listed, msg.cadence)
	shown := m.store.Loaded(msg, changed)
	// An unchanged full listing still left its decoding's garbage.
	var release tea.Cmd
	if (changed || relisted) && m.be.mem != nil && m.be.mem.Due(len(msg.sessions), msg.at) {
		mem := m.be.mem
		release = func() tea.Msg { mem.Release(); return nil }
	}
	return tea.Batch(m.scheduleNext(nil), shown, release, events)
}

// togglePause stops or resumes the loop; resuming catches up at once.
func (m *Model) togglePause() tea.Cmd {
	if m.loop.togglePause() {
		return m.status.Flash(flashInfo, "auto-refresh paused (p resumes)")
	}
	return tea.Batch(m.status.Flash(flashInfo, "auto-refresh resumed"), m.reread())
}
