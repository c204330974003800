package monitor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// fakeService is an in-memory Service that counts every call.
type fakeService struct {
	mu        sync.Mutex
	stores    []graphapi.DataStore
	sessions  map[string][]graphapi.Session
	storesErr error
	listErr   map[string]error
	getErr    error
	// getAnswer, when set, replaces GetSession's answer (older copies, other ids).
	getAnswer func(s graphapi.Session) graphapi.Session
	delay     time.Duration

	calls       map[string]int
	inflight    int
	maxInflight int
}

func newFake() *fakeService {
	return &fakeService{sessions: map[string][]graphapi.Session{}, listErr: map[string]error{}, calls: map[string]int{}}
}

func (f *fakeService) addStore(id string, sessions []graphapi.Session) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stores = append(f.stores, graphapi.DataStore{ID: id, DisplayName: "store " + id})
	f.sessions[id] = sessions
}

func (f *fakeService) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[call]
}

func (f *fakeService) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[string]int{}
}

// edit changes the stored session with id in store.
func (f *fakeService) edit(store, id string, change func(*graphapi.Session)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.sessions[store] {
		if f.sessions[store][i].ID == id {
			change(&f.sessions[store][i])
		}
	}
}

func (f *fakeService) enter(call string) {
	f.mu.Lock()
	f.calls[call]++
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	d := f.delay
	f.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
}

func (f *fakeService) leave() {
	f.mu.Lock()
	f.inflight--
	f.mu.Unlock()
}

func (f *fakeService) ListDataStores(context.Context) ([]graphapi.DataStore, error) {
	f.enter("stores")
	defer f.leave()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.storesErr != nil {
		return nil, f.storesErr
	}
	return append([]graphapi.DataStore(nil), f.stores...), nil
}

// ListSessions answers fresh copies, as a service decodes a new listing.
func (f *fakeService) ListSessions(_ context.Context, store string) ([]*graphapi.Session, error) {
	f.enter("list")
	defer f.leave()
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.listErr[store]; err != nil {
		return nil, err
	}
	if _, ok := f.sessions[store]; !ok {
		return nil, &graphapi.Error{Op: "list sessions", StatusCode: 404}
	}
	out := make([]*graphapi.Session, len(f.sessions[store]))
	for i, s := range f.sessions[store] {
		out[i] = &s
	}
	return out, nil
}

func (f *fakeService) GetSession(_ context.Context, store, id string) (graphapi.Session, error) {
	f.enter("get")
	defer f.leave()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return graphapi.Session{}, f.getErr
	}
	for _, s := range f.sessions[store] {
		if s.ID == id {
			if f.getAnswer != nil {
				return f.getAnswer(s), nil
			}
			return s, nil
		}
	}
	return graphapi.Session{}, &graphapi.Error{Op: "get session", StatusCode: 404}
}

// countingService adds a sessions/$count probe.
type countingService struct {
	*fakeService
	countErr error
}

func (c *countingService) CountSessions(_ context.Context, store string) (int, error) {
	c.enter("count")
	defer c.leave()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.countErr != nil {
		return 0, c.countErr
	}
	return len(c.sessions[store]), nil
}

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// makeSessions returns n sessions of which the first running are uploading
// and the rest completed, updated at t0.
func makeSessions(n, running int) []graphapi.Session {
	out := make([]graphapi.Session, n)
	for i := range out {
		state := "Completed"
		if i < running {
			state = "UploadInProgress"
		}
		out[i] = graphapi.Session{
			ID: fmt.Sprintf("s%05d", i), State: state, FileName: fmt.Sprintf("f%05d.csv", i),
			CreationDateTime:    graphapi.Time{Time: t0.Add(-time.Duration(n-i) * time.Hour)},
			LastUpdatedDateTime: graphapi.Time{Time: t0},
		}
	}
	return out
}

// clock is a manual clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// keepingService lists through ListSessionsKeeping, as the Graph client can.
type keepingService struct{ *fakeService }

func (k keepingService) ListSessionsKeeping(ctx context.Context, store string, keep func(*graphapi.Session) *graphapi.Session) ([]*graphapi.Session, error) {
	listed, err := k.ListSessions(ctx, store)
	out := listed[:0]
	for _, s := range listed {
		switch held := keep(s); {
		case held == graphapi.Omitted: // left out, as graphapi's client does
		case held != nil:
			out = append(out, held)
		default:
			out = append(out, s)
		}
	}
	return out, err
}
