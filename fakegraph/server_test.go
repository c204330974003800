package fakegraph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testStore = "store-1"
	token     = "sim-token"
)

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T) (*Server, *ManualClock, *httptest.Server) {
	t.Helper()
	clock := NewManualClock(t0)
	s := New(Options{Clock: clock, Token: token, PageSize: 2})
	s.AddStore(Store{ID: testStore, DisplayName: "HR", Columns: []Column{{Name: "Id", Searchable: true}, {Name: "Email"}}})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, clock, hs
}

// call sends a request and decodes the JSON answer into a generic map.
func call(t *testing.T, method, url string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, url, body)
		}
	}
	return resp.StatusCode, m, resp.Header
}

func sessionURL(hs *httptest.Server, id string, more ...string) string {
	u := hs.URL + "/beta/dataClassification/exactMatchDataStores/" + testStore + "/sessions/" + id
	for _, m := range more {
		u += "/" + m
	}
	return u
}

func TestLifecycleFollowsTheClock(t *testing.T) {
	s, clock, hs := newTestServer(t)
	id, err := s.AddSession(testStore, SessionSpec{FileName: "hr.EdmHash", TotalBlocks: 10, BlocksPerMinute: 5,
		TotalJobs: 4, JobsPerMinute: 2, AutoCommit: true})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		state                  string
		remBlocks, remJobs     float64
		completion, uploadDone bool
	}
	steps := []struct {
		after time.Duration
		want  want
	}{
		{0, want{StateUploading, 10, 4, false, false}},
		{time.Minute, want{StateUploading, 5, 4, false, false}},
		{time.Minute, want{StateProcessing, 0, 4, false, true}},
		{time.Minute, want{StateProcessing, 0, 2, false, true}},
		{time.Minute, want{StateCompleted, 0, 0, true, true}},
		{time.Hour, want{StateCompleted, 0, 0, true, true}},
	}
	var lastUpdated string
	for i, step := range steps {
		clock.Advance(step.after)
		status, m, _ := call(t, "GET", sessionURL(hs, id))
		if status != 200 {
			t.Fatalf("step %d: status %d", i, status)
		}
		got := want{m["state"].(string), m["remainingBlockCount"].(float64), m["remainingJobCount"].(float64),
			m["completionDateTime"] != nil, m["uploadCompletionDateTime"] != nil}
		if got != step.want {
			t.Errorf("step %d (+%v): got %+v, want %+v", i, step.after, got, step.want)
		}
		lu := m["lastUpdatedDateTime"].(string)
		if lu < lastUpdated {
			t.Errorf("step %d: lastUpdatedDateTime went back from %s to %s", i, lastUpdated, lu)
		}
		lastUpdated = lu
		if m["dataStoreId"] != testStore || m["fileName"] != "hr.EdmHash" || len(m["fields"].([]any)) != 2 {
			t.Errorf("step %d: identity fields wrong: %v", i, m)
		}
	}
}

func TestFailureCarriesClassificationError(t *testing.T) {
	s, clock, hs := newTestServer(t)
	id, _ := s.AddSession(testStore, SessionSpec{FileName: "bad.EdmHash", TotalBlocks: 2, BlocksPerMinute: 2,
		TotalJobs: 4, JobsPerMinute: 1, AutoCommit: true, FailAfterJobs: 2})
	clock.Advance(2 * time.Minute)
	_, m, _ := call(t, "GET", sessionURL(hs, id))
	if m["state"] != StateProcessing || m["error"] != nil {
		t.Fatalf("before failing: %v", m)
	}
	clock.Advance(2 * time.Minute)
	_, m, _ = call(t, "GET", sessionURL(hs, id))
	e, _ := m["error"].(map[string]any)
	if m["state"] != StateFailed || e == nil || e["code"] != "InvalidHashFormat" || e["target"] != "bad.EdmHash" ||
		e["innerError"].(map[string]any)["errorDateTime"] == "" || len(e["details"].([]any)) != 1 || m["remainingJobCount"].(float64) != 2 {
		t.Errorf("failed session: %v", m)
	}
}

func TestActions(t *testing.T) {
	s, clock, hs := newTestServer(t)
	manual, _ := s.AddSession(testStore, SessionSpec{TotalBlocks: 2, BlocksPerMinute: 2, TotalJobs: 2, JobsPerMinute: 1})

	// Commit while uploading: 409 in Graph's envelope.
	status, m, h := call(t, "POST", sessionURL(hs, manual, "commit"))
	if status != 409 || m["error"].(map[string]any)["code"] != "InvalidSessionState" || h.Get("request-id") == "" {
		t.Fatalf("commit while uploading: %d %v", status, m)
	}

	// Renew returns the session with a newer lastUpdatedDateTime, by either action name.
	_, before, _ := call(t, "GET", sessionURL(hs, manual))
	clock.Advance(10 * time.Second)
	for _, name := range []string{"renew", "microsoft.graph.renew"} {
		status, m, _ = call(t, "POST", sessionURL(hs, manual, name))
		if status != 200 || m["id"] != manual || m["lastUpdatedDateTime"].(string) <= before["lastUpdatedDateTime"].(string) {
			t.Errorf("%s: %d %v", name, status, m)
		}
		if !strings.Contains(m["dataUploadURI"].(string), "se=2026-11-29T09%3A00%3A10Z") {
			t.Errorf("%s did not extend the upload URL: %v", name, m["dataUploadURI"])
		}
	}

	// Upload done, waiting for commit; then commit starts processing.
	clock.Advance(time.Minute)
	_, m, _ = call(t, "GET", sessionURL(hs, manual))
	if m["state"] != StateUploadCompleted {
		t.Fatalf("state %v, want %s", m["state"], StateUploadCompleted)
	}
	if status, _, _ = call(t, "POST", sessionURL(hs, manual, "commit")); status != 204 {
		t.Fatalf("commit: %d", status)
	}
	clock.Advance(time.Minute)
	if _, m, _ = call(t, "GET", sessionURL(hs, manual)); m["state"] != StateProcessing || m["remainingJobCount"].(float64) != 1 {
		t.Errorf("after commit: %v", m)
	}

	// Cancel freezes progress; a second cancel and a renew are refused.
	if status, _, _ = call(t, "POST", sessionURL(hs, manual, "cancel")); status != 204 {
		t.Fatalf("cancel: %d", status)
	}
	clock.Advance(time.Hour)
	if _, m, _ = call(t, "GET", sessionURL(hs, manual)); m["state"] != StateCancelled || m["remainingJobCount"].(float64) != 1 {
		t.Errorf("after cancel: %v", m)
	}
	for _, a := range []string{"cancel", "renew", "commit"} {
		if status, _, _ = call(t, "POST", sessionURL(hs, manual, a)); status != 409 {
			t.Errorf("%s on a cancelled session: %d", a, status)
		}
	}
}

func TestErrorsAndAuth(t *testing.T) {
	_, _, hs := newTestServer(t)
	cases := []struct {
		name, method, url, auth string
		status                  int
		code                    string
	}{
		{"no token", "GET", hs.URL + "/beta/dataClassification/exactMatchDataStores", "", 401, "InvalidAuthenticationToken"},
		{"wrong token", "GET", hs.URL + "/beta/dataClassification/exactMatchDataStores", "Bearer nope", 401, "InvalidAuthenticationToken"},
		{"unknown store", "GET", hs.URL + "/beta/dataClassification/exactMatchDataStores/nope/sessions", "", 404, "itemNotFound"},
		{"unknown session", "POST", sessionURL(hs, "nope", "renew"), "", 404, "itemNotFound"},
		{"escaped traversal", "GET", sessionURL(hs, "..%2F..%2Fx"), "", 404, "itemNotFound"},
		{"wrong method", "GET", sessionURL(hs, "x", "renew"), "", 405, "Request_BadRequest"},
		{"unknown segment", "GET", hs.URL + "/beta/dataClassification/other", "", 400, "BadRequest"},
		{"bad $top", "GET", hs.URL + "/beta/dataClassification/exactMatchDataStores?$top=0", "", 400, "BadRequest"},
		{"bad skiptoken", "GET", hs.URL + "/beta/dataClassification/exactMatchDataStores?$skiptoken=zz", "", 400, "BadRequest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.url, nil)
			switch {
			case tc.auth != "":
				req.Header.Set("Authorization", tc.auth)
			case tc.status != 401:
				req.Header.Set("Authorization", "Bearer "+token)
			}
			req.Header.Set("client-request-id", "crid-1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var env struct {
				Error struct {
					Code       string
					Message    string
					InnerError map[string]string
				}
			}
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
				t.Fatal(err)
			}
			ie := env.Error.InnerError
			if resp.StatusCode != tc.status || env.Error.Code != tc.code || env.Error.Message == "" ||
				ie["request-id"] == "" || ie["request-id"] != resp.Header.Get("request-id") || ie["client-request-id"] != "crid-1" ||
				len(ie["date"]) != len("2006-01-02T15:04:05") {
				t.Errorf("got %d %+v", resp.StatusCode, env)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	s, _, hs := newTestServer(t)
	for i := range 5 {
		s.AddSession(testStore, SessionSpec{FileName: fmt.Sprintf("f%d", i)})
	}
	var names []string
	next := hs.URL + "/beta/dataClassification/exactMatchDataStores/" + testStore + "/sessions"
	pages := 0
	for next != "" {
		_, m, _ := call(t, "GET", next)
		for _, v := range m["value"].([]any) {
			names = append(names, v.(map[string]any)["fileName"].(string))
		}
		next, _ = m["@odata.nextLink"].(string)
		if next != "" && (!strings.HasPrefix(next, hs.URL+"/beta/") || !strings.Contains(next, "$skiptoken=")) {
			t.Fatalf("nextLink %q is not absolute with $skiptoken", next)
		}
		pages++
	}
	if pages != 3 || strings.Join(names, ",") != "f0,f1,f2,f3,f4" {
		t.Errorf("%d pages: %v", pages, names)
	}
}

// $top is honoured up to MaxPageSize (default: the page size), larger
// asks get pages of that size, and under NoTop any $top is refused.
func TestPagingTop(t *testing.T) {
	cases := []struct {
		name         string
		maxPageSize  int
		noTop        bool
		query        string
		status, page int
		nextTop      string
	}{
		{"no $top: the page size", 0, false, "", 200, 2, ""},
		{"a smaller $top", 0, false, "?$top=1", 200, 1, "$top=1&"},
		{"a larger $top: capped at the page size", 0, false, "?$top=4", 200, 2, "$top=2&"},
		{"large pages: honoured", 999, false, "?$top=4", 200, 4, "$top=4&"},
		{"large pages: capped at the largest", 3, false, "?$top=999", 200, 3, "$top=3&"},
		{"beyond 1000: refused", 999, false, "?$top=1001", 400, 0, ""},
		{"NoTop: refused", 999, true, "?$top=4", 400, 0, ""},
		{"NoTop without $top: pages", 999, true, "", 200, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Token: token, PageSize: 2, MaxPageSize: tc.maxPageSize})
			s.AddStore(Store{ID: testStore})
			for range 5 {
				s.AddSession(testStore, SessionSpec{})
			}
			if tc.noTop {
				s.SetConditions(Condition{Kind: NoTop})
			}
			hs := httptest.NewServer(s)
			defer hs.Close()
			status, m, _ := call(t, "GET", hs.URL+"/beta/dataClassification/exactMatchDataStores/"+testStore+"/sessions"+tc.query)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, m)
			}
			if status != 200 {
				return
			}
			next, _ := m["@odata.nextLink"].(string)
			if got := len(m["value"].([]any)); got != tc.page || !strings.Contains(next, "?"+tc.nextTop+"$skiptoken=") {
				t.Errorf("a page of %d with next link %q; want %d with %q", got, next, tc.page, tc.nextTop)
			}
		})
	}
}

func TestFaultsAndRecording(t *testing.T) {
	s, _, hs := newTestServer(t)
	id, _ := s.AddSession(testStore, SessionSpec{TotalBlocks: 5})
	s.Inject(RouteGetSession,
		Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}}, Code: "TooManyRequests"},
		Fault{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>proxy</html>"), Times: 2},
	)
	status, m, h := call(t, "GET", sessionURL(hs, id))
	if status != 429 || h.Get("Retry-After") != "7" || m["error"].(map[string]any)["code"] != "TooManyRequests" {
		t.Errorf("429 fault: %d %v %v", status, h, m)
	}
	for range 2 {
		resp, _ := http.Get(sessionURL(hs, id))
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "<html>proxy</html>" {
			t.Errorf("html fault: %q", b)
		}
	}
	if status, _, _ = call(t, "GET", sessionURL(hs, id)); status != 200 {
		t.Errorf("faults did not run out: %d", status)
	}

	// A dropped connection after the action applied: the renew happened.
	s.Inject(RouteRenew, Fault{Apply: true, Drop: true})
	req, _ := http.NewRequest("POST", sessionURL(hs, id, "renew"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("dropped connection answered")
	}
	// A truncated real body.
	s.Inject(RouteGetSession, Fault{Truncate: true})
	req, _ = http.NewRequest("GET", sessionURL(hs, id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Error("truncated body read without error")
		}
	}

	renews := s.RequestsTo(RouteRenew)
	if len(renews) != 1 || renews[0].Method != "POST" || renews[0].Header.Get("Authorization") != "Bearer "+token {
		t.Errorf("renew record: %+v", renews)
	}
	if len(s.Requests()) != 6 {
		t.Errorf("%d requests recorded, want 6", len(s.Requests()))
	}
}

func TestDemoScenario(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewDemo(Options{Clock: clock})
	hs := httptest.NewServer(s)
	defer hs.Close()
	get := func(url string) map[string]any {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer any")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	stores := get(hs.URL + "/beta/dataClassification/exactMatchDataStores")["value"].([]any)
	if len(stores) != 4 {
		t.Fatalf("%d stores", len(stores))
	}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, st := range stores {
			id := st.(map[string]any)["id"].(string)
			for _, v := range get(hs.URL + "/beta/dataClassification/exactMatchDataStores/" + id + "/sessions")["value"].([]any) {
				m := v.(map[string]any)
				out[m["id"].(string)] = fmt.Sprintf("%v %v %v", m["state"], m["remainingBlockCount"], m["remainingJobCount"])
			}
		}
		return out
	}
	before := snapshot()
	states := map[string]int{}
	for _, v := range before {
		states[strings.Fields(v)[0]]++
	}
	if len(before) < 12 {
		t.Errorf("%d sessions, want a dozen", len(before))
	}
	for _, st := range []string{StateUploading, StateUploadCompleted, StateProcessing, StateCompleted, StateFailed, StateCancelled} {
		if states[st] == 0 {
			t.Errorf("no session in state %s: %v", st, states)
		}
	}
	clock.Advance(time.Minute)
	after := snapshot()
	if len(after) != len(before)+1 {
		t.Errorf("after a minute: %d sessions, want one new (%d before)", len(after), len(before))
	}
	changed := 0
	for id, v := range before {
		if after[id] != v {
			changed++
		}
	}
	if changed < 5 {
		t.Errorf("only %d sessions progressed within a minute", changed)
	}
	failedSoon := 0
	clock.Advance(2 * time.Minute)
	for _, v := range snapshot() {
		if strings.HasPrefix(v, StateFailed) {
			failedSoon++
		}
	}
	if failedSoon < 2 {
		t.Errorf("the demo's failing session did not fail within three minutes")
	}
}

func TestGeneratedSessionsArePruned(t *testing.T) {
	clock := NewManualClock(t0)
	s := New(Options{Clock: clock, MaxSessionsPerStore: 5})
	s.AddStore(Store{ID: testStore})
	s.GenerateSessions(testStore, time.Minute, func(i int, at time.Time) SessionSpec {
		return SessionSpec{FileName: fmt.Sprint(i), TotalBlocks: 1, BlocksPerMinute: 60, TotalJobs: 1, JobsPerMinute: 60, AutoCommit: true}
	})
	clock.Advance(100 * time.Minute)
	s.mu.Lock()
	s.advance(clock.Now())
	n := len(s.sessions[testStore])
	s.mu.Unlock()
	if n != 5 {
		t.Errorf("%d sessions kept, want the cap of 5", n)
	}
}
