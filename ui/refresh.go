// The refresh loop: one list request at a time, re-armed only where its
// answer is handled, backing off on failures; and handing what it brings
// to the screen that asked.

package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
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
	// lastRelease is when memory was last handed back (releaseMemory).
	lastRelease time.Time
	// full asks the next load for full listings (ctrl+r), not only the
	// running sessions by id.
	full bool
	// The monitors keep what was read between loads: one for the fleet,
	// one for the open store; version is the open store's last merged.
	fleetMon, storeMon *monitor.Monitor
	storeID            string
	version            uint64
	listed             time.Time
	// partial: the table shows a first page while the store's first
	// listing runs (the header says "so far"). want is the selection
	// asked for before it (a store's remembered one, or none: the top),
	// firstSel the one the page's rows left: while the user has not moved
	// it, the listing selects as if no page had come.
	partial        bool
	want, firstSel string
}

// storeMonitor is the open store's monitor, new when the store changed.
// answer bounds a poll by Graph's silence (the request timeout).
func (l *refreshLoop) storeMonitor(svc Service, storeID string, now func() time.Time, answer time.Duration) *monitor.Monitor {
	if l.storeMon == nil || l.storeID != storeID {
		l.storeMon = monitor.New(svc, monitor.Options{Stores: []string{storeID}, Now: now, PageSize: monitor.GraphPageSize, AnswerTimeout: answer})
		l.storeID, l.version, l.listed = storeID, 0, time.Time{}
	}
	return l.storeMon
}

// fleetMonitor watches every store the account sees.
func (l *refreshLoop) fleetMonitor(svc Service, now func() time.Time, answer time.Duration) *monitor.Monitor {
	if l.fleetMon == nil {
		l.fleetMon = monitor.New(svc, monitor.Options{Now: now, PageSize: monitor.GraphPageSize, AnswerTimeout: answer})
	}
	return l.fleetMon
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

// startLoad sends the list request for the current screen. Any pending tick
// becomes stale, so there is only ever one loop.
func (m *Model) startLoad() tea.Cmd {
	m.loop.tickGen++
	m.loop.loading = true
	m.loop.loadGen++
	m.loop.next = time.Time{}
	m.loop.started = m.now()
	full := m.loop.full
	m.loop.full = false
	var load tea.Cmd
	if m.screen == screenFleet {
		load = m.fleet.Load(m.ctx, m.loop.fleetMonitor(m.svc, m.now, m.timeout), m.now, m.loop.loadGen, full)
	} else {
		mon := m.loop.storeMonitor(m.svc, m.store.ID, m.now, m.timeout)
		load = loadSessionsCmd(m.ctx, mon, m.loop.loadGen, m.store.ID, full)
		if fp, ok := m.svc.(firstPager); ok && m.table.Len() == 0 && m.loop.listed.IsZero() {
			load = tea.Batch(load, firstPageCmd(m.ctx, fp, m.loop.loadGen, m.store.ID, m.now, m.timeout))
		}
	}
	return tea.Batch(load, m.startSpinner())
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
	m.loop.tickGen++
	m.loop.next = time.Time{}
	wait, ok := m.loop.wait(err, true)
	if !ok {
		return nil
	}
	m.loop.next = m.now().Add(wait)
	gen := m.loop.tickGen
	return tick(wait, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

// handleFleet takes a fleet poll's news: the fleet screen applies it as it
// comes; once the poll ends it counts as failed when the store listing
// failed or every store did (one store's failure shows on its row).
func (m *Model) handleFleet(msg fleetNewsMsg) tea.Cmd {
	if msg.gen != m.loop.loadGen || m.screen != screenFleet {
		return nil // an abandoned poll: read no more of it
	}
	events, done := m.fleet.apply(msg)
	if done == nil {
		return tea.Batch(msg.next, emit(events))
	}
	m.loop.loading = false
	m.loop.err = done.err
	if done.err != nil {
		m.log.Warn("fleet poll failed", "err", done.err)
		events = append(events, m.loop.outage.failed(done.err, m.loop.started, done.at)...)
		return tea.Batch(m.scheduleNext(done.err), emit(events))
	}
	m.loop.lastSuccess = done.at
	events = append(events, m.loop.outage.recovered(done.at)...)
	return tea.Batch(m.scheduleNext(nil), emit(events))
}

// handleFirstPage shows a store's first page while its first listing
// runs; once the listing has answered, or rows are shown, it is void.
func (m *Model) handleFirstPage(msg firstPageMsg) {
	if msg.gen != m.loop.loadGen || !m.loop.loading || msg.storeID != m.store.ID || m.screen != screenStore || m.table.Len() > 0 {
		return
	}
	want := m.table.selectedID
	m.table.Merge(msg.sessions, msg.at)
	m.loop.partial = len(msg.sessions) > 0
	m.loop.want, m.loop.firstSel = want, m.table.selectedID
}

func (m *Model) handleSessions(msg sessionsLoadedMsg) tea.Cmd {
	if msg.gen != m.loop.loadGen || msg.storeID != m.store.ID || m.screen != screenStore {
		return nil // an answer for a store or load we have moved on from
	}
	m.loop.loading = false
	m.loop.err = msg.err
	if msg.err != nil {
		m.log.Warn("list sessions failed", "store", msg.storeID, "err", msg.err)
		cmd := m.scheduleNext(msg.err)
		events := m.loop.outage.failed(msg.err, m.loop.started, m.now())
		if len(events) == 0 {
			return cmd // the header says it; the flash and the log said it once
		}
		return tea.Batch(cmd, m.status.Flash(flashError, "refresh failed: "+errorSummary(msg.err)), emit(events))
	}
	relisted, partial := !msg.listed.Equal(m.loop.listed), m.loop.partial
	m.loop.lastSuccess, m.loop.listed, m.loop.partial, m.loop.fromFleet = msg.at, msg.listed, false, time.Time{}
	recovered := emit(m.loop.outage.recovered(m.now()))
	if msg.version != 0 && msg.version == m.loop.version {
		// Nothing changed: no merge, no frame work. A full listing that
		// found nothing new still left its decoding's garbage.
		var release tea.Cmd
		if relisted {
			release = m.releaseMemory(len(msg.sessions), msg.at)
		}
		return tea.Batch(m.scheduleNext(nil), release, recovered)
	}
	m.loop.version = msg.version
	notices := m.table.Merge(msg.sessions, msg.at)
	if partial && m.table.selectedID == m.loop.firstSel {
		m.table.selectWanted(m.loop.want)
	}
	m.pane.SetHistory(msg.history)
	m.log.Debug("sessions loaded", "store", msg.storeID, "count", len(msg.sessions))
	return tea.Batch(m.scheduleNext(nil), m.announce(notices), m.releaseMemory(len(msg.sessions), msg.at), recovered)
}

// togglePause stops or resumes the loop; resuming catches up at once.
func (m *Model) togglePause() tea.Cmd {
	m.loop.paused = !m.loop.paused
	if m.loop.paused {
		m.loop.tickGen++ // the pending tick is void
		m.loop.next = time.Time{}
		return m.status.Flash(flashInfo, "auto-refresh paused (p resumes)")
	}
	return tea.Batch(m.status.Flash(flashInfo, "auto-refresh resumed"), m.reread())
}

// old: what the screen shows may no longer match the service (its last
// load failed, it came from the fleet, or loads stopped long ago).
func (m *Model) old() bool {
	if m.loop.err != nil || !m.loop.fromFleet.IsZero() {
		return true
	}
	return m.loop.every > 0 && m.sh.clock.Sub(m.loop.lastSuccess) > 3*m.loop.every
}

// dataTime is when what the screen shows was read: the last successful
// load, else the fleet's read of the store; zero before either.
func (m *Model) dataTime() time.Time {
	if m.loop.lastSuccess.IsZero() {
		return m.loop.fromFleet
	}
	return m.loop.lastSuccess
}

// silence is how long the load in flight has gone without an answer from
// Graph; 0 when none is in flight.
func (m *Model) silence() time.Duration {
	if !m.loop.loading {
		return 0
	}
	since := m.loop.started
	if m.loop.answered.After(since) {
		since = m.loop.answered
	}
	return max(m.sh.clock.Sub(since), 0)
}
