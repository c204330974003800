package graphapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const storeID = "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// fixtureServer serves the two session fixture pages, page 1's nextLink
// rewritten to point at this server.
func fixtureServer(t *testing.T) (*httptest.Server, *[]*http.Request) {
	var mu sync.Mutex
	var seen []*http.Request
	var srv *httptest.Server
	srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/beta/dataClassification/exactMatchDataStores/"+storeID+"/sessions" && r.URL.Query().Get("$skiptoken") == "":
			body := strings.ReplaceAll(string(fixture(t, "sessions-page1.json")), "https://graph.microsoft.com", srv.URL)
			fmt.Fprint(w, body)
		case r.URL.Query().Get("$skiptoken") == "RFNwdAIAAQAAACE6":
			w.Write(fixture(t, "sessions-page2.json"))
		default:
			http.NotFound(w, r)
		}
	}))
	return srv, &seen
}

func TestListSessionsFollowsPages(t *testing.T) {
	srv, seen := fixtureServer(t)
	c := newTestClient(t, srv, nil)
	sessions, err := c.ListSessions(context.Background(), storeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 4 {
		t.Fatalf("got %d sessions, want 4 across two pages", len(sessions))
	}
	for i, id := range []string{"0f3b0001", "0f3b0002", "0f3b0003", "0f3b0004"} {
		if !strings.HasPrefix(sessions[i].ID, id) {
			t.Errorf("session %d = %s, want prefix %s", i, sessions[i].ID, id)
		}
	}
	ids := map[string]bool{}
	for _, r := range *seen {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("page request without the bearer token")
		}
		id := r.Header.Get("client-request-id")
		if !guidPattern.MatchString(id) || ids[id] {
			t.Errorf("client-request-id %q is not a fresh GUID", id)
		}
		ids[id] = true
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("Accept = %q", r.Header.Get("Accept"))
		}
	}
}

func TestNextLinkToAnotherHostIsRefused(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Error("the token was sent to a foreign host")
		}
		fmt.Fprint(w, `{"value":[]}`)
	}))
	for name, link := range map[string]string{
		"other host":       foreign.URL + "/beta/next",
		"downgrade scheme": "https://" + strings.TrimPrefix(foreign.URL, "http://") + "/x",
		"user info":        "http://user:pw@127.0.0.1:1/x",
		"relative":         "/beta/next",
		"malformed":        "http://[::1",
	} {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"value":[{"id":"a"}],"@odata.nextLink":%q}`, link)
			}))
			c := newTestClient(t, srv, nil)
			_, err := c.ListSessions(context.Background(), storeID)
			ge, ok := AsError(err)
			if !ok || !strings.Contains(ge.Error(), "next link") {
				t.Fatalf("want a next-link error, got %v", err)
			}
			assertNoSecrets(t, ge.Error())
		})
	}
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("foreign host received %d requests", n)
	}
}

func TestNextLinkLoopAndPageCap(t *testing.T) {
	t.Run("loop", func(t *testing.T) {
		var srv *httptest.Server
		srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Page 1 links to page 2, which links back to page 1.
			next := "/beta/dataClassification/exactMatchDataStores/" + storeID + "/sessions?p=2"
			if r.URL.Query().Get("p") == "2" {
				next = "/beta/dataClassification/exactMatchDataStores/" + storeID + "/sessions"
			}
			fmt.Fprintf(w, `{"value":[],"@odata.nextLink":%q}`, srv.URL+next)
		}))
		_, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
		if ge, ok := AsError(err); !ok || ge.Code != "nextLinkLoop" {
			t.Fatalf("want nextLinkLoop, got %v", err)
		}
	})
	t.Run("endless", func(t *testing.T) {
		var n atomic.Int32
		var srv *httptest.Server
		srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"value":[{"id":"x"}],"@odata.nextLink":"%s/beta/p?n=%d"}`, srv.URL, n.Add(1))
		}))
		opts := fastOptions()
		opts.MaxPages = 7
		_, err := newTestClient(t, srv, opts).ListSessions(context.Background(), storeID)
		if ge, ok := AsError(err); !ok || ge.Code != "tooManyPages" {
			t.Fatalf("want tooManyPages, got %v", err)
		}
		if n.Load() != 7 {
			t.Errorf("fetched %d pages, want the cap of 7", n.Load())
		}
		if !strings.Contains(err.Error(), "stopped after 7 pages (7 entries)") || !strings.Contains(err.Error(), "not complete") {
			t.Errorf("the cap's error does not say plainly what was read: %v", err)
		}
	})
	t.Run("empty page with next link", func(t *testing.T) {
		var srv *httptest.Server
		srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("p") == "" {
				fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/beta/x?p=2"}`, srv.URL)
				return
			}
			fmt.Fprint(w, `{"value":[{"id":"late"}]}`)
		}))
		got, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
		if err != nil || len(got) != 1 || got[0].ID != "late" {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

// graphErrorHandler answers with a fixture error body and status.
func graphErrorHandler(t *testing.T, status int, name string, header http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(fixture(t, name))
	})
}

func TestGraphErrorsMapToError(t *testing.T) {
	cases := []struct {
		status     int
		fixture    string
		code       string
		requestID  string
		sentinel   error
		retryAfter time.Duration
	}{
		{403, "error-403-access-denied.json", "accessDenied", "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", ErrForbidden, 0},
		{404, "error-404-not-found.json", "itemNotFound", "2c3d4e5f-6071-4829-93a4-b5c6d7e8f9a0", ErrNotFound, 0},
		{429, "error-429-throttled.json", "TooManyRequests", "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9", ErrThrottled, time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			var hits atomic.Int32
			h := graphErrorHandler(t, tc.status, tc.fixture, http.Header{"Retry-After": {"3600"}})
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) }))
			_, err := newTestClient(t, srv, nil).GetSession(context.Background(), storeID, "s1")
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if ge.StatusCode != tc.status || ge.Code != tc.code || ge.RequestID != tc.requestID || ge.Message == "" || ge.Date.IsZero() {
				t.Errorf("got %+v", ge)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v) false", tc.sentinel)
			}
			if ge.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", ge.RetryAfter, tc.retryAfter)
			}
			if hits.Load() != 1 {
				t.Errorf("%d requests: a Retry-After above the cap must not be waited for, and 403/404 are final", hits.Load())
			}
			if !strings.Contains(ge.Error(), tc.requestID) || !strings.Contains(ge.Error(), tc.code) {
				t.Errorf("message lacks code or request-id: %s", ge.Error())
			}
			assertNoSecrets(t, ge.Error())
		})
	}
}

func TestUnauthorized(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "rid-401")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}`)
	}))
	_, err := newTestClient(t, srv, nil).ListDataStores(context.Background())
	ge, ok := AsError(err)
	if !ok || ge.StatusCode != 401 || ge.Code != "InvalidAuthenticationToken" || ge.RequestID != "rid-401" || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("got %#v", err)
	}
	assertNoSecrets(t, ge.Error())
}

func TestRetryAfterIsHonoured(t *testing.T) {
	for name, value := range map[string]string{
		"seconds":   "1",
		"http date": "", // filled in per request: one second ahead
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var times []time.Time
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				times = append(times, time.Now())
				n := len(times)
				mu.Unlock()
				if n == 1 {
					v := value
					if v == "" {
						v = time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
					}
					w.Header().Set("Retry-After", v)
					w.WriteHeader(429)
					w.Write(fixture(t, "error-429-throttled.json"))
					return
				}
				fmt.Fprint(w, `{"value":[{"id":"a"}]}`)
			}))
			got, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
			if err != nil || len(got) != 1 {
				t.Fatalf("got %v, %v", got, err)
			}
			if len(times) != 2 {
				t.Fatalf("%d requests, want 2", len(times))
			}
			// An HTTP date has one-second resolution, so allow for truncation.
			if wait := times[1].Sub(times[0]); wait < 900*time.Millisecond {
				t.Errorf("retried after %v, before Retry-After elapsed", wait)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		header http.Header
		want   time.Duration
	}{
		"none":           {http.Header{}, 0},
		"seconds":        {http.Header{"Retry-After": {"120"}}, 2 * time.Minute},
		"date":           {http.Header{"Retry-After": {"Sat, 28 Nov 2026 09:00:30 GMT"}}, 30 * time.Second},
		"date in past":   {http.Header{"Retry-After": {"Sat, 28 Nov 2026 08:00:00 GMT"}}, 0},
		"garbage":        {http.Header{"Retry-After": {"soon"}}, 0},
		"negative":       {http.Header{"Retry-After": {"-5"}}, 0},
		"huge is capped": {http.Header{"Retry-After": {"99999999999999"}}, 7 * 24 * time.Hour},
		"ms header wins": {http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"60"}}, 1500 * time.Millisecond},
	}
	for name, tc := range cases {
		if got := ParseRetryAfter(tc.header, now); got != tc.want {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
}

func TestGetRetriesTransientFailures(t *testing.T) {
	for _, status := range []int{408, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) < 3 {
					w.WriteHeader(status)
					return
				}
				fmt.Fprint(w, `{"id":"s1","state":"Completed"}`)
			}))
			s, err := newTestClient(t, srv, nil).GetSession(context.Background(), storeID, "s1")
			if err != nil || s.ID != "s1" || n.Load() != 3 {
				t.Fatalf("got %v after %d tries", err, n.Load())
			}
		})
	}
	t.Run("gives up", func(t *testing.T) {
		var n atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><h1>502 Bad Gateway</h1></html>")
		}))
		opts := fastOptions()
		opts.MaxRetries = 2
		_, err := newTestClient(t, srv, opts).GetSession(context.Background(), storeID, "s1")
		ge, ok := AsError(err)
		if !ok || ge.StatusCode != 502 || !strings.Contains(ge.Message, "text/html") || strings.Contains(ge.Message, "<h1>") {
			t.Fatalf("got %v", err)
		}
		if n.Load() != 3 {
			t.Errorf("%d tries, want 1 + 2 retries", n.Load())
		}
	})
}

func TestPostIsRetriedOnlyWhenRefused(t *testing.T) {
	t.Run("503 then success", func(t *testing.T) {
		var n atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/sessions/s1/renew") {
				t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			}
			if n.Add(1) == 1 {
				w.WriteHeader(503)
				return
			}
			fmt.Fprint(w, `{"value":{"id":"s1","state":"UploadInProgress"}}`)
		}))
		s, err := newTestClient(t, srv, nil).RenewSession(context.Background(), storeID, "s1")
		if err != nil || s.ID != "s1" || n.Load() != 2 {
			t.Fatalf("got %v after %d tries", err, n.Load())
		}
	})
	for _, status := range []int{500, 502, 504, 408} {
		t.Run(fmt.Sprint(status, " is not retried"), func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(status)
			}))
			err := newTestClient(t, srv, nil).CommitSession(context.Background(), storeID, "s1")
			if ge, ok := AsError(err); !ok || ge.StatusCode != status || n.Load() != 1 {
				t.Fatalf("got %v after %d tries", err, n.Load())
			}
		})
	}
	t.Run("dropped connection is sent once", func(t *testing.T) {
		var n atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}))
		_, err := newTestClient(t, srv, nil).RenewSession(context.Background(), storeID, "s1")
		ge, ok := AsError(err)
		if !ok || !ge.OutcomeUnknown || !strings.Contains(ge.Error(), "outcome unknown") {
			t.Fatalf("want an outcome-unknown error, got %v", err)
		}
		if n.Load() != 1 {
			t.Errorf("the POST was sent %d times", n.Load())
		}
	})
	t.Run("timeout is not retried", func(t *testing.T) {
		var n atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			<-r.Context().Done()
		}))
		opts := fastOptions()
		opts.TryTimeout = 200 * time.Millisecond
		err := newTestClient(t, srv, opts).CancelSession(context.Background(), storeID, "s1")
		ge, ok := AsError(err)
		if !ok || !ge.OutcomeUnknown || n.Load() != 1 {
			t.Fatalf("got %v after %d tries", err, n.Load())
		}
	})
	t.Run("connection refused is retried and not unknown", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // nothing listens on its port now
		opts := fastOptions()
		opts.MaxRetries = 1
		opts.Transport = &http.Client{}
		c := newTestClient(t, srv, opts)
		err := c.CommitSession(context.Background(), storeID, "s1")
		ge, ok := AsError(err)
		if !ok || ge.OutcomeUnknown || !strings.Contains(ge.Message, "refused") {
			t.Fatalf("got %#v", err)
		}
	})
}

func TestGetRetriesDroppedConnectionAndStall(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case 2:
			<-r.Context().Done() // stall past the try timeout
		default:
			fmt.Fprint(w, `{"value":[]}`)
		}
	}))
	opts := fastOptions()
	opts.TryTimeout = 200 * time.Millisecond
	if _, err := newTestClient(t, srv, opts).ListDataStores(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("%d tries, want 3", n.Load())
	}
}

func TestBadBodies(t *testing.T) {
	cases := map[string]struct {
		handler func(w http.ResponseWriter)
		want    string
	}{
		"truncated": {func(w http.ResponseWriter) { fmt.Fprint(w, `{"value":[{"id":"a"`) }, "truncated"},
		"non-JSON": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "hello")
		}, "not valid JSON"},
		"HTML page": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><title>Sign in</title>")
		}, "not valid JSON"},
		"empty 200":    {func(w http.ResponseWriter) {}, "empty"},
		"204 not JSON": {func(w http.ResponseWriter) { w.WriteHeader(204) }, "HTTP 204"},
		"not a list":   {func(w http.ResponseWriter) { fmt.Fprint(w, `{"id":"x"}`) }, "not a collection"},
		"oversized":    {func(w http.ResponseWriter) { fmt.Fprintf(w, `{"value":[],"pad":"%s"}`, strings.Repeat("x", 5000)) }, "larger than"},
		"oversized CL": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("{"))
		}, "larger than"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); tc.handler(w) }))
			opts := fastOptions()
			opts.MaxBodyBytes = 4096
			_, err := newTestClient(t, srv, opts).ListSessions(context.Background(), storeID)
			ge, ok := AsError(err)
			if !ok || !strings.Contains(ge.Error(), tc.want) {
				t.Fatalf("want an *Error mentioning %q, got %v", tc.want, err)
			}
			if strings.Contains(name, "oversized") && n.Load() != 1 {
				t.Errorf("an oversized body was fetched %d times", n.Load())
			}
		})
	}
}

func TestHostileIDs(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		segs := strings.Split(r.URL.EscapedPath(), "/")
		id, _ := url.PathUnescape(segs[len(segs)-1])
		body, _ := json.Marshal(map[string]string{"id": id}) // the session asked for
		_, _ = w.Write(body)
	}))
	c := newTestClient(t, srv, nil)
	ctx := context.Background()
	escaped := map[string]string{
		"../x":      "..%2Fx",
		"..":        "%2E%2E",
		".":         "%2E",
		"a?b#c":     "a%3Fb%23c",
		"a/../../b": "a%2F..%2F..%2Fb",
		"50%":       "50%25",
	}
	for id, want := range escaped {
		paths = nil
		if _, err := c.GetSession(ctx, storeID, id); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		wantPath := "/beta/dataClassification/exactMatchDataStores/" + storeID + "/sessions/" + want
		if len(paths) != 1 || paths[0] != wantPath {
			t.Errorf("id %q requested %v, want %s", id, paths, wantPath)
		}
	}
	for _, id := range []string{"", "a\nb", "a\x1b[2Jb", "\u009b", string([]byte{0xff, 0xfe}), strings.Repeat("a", 300)} {
		paths = nil
		_, err := c.GetSession(ctx, storeID, id)
		if _, ok := AsError(err); !ok || len(paths) != 0 {
			t.Errorf("id %q: err %v, %d requests sent", id, err, len(paths))
		}
		if _, err := c.RenewSession(ctx, id, "s1"); err == nil || len(paths) != 0 {
			t.Errorf("store id %q was accepted", id)
		}
	}
}

func TestEndpointRules(t *testing.T) {
	cred, _ := NewStaticTokenCredential("t")
	ok := []string{DefaultEndpoint, "https://graph.microsoft.us/beta/", "http://127.0.0.1:8080/beta", "http://localhost/beta", "http://[::1]:9/beta"}
	bad := []string{"http://graph.microsoft.com/beta", "ftp://x/beta", "graph.microsoft.com/beta", "", "https://u:p@graph.microsoft.com/beta",
		"https://graph.microsoft.com/beta?x=1", "http://10.0.0.1/beta", "http://127.0.0.1.evil.example/beta"}
	for _, e := range ok {
		if _, err := New(e, cred, nil); err != nil {
			t.Errorf("%q rejected: %v", e, err)
		}
	}
	for _, e := range bad {
		_, err := New(e, cred, nil)
		if err == nil {
			t.Errorf("%q accepted", e)
			continue
		}
		if strings.Contains(err.Error(), "u:p") {
			t.Errorf("error leaks user info: %v", err)
		}
	}
	if _, err := New(DefaultEndpoint, nil, nil); err == nil {
		t.Error("nil credential accepted")
	}
}

func TestStaticTokenCredential(t *testing.T) {
	c, err := NewStaticTokenCredential("  Bearer " + testToken + "\n")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), policyOptions())
	if err != nil || tok.Token != testToken {
		t.Fatalf("token %q, %v", tok.Token, err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%+v", *c)} {
		if strings.Contains(s, testToken) {
			t.Errorf("printing the credential leaks the token: %s", s)
		}
	}
	for _, bad := range []string{"", "   ", "Bearer ", "a b", "a\x00b"} {
		if _, err := NewStaticTokenCredential(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCredentialFailureIsNotOutcomeUnknown(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	c, err := New(srv.URL+"/beta", failingCredential{}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RenewSession(context.Background(), storeID, "s1")
	ge, ok := AsError(err)
	if !ok || ge.OutcomeUnknown || ge.Code != "signInFailed" || n.Load() != 0 {
		t.Fatalf("got %#v, %d requests", err, n.Load())
	}
}

func TestCallerCancellation(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newTestClient(t, srv, nil).ListSessions(ctx, storeID)
	if _, ok := AsError(err); !ok || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

func TestRedirectLeavingHostIsRefused(t *testing.T) {
	var foreignAuth atomic.Value
	foreign := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignAuth.Store(r.Header.Get("Authorization"))
		fmt.Fprint(w, `{"value":[]}`)
	}))
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	base, _ := CheckEndpoint(srv.URL + "/beta")
	opts := fastOptions()
	opts.MaxRetries = -1
	opts.Transport = newHTTPClient(base)
	_, err := newTestClient(t, srv, opts).ListDataStores(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("got %v", err)
	}
	if v := foreignAuth.Load(); v != nil {
		t.Errorf("the redirect target was contacted (Authorization %q)", v)
	}
	opts.Transport.(*http.Client).CloseIdleConnections()
}

func TestAdvice(t *testing.T) {
	if a := Advice(&Error{StatusCode: 403}); !strings.Contains(a, "EDM_DataUploaders") {
		t.Errorf("403 advice: %q", a)
	}
	if a := Advice(&Error{StatusCode: 401}); !strings.Contains(a, "Sign in again") {
		t.Errorf("401 advice: %q", a)
	}
	if a := Advice(&Error{StatusCode: 500}); a != "" {
		t.Errorf("500 advice: %q", a)
	}
	if a := Advice(&Error{Code: "signInFailed"}); !strings.Contains(a, "sign in") {
		t.Errorf("sign-in advice: %q", a)
	}
	if a := Advice(errors.New("x")); a != "" {
		t.Errorf("plain error advice: %q", a)
	}
}

// rotatingCredential hands out a new token each time it is asked.
type rotatingCredential struct {
	mu    sync.Mutex
	calls int
}

func (r *rotatingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return azcore.AccessToken{Token: fmt.Sprintf("tok-%d", r.calls), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok-2" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}`)
			return
		}
		fmt.Fprint(w, `{"id":"s1"}`)
	}))
	cred := &rotatingCredential{}
	opts := fastOptions()
	opts.Transport = srv.Client()
	c, err := New(srv.URL+"/beta", cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	// A POST too: the service refused it, so sending it again is safe.
	if _, err := c.RenewSession(context.Background(), storeID, "s1"); err != nil {
		t.Fatalf("renew after a refresh: %v", err)
	}
	if len(seen) != 2 || seen[0] != "Bearer tok-1" || seen[1] != "Bearer tok-2" {
		t.Errorf("requests carried %v", seen)
	}
	// The fresh token stays in use.
	if _, err := c.GetSession(context.Background(), storeID, "s1"); err != nil || len(seen) != 3 {
		t.Errorf("next call: %v, %d requests", err, len(seen))
	}
}

func TestSecond401IsReturned(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("request-id", "rid-401")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}`)
	}))
	_, err := newTestClient(t, srv, nil).ListDataStores(context.Background())
	if !errors.Is(err, ErrUnauthorized) || n.Load() != 2 || !strings.Contains(Advice(err), "Sign in again") {
		t.Errorf("got %v after %d requests", err, n.Load())
	}
	assertNoSecrets(t, err.Error())
}

func TestDuplicatesAcrossPagesAppearOnce(t *testing.T) {
	var srv *httptest.Server
	srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("p") == "" {
			fmt.Fprintf(w, `{"value":[{"id":"a","state":"old","lastUpdatedDateTime":"2026-11-28T09:00:00Z"},{"id":"b"}],"@odata.nextLink":"%s/beta/x?p=2"}`, srv.URL)
			return
		}
		fmt.Fprint(w, `{"value":[{"id":"c"},{"id":"a","state":"new","lastUpdatedDateTime":"2026-11-28T09:01:00Z"}]}`)
	}))
	got, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
	if err != nil || len(got) != 3 || got[0].ID != "a" || got[0].State != "new" || got[2].ID != "c" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestHTTPSNeverDowngrades(t *testing.T) {
	var plainHits atomic.Int32
	plain := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Error("the token went over plain http")
		}
	}))
	var tlsSrv *httptest.Server
	tlsSrv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/beta/dataClassification/exactMatchDataStores":
			// A page whose next link drops to http on another port.
			fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/beta/next"}`, plain.URL)
		default:
			http.Redirect(w, r, "http://"+strings.TrimPrefix(tlsSrv.URL, "https://")+"/beta/plain", http.StatusFound)
		}
	}))
	defer tlsSrv.Close()
	base, _ := CheckEndpoint(tlsSrv.URL + "/beta")
	client := newHTTPClient(base)
	client.Transport.(*http.Transport).TLSClientConfig = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	opts := fastOptions()
	opts.Transport = client
	opts.MaxRetries = -1
	cred, _ := NewStaticTokenCredential(testToken)
	c, err := New(tlsSrv.URL+"/beta", cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDataStores(context.Background()); err == nil || !strings.Contains(err.Error(), "next link") {
		t.Errorf("next link to http: %v", err)
	}
	if _, err := c.GetSession(context.Background(), storeID, "s1"); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("redirect to http: %v", err)
	}
	if plainHits.Load() != 0 {
		t.Errorf("plain http contacted %d times", plainHits.Load())
	}
	client.CloseIdleConnections()
}

// A call cut by its own bound (CallTimeout, edmtop's --request-timeout)
// says how long it waited; one cut by the caller's deadline does not
// claim the client's bound.
func TestCallTimeoutIsNamed(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	c := newTestClient(t, srv, &Options{CallTimeout: 200 * time.Millisecond, TryTimeout: 100 * time.Millisecond, RetryDelay: time.Millisecond})
	_, err := c.GetSession(context.Background(), storeID, "s1")
	if ge, ok := AsError(err); !ok || ge.Message != "no answer within 200ms" {
		t.Fatalf("got %v, want the call's bound named", err)
	}
	// Each try cut by its own bound, the retries spent long before the
	// call's: the call's bound did not end it and is not named.
	cTries := newTestClient(t, srv, &Options{CallTimeout: 5 * time.Second, TryTimeout: 50 * time.Millisecond, MaxRetries: 1, RetryDelay: time.Millisecond})
	_, err = cTries.GetSession(context.Background(), storeID, "s1")
	if ge, ok := AsError(err); !ok || ge.Message != "no answer within 50ms to any try" {
		t.Fatalf("tries cut by TryTimeout: got %v, want the try's bound named", err)
	}
	// A service that closes each connection is reached, not silent: the
	// error says what the tries met, and is not a hang.
	closing := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	cClosed := newTestClient(t, closing, &Options{CallTimeout: 200 * time.Millisecond, MaxRetries: 1000, RetryDelay: time.Millisecond})
	_, err = cClosed.GetSession(context.Background(), storeID, "s1")
	if ge, ok := AsError(err); !ok || NoAnswer(err) || !strings.HasSuffix(ge.Message, "(retried until the request's 200ms ran out)") ||
		strings.Contains(ge.Message, "no answer") {
		t.Fatalf("closed connections: got %v (no answer: %v)", err, NoAnswer(err))
	}
	if !NoAnswer(errOf(c.GetSession(context.Background(), storeID, "s1"))) {
		t.Error("a silent service is not told as no answer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c2 := newTestClient(t, srv, &Options{CallTimeout: time.Minute, RetryDelay: time.Millisecond})
	if _, err := c2.GetSession(ctx, storeID, "s1"); err == nil || strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("the caller's deadline was named as the client's bound: %v", err)
	}
	// A service that answers 503 until the bound runs out: the error is
	// that answer (throttled, with its Retry-After), not "no answer".
	busy := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("request-id", "rid-503")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	c3 := newTestClient(t, busy, &Options{CallTimeout: 300 * time.Millisecond, RetryDelay: time.Millisecond})
	_, err = c3.GetSession(context.Background(), storeID, "s1")
	if ge, ok := AsError(err); !ok || ge.StatusCode != 503 || !errors.Is(err, ErrThrottled) || ge.RetryAfter != time.Second || ge.RequestID != "rid-503" ||
		ge.Message != "retried until the request's 300ms ran out" {
		t.Fatalf("got %#v", err)
	}
	for d, want := range map[time.Duration]string{3 * time.Second: "3s", 30 * time.Second: "30s", 2 * time.Minute: "2m", 90 * time.Second: "1m30s", 200 * time.Millisecond: "200ms"} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func errOf(_ Session, err error) error { return err }
