package graphapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// pagedStore serves one store of n sessions from a simulator paging at
// 100 by default and honouring $top up to maxPage.
func pagedStore(t *testing.T, n, maxPage int, pageSize int, conds ...fakegraph.Condition) (*graphapi.Client, *fakegraph.Server) {
	t.Helper()
	sim := fakegraph.New(fakegraph.Options{Token: simToken, PageSize: 100, MaxPageSize: maxPage, MaxSessionsPerStore: n + 1})
	sim.AddStore(fakegraph.Store{ID: "big"})
	for i := range n {
		if _, err := sim.AddSession("big", fakegraph.SessionSpec{ID: fmt.Sprintf("s%05d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	sim.SetConditions(conds...)
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client(), PageSize: pageSize,
		RetryDelay: 10 * time.Millisecond, TryTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, sim
}

// A listing asks for pages of Options.PageSize and follows the pages the
// service sends, whatever their size; Pages says how many it took.
func TestListingPageSize(t *testing.T) {
	cases := []struct {
		name            string
		maxPage, asked  int
		conds           []fakegraph.Condition
		wantPages       int
		wantTop         []string // the $top of each request, "" for none
		wantTopNextTime string
	}{
		{"large pages honoured", 999, 0, nil, 2, []string{"999", "999"}, "999"},
		{"the service caps at its page", 0, 0, nil, 11, append([]string{"999"}, slices.Repeat([]string{"100"}, 10)...), "999"},
		{"a page size asked", 999, 500, nil, 3, []string{"500", "500", "500"}, "500"},
		{"never asked", 999, -1, nil, 11, slices.Repeat([]string{""}, 11), ""},
		{"$top refused: asked without, then never again", 999, 0, []fakegraph.Condition{{Kind: fakegraph.NoTop}},
			11, append([]string{"999"}, slices.Repeat([]string{""}, 11)...), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, sim := pagedStore(t, 1001, tc.maxPage, tc.asked, tc.conds...)
			l, err := c.ListSessionsReport(context.Background(), "big")
			if err != nil || len(l.Sessions) != 1001 {
				t.Fatalf("%d sessions, %v", len(l.Sessions), err)
			}
			if l.Pages != tc.wantPages {
				t.Errorf("Pages %d, want %d", l.Pages, tc.wantPages)
			}
			if got := tops(sim); strings.Join(got, ",") != strings.Join(tc.wantTop, ",") {
				t.Errorf("$top asked %q, want %q", got, tc.wantTop)
			}
			before := len(sim.RequestsTo(fakegraph.RouteListSessions))
			if _, err := c.ListSessions(context.Background(), "big"); err != nil {
				t.Fatal(err)
			}
			if got := tops(sim)[before]; got != tc.wantTopNextTime {
				t.Errorf("the next listing asked $top %q, want %q", got, tc.wantTopNextTime)
			}
		})
	}
}

// A 400 that is not about $top (the listing without it fails too) is the
// listing's error, and $top is still asked the next time.
func TestListingBadRequestNotAboutTop(t *testing.T) {
	c, sim := pagedStore(t, 3, 999, 0)
	sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{Status: 400, Code: "BadRequest", Times: 2})
	if _, err := c.ListSessions(context.Background(), "big"); err == nil {
		t.Fatal("a listing answered 400 twice succeeded")
	}
	if got := tops(sim); strings.Join(got, ",") != "999," {
		t.Errorf("$top asked %q, want 999 then none", got)
	}
	if _, err := c.ListSessions(context.Background(), "big"); err != nil {
		t.Fatal(err)
	}
	if got := tops(sim); got[len(got)-1] != "999" {
		t.Errorf("after a 400 not about $top, the next listing asked %q", got[len(got)-1])
	}
}

// A 400 on a later page is not the service refusing $top (the first
// page took it): the listing fails as it is, is not asked again from the
// start, and the next listing still asks for large pages.
func TestListingBadRequestOnALaterPage(t *testing.T) {
	c, sim := pagedStore(t, 1001, 999, 0)
	sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{}, fakegraph.Fault{Status: 400, Code: "BadRequest"})
	if _, err := c.ListSessions(context.Background(), "big"); err == nil {
		t.Fatal("a listing whose second page was answered 400 succeeded")
	}
	if n := len(sim.RequestsTo(fakegraph.RouteListSessions)); n != 2 {
		t.Errorf("%d page requests, want 2 (no listing again without $top)", n)
	}
	l, err := c.ListSessionsKeepingReport(context.Background(), "big", nil)
	if err != nil || l.Pages != 2 || len(l.Sessions) != 1001 {
		t.Errorf("the next listing: %d pages, %d sessions, %v; want 2 pages of $top=999", l.Pages, len(l.Sessions), err)
	}
}

func tops(sim *fakegraph.Server) []string {
	var out []string
	for _, r := range sim.RequestsTo(fakegraph.RouteListSessions) {
		top := ""
		for _, kv := range strings.Split(r.Query, "&") {
			if v, ok := strings.CutPrefix(kv, "$top="); ok {
				top = v
			}
		}
		out = append(out, top)
	}
	return out
}

// A listing counts the sessions keep left out, over all its pages.
func TestListingCountsOmitted(t *testing.T) {
	c, _ := pagedStore(t, 250, 0, 0)
	l, err := c.ListSessionsKeepingReport(context.Background(), "big", func(s *graphapi.Session) *graphapi.Session {
		if strings.HasSuffix(s.ID, "0") {
			return graphapi.Omitted
		}
		return nil
	})
	if err != nil || len(l.Sessions) != 225 || l.Omitted != 25 || l.Pages != 3 {
		t.Fatalf("%d sessions, %d omitted, %d pages, %v; want 225, 25, 3", len(l.Sessions), l.Omitted, l.Pages, err)
	}
	for _, s := range l.Sessions {
		if s == graphapi.Omitted || strings.HasSuffix(s.ID, "0") {
			t.Fatalf("an omitted session was listed: %+v", s)
		}
	}
}

// A listing reads its pages into one buffer: nothing listed may point into
// it (each session's text is its own), and a page whose body is cut is
// read again, as azcore's download was.
func TestListingPagesShareABuffer(t *testing.T) {
	c, sim := pagedStore(t, 1001, 0, 0)
	sim.Inject(fakegraph.RouteListSessions, fakegraph.Fault{}, fakegraph.Fault{Truncate: true})
	sessions, err := c.ListSessions(context.Background(), "big")
	if err != nil || len(sessions) != 1001 {
		t.Fatalf("%d sessions, %v", len(sessions), err)
	}
	for i, s := range sessions {
		if want := fmt.Sprintf("s%05d", i); s.ID != want || s.DataStoreID != "big" {
			t.Fatalf("session %d reads %q of %q: a later page overwrote it", i, s.ID, s.DataStoreID)
		}
	}
	if got := len(sim.RequestsTo(fakegraph.RouteListSessions)); got != 12 {
		t.Errorf("%d page requests, want 11 and the cut one again", got)
	}
}
