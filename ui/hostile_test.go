package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
)

type payload struct{ Name, Text string }

func hostilePayloads(t *testing.T) []payload {
	t.Helper()
	b, err := os.ReadFile("../termtext/testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Payloads []payload }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	return file.Payloads
}

// hostileService serves one store and one session with the payload in
// every string the service sends, and refuses renew with it in the error.
func hostileService(t *testing.T, p string) *httptest.Server {
	session := map[string]any{
		"id": "sess-" + p, "dataStoreId": p, "state": p + "InProgress", "fileName": p, "checksum": p,
		"dataUploadURI": "https://x.example/" + p + "?sig=" + p, "fields": []string{p, p}, "salt": p, "uploadAgentId": p,
		"creationDateTime": "2026-11-28T08:00:00Z", "lastUpdatedDateTime": p, "completionDateTime": p,
		"totalBlockCount": 10, "remainingBlockCount": 4, "totalJobCount": 5, "remainingJobCount": 5,
		"error": map[string]any{"code": p, "message": p, "target": p,
			"innerError": map[string]any{"code": p, "activityId": p, "clientRequestId": p, "errorDateTime": p},
			"details":    []any{map[string]any{"code": p, "message": p, "target": p}}},
	}
	store := map[string]any{"id": testStore, "displayName": p, "description": p, "dataLastUpdatedDateTime": p,
		"columns": []any{map[string]any{"name": p, "ignoredDelimiters": []string{p}}}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST":
			w.WriteHeader(409)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": p, "message": p,
				"innerError": map[string]any{"request-id": p, "client-request-id": p, "date": p}}})
		case strings.HasSuffix(r.URL.Path, "/uploadAgent"):
			_ = json.NewEncoder(w).Encode(map[string]any{"id": p, "description": p, "creationDateTime": p})
		case strings.HasSuffix(r.URL.Path, "/sessions"):
			_ = json.NewEncoder(w).Encode(map[string]any{"value": []any{session}})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"value": []any{store}})
		}
	}))
	t.Cleanup(hs.Close)
	return hs
}

func assertInert(t *testing.T, what, screen string, width int) {
	t.Helper()
	screen = withoutSelection(screen)
	for _, b := range []byte{0x1b, 0x9b, 0x07, 0x08, '\r', 0x00} {
		if strings.IndexByte(screen, b) >= 0 {
			t.Errorf("%s: byte %#x reached the screen", what, b)
		}
	}
	for _, r := range screen {
		if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200d {
			t.Errorf("%s: rune %U reached the screen", what, r)
			break
		}
	}
	for i, l := range strings.Split(screen, "\n") {
		if w := ansi.StringWidth(l); w != width {
			t.Errorf("%s: line %d is %d cells wide, want %d", what, i, w, width)
		}
	}
}

func TestHostilePayloadsInEveryField(t *testing.T) {
	for _, p := range hostilePayloads(t) {
		t.Run(p.Name, func(t *testing.T) {
			hs := hostileService(t, p.Text)
			cred, _ := graphapi.NewStaticTokenCredential("t")
			c, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client(), MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			m := New(Options{Service: c, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow }})
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			m.setClock(testNow)
			m.Update(m.store.NameCmd()())
			m.startLoad()
			m.Update(loadSessionsCmd(context.Background(), monitor.New(c, monitor.Options{Stores: []string{testStore}}), nil, m.loadGeneration(), testStore, true)())
			if len(m.ids()) != 1 {
				t.Fatalf("%d rows (%v)", len(m.ids()), m.loadError())
			}
			assertInert(t, "table", m.View(), 120)
			_, lookup := m.Update(keyMsg("enter"))
			assertInert(t, "details", m.View(), 120)
			if lookup == nil {
				t.Fatal("no upload agent lookup")
			}
			m.Update(lookup())
			if strings.Contains(m.View(), "loading…") {
				t.Fatal("the upload agent's answer was not applied")
			}
			assertInert(t, "details with the upload agent", m.View(), 120)
			if strings.Contains(m.View(), "sig=") {
				t.Error("the SAS query is shown")
			}
			m.Update(keyMsg("e"))
			assertInert(t, "session error", m.View(), 120)
			// A failed renew: the Graph envelope carries the payload too.
			id := m.ids()[0]
			m.rowMap()[id].class = graphapi.StateInProgress
			m.Update(renewCmd(context.Background(), c, testStore, id, time.Minute)())
			assertInert(t, "failed call", m.View(), 120)
			m.Update(keyMsg("tab"))
			m.Update(keyMsg("G"))
			assertInert(t, "failed call, scrolled", m.View(), 120)
			m.Update(keyMsg("?"))
			assertInert(t, "help", m.View(), 120)
			m.Update(keyMsg("?"))
			m.Update(keyMsg("esc"))
			m.Update(keyMsg("d"))
			sessions, err := c.ListSessions(context.Background(), testStore)
			status := judge(health.DefaultRules(), monitor.Store{DataStore: m.openStoreValue(), Sessions: sessions, Updated: time.Now(), Err: err})
			m.Update(fleetNewsMsg{gen: m.loadGeneration(), items: []any{fleetListed{stores: []graphapi.DataStore{m.openStoreValue()}}, status, fleetDone{at: time.Now()}}})
			assertInert(t, "fleet", m.View(), 120)
		})
	}
}
