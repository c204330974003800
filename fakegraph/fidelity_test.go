package fakegraph

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Single entities carry @odata.context; collection items do not (issue 19).
func TestSingleEntitiesCarryODataContext(t *testing.T) {
	s, clock, hs := newTestServer(t)
	id, _ := s.AddSession(testStore, SessionSpec{TotalBlocks: 10})
	clock.Advance(time.Minute)
	meta := hs.URL + "/beta/$metadata#"
	for _, tc := range []struct{ method, url, want string }{
		{"GET", hs.URL + "/beta/dataClassification/exactMatchDataStores/" + testStore, meta + "dataClassification/exactMatchDataStores/$entity"},
		{"GET", sessionURL(hs, id), meta + "dataClassification/exactMatchDataStores('" + testStore + "')/sessions/$entity"},
		{"POST", sessionURL(hs, id, "renew"), meta + "microsoft.graph.exactMatchSession"},
		{"GET", sessionURL(hs, id, "uploadAgent"), meta + "dataClassification/exactMatchDataStores('" + testStore + "')/sessions('" + id + "')/uploadAgent/$entity"},
	} {
		status, m, _ := call(t, tc.method, tc.url)
		if status != 200 || m["@odata.context"] != tc.want {
			t.Errorf("%s %s: %d @odata.context = %v, want %s", tc.method, tc.url, status, m["@odata.context"], tc.want)
		}
	}
	_, m, _ := call(t, "GET", hs.URL+"/beta/dataClassification/exactMatchDataStores/"+testStore+"/sessions")
	if item := m["value"].([]any)[0].(map[string]any); item["@odata.context"] != nil {
		t.Errorf("a collection item carries @odata.context: %v", item)
	}
}

func TestCount(t *testing.T) {
	s, _, hs := newTestServer(t) // page size 2
	for range 5 {
		s.AddSession(testStore, SessionSpec{})
	}
	base := hs.URL + "/beta/dataClassification/exactMatchDataStores/" + testStore + "/sessions"
	_, m, _ := call(t, "GET", base+"?$count=true")
	if m["@odata.count"] != float64(5) || len(m["value"].([]any)) != 2 {
		t.Errorf("$count=true first page: %v", m)
	}
	_, m2, _ := call(t, "GET", m["@odata.nextLink"].(string))
	if _, ok := m2["@odata.count"]; ok {
		t.Errorf("@odata.count on a later page: %v", m2)
	}
	if _, m, _ := call(t, "GET", base); m["@odata.count"] != nil {
		t.Errorf("@odata.count without $count=true: %v", m)
	}
	if status, _, _ := call(t, "GET", base+"?$count=maybe"); status != 400 {
		t.Errorf("$count=maybe: %d", status)
	}

	req, _ := http.NewRequest("GET", base+"/$count", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "5" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("sessions/$count: %d %q %s", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	if got := s.RequestsTo(RouteCountSessions); len(got) != 1 {
		t.Errorf("%d requests recorded for RouteCountSessions", len(got))
	}
	if status, m, _ := call(t, "GET", hs.URL+"/beta/dataClassification/exactMatchDataStores/nope/sessions/$count"); status != 404 || m["error"] == nil {
		t.Errorf("$count of an unknown store: %d %v", status, m)
	}
}

func TestWrongMethodNamesTheAllowedOne(t *testing.T) {
	_, _, hs := newTestServer(t)
	status, m, h := call(t, "GET", sessionURL(hs, "x", "cancel"))
	if status != 405 || m["error"].(map[string]any)["code"] != "Request_BadRequest" || h.Get("Allow") != "POST" {
		t.Errorf("got %d %v Allow=%q", status, m, h.Get("Allow"))
	}
}

func TestErrorDetailsMayCarryInnerError(t *testing.T) {
	s, clock, hs := newTestServer(t)
	id, _ := s.AddSession(testStore, SessionSpec{TotalBlocks: 1, BlocksPerMinute: 1, TotalJobs: 2, JobsPerMinute: 1, AutoCommit: true, FailAfterJobs: 1,
		Failure: &Failure{Code: "InvalidHashFormat", Message: "bad", Details: []FailureDetail{{Code: "ColumnCount", Message: "m", Target: "block 1", InnerCode: "TooManyColumns"}}}})
	clock.Advance(5 * time.Minute)
	_, m, _ := call(t, "GET", sessionURL(hs, id))
	d := m["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
	if ie, _ := d["innerError"].(map[string]any); ie == nil || ie["code"] != "TooManyColumns" {
		t.Errorf("detail: %v", d)
	}

	s.Inject(RouteRenew, Fault{Status: 400, Code: "BadRequest", Message: "invalid", Target: "session", InnerCode: "invalidRequest",
		Details: []FailureDetail{{Code: "InvalidValue", Message: "fileName", Target: "fileName", InnerCode: "FieldValidationFailed"}}})
	status, m, _ := call(t, "POST", sessionURL(hs, id, "renew"))
	e := m["error"].(map[string]any)
	d = e["details"].([]any)[0].(map[string]any)
	if status != 400 || e["target"] != "session" || e["innerError"].(map[string]any)["code"] != "invalidRequest" ||
		d["target"] != "fileName" || d["innerError"].(map[string]any)["code"] != "FieldValidationFailed" {
		t.Errorf("fault envelope: %d %v", status, m)
	}
}
