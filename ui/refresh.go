// The refresh loop: one list request at a time, re-armed only where its
// answer is handled, backing off on failures; and merging what it brings.

package ui

import (
	"runtime/debug"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// busy reports whether anything is in flight, which is when the spinner runs.
func (m *Model) busy() bool {
	if m.loading {
		return true
	}
	for _, r := range m.rows {
		if r.pending != "" {
			return true
		}
	}
	return false
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spinner.Tick
}

// startLoad sends the list request for the current mode. Any pending tick
// becomes stale, so there is only ever one loop.
func (m *Model) startLoad() tea.Cmd {
	m.tickGen++
	m.loading = true
	m.loadGen++
	m.nextRefresh = time.Time{}
	var load tea.Cmd
	if m.mode == modePicker {
		load = loadStoresCmd(m.ctx, m.svc, m.loadGen, m.timeout)
	} else {
		load = loadSessionsCmd(m.ctx, m.svc, m.loadGen, m.store.ID, m.timeout, m.now)
	}
	return tea.Batch(load, m.startSpinner())
}

// reread starts a load unless one is already running: the way to learn
// what an action did, or to catch up after a pause.
func (m *Model) reread() tea.Cmd {
	if m.loading {
		return nil
	}
	return m.startLoad()
}

// scheduleNext arms the next refresh after a load: the interval after a
// success, a doubling backoff after failures, and never sooner than the
// service's Retry-After.
func (m *Model) scheduleNext(err error) tea.Cmd {
	m.tickGen++
	m.nextRefresh = time.Time{}
	var wait time.Duration
	if err == nil {
		m.failures = 0
		if m.refresh <= 0 || m.mode == modePicker || m.paused {
			return nil
		}
		wait = m.refresh
	} else {
		m.failures++
		base := m.refresh
		if base <= 0 {
			base = retryWhenOff
		}
		wait = base
		for i := 1; i < m.failures && wait < maxBackoff; i++ {
			wait *= 2
		}
		wait = min(wait, maxBackoff)
		if ge, ok := graphapi.AsError(err); ok && ge.RetryAfter > wait {
			wait = ge.RetryAfter
		}
		if m.paused {
			return nil
		}
	}
	m.nextRefresh = m.now().Add(wait)
	gen := m.tickGen
	return tick(wait, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

func (m *Model) handleStores(msg storesLoadedMsg) tea.Cmd {
	if msg.gen != m.loadGen || m.mode != modePicker {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.storesErr = msg.err
		m.log.Warn("list data stores failed", "err", msg.err)
		return m.scheduleNext(msg.err)
	}
	m.storesErr = nil
	m.stores = msg.stores
	m.lastSuccess = m.now()
	if i := slices.IndexFunc(m.stores, func(s graphapi.DataStore) bool { return s.ID == m.store.ID }); i >= 0 {
		m.storeCursor = i
	}
	m.storeCursor = min(m.storeCursor, max(len(m.stores)-1, 0))
	return m.scheduleNext(nil)
}

func (m *Model) handleSessions(msg sessionsLoadedMsg) tea.Cmd {
	if msg.gen != m.loadGen || msg.storeID != m.store.ID || m.mode != modeSessions {
		return nil // an answer for a store or load we have moved on from
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		m.log.Warn("list sessions failed", "store", msg.storeID, "err", msg.err)
		cmd := m.scheduleNext(msg.err)
		return tea.Batch(cmd, m.setFlash(flashError, "refresh failed: "+errorSummary(msg.err)))
	}
	m.loadErr = nil
	m.lastSuccess = msg.at
	notices := m.merge(msg.sessions, msg.at)
	m.log.Debug("sessions loaded", "store", msg.storeID, "count", len(msg.sessions))
	return tea.Batch(m.scheduleNext(nil), m.announce(notices), m.releaseMemory(len(msg.sessions), msg.at))
}

// merge applies a full listing. A row is never replaced by an older copy of
// its session: a list that left the service before a renew answered must not
// undo the renew. Rows missing from the listing go, unless an action on them
// is still in flight.
func (m *Model) merge(sessions []graphapi.Session, at time.Time) []notice {
	seen := make(map[string]struct{}, len(sessions))
	var notices []notice
	for i := range sessions {
		s := sessions[i]
		if s.ID == "" {
			continue
		}
		seen[s.ID] = struct{}{}
		r, ok := m.rows[s.ID]
		if !ok {
			r = newRow(s)
			m.rows[s.ID] = r
		} else if r.gone = false; !r.s.NewerThan(&s) {
			before := r.class
			r.set(s)
			if n, ok := finished(before, r); ok {
				notices = append(notices, n)
			}
		}
		r.observe(at)
	}
	for id, r := range m.rows {
		if _, ok := seen[id]; !ok && r.pending == "" {
			m.setMarked(r, false)
			delete(m.rows, id)
		}
	}
	m.resort()
	return notices
}

// resort applies the filter and the sort, keeping the selection on the
// same session, or on its neighbour when it is gone or filtered out.
func (m *Model) resort() {
	oldIndex := slices.Index(m.order, m.selectedID)
	visible := make([]*row, 0, len(m.rows))
	for _, r := range m.rows {
		if r.matches(m.filter) {
			visible = append(visible, r)
		}
	}
	cmp := m.sortKey.compare
	slices.SortFunc(visible, func(a, b *row) int {
		c := cmp(a, b)
		if m.sortReverse {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.s.ID, b.s.ID)
	})
	m.order = m.order[:0]
	for _, r := range visible {
		m.order = append(m.order, r.s.ID)
	}
	if !slices.Contains(m.order, m.selectedID) {
		m.selectedID = ""
		if len(m.order) > 0 {
			m.selectedID = m.order[min(max(oldIndex, 0), len(m.order)-1)]
		}
	}
	m.clampOffsets()
}

// bigListing is the number of sessions from which a refresh's garbage is
// worth handing back to the system at once.
const bigListing = 2000

// releaseMemory returns the garbage of a large refresh to the operating
// system (at most once a minute): left to itself the runtime keeps the
// peak of the decoding resident while the dashboard sits open all day.
func (m *Model) releaseMemory(sessions int, at time.Time) tea.Cmd {
	if sessions < bigListing || at.Sub(m.lastRelease) < time.Minute {
		return nil
	}
	m.lastRelease = at
	return func() tea.Msg {
		debug.FreeOSMemory()
		return nil
	}
}
