package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// Messages that commands send back to Update. Each carries what is needed to
// recognise a stale answer (a generation or the ids it was about).

// storeNamesMsg answers the one-off lookup of the open store's name.
type storeNamesMsg struct{ stores []graphapi.DataStore }

type sessionsLoadedMsg struct {
	gen      int
	storeID  string
	sessions []graphapi.Session
	// history is the store's last finished runs, judged off the Update path.
	history []health.Run
	err     error
	at      time.Time
}

// uploadAgentMsg answers the lookup of a session's upload agent.
type uploadAgentMsg struct {
	storeID, sessionID string
	agent              graphapi.UploadAgent
	err                error
}

type refreshTickMsg struct{ gen int }

type clockTickMsg struct{}

// Commands. Each captures the values it needs, has its own timeout and
// returns one message; none reads the model.

func loadSessionsCmd(ctx context.Context, svc Service, gen int, storeID string, timeout time.Duration, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		sessions, err := svc.ListSessions(ctx, storeID)
		return sessionsLoadedMsg{gen: gen, storeID: storeID, sessions: sessions, history: recentRuns(sessions), err: err, at: now()}
	}
}

// historyRuns is how many finished runs the details pane's strip shows.
const historyRuns = 8

// recentRuns is the store's last runs, each holding a copy of its session,
// so the strip does not keep the whole listing alive.
func recentRuns(sessions []graphapi.Session) []health.Run {
	runs := health.History(sessions, historyRuns)
	for i := range runs {
		c := *runs[i].Session
		runs[i].Session = &c
	}
	return runs
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
// changes together and at most once a second.
func clockTick(now time.Time) tea.Cmd {
	d := now.Truncate(time.Second).Add(time.Second).Sub(now)
	return tick(d, func(time.Time) tea.Msg { return clockTickMsg{} })
}
