package fakegraph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func storesURL(base string) string { return base + "/beta/dataClassification/exactMatchDataStores" }

func listURL(base, store string) string { return storesURL(base) + "/" + store + "/sessions" }

func get(ctx context.Context, t *testing.T, url string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestConditionsAnswerUntilSwitchedBack(t *testing.T) {
	s, _, hs := newTestServer(t)
	id, _ := s.AddSession(testStore, SessionSpec{FileName: "a.EdmHash", TotalBlocks: 10, TotalJobs: 10})
	for _, tc := range []struct {
		cond       Condition
		url        string
		status     int
		retryAfter string
	}{
		{Condition{Kind: Unavailable, RetryAfter: 8 * time.Second}, storesURL(hs.URL), 503, "8"},
		{Condition{Kind: Throttled, RetryAfter: 300 * time.Second}, listURL(hs.URL, testStore), 429, "300"},
		{Condition{Kind: Throttled}, listURL(hs.URL, testStore), 429, ""},
		{Condition{Kind: Forbidden, StoreID: testStore}, listURL(hs.URL, testStore), 403, ""},
		{Condition{Kind: Forbidden, StoreID: testStore}, storesURL(hs.URL), 200, ""}, // the listing still names it
		{Condition{Kind: Forbidden, StoreID: "another"}, listURL(hs.URL, testStore), 200, ""},
		{Condition{Kind: NoCount}, listURL(hs.URL, testStore) + "/$count", 400, ""},
		{Condition{Kind: NoCount}, listURL(hs.URL, testStore), 200, ""},
	} {
		t.Run(tc.cond.Kind.String(), func(t *testing.T) {
			s.SetConditions(tc.cond)
			for range 2 { // it holds: not a one-off fault
				resp, err := get(t.Context(), t, tc.url)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter {
					t.Fatalf("%s: got %d Retry-After %q, want %d %q", tc.url, resp.StatusCode, resp.Header.Get("Retry-After"), tc.status, tc.retryAfter)
				}
			}
			s.SetConditions()
			if resp, err := get(t.Context(), t, tc.url); err != nil || resp.StatusCode != 200 {
				t.Fatalf("healed: %v %v", resp, err)
			}
		})
	}
	if got := len(s.RequestsTo(RouteGetSession)); got != 0 {
		t.Fatalf("unexpected session reads: %d (%s)", got, id)
	}
}

func TestDownClosesTheConnection(t *testing.T) {
	s, _, hs := newTestServer(t)
	s.SetConditions(Condition{Kind: Down})
	if _, err := get(t.Context(), t, storesURL(hs.URL)); err == nil {
		t.Fatal("a request to a service that is down got an answer")
	}
	if got := len(s.RequestsTo(RouteListStores)); got == 0 {
		t.Fatal("the request was not recorded")
	}
	s.SetConditions()
	if resp, err := get(t.Context(), t, storesURL(hs.URL)); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after healing: %v %v", resp, err)
	}
}

func TestHangHoldsUntilSwitchedBack(t *testing.T) {
	s, _, hs := newTestServer(t)
	s.SetConditions(Condition{Kind: Hang})
	t.Cleanup(func() { s.SetConditions() }) // before the server closes
	done := make(chan int, 1)
	go func() {
		resp, err := get(context.Background(), t, storesURL(hs.URL))
		if err != nil {
			done <- -1
			return
		}
		done <- resp.StatusCode
	}()
	select {
	case got := <-done:
		t.Fatalf("a hung service answered: %d", got)
	case <-time.After(100 * time.Millisecond):
	}
	s.SetConditions()
	if got := <-done; got != 200 {
		t.Fatalf("released request answered %d, want 200", got)
	}

	// A client that gives up is let go.
	s.SetConditions(Condition{Kind: Hang})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := get(ctx, t, storesURL(hs.URL)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the client's deadline", err)
	}
}

func TestSlowAnswersLate(t *testing.T) {
	s, _, hs := newTestServer(t)
	s.SetConditions(Condition{Kind: Slow, Delay: 30 * time.Millisecond})
	start := time.Now()
	resp, err := get(t.Context(), t, storesURL(hs.URL))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("a slow answer came at once")
	}
}

func TestGarbageListing(t *testing.T) {
	s, _, hs := newTestServer(t)
	s.SetConditions(Condition{Kind: GarbageListing, StoreID: testStore})
	code, body, _ := call(t, http.MethodGet, listURL(hs.URL, testStore))
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	values, _ := body["value"].([]any)
	if len(values) == 0 {
		t.Fatalf("no entries: %v", body)
	}
	for _, v := range values {
		if m, ok := v.(map[string]any); ok && m["id"] != nil {
			t.Fatalf("a usable session in a garbage listing: %v", v)
		}
	}
}

func TestOtherSessionAnswersAnotherID(t *testing.T) {
	s, _, hs := newTestServer(t)
	a, _ := s.AddSession(testStore, SessionSpec{FileName: "a.EdmHash", TotalBlocks: 1, TotalJobs: 1})
	b, _ := s.AddSession(testStore, SessionSpec{FileName: "b.EdmHash", TotalBlocks: 1, TotalJobs: 1})
	s.SetConditions(Condition{Kind: OtherSession})
	for asked, want := range map[string]string{a: b, b: a} {
		_, body, _ := call(t, http.MethodGet, sessionURL(hs, asked))
		if body["id"] != want {
			t.Fatalf("asked %s: got id %v, want %s", asked, body["id"], want)
		}
	}

	// A store of one session still answers with another id.
	s2, _, hs2 := newTestServer(t)
	only, _ := s2.AddSession(testStore, SessionSpec{TotalBlocks: 1, TotalJobs: 1})
	s2.SetConditions(Condition{Kind: OtherSession})
	_, body, _ := call(t, http.MethodGet, sessionURL(hs2, only))
	if id, _ := body["id"].(string); id == "" || id == only {
		t.Fatalf("got id %q, want another than %s", id, only)
	}
}

func TestConditionNames(t *testing.T) {
	for k := Down; k <= Slow; k++ {
		if strings.HasPrefix(k.String(), "condition(") {
			t.Errorf("kind %d has no name", k)
		}
	}
	if got := ConditionKind(99).String(); got != "condition(99)" {
		t.Errorf("got %q", got)
	}
}
