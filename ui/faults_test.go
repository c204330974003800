package ui

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

// The fault matrix (docs/reliability.md): each case scripts the simulator,
// drives the real client through the dashboard's own commands, and checks
// that the dashboard keeps working, loses nothing and leaks nothing.

const faultToken = "fault-PRIVATE-token-3b9d"

type rig struct {
	t      *testing.T
	sim    *fakegraph.Server
	url    string
	client *graphapi.Client
	m      *Model
	logs   *bytes.Buffer
	ids    map[string]string // file name → session id
}

var logMu sync.Mutex

func newRig(t *testing.T, opts ...func(*graphapi.Options)) *rig {
	t.Helper()
	clock := fakegraph.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	sim := fakegraph.New(fakegraph.Options{Clock: clock, Token: faultToken, PageSize: 2})
	sim.AddStore(fakegraph.Store{ID: testStore, DisplayName: "Employee records", Columns: []fakegraph.Column{{Name: "Id"}, {Name: "Email"}}})
	specs := []fakegraph.SessionSpec{
		{FileName: "uploading.EdmHash", Created: clock.Now().Add(-10 * time.Minute), TotalBlocks: 100, BlocksPerMinute: 2},
		{FileName: "waiting.EdmHash", Created: clock.Now().Add(-20 * time.Minute), TotalBlocks: 4, BlocksPerMinute: 4, TotalJobs: 4},
		{FileName: "done.EdmHash", Created: clock.Now().Add(-3 * time.Hour), TotalBlocks: 4, BlocksPerMinute: 4, TotalJobs: 4, JobsPerMinute: 4, AutoCommit: true},
	}
	r := &rig{t: t, sim: sim, ids: map[string]string{}, logs: &bytes.Buffer{}}
	for _, s := range specs {
		id, _ := sim.AddSession(testStore, s)
		r.ids[s.FileName] = id
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	r.url = hs.URL + "/beta"
	o := &graphapi.Options{Transport: hs.Client(), RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 3 * time.Second,
		TryTimeout: 300 * time.Millisecond, CallTimeout: 4 * time.Second, MaxBodyBytes: 256 << 10}
	for _, f := range opts {
		f(o)
	}
	cred, _ := graphapi.NewStaticTokenCredential(faultToken)
	c, err := graphapi.New(r.url, cred, o)
	if err != nil {
		t.Fatal(err)
	}
	r.client = c
	// azcore's request log goes to a buffer, to prove it carries no token.
	logMu.Lock()
	azlog.SetListener(func(_ azlog.Event, msg string) { logMu.Lock(); r.logs.WriteString(msg + "\n"); logMu.Unlock() })
	logMu.Unlock()
	t.Cleanup(func() { azlog.SetListener(nil) })

	r.m = New(Options{Service: c, StoreID: testStore, Refresh: 10 * time.Second, Renderer: asciiRenderer(),
		Now: func() time.Time { return testNow }, RequestTimeout: 10 * time.Second})
	r.m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	r.m.setClock(testNow)
	r.refresh()
	if len(r.m.ids()) != 3 || r.m.loadError() != nil {
		t.Fatalf("setup: %d rows, %v", len(r.m.ids()), r.m.loadError())
	}
	return r
}

// refresh runs one list load exactly as the dashboard's command does, and
// returns how long it took.
func (r *rig) refresh() time.Duration {
	r.m.startLoad()
	begin := time.Now()
	msg := loadSessionsCmd(r.m.reqContext(), r.monitor(), nil, r.m.loadGeneration(), r.m.storeID(), true)()
	took := time.Since(begin)
	r.m.Update(msg)
	return took
}

func (r *rig) svc() Service { return r.m.service() }

// monitor is the dashboard's own monitor of the open store; the rig's
// loads are full listings, as every fault here is scripted on the listing.
func (r *rig) monitor() *monitor.Monitor {
	return r.m.loop.storeMonitor(r.svc(), r.m.storeID(), r.m.be.now, r.m.requestTimeout())
}

// act selects a session and runs an action on it through the keys and the
// dashboard's command, following a re-read if the dashboard asks for one.
func (r *rig) act(file, action string) time.Duration {
	r.t.Helper()
	selectID(r.t, r.m, r.ids[file])
	var msg tea.Msg
	begin := time.Now()
	switch action {
	case "renew":
		r.m.Update(keyMsg("r"))
		msg = renewCmd(r.m.reqContext(), r.svc(), testStore, r.ids[file], r.m.requestTimeout())()
	default:
		r.m.Update(keyMsg(map[string]string{"cancel": "c", "commit": "m"}[action]))
		if !r.m.prompting() {
			r.t.Fatalf("no confirmation asked for %s", action)
		}
		r.m.Update(keyMsg("y"))
		msg = actionCmd(r.m.reqContext(), r.svc(), actionNamed(action), testStore, r.ids[file], r.m.requestTimeout())()
	}
	took := time.Since(begin)
	r.m.Update(msg)
	if r.m.isLoading() { // the dashboard asked for a re-read
		msg := loadSessionsCmd(r.m.reqContext(), r.monitor(), nil, r.m.loadGeneration(), r.m.storeID(), true)()
		r.m.Update(msg)
	}
	return took
}

// clean asserts that nothing shown or logged carries a secret.
func (r *rig) clean() {
	r.t.Helper()
	screens := []string{withoutSelection(r.m.View())}
	for _, k := range []string{"e", "e", "enter"} {
		r.m.Update(keyMsg(k))
		screens = append(screens, withoutSelection(r.m.View()))
	}
	r.m.Update(keyMsg("esc"))
	logMu.Lock()
	logs := r.logs.String()
	logMu.Unlock()
	texts := append(screens, logs)
	if r.m.loadError() != nil {
		texts = append(texts, r.m.loadError().Error())
	}
	for _, row := range r.m.rowMap() {
		if row.lastErr != nil {
			texts = append(texts, row.lastErr.Error())
		}
	}
	for _, text := range texts {
		for _, secret := range []string{faultToken, "sig=", "\x1b"} {
			if strings.Contains(text, secret) {
				r.t.Errorf("%q leaked into: %.200s", secret, text)
			}
		}
		for _, row := range r.m.rowMap() {
			if row.s.Salt != "" && strings.Contains(text, row.s.Salt) {
				r.t.Errorf("a salt leaked")
			}
		}
	}
}

func (r *rig) rowsKept() {
	r.t.Helper()
	if len(r.m.ids()) != 3 {
		r.t.Errorf("rows lost: %d left", len(r.m.ids()))
	}
}

func (r *rig) failed(wants ...string) *graphapi.Error {
	r.t.Helper()
	ge, ok := graphapi.AsError(r.m.loadError())
	if !ok {
		r.t.Fatalf("want a failed refresh, got %v", r.m.loadError())
	}
	view := r.m.View()
	for _, w := range wants {
		if !strings.Contains(ge.Error(), w) && !strings.Contains(view, w) {
			r.t.Errorf("neither the error nor the screen says %q: %v", w, ge)
		}
	}
	if ge.StatusCode != 0 && ge.RequestID == "" {
		r.t.Errorf("an HTTP error without request-id: %v", ge)
	}
	if !strings.Contains(view, " old") {
		r.t.Error("the header does not mark the table old")
	}
	r.rowsKept()
	return ge
}

// recovers clears the faults and checks the next refresh works.
func (r *rig) recovers() {
	r.t.Helper()
	r.sim.ClearFaults()
	r.refresh()
	if r.m.loadError() != nil || len(r.m.ids()) != 3 || strings.Contains(r.m.View(), " old") {
		r.t.Errorf("did not recover: %v", r.m.loadError())
	}
}

func bounded(t *testing.T, took, limit time.Duration) {
	t.Helper()
	if took > limit {
		t.Errorf("took %v, more than %v", took, limit)
	}
}

func page(t *testing.T, next string, ids ...string) []byte {
	var items []string
	for _, id := range ids {
		items = append(items, fmt.Sprintf(`{"id":%q,"fileName":"%s.EdmHash","state":"UploadInProgress","lastUpdatedDateTime":"2026-11-28T09:00:00Z"}`, id, id))
	}
	body := `{"value":[` + strings.Join(items, ",") + `]`
	if next != "" {
		body += fmt.Sprintf(`,"@odata.nextLink":%q`, next)
	}
	return []byte(body + "}")
}

func TestFaultMatrix(t *testing.T) {
	list := fakegraph.RouteListSessions

	t.Run("401 expired token: fresh token, retried once", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 401, Code: "InvalidAuthenticationToken", Message: "Lifetime validation failed, the token is expired."})
		before := len(r.sim.RequestsTo(list))
		bounded(t, r.refresh(), 2*time.Second)
		if r.m.loadError() != nil || len(r.sim.RequestsTo(list))-before != 3 { // 401, retry, page 2
			t.Errorf("err %v, %d requests", r.m.loadError(), len(r.sim.RequestsTo(list))-before)
		}
		r.clean()
	})
	t.Run("401 again: sign in again", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 401, Code: "InvalidAuthenticationToken", Times: 2})
		bounded(t, r.refresh(), 2*time.Second)
		r.failed("401", "InvalidAuthenticationToken")
		r.m.Update(keyMsg("e"))
		r.clean()
		r.recovers()
	})
	t.Run("403", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 403, Code: "accessDenied", Message: "The caller is not a member of EDM_DataUploaders.", Times: -1})
		r.refresh()
		r.failed("403 accessDenied", "EDM_DataUploaders")
		r.clean()
		r.recovers()
	})
	t.Run("404 session deleted between list and action", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(fakegraph.RouteRenew, fakegraph.Fault{Status: 404, Code: "itemNotFound", Message: "The session does not exist."})
		// The re-read still lists it (our simulator did not delete it): the
		// row shows gone until then, and what the list says wins.
		row := r.m.rowMap()[r.ids["uploading.EdmHash"]]
		r.m.Update(keyMsg("r"))
		r.m.Update(renewCmd(r.m.reqContext(), r.svc(), testStore, row.s.ID, r.m.requestTimeout())())
		if !row.gone || !strings.Contains(r.m.View(), "gone (404)") || !strings.Contains(r.m.View(), "no longer exists") {
			t.Errorf("row not marked gone:\n%s", r.m.View())
		}
		r.m.Update(keyMsg("r"))
		if row.pending != noAction {
			t.Error("a gone session was renewed again")
		}
		r.clean()
	})
	t.Run("409 on cancel, 400 on commit", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(fakegraph.RouteCancel, fakegraph.Fault{Status: 409, Code: "InvalidSessionState", Message: "The session cannot be cancelled now."})
		r.act("uploading.EdmHash", "cancel")
		row := r.m.rowMap()[r.ids["uploading.EdmHash"]]
		if row.lastErr == nil || !strings.Contains(r.m.View(), "409 InvalidSessionState") {
			t.Errorf("409 not shown:\n%s", r.m.View())
		}
		r.sim.Inject(fakegraph.RouteCommit, fakegraph.Fault{Status: 400, Code: "BadRequest", Message: "Commit rejected."})
		r.m.setClock(testNow)
		r.act("waiting.EdmHash", "commit")
		if r.m.rowMap()[r.ids["waiting.EdmHash"]].lastErr == nil {
			t.Error("400 not recorded on the row")
		}
		r.rowsKept()
		r.clean()
	})
	for _, ra := range []struct{ name, header string }{{"seconds", "1"}, {"HTTP date", ""}} {
		t.Run("429 with Retry-After as "+ra.name, func(t *testing.T) {
			r := newRig(t)
			h := ra.header
			if h == "" {
				h = time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			}
			r.sim.Inject(list, fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {h}}})
			took := r.refresh()
			if r.m.loadError() != nil || took < 900*time.Millisecond {
				t.Errorf("err %v after %v (Retry-After not waited for?)", r.m.loadError(), took)
			}
			bounded(t, took, 4*time.Second)
			r.clean()
		})
	}
	t.Run("429 with Retry-After above the cap", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}})
		bounded(t, r.refresh(), time.Second)
		ge := r.failed("429", "Graph throttling since", "retry in 1h00m")
		if ge.RetryAfter != time.Hour || r.m.nextRefreshAt().Sub(testNow) < time.Hour {
			t.Errorf("RetryAfter %v, next refresh in %v", ge.RetryAfter, r.m.nextRefreshAt().Sub(testNow))
		}
		r.clean()
		r.recovers()
	})
	t.Run("429 without Retry-After", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 429}, fakegraph.Fault{Status: 429})
		bounded(t, r.refresh(), 2*time.Second)
		if r.m.loadError() != nil {
			t.Errorf("not retried with backoff: %v", r.m.loadError())
		}
	})
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprintf("%d once, then always", status), func(t *testing.T) {
			r := newRig(t)
			r.sim.Inject(list, fakegraph.Fault{Status: status})
			r.refresh()
			if r.m.loadError() != nil {
				t.Errorf("a single %d was not retried: %v", status, r.m.loadError())
			}
			r.sim.Inject(list, fakegraph.Fault{Status: status, Times: -1})
			bounded(t, r.refresh(), 3*time.Second)
			r.failed(fmt.Sprint(status))
			r.clean()
			r.recovers()
		})
	}
	t.Run("HTML error page from a proxy", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}},
			Body: []byte("<html><title>502 Bad Gateway</title><script>evil()</script></html>"), Times: -1})
		r.refresh()
		r.failed("502", "text/html")
		if strings.Contains(r.m.View(), "evil()") {
			t.Error("the proxy page was echoed")
		}
		r.clean()
		r.recovers()
	})
	t.Run("connection refused", func(t *testing.T) {
		r := newRig(t)
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		cred, _ := graphapi.NewStaticTokenCredential(faultToken)
		dead, _ := graphapi.New("http://"+addr+"/beta", cred, &graphapi.Options{RetryDelay: 10 * time.Millisecond, MaxRetries: 1})
		live := r.m.service()
		r.m.setService(dead)
		bounded(t, r.refresh(), 2*time.Second)
		r.failed("refused")
		r.clean()
		r.m.setService(live)
		r.recovers()
	})
	t.Run("reset mid-response", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Truncate: true})
		r.refresh()
		if r.m.loadError() != nil {
			t.Errorf("a cut body was not retried: %v", r.m.loadError())
		}
		r.sim.Inject(list, fakegraph.Fault{Truncate: true, Times: -1})
		bounded(t, r.refresh(), 3*time.Second)
		r.failed()
		r.recovers()
	})
	t.Run("server accepts then stalls", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Delay: 30 * time.Second, Times: -1})
		took := r.refresh()
		bounded(t, took, 5*time.Second)
		r.failed("no answer within")
		r.clean()
		r.recovers()
	})
	t.Run("slow-drip body", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Drip: 20 * time.Millisecond, Times: -1})
		bounded(t, r.refresh(), 5*time.Second)
		r.failed("no answer within 300ms to any try") // each try's bound, named (the call's 4s was not reached)
		r.recovers()
	})
	bodies := []struct {
		name, body, contentType, want string
		status                        int
	}{
		{"truncated JSON", `{"value":[{"id":"x","state":`, "", "truncated", 200},
		{"empty 200", "", "", "empty", 200},
		{"204 where JSON was expected", "", "", "204", 204},
		{"wrong content type", "Service is up.", "text/plain", "not valid JSON", 200},
		{"huge page", `{"value":[],"pad":"` + strings.Repeat("x", 300<<10) + `"}`, "", "larger than", 200},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			r := newRig(t)
			h := http.Header{}
			if b.contentType != "" {
				h.Set("Content-Type", b.contentType)
			}
			r.sim.Inject(list, fakegraph.Fault{Status: b.status, Header: h, Body: []byte(b.body), Times: -1})
			bounded(t, r.refresh(), 2*time.Second)
			r.failed(b.want)
			r.clean()
			r.recovers()
		})
	}
	t.Run("unknown properties, nulls, wrong types, negative and overflowing counts, odd dates", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Status: 200, Body: []byte(`{"value":[
			{"id":"odd-1","fileName":null,"state":42,"totalBlockCount":"ten","remainingBlockCount":-5,"totalJobCount":1e40,
			 "remainingJobCount":-1e40,"lastUpdatedDateTime":"the day before yesterday","creationDateTime":"2026-13-45T99:99:99Z",
			 "fields":"not a list","error":["nope"],"brandNew":{"nested":[1,2,3]}},
			{"id":"odd-2","totalBlockCount":10,"remainingBlockCount":99,"totalJobCount":0,"remainingJobCount":0}]}`)})
		bounded(t, r.refresh(), 2*time.Second)
		if r.m.loadError() != nil || len(r.m.ids()) != 2 {
			t.Fatalf("odd values broke the refresh: %v, %d rows", r.m.loadError(), len(r.m.ids()))
		}
		r.m.Update(keyMsg("enter"))
		if v := r.m.View(); !strings.Contains(v, "the day before yesterday (unreadable)") || !strings.Contains(v, "  0%") {
			t.Errorf("odd values not shown sanely:\n%s", v)
		}
		r.m.Update(keyMsg("esc"))
		r.clean()
		r.recovers()
	})
	t.Run("next link loop, to another host, to http, malformed, endless", func(t *testing.T) {
		foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			t.Error("a foreign host was contacted")
		}))
		defer foreign.Close()
		for name, next := range map[string]func(r *rig) string{
			"loop": func(r *rig) string {
				return r.url + "/dataClassification/exactMatchDataStores/" + testStore + "/sessions"
			},
			"another host": func(r *rig) string { return foreign.URL + "/beta/steal" },
			"https to http downgrade or other scheme": func(r *rig) string {
				return "https://" + strings.TrimPrefix(r.url, "http://") + "/x"
			},
			"malformed": func(r *rig) string { return "http://[::1" },
		} {
			r := newRig(t)
			r.sim.Inject(list, fakegraph.Fault{Status: 200, Body: page(t, next(r), "a"), Times: -1})
			bounded(t, r.refresh(), 2*time.Second)
			r.failed("next link")
			r.clean()
			r.recovers()
			_ = name
		}
		r := newRig(t, func(o *graphapi.Options) { o.MaxPages = 5 })
		r.sim.Inject(list, fakegraph.Fault{Status: 200, Body: page(t, r.url+"/dataClassification/exactMatchDataStores/"+testStore+"/sessions?$skiptoken=b2Zmc2V0OjA", "a")},
			fakegraph.Fault{Status: 200, Body: page(t, r.url+"/dataClassification/exactMatchDataStores/"+testStore+"/sessions?$skiptoken=b2Zmc2V0OjI", "b")},
			fakegraph.Fault{Status: 200, Body: page(t, r.url+"/dataClassification/exactMatchDataStores/"+testStore+"/sessions?$skiptoken=b2Zmc2V0OjQ", "c")},
			fakegraph.Fault{Status: 200, Body: page(t, r.url+"/dataClassification/exactMatchDataStores/"+testStore+"/sessions?$skiptoken=b2Zmc2V0OjY", "d")},
			fakegraph.Fault{Status: 200, Body: page(t, r.url+"/dataClassification/exactMatchDataStores/"+testStore+"/sessions?$skiptoken=b2Zmc2V0Ojg", "e")})
		r.refresh()
		r.failed("stopped after 5 pages")
		r.recovers()
	})
	t.Run("empty page with a next link, and duplicates across pages", func(t *testing.T) {
		r := newRig(t)
		next := r.url + "/dataClassification/exactMatchDataStores/" + testStore + "/sessions?$skiptoken=b2Zmc2V0OjI"
		next2 := r.url + "/dataClassification/exactMatchDataStores/" + testStore + "/sessions?$skiptoken=b2Zmc2V0OjQ"
		r.sim.Inject(list,
			fakegraph.Fault{Status: 200, Body: page(t, next)},
			fakegraph.Fault{Status: 200, Body: page(t, next2, "a", "b")},
			fakegraph.Fault{Status: 200, Body: page(t, "", "b", "c")})
		r.refresh()
		if r.m.loadError() != nil || strings.Join(sortedIDs(r.m), ",") != "a,b,c" {
			t.Errorf("got %v, %v", sortedIDs(r.m), r.m.loadError())
		}
		r.recovers()
	})
	t.Run("a POST whose connection drops", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(fakegraph.RouteRenew, fakegraph.Fault{Apply: true, Drop: true})
		before := len(r.sim.RequestsTo(list))
		bounded(t, r.act("uploading.EdmHash", "renew"), 2*time.Second)
		if n := len(r.sim.RequestsTo(fakegraph.RouteRenew)); n != 1 {
			t.Errorf("the renew was sent %d times", n)
		}
		if !strings.Contains(r.m.View(), "outcome unknown") || len(r.sim.RequestsTo(list)) == before {
			t.Errorf("no unknown-outcome notice or no re-read:\n%s", r.m.View())
		}
		r.clean()
	})
	t.Run("the user quits while requests are in flight", func(t *testing.T) {
		r := newRig(t)
		r.sim.Inject(list, fakegraph.Fault{Delay: 30 * time.Second, Times: -1})
		r.sim.Inject(fakegraph.RouteRenew, fakegraph.Fault{Delay: 30 * time.Second, Times: -1})
		ctx, cancel := context.WithCancel(context.Background())
		r.m.setContext(ctx)
		done := make(chan tea.Msg, 2)
		go func() {
			done <- loadSessionsCmd(r.m.reqContext(), r.monitor(), nil, r.m.loadGeneration(), testStore, true)()
		}()
		go func() {
			done <- renewCmd(r.m.reqContext(), r.svc(), testStore, r.ids["uploading.EdmHash"], r.m.requestTimeout())()
		}()
		_, quit := r.m.Update(keyMsg("q"))
		if quit == nil {
			t.Fatal("q did not quit")
		}
		begin := time.Now()
		cancel() // what runDashboard does when the program ends
		for range 2 {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				t.Fatal("a request kept running after quit")
			}
		}
		bounded(t, time.Since(begin), time.Second)
	})
}

func sortedIDs(m *Model) []string {
	ids := append([]string(nil), m.ids()...)
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			if ids[j] < ids[i] {
				ids[i], ids[j] = ids[j], ids[i]
			}
		}
	}
	return ids
}
