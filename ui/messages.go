package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

// Messages that commands send back to Update. Each carries what is needed to
// recognise a stale answer (a generation or the ids it was about).

// storeNamesMsg answers the one-off lookup of the open store's name.
type storeNamesMsg struct{ stores []graphapi.DataStore }

type sessionsLoadedMsg struct {
	gen      int
	storeID  string
	sessions []*graphapi.Session
	// history is the store's last finished runs, judged off the Update path.
	history []health.Run
	err     error
	// at is when every running session was last read; listed when the
	// last full listing started (sessions created since may be missing).
	at, listed time.Time
	// cadence is how often the store is listed in full, and why.
	cadence monitor.Cadence
	// version changes whenever the sessions do (0: unknown), so an
	// unchanged store costs Update nothing.
	version uint64
}

// firstPageMsg carries the first page of a store's first listing, shown
// while the rest loads.
type firstPageMsg struct {
	gen      int
	storeID  string
	sessions []*graphapi.Session
	at       time.Time
}

// uploadAgentMsg answers the lookup of a session's upload agent.
type uploadAgentMsg struct {
	storeID, sessionID string
	agent              graphapi.UploadAgent
	err                error
}

type refreshTickMsg struct{ gen int }

// clockTickMsg is the clock's second; answered is when the monitor of the
// load in flight last heard from Graph (zero: none asked).
type clockTickMsg struct{ answered time.Time }

// Commands. Each captures the values it needs, has its own timeout and
// returns one message; none reads the model.

// loadSessionsCmd refreshes one store through its monitor: running
// sessions by id, a full listing only on the monitor's slower cadence or
// when full (ctrl+r), so the cost follows change, not the store's size.
// The monitor bounds it by Graph's silence (the request timeout), not by
// its length: a large listing whose pages keep coming is not cut.
func loadSessionsCmd(ctx context.Context, mon *monitor.Monitor, mem Memory, gen int, storeID string, full bool) tea.Cmd {
	return func() tea.Msg {
		var st monitor.Store
		var err error
		held, _ := mon.Store(storeID)
		lean(mem, held.Listed.IsZero(), func() { st, err = mon.RefreshStore(ctx, storeID, full) })
		if err != nil {
			return sessionsLoadedMsg{gen: gen, storeID: storeID, err: err}
		}
		return sessionsLoadedMsg{gen: gen, storeID: storeID, sessions: st.Sessions, history: recentRuns(st.Sessions),
			at: st.Updated, listed: st.Listed, version: st.Version, cadence: st.Cadence}
	}
}

// firstPager is a Service that reads a store's first page of sessions
// alone (*graphapi.Client does).
type firstPager interface {
	FirstSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error)
}

// firstPageCmd reads the first page of a store beside its first full
// listing, so a store of 100,000 sessions shows rows in a fraction of a
// second. A failure sends nothing: the listing reports its own.
func firstPageCmd(ctx context.Context, fp firstPager, gen int, storeID string, now func() time.Time, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		sessions, err := fp.FirstSessions(ctx, storeID)
		if err != nil {
			return nil
		}
		return firstPageMsg{gen: gen, storeID: storeID, sessions: sessions, at: now()}
	}
}

// historyRuns is how many finished runs the details pane's strip shows.
const historyRuns = 8

// recentRuns is the store's last runs. Each holds its session alone (a
// listing's sessions are separate allocations), not the whole listing.
func recentRuns(sessions []*graphapi.Session) []health.Run {
	return health.History(sessions, historyRuns)
}

// uploadAgentCmd fetches the agent that uploaded a session, for the
// details pane.
func uploadAgentCmd(ctx context.Context, svc Service, storeID, sessionID string, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		agent, err := svc.GetUploadAgent(ctx, storeID, sessionID)
		return uploadAgentMsg{storeID: storeID, sessionID: sessionID, agent: agent, err: err}
	}
}

// tick is tea.Tick: the model's only timers (clock, refresh, flash) go
// through it so that model tests can turn them off and wait on real work
// alone.
var tick = tea.Tick

// clockTick fires on the next whole second, so every relative label
// changes together and at most once a second. answered, when not nil, is
// asked (in the command) when Graph last answered the load in flight.
func clockTick(now time.Time, answered func() time.Time) tea.Cmd {
	d := now.Truncate(time.Second).Add(time.Second).Sub(now)
	return tick(d, func(time.Time) tea.Msg {
		if answered == nil {
			return clockTickMsg{}
		}
		return clockTickMsg{answered: answered()}
	})
}
