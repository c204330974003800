package ui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// fleetConcurrency bounds how many stores' sessions load at once: a tenant
// has a handful of stores, and Graph throttles bursts.
const fleetConcurrency = 4

// storeStatus is one store as the overview shows it, judged off the Update
// path: the command assesses, so Update's cost does not grow with sessions.
type storeStatus struct {
	store   graphapi.DataStore
	health  health.Store
	current *graphapi.Session // a copy of the stalled session, else the newest running one
	newest  *graphapi.Session // a copy of the newest session
	err     error             // its sessions could not be listed
	at      time.Time
}

// fleetLoadedMsg answers one fleet poll: every store, or the error that kept
// the store list from loading.
type fleetLoadedMsg struct {
	gen    int
	stores []storeStatus
	err    error
	at     time.Time
}

// loadFleetCmd lists the stores, then each store's sessions (a bounded number
// at a time), and judges each with rules. A store whose sessions fail keeps
// its row with the error; the others still show.
func loadFleetCmd(ctx context.Context, svc Service, rules health.Rules, now func() time.Time, gen int, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		stores, err := svc.ListDataStores(ctx)
		if err != nil {
			return fleetLoadedMsg{gen: gen, err: err, at: now()}
		}
		out := make([]storeStatus, len(stores))
		sem := make(chan struct{}, fleetConcurrency)
		var wg sync.WaitGroup
		for i := range stores {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				out[i] = assessStore(ctx, svc, rules, stores[i], now)
			}()
		}
		wg.Wait()
		return fleetLoadedMsg{gen: gen, stores: out, at: now()}
	}
}

func assessStore(ctx context.Context, svc Service, rules health.Rules, ds graphapi.DataStore, now func() time.Time) storeStatus {
	sessions, err := svc.ListSessions(ctx, ds.ID)
	t := now()
	st := storeStatus{store: ds, err: err, at: t}
	if err != nil {
		return st
	}
	st.health = rules.Assess(&ds, sessions, t)
	// Keep copies of the sessions shown, not the whole listing: the one a
	// stall is about, else the newest running one.
	if s := st.health.Stalled; s != nil {
		c := *s
		st.current = &c
	} else if s := st.health.Current; s != nil {
		c := *s
		st.current = &c
	}
	if s := st.health.Newest; s != nil {
		c := *s
		st.newest = &c
	}
	st.health.Current, st.health.Newest, st.health.NewestCompleted, st.health.Stalled = st.current, st.newest, nil, nil
	return st
}
