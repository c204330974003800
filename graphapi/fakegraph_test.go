package graphapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

const simToken = "sim-SECRET-token-7e2b"

func simClient(t *testing.T, opts fakegraph.Options) (*graphapi.Client, *fakegraph.Server, *fakegraph.ManualClock) {
	t.Helper()
	clock := fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	opts.Clock = clock
	opts.Token = simToken
	sim := fakegraph.NewDemo(opts)
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{
		Transport: hs.Client(), RetryDelay: 10 * time.Millisecond, TryTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, sim, clock
}

func TestAgainstSimulator(t *testing.T) {
	c, sim, clock := simClient(t, fakegraph.Options{PageSize: 3})
	ctx := context.Background()

	stores, err := c.ListDataStores(ctx)
	if err != nil || len(stores) != 4 || stores[0].DisplayName != "Employee records" || len(stores[0].Columns) != 4 {
		t.Fatalf("stores: %+v %v", stores, err)
	}
	if stores[2].Description != "" || !stores[2].DataLastUpdatedDateTime.IsZero() {
		t.Errorf("null description/date not decoded as empty: %+v", stores[2])
	}
	store, err := c.GetDataStore(ctx, fakegraph.DemoEmployeesStore)
	if err != nil || store.ID != fakegraph.DemoEmployeesStore {
		t.Fatalf("get store: %+v %v", store, err)
	}

	sessions, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 7 {
		t.Fatalf("%d sessions, want 7 across three pages", len(sessions))
	}
	if got := len(sim.RequestsTo(fakegraph.RouteListSessions)); got != 3 {
		t.Errorf("%d page requests, want 3", got)
	}
	byState := map[string]*graphapi.Session{}
	for _, s := range sessions {
		if s.DataStoreID != fakegraph.DemoEmployeesStore || s.LastUpdatedDateTime.IsZero() || s.CreationDateTime.IsZero() {
			t.Errorf("session decoded badly: %+v", s)
		}
		byState[s.State] = s
	}
	uploading := byState[fakegraph.StateUploading]
	if p := uploading.UploadProgress(); !p.Known || p.Done == 0 || p.Done >= p.Total {
		t.Errorf("upload progress of an uploading session: %+v", p)
	}
	failed, ok := byState[fakegraph.StateFailed]
	if ok {
		if failed.Error == nil || failed.Error.Code == "" || failed.Error.InnerError == nil {
			t.Errorf("failed session error: %+v", failed.Error)
		}
	}

	// Renew: the returned copy is newer than the listed one.
	clock.Advance(time.Second)
	renewed, err := c.RenewSession(ctx, fakegraph.DemoEmployeesStore, uploading.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !renewed.NewerThan(uploading) {
		t.Errorf("renewed copy %v is not newer than %v", renewed.LastUpdatedDateTime, uploading.LastUpdatedDateTime)
	}

	// Commit on an uploading session is a conflict.
	err = c.CommitSession(ctx, fakegraph.DemoEmployeesStore, uploading.ID)
	if !errors.Is(err, graphapi.ErrConflict) {
		t.Errorf("commit while uploading: %v", err)
	}
	waiting := byState[fakegraph.StateUploadCompleted]
	if err := c.CommitSession(ctx, fakegraph.DemoEmployeesStore, waiting.ID); err != nil {
		t.Errorf("commit: %v", err)
	}
	got, err := c.GetSession(ctx, fakegraph.DemoEmployeesStore, waiting.ID)
	if err != nil || got.State != fakegraph.StateProcessing {
		t.Errorf("after commit: %+v %v", got, err)
	}
	if err := c.CancelSession(ctx, fakegraph.DemoEmployeesStore, got.ID); err != nil {
		t.Errorf("cancel: %v", err)
	}

	// Unknown session.
	_, err = c.GetSession(ctx, fakegraph.DemoEmployeesStore, "no-such-session")
	ge, ok := graphapi.AsError(err)
	if !ok || ge.StatusCode != 404 || ge.RequestID == "" || ge.ClientRequestID == "" || ge.Date.IsZero() {
		t.Errorf("404: %#v", err)
	}

	for _, r := range sim.Requests() {
		if r.Header.Get("Authorization") != "Bearer "+simToken {
			t.Errorf("%s %s without the bearer token", r.Method, r.Path)
		}
	}
}

func TestDroppedRenewIsSentOnce(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{})
	ctx := context.Background()
	sessions, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil {
		t.Fatal(err)
	}
	var target graphapi.Session
	for _, s := range sessions {
		if s.State == fakegraph.StateUploading {
			target = *s
		}
	}
	sim.Inject(fakegraph.RouteRenew, fakegraph.Fault{Apply: true, Drop: true})
	_, err = c.RenewSession(ctx, fakegraph.DemoEmployeesStore, target.ID)
	ge, ok := graphapi.AsError(err)
	if !ok || !ge.OutcomeUnknown {
		t.Fatalf("want outcome unknown, got %v", err)
	}
	if n := len(sim.RequestsTo(fakegraph.RouteRenew)); n != 1 {
		t.Errorf("renew sent %d times", n)
	}
	if strings.Contains(err.Error(), simToken) {
		t.Error("error leaks the token")
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	sim := fakegraph.NewDemo(fakegraph.Options{Token: "right"})
	hs := httptest.NewServer(sim)
	defer hs.Close()
	cred, _ := graphapi.NewStaticTokenCredential("wrong-SECRET")
	c, _ := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client()})
	_, err := c.ListDataStores(context.Background())
	if !errors.Is(err, graphapi.ErrUnauthorized) || strings.Contains(err.Error(), "wrong-SECRET") {
		t.Errorf("got %v", err)
	}
}

// FirstSessions reads one page, the listing's first, whatever the store's
// size.
func TestFirstSessionsReadsOnePage(t *testing.T) {
	for _, size := range []int{1, 2, 100} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			c, sim, _ := simClient(t, fakegraph.Options{PageSize: size})
			ctx := context.Background()
			all, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
			if err != nil {
				t.Fatal(err)
			}
			before := len(sim.RequestsTo(fakegraph.RouteListSessions))
			first, err := c.FirstSessions(ctx, fakegraph.DemoEmployeesStore)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(sim.RequestsTo(fakegraph.RouteListSessions)) - before; got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
			if want := min(size, len(all)); len(first) != want {
				t.Fatalf("%d sessions, want %d", len(first), want)
			}
			for i := range first {
				if first[i].ID != all[i].ID {
					t.Errorf("session %d is %s, the listing's is %s", i, first[i].ID, all[i].ID)
				}
			}
		})
	}
}

// ListSessionsKeeping lists as ListSessions does, each session passed
// through keep as its page is decoded: the copy keep returns is listed in
// its place, and a nil answer lists the decoded session.
func TestListSessionsKeeping(t *testing.T) {
	c, _, _ := simClient(t, fakegraph.Options{PageSize: 2})
	ctx := context.Background()
	all, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]*graphapi.Session{}
	for i, s := range all {
		if i%2 == 0 {
			held[s.ID] = s
		}
	}
	byID := map[string]*graphapi.Session{}
	for _, s := range all {
		byID[s.ID] = s
	}
	seen := 0
	kept, err := c.ListSessionsKeeping(ctx, fakegraph.DemoEmployeesStore, func(s *graphapi.Session) *graphapi.Session {
		seen++
		// keep decides on the id, the state and the last update.
		if want := byID[s.ID]; want == nil || s.State != want.State || !s.LastUpdatedDateTime.Equal(want.LastUpdatedDateTime.Time) {
			t.Errorf("keep saw %q %q %v", s.ID, s.State, s.LastUpdatedDateTime)
		}
		return held[s.ID]
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != len(all) || seen < len(all) {
		t.Fatalf("%d sessions, keep saw %d; ListSessions has %d", len(kept), seen, len(all))
	}
	for i := range kept {
		if kept[i].ID != all[i].ID {
			t.Errorf("session %d is %s, want %s", i, kept[i].ID, all[i].ID)
		}
		if wantHeld := i%2 == 0; (kept[i] == all[i]) != wantHeld {
			t.Errorf("session %d: listed the held copy %v, want %v", i, kept[i] == all[i], wantHeld)
		}
	}
}

func TestAnAnswerAboutAnotherSessionIsRefused(t *testing.T) {
	c, sim, _ := simClient(t, fakegraph.Options{})
	ctx := context.Background()
	sessions, err := c.ListSessions(ctx, fakegraph.DemoEmployeesStore)
	if err != nil || len(sessions) < 2 {
		t.Fatalf("%d sessions, %v", len(sessions), err)
	}
	asked := sessions[0].ID
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.OtherSession})
	s, err := c.GetSession(ctx, fakegraph.DemoEmployeesStore, asked)
	var other *graphapi.OtherSessionError
	if !errors.Is(err, graphapi.ErrOtherSession) || !errors.As(err, &other) || other.Asked != asked || other.Got == "" || other.Got == asked {
		t.Fatalf("got %+v, %v; want ErrOtherSession naming both ids", s, err)
	}
	if !strings.Contains(err.Error(), asked) || !strings.Contains(err.Error(), other.Got) || s.ID != "" {
		t.Fatalf("the error must name both ids and no session be returned: %v, %+v", err, s)
	}
	if ge, ok := graphapi.AsError(err); !ok || ge.StatusCode != 200 || ge.RequestID == "" {
		t.Fatalf("the error should carry the answer's status and request id: %#v", err)
	}
	sim.SetConditions()
	if s, err := c.GetSession(ctx, fakegraph.DemoEmployeesStore, asked); err != nil || s.ID != asked {
		t.Fatalf("healed: %+v %v", s, err)
	}
}

func TestSameSession(t *testing.T) {
	for _, tc := range []struct {
		asked, got string
		same       bool
	}{
		{"6c1e5c2b-8f0e", "6c1e5c2b-8f0e", true},
		{"6c1e5c2b-8f0e", "6C1E5C2B-8F0E", true}, // GUIDs compare without case
		{"6c1e5c2b-8f0e", "6c1e5c2b-8f0f", false},
		{"6c1e5c2b-8f0e", "", false},
		{"", "", false}, // no id is no session
	} {
		err := graphapi.SameSession(tc.asked, tc.got)
		if (err == nil) != tc.same || (err != nil && !errors.Is(err, graphapi.ErrOtherSession)) {
			t.Errorf("SameSession(%q, %q) = %v", tc.asked, tc.got, err)
		}
	}
	if err := graphapi.SameSession("a", ""); !strings.Contains(err.Error(), "no id") {
		t.Errorf("an answer without an id: %v", err)
	}
}
