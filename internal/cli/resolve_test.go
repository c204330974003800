package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

func TestMatchStore(t *testing.T) {
	stores := []graphapi.DataStore{
		{ID: "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11", DisplayName: "Employee records"},
		{ID: "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34", DisplayName: "Patients"},
		{ID: "b7f0d3a4-2c55-4e1e-8a0b-91c3e4d5f6a7", DisplayName: "patients"},
		// A store named like another's id: the id wins.
		{ID: "c0000000-0000-4000-8000-000000000001", DisplayName: "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"},
		{ID: "plain-id", DisplayName: "Evil\x1b[2J\nname"},
	}
	cases := []struct {
		name, arg, wantID string
		usage             []string // usage error text, when one is expected
	}{
		{"id", "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34", "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34", nil},
		{"id in upper case", "9A4D7E21-3B6C-4F08-A5D2-7C1E0B9F8A34", "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34", nil},
		{"non-GUID id", "plain-id", "plain-id", nil},
		{"id wins over a name", "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11", "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11", nil},
		{"name, any case", "EMPLOYEE Records", "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11", nil},
		{"name is exact, not a prefix", "Employee", "", []string{`no data store has the id or name "Employee"`, "  Employee records   ", "  Patients   ", "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34"}},
		{"ambiguous", "PATIENTS", "", []string{`2 data stores are named "PATIENTS"`, "9a4d7e21", "b7f0d3a4"}},
		{"unknown GUID", "00000000-0000-4000-8000-000000000000", "", []string{"the stores are:", "plain-id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := matchStore(stores, tc.arg)
			if tc.usage == nil {
				if err != nil || d.ID != tc.wantID {
					t.Fatalf("got %q, %v; want %q", d.ID, err, tc.wantID)
				}
				return
			}
			if _, ok := errors.AsType[*usageError](err); !ok {
				t.Fatalf("want a usage error, got %v", err)
			}
			for _, want := range tc.usage {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%s", want, err)
				}
			}
			if strings.Contains(err.Error(), "\x1b") || strings.Contains(err.Error(), "\nname") {
				t.Errorf("store name not sanitized:\n%q", err)
			}
		})
	}
}

func TestStoreLinesAreBounded(t *testing.T) {
	var stores []graphapi.DataStore
	for i := range maxListed + 5 {
		stores = append(stores, graphapi.DataStore{ID: strings.Repeat("x", i+1), DisplayName: "s"})
	}
	out := storeLines(stores)
	if n := strings.Count(out, "\n") + 1; n != maxListed+1 || !strings.Contains(out, "and 5 more") {
		t.Errorf("%d lines:\n%s", n, out)
	}
}

// fakeSessions serves sessions from memory and counts the calls.
type fakeSessions struct {
	sessions    []*graphapi.Session
	err         error
	skipped     int
	gets, lists int
}

func (f *fakeSessions) GetSession(_ context.Context, _, id string) (graphapi.Session, error) {
	f.gets++
	if f.err != nil {
		return graphapi.Session{}, f.err
	}
	for _, s := range f.sessions {
		if s.ID == id {
			return *s, nil
		}
	}
	return graphapi.Session{}, &graphapi.Error{StatusCode: 404, Code: "itemNotFound"}
}

func (f *fakeSessions) ListSessionsReport(context.Context, string) (graphapi.SessionListing, error) {
	f.lists++
	return graphapi.SessionListing{Sessions: f.sessions, Skipped: f.skipped}, f.err
}

func TestResolveSession(t *testing.T) {
	at := func(h int) graphapi.Time { return graphapi.Time{Time: time.Date(2026, 11, 28, h, 0, 0, 0, time.UTC)} }
	sessions := []*graphapi.Session{
		{ID: "11111111-1111-4111-8111-111111111111", FileName: "patients.EdmHash", State: "Completed", CreationDateTime: at(1)},
		{ID: "22222222-2222-4222-8222-222222222222", FileName: "patients.EdmHash", State: "Failed", CreationDateTime: at(5)},
		{ID: "33333333-3333-4333-8333-333333333333", FileName: "patients.edmhash", State: "UploadInProgress", CreationDateTime: at(9)},
		{ID: "44444444-4444-4444-8444-444444444444", FileName: "Cards.EdmHash", State: "Completed", CreationDateTime: at(2)},
		{ID: "55555555-5555-4555-8555-555555555555", FileName: "66666666-6666-4666-8666-666666666666", CreationDateTime: at(3)},
		{ID: "not-a-guid", FileName: "x", CreationDateTime: at(4)},
	}
	cases := []struct {
		name, arg, wantID string
		gets, lists       int
		usage             string
	}{
		{"id: one GET, no listing", "11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-111111111111", 1, 0, ""},
		{"file name: the newest with that exact name", "patients.EdmHash", "22222222-2222-4222-8222-222222222222", 0, 1, ""},
		{"file name in another case", "cards.edmhash", "44444444-4444-4444-8444-444444444444", 0, 1, ""},
		{"file named like a GUID", "66666666-6666-4666-8666-666666666666", "55555555-5555-4555-8555-555555555555", 1, 1, ""},
		{"a path: its base name", `C:\EDM\hash\Cards.EdmHash`, "44444444-4444-4444-8444-444444444444", 0, 1, ""},
		{"a Unix path", "/data/out/patients.EdmHash", "22222222-2222-4222-8222-222222222222", 0, 1, ""},
		{"a path to no known file", "/data/out/", "", 0, 1, "no session"},
		{"id that is no GUID", "not-a-guid", "not-a-guid", 0, 1, ""},
		{"unknown", "nope.EdmHash", "", 0, 1, `no session of data store store-1 has the id or file name "nope.EdmHash"; the newest are:` + "\n  patients.edmhash  UploadInProgress"},
		{"control character", "a\x1bb", "", 0, 0, "control character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSessions{sessions: sessions}
			s, err := resolveSession(context.Background(), f, "store-1", tc.arg)
			if f.gets != tc.gets || f.lists != tc.lists {
				t.Errorf("%d gets, %d lists; want %d, %d", f.gets, f.lists, tc.gets, tc.lists)
			}
			if tc.usage != "" {
				if _, ok := errors.AsType[*usageError](err); !ok || !strings.Contains(err.Error(), tc.usage) {
					t.Errorf("want usage error %q, got %v", tc.usage, err)
				}
				return
			}
			if err != nil || s.ID != tc.wantID {
				t.Errorf("got %q, %v; want %q", s.ID, err, tc.wantID)
			}
		})
	}
	t.Run("service failure is not a usage error", func(t *testing.T) {
		f := &fakeSessions{err: &graphapi.Error{StatusCode: 403, Code: "accessDenied"}}
		_, err := resolveSession(context.Background(), f, "store-1", "patients.EdmHash")
		if _, ok := errors.AsType[*usageError](err); ok || !errors.Is(err, graphapi.ErrForbidden) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("not found among a listing with unreadable entries: not a usage error", func(t *testing.T) {
		f := &fakeSessions{sessions: sessions, skipped: 2}
		_, err := resolveSession(context.Background(), f, "store-1", "nope.EdmHash")
		if _, ok := errors.AsType[*usageError](err); ok || !errors.Is(err, errUnreadableListing) || !transient(err) ||
			!strings.Contains(err.Error(), "the service also listed 2 entries that are not usable sessions") {
			t.Errorf("got %v", err)
		}
		if s, err := resolveSession(context.Background(), f, "store-1", "cards.edmhash"); err != nil || s.ID != "44444444-4444-4444-8444-444444444444" {
			t.Errorf("a session that was listed is found: %q, %v", s.ID, err)
		}
	})
}

// A store the service lists twice under one id is one store: its name is
// not ambiguous (issue 23, item 7).
func TestUniqueStores(t *testing.T) {
	stores := []graphapi.DataStore{{ID: "a", DisplayName: "Alpha"}, {ID: "b", DisplayName: "Bravo"}, {ID: "a", DisplayName: "Alpha"}}
	got := uniqueStores(stores)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" || len(stores) != 3 {
		t.Errorf("uniqueStores = %v (input now %v)", got, stores)
	}
	if d, err := matchStore(got, "alpha"); err != nil || d.ID != "a" {
		t.Errorf("matchStore: %v, %v", d, err)
	}
}

func TestCompletionFunctions(t *testing.T) {
	_, env := simulator(t, fakegraph.Options{})
	lines := func(out string) []string {
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				got = append(got, l)
			}
		}
		return got
	}
	cases := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"store names and ids", []string{"__complete", "wait", "--datastore", ""},
			[]string{"Employee records\t" + store, store + "\tEmployee records", "Card holders\t"}, nil},
		{"prefix, any case", []string{"__complete", "wait", "--datastore", "pat"},
			[]string{"Patient records\t" + fakegraph.DemoPatientsStore}, []string{"Employee records"}},
		{"sessions of a store named", []string{"__complete", "wait", "--datastore", "employee records", ""},
			[]string{"employees-delta.EdmHash\tnewest: UploadInProgress", "\temployees-delta.EdmHash UploadInProgress"}, []string{"patients"}},
		{"one session argument only", []string{"__complete", "wait", "--datastore", store, "x", ""}, nil, []string{"EdmHash"}},
		{"unknown store: nothing", []string{"__complete", "wait", "--datastore", "nope", ""}, nil, []string{"EdmHash"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, env, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := strings.Join(lines(out), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("has %q:\n%s", w, got)
				}
			}
			if tc.want == nil && len(lines(out)) > 0 {
				t.Errorf("want no completions, got:\n%s", got)
			}
		})
	}
	t.Run("sign-in that needs a prompt gives nothing, quickly", func(t *testing.T) {
		start := time.Now()
		env := map[string]string{"EDMTOP_TOKEN": "", "EDMTOP_ENDPOINT": env["EDMTOP_ENDPOINT"], "EDMTOP_AUTH": "device"}
		code, out, _ := runCLI(t, env, "__complete", "wait", "--datastore", "")
		if code != 0 || len(lines(out)) > 0 || strings.Contains(out, "devicelogin") {
			t.Errorf("exit %d, out %q", code, out)
		}
		if d := time.Since(start); d > 2*completionTimeout {
			t.Errorf("took %s", d)
		}
	})
}
