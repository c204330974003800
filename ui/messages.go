package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

// Messages that commands send back to Update. Each carries what is needed to
// recognise a stale answer (a generation or the ids it was about).

// storeNamesMsg answers the one-off lookup of the open store's name.
type storeNamesMsg struct{ stores []graphapi.DataStore }

type sessionsLoadedMsg struct {
	gen      int
	storeID  string
	sessions []graphapi.Session
	err      error
	at       time.Time
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
		return sessionsLoadedMsg{gen: gen, storeID: storeID, sessions: sessions, err: err, at: now()}
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
