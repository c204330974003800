package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

// storeStatus is one store as the overview shows it, judged off the Update
// path: the command assesses, so Update's cost does not grow with sessions.
type storeStatus struct {
	store   graphapi.DataStore
	health  health.Store
	current *graphapi.Session // the stalled session, else the newest running one
	newest  *graphapi.Session // the newest session
	err     error             // its sessions could not be listed
	at      time.Time
}

// fleetLoadedMsg answers one fleet poll: every store, or the error that kept
// the store listing from loading.
type fleetLoadedMsg struct {
	gen    int
	stores []storeStatus
	err    error
	at     time.Time
}

// loadFleetCmd polls every store through the fleet's monitor (the same
// policy as the exporter: running sessions by id, full listings on a slower
// cadence or when full) and judges each with rules. A store whose sessions
// fail keeps its row with the error; the others still show.
func loadFleetCmd(ctx context.Context, mon *monitor.Monitor, rules health.Rules, now func() time.Time, gen int, full bool, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		first := mon.Snapshot().StoresListed.IsZero()
		leanLoad(first, func() { _ = mon.Refresh(ctx, full) }) // its errors are in the snapshot, per store
		snap := mon.Snapshot()
		if snap.Err != nil && len(snap.Stores) == 0 {
			return fleetLoadedMsg{gen: gen, err: snap.Err, at: now()}
		}
		out := make([]storeStatus, len(snap.Stores))
		for i, st := range snap.Stores {
			out[i] = judge(rules, st.DataStore, st.Sessions, st.Err, now())
		}
		return fleetLoadedMsg{gen: gen, stores: out, err: snap.Err, at: now()}
	}
}

func judge(rules health.Rules, ds graphapi.DataStore, sessions []*graphapi.Session, err error, t time.Time) storeStatus {
	st := storeStatus{store: ds, err: err, at: t}
	if err != nil {
		return st
	}
	// The judgement points at single sessions (each its own allocation),
	// not into the listing, which can go.
	st.health = rules.Assess(&ds, sessions, t)
	// The session shown: the one a stall is about, else the newest running one.
	st.current = st.health.Current
	if st.health.Stalled != nil {
		st.current = st.health.Stalled
	}
	st.newest = st.health.Newest
	return st
}
