package monitor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// hangingService answers until hang is set, then holds every call until
// its context ends, as a Graph that accepts and never answers.
type hangingService struct {
	*fakeService
	mu   sync.Mutex
	hang bool
	// giveUp, when set, ends each held call after it with a timeout, as
	// the Graph client's own per-call bound does.
	giveUp time.Duration
}

func (h *hangingService) wait(ctx context.Context) error {
	h.mu.Lock()
	hang, giveUp := h.hang, h.giveUp
	h.mu.Unlock()
	if !hang {
		return nil
	}
	if giveUp > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, giveUp)
		defer cancel()
	}
	<-ctx.Done()
	return &graphapi.Error{Op: "call", Message: "cancelled", Err: ctx.Err()}
}

func (h *hangingService) ListDataStores(ctx context.Context) ([]graphapi.DataStore, error) {
	if err := h.wait(ctx); err != nil {
		return nil, err
	}
	return h.fakeService.ListDataStores(ctx)
}

func (h *hangingService) ListSessions(ctx context.Context, store string) ([]*graphapi.Session, error) {
	if err := h.wait(ctx); err != nil {
		return nil, err
	}
	return h.fakeService.ListSessions(ctx, store)
}

func (h *hangingService) GetSession(ctx context.Context, store, id string) (graphapi.Session, error) {
	if err := h.wait(ctx); err != nil {
		return graphapi.Session{}, err
	}
	return h.fakeService.GetSession(ctx, store, id)
}

// A hung Graph fails the refresh with NoAnswerError on every store, each
// keeping what it held; the next refresh after Graph answers again heals.
func TestAnswerTimeoutCutsAHang(t *testing.T) {
	for _, full := range []bool{false, true} {
		f := &hangingService{fakeService: newFake()}
		f.addStore("a", makeSessions(3, 2))
		f.addStore("b", makeSessions(2, 1))
		m, _ := newMonitor(f, Options{AnswerTimeout: 50 * time.Millisecond})
		refresh(t, m, false)
		f.mu.Lock()
		f.hang = true
		f.mu.Unlock()
		err := m.Refresh(context.Background(), full)
		if !errors.Is(err, ErrNoAnswer) {
			t.Fatalf("full %v: refresh error %v, want ErrNoAnswer", full, err)
		}
		var na *NoAnswerError
		for _, st := range m.Snapshot().Stores {
			if !errors.As(st.Err, &na) || na.After != 50*time.Millisecond || len(st.Sessions) == 0 {
				t.Errorf("full %v: store %s: err %v, %d sessions kept", full, st.DataStore.ID, st.Err, len(st.Sessions))
			}
		}
		if full && !errors.Is(m.Snapshot().Err, ErrNoAnswer) {
			t.Errorf("the hung store listing: %v", m.Snapshot().Err)
		}
		f.mu.Lock()
		f.hang = false
		f.mu.Unlock()
		refresh(t, m, true)
	}
}

// A call that gave up waiting on its own is no answer: a Graph that times
// out call after call is as silent as one that hangs, and the refresh is
// cut, not dragged through every store.
func TestTimeoutsAreNoAnswers(t *testing.T) {
	f := &hangingService{fakeService: newFake(), giveUp: 20 * time.Millisecond}
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	for _, id := range ids {
		f.addStore(id, makeSessions(1, 1))
	}
	m, _ := newMonitor(f, Options{AnswerTimeout: 70 * time.Millisecond, Parallel: 1})
	refresh(t, m, false)
	f.mu.Lock()
	f.hang = true
	f.mu.Unlock()
	err := m.Refresh(context.Background(), false)
	last, _ := m.Store(ids[len(ids)-1])
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(last.Err, ErrNoAnswer) {
		t.Errorf("refresh %v; the last store: %v", err, last.Err)
	}
}

// pagingService lists a store a page at a time, each page after a pause,
// as a large store's listing arrives.
type pagingService struct {
	*fakeService
	pages int
	pause time.Duration
}

func (p pagingService) ListSessionsKeeping(ctx context.Context, store string, keep func(*graphapi.Session) *graphapi.Session) ([]*graphapi.Session, error) {
	var out []*graphapi.Session
	for i := range p.pages {
		select {
		case <-time.After(p.pause):
		case <-ctx.Done():
			return nil, &graphapi.Error{Op: "list sessions", Message: "cancelled", Err: ctx.Err()}
		}
		s := makeSessions(p.pages, 0)[i]
		keep(&s)
		out = append(out, &s)
	}
	return out, nil
}

// A listing whose pages keep coming is not cut, though it lasts longer
// than the timeout: only silence is.
func TestAnswerTimeoutSparesAListingThatAnswers(t *testing.T) {
	f := newFake()
	f.addStore("big", nil)
	svc := pagingService{fakeService: f, pages: 25, pause: 60 * time.Millisecond} // 1.5 s in all
	m, _ := newMonitor(svc, Options{AnswerTimeout: time.Second})
	refresh(t, m, true)
	if st, _ := m.Store("big"); len(st.Sessions) != 25 || st.Err != nil {
		t.Errorf("%d sessions, %v", len(st.Sessions), st.Err)
	}
}

func TestLastAnswer(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(2, 1))
	m, c := newMonitor(f, Options{})
	if !m.LastAnswer().IsZero() {
		t.Fatal("an answer before any call")
	}
	refresh(t, m, false)
	c.Advance(time.Minute)
	if got := m.LastAnswer(); !got.Equal(t0) {
		t.Errorf("last answer %v, want %v", got, t0)
	}
	refresh(t, m, false)
	if got := m.LastAnswer(); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("last answer %v after the second refresh", got)
	}
}

// RefreshReporting names the stores, once each, before any is polled,
// then each store as its poll ends.
func TestRefreshReporting(t *testing.T) {
	f := newFake()
	f.addStore("a", makeSessions(2, 1))
	f.addStore("b", nil)
	f.stores = append(f.stores, f.stores[0]) // listed twice
	f.listErr["b"] = &graphapi.Error{StatusCode: 403, Code: "accessDenied"}
	m, _ := newMonitor(f, Options{Parallel: 2})
	var mu sync.Mutex
	var news []string
	r := Report{
		Listed: func(stores []graphapi.DataStore, err error) {
			mu.Lock()
			defer mu.Unlock()
			news = append(news, "listed")
			for _, ds := range stores {
				news = append(news, ds.ID)
			}
		},
		Polled: func(st Store) {
			mu.Lock()
			defer mu.Unlock()
			news = append(news, "polled "+st.DataStore.ID+map[bool]string{true: " failed", false: ""}[st.Err != nil])
		},
	}
	_ = m.RefreshReporting(context.Background(), false, r)
	if len(news) != 5 || news[0] != "listed" || news[1] != "a" || news[2] != "b" {
		t.Fatalf("news %q", news)
	}
	polled := map[string]bool{news[3]: true, news[4]: true}
	if !polled["polled a"] || !polled["polled b failed"] {
		t.Errorf("polled %q", news[3:])
	}
	news = nil
	_ = m.RefreshReporting(context.Background(), false, r) // the store listing is not due
	if len(news) != 2 || news[0] == "listed" {
		t.Errorf("a poll without a store listing: %q", news)
	}
}
