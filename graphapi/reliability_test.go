package graphapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// Errors found in a 200 answer carry its status and request ids (issue 17 #6).
func TestErrorsOnA200CarryStatusAndIDs(t *testing.T) {
	cases := map[string]struct {
		body string
		call func(*Client) error
		code string
	}{
		"malformed JSON":     {`{"value":[{"id":"x","state":`, func(c *Client) error { _, err := c.ListSessions(context.Background(), storeID); return err }, ""},
		"wrong-shaped value": {`{"value":{"id":"x"}}`, func(c *Client) error { _, err := c.ListDataStores(context.Background()); return err }, ""},
		"next link loop":     {``, func(c *Client) error { _, err := c.ListSessions(context.Background(), storeID); return err }, "nextLinkLoop"},
		"bad session body":   {`[1,2]`, func(c *Client) error { _, err := c.GetSession(context.Background(), storeID, "s1"); return err }, ""},
		"bad store body":     {`"x"`, func(c *Client) error { _, err := c.GetDataStore(context.Background(), storeID); return err }, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var srv *httptest.Server
			srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("request-id", "rid-200")
				body := tc.body
				if body == "" {
					// Every page links back to the first.
					body = fmt.Sprintf(`{"value":[],"@odata.nextLink":"%s/beta/dataClassification/exactMatchDataStores/%s/sessions"}`, srv.URL, storeID)
				}
				fmt.Fprint(w, body)
			}))
			err := tc.call(newTestClient(t, srv, nil))
			ge, ok := AsError(err)
			if !ok || ge.StatusCode != 200 || ge.RequestID != "rid-200" || !guidPattern.MatchString(ge.ClientRequestID) || ge.Code != tc.code {
				t.Fatalf("got %#v", err)
			}
			if strings.Contains(ge.Error(), "no response") || !strings.Contains(ge.Error(), "HTTP 200") {
				t.Errorf("Error() = %s", ge.Error())
			}
		})
	}
}

// A renew the service accepted (200 with an unreadable body, or 204) is a
// success: the session is read back (issue 17 #7, issue 19).
func TestAcceptedRenewIsReadBack(t *testing.T) {
	for name, answer := range map[string]func(w http.ResponseWriter){
		"204":               func(w http.ResponseWriter) { w.WriteHeader(204) },
		"200 truncated":     func(w http.ResponseWriter) { fmt.Fprint(w, `{"id":"s1","sta`) },
		"200 without an id": func(w http.ResponseWriter) { fmt.Fprint(w, `{"state":"x"}`) },
	} {
		t.Run(name, func(t *testing.T) {
			var posts, gets atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.Add(1)
					answer(w)
					return
				}
				gets.Add(1)
				fmt.Fprint(w, `{"id":"s1","state":"UploadInProgress"}`)
			}))
			s, err := newTestClient(t, srv, nil).RenewSession(context.Background(), storeID, "s1")
			if err != nil || s.ID != "s1" || s.State != "UploadInProgress" {
				t.Fatalf("got %+v, %v", s, err)
			}
			if posts.Load() != 1 || gets.Load() != 1 {
				t.Errorf("%d POSTs, %d GETs; want 1 and 1", posts.Load(), gets.Load())
			}
		})
	}
	t.Run("read-back fails", func(t *testing.T) {
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("request-id", "rid-renew")
			if r.Method == http.MethodPost {
				fmt.Fprint(w, `{"id":"s1","sta`)
				return
			}
			w.WriteHeader(404)
		}))
		_, err := newTestClient(t, srv, nil).RenewSession(context.Background(), storeID, "s1")
		ge, ok := AsError(err)
		if !ok || !errors.Is(err, ErrUnreadableAnswer) || ge.OutcomeUnknown || ge.StatusCode != 200 || ge.RequestID != "rid-renew" {
			t.Fatalf("got %#v", err)
		}
		if !strings.HasPrefix(ge.Message, "renewed (HTTP 200)") || strings.Contains(ge.Error(), "outcome unknown") {
			t.Errorf("Error() = %s", ge.Error())
		}
	})
}

// Sessions without an id, and entries that are not objects, are counted.
func TestSessionsWithoutIDAreCounted(t *testing.T) {
	var srv *httptest.Server
	srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("p") == "" {
			fmt.Fprintf(w, `{"value":[{"id":"a"},{"state":"no id"},7,null],"@odata.nextLink":"%s/beta/x?p=2"}`, srv.URL)
			return
		}
		fmt.Fprint(w, `{"value":[{"id":""},{"id":"b"}]}`)
	}))
	c := newTestClient(t, srv, nil)
	l, err := c.ListSessionsReport(context.Background(), storeID)
	if err != nil || len(l.Sessions) != 2 || l.Skipped != 4 {
		t.Fatalf("got %+v, %v; want 2 sessions and 4 skipped", l, err)
	}
	plain, err := c.ListSessions(context.Background(), storeID)
	if err != nil || len(plain) != 2 || plain[0].ID != "a" || plain[1].ID != "b" {
		t.Errorf("ListSessions = %+v, %v", plain, err)
	}
}

// Mutation survivor: the newer copy wins even when it comes first.
func TestDedupeKeepsNewerCopyThatCameFirst(t *testing.T) {
	var srv *httptest.Server
	srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("p") == "" {
			fmt.Fprintf(w, `{"value":[{"id":"a","state":"new","lastUpdatedDateTime":"2026-11-28T09:01:00Z"}],"@odata.nextLink":"%s/beta/x?p=2"}`, srv.URL)
			return
		}
		fmt.Fprint(w, `{"value":[{"id":"a","state":"old","lastUpdatedDateTime":"2026-11-28T09:00:00Z"},{"id":"a","state":"undated"}]}`)
	}))
	got, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
	if err != nil || len(got) != 1 || got[0].State != "new" {
		t.Errorf("got %+v, %v; want the newer copy from page 1", got, err)
	}
}

// A next link must stay under the endpoint's path, not only its host.
func TestNextLinkMustStayUnderTheEndpointPath(t *testing.T) {
	for name, path := range map[string]string{
		"other version":    "/v1.0/dataClassification/exactMatchDataStores",
		"other service":    "/admin/steal",
		"prefix lookalike": "/betamax/x",
		"dot segments":     "/beta/../v1.0/x",
		"escaped dots":     "/beta/%2e%2e/v1.0/x",
	} {
		t.Run(name, func(t *testing.T) {
			var hits atomic.Int32
			var srv *httptest.Server
			srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) > 1 {
					t.Errorf("followed the link to %s", r.URL.Path)
				}
				fmt.Fprintf(w, `{"value":[{"id":"a"}],"@odata.nextLink":%q}`, srv.URL+path)
			}))
			_, err := newTestClient(t, srv, nil).ListSessions(context.Background(), storeID)
			if ge, ok := AsError(err); !ok || ge.Code != "unsafeNextLink" || ge.StatusCode != 200 {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestBuildVersion(t *testing.T) {
	if Version == "" {
		t.Fatal("Version is empty")
	}
	cases := []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "dev-0123456789ab-dirty"},
	}
	for _, tc := range cases {
		if got := buildVersion(tc.info); got != tc.want {
			t.Errorf("buildVersion = %q, want %q", got, tc.want)
		}
	}
}

func TestUserAgentCarriesVersion(t *testing.T) {
	var ua atomic.Value
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		fmt.Fprint(w, `{"value":[]}`)
	}))
	if _, err := newTestClient(t, srv, nil).ListDataStores(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := ua.Load().(string); !strings.Contains(got, "edmtop/"+Version) || strings.Contains(got, "0.1.0") {
		t.Errorf("User-Agent = %q, want edmtop/%s", got, Version)
	}
}

// An overflowing Retry-After is a very long wait: not waited for, not
// retried at once as if it were absent.
func TestOverflowingRetryAfterCountsAsVeryLong(t *testing.T) {
	for _, header := range []string{"Retry-After", "retry-after-ms"} {
		t.Run(header, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set(header, "99999999999999999999999")
					w.WriteHeader(429)
					return
				}
				fmt.Fprint(w, `{"value":[]}`)
			}))
			_, err := newTestClient(t, srv, nil).ListDataStores(context.Background())
			ge, ok := AsError(err)
			if !ok || ge.StatusCode != 429 || ge.RetryAfter < 24*time.Hour {
				t.Fatalf("got %v, want a 429 with a very long RetryAfter", err)
			}
			if n.Load() != 1 {
				t.Errorf("%d requests: the wait is too long to retry", n.Load())
			}
		})
	}
	if got := ParseRetryAfter(http.Header{"Retry-After": {"-99999999999999999999999"}}, time.Now()); got != 0 {
		t.Errorf("a negative overflow = %v, want 0", got)
	}
}

// A refused redirect is final: the GET is not sent again.
func TestRefusedRedirectIsNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "http://192.0.2.1/steal", http.StatusFound)
	}))
	base, _ := CheckEndpoint(srv.URL + "/beta")
	opts := fastOptions()
	opts.Transport = newHTTPClient(base)
	defer opts.Transport.(*http.Client).CloseIdleConnections()
	_, err := newTestClient(t, srv, opts).ListDataStores(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused a redirect") {
		t.Fatalf("got %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("the GET was sent %d times", n.Load())
	}
}

// Mutation survivor: a chunked body one byte over the cap is refused, one
// of exactly the cap is read, also when the last bytes come with io.EOF.
func TestChunkedBodyAtTheCap(t *testing.T) {
	const max = 4096
	body := func(n int) string {
		head := `{"value":[],"pad":"`
		return head + strings.Repeat("x", n-len(head)-2) + `"}`
	}
	for _, tc := range []struct {
		size int
		ok   bool
	}{{max, true}, {max + 1, false}} {
		check := func(t *testing.T, err error) {
			if (err == nil) != tc.ok || (!tc.ok && !strings.Contains(err.Error(), "larger than")) {
				t.Errorf("body of %d bytes: err = %v", tc.size, err)
			}
		}
		t.Run(fmt.Sprint("chunked ", tc.size), func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b := body(tc.size)
				w.Write([]byte(b[:10]))
				w.(http.Flusher).Flush() // no Content-Length: chunked
				w.Write([]byte(b[10:]))
			}))
			opts := fastOptions()
			opts.MaxBodyBytes = max
			_, err := newTestClient(t, srv, opts).ListDataStores(context.Background())
			check(t, err)
		})
		t.Run(fmt.Sprint("EOF with data ", tc.size), func(t *testing.T) {
			opts := fastOptions()
			opts.MaxBodyBytes = max
			opts.Transport = transporterFunc(func(req *http.Request) (*http.Response, error) {
				r := iotest.DataErrReader(strings.NewReader(body(tc.size)))
				return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1, Body: io.NopCloser(r), Request: req}, nil
			})
			srv := serve(t, http.NotFoundHandler())
			_, err := newTestClient(t, srv, opts).ListDataStores(context.Background())
			check(t, err)
		})
	}
}

type transporterFunc func(*http.Request) (*http.Response, error)

func (f transporterFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

func TestLoggingAuthorizationIsRefused(t *testing.T) {
	cred, _ := NewStaticTokenCredential(testToken)
	for _, h := range []string{"Authorization", "authorization", "Proxy-Authorization"} {
		opts := &Options{}
		opts.Logging.AllowedHeaders = []string{"request-id", h}
		if _, err := New(DefaultEndpoint, cred, opts); err == nil || !strings.Contains(err.Error(), "AllowedHeaders") {
			t.Errorf("AllowedHeaders with %q: err = %v", h, err)
		}
	}
	opts := &Options{}
	opts.Logging.AllowedHeaders = []string{"x-ms-ags-diagnostic"}
	if _, err := New(DefaultEndpoint, cred, opts); err != nil {
		t.Errorf("a harmless header was refused: %v", err)
	}
}

// A cancel or commit refused with 503, retried, then answered 409 is read
// back: the session's state decides.
func TestActionRetriedThen409IsReadBack(t *testing.T) {
	cases := []struct {
		action, state string
		wantErr       bool
	}{
		{"cancel", "Cancelled", false},
		{"cancel", "Completed", true},
		{"commit", "ProcessingInProgress", false},
		{"commit", "UploadCompleted", true},
	}
	for _, tc := range cases {
		t.Run(tc.action+" "+tc.state, func(t *testing.T) {
			var posts, gets atomic.Int32
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					gets.Add(1)
					fmt.Fprintf(w, `{"id":"s1","state":%q}`, tc.state)
					return
				}
				if posts.Add(1) == 1 {
					w.WriteHeader(503)
					return
				}
				w.WriteHeader(409)
				fmt.Fprint(w, `{"error":{"code":"InvalidSessionState","message":"The session cannot change."}}`)
			}))
			c := newTestClient(t, srv, nil)
			act := c.CancelSession
			if tc.action == "commit" {
				act = c.CommitSession
			}
			err := act(context.Background(), storeID, "s1")
			if posts.Load() != 2 || gets.Load() != 1 {
				t.Errorf("%d POSTs, %d GETs; want 2 and 1", posts.Load(), gets.Load())
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil && (!errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "the session is now "+tc.state)) {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("409 without a retry is not read back", func(t *testing.T) {
		var gets atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				gets.Add(1)
			}
			w.WriteHeader(409)
		}))
		if err := newTestClient(t, srv, nil).CancelSession(context.Background(), storeID, "s1"); !errors.Is(err, ErrConflict) || gets.Load() != 0 {
			t.Errorf("err = %v after %d GETs", err, gets.Load())
		}
	})
}
