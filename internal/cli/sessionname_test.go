package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

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

// GetDataStore names the store, as the service would.
func (f *fakeSessions) GetDataStore(_ context.Context, id string) (graphapi.DataStore, error) {
	return graphapi.DataStore{ID: id, DisplayName: "Patient records"}, nil
}

func TestResolveSession(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(h int) graphapi.Time { return graphapi.Time{Time: time.Date(2026, 11, 28, h, 0, 0, 0, time.UTC)} }
	sessions := []*graphapi.Session{
		{ID: "11111111-1111-4111-8111-111111111111", FileName: "patients.EdmHash", State: "Completed", CreationDateTime: at(1)},
		{ID: "22222222-2222-4222-8222-222222222222", FileName: "patients.EdmHash", State: "Failed", CreationDateTime: at(5)},
		{ID: "33333333-3333-4333-8333-333333333333", FileName: "patients.edmhash", State: "UploadInProgress", CreationDateTime: at(9)},
		{ID: "44444444-4444-4444-8444-444444444444", FileName: "Cards.EdmHash", State: "Completed", CreationDateTime: at(2)},
		{ID: "55555555-5555-4555-8555-555555555555", FileName: "66666666-6666-4666-8666-666666666666", CreationDateTime: at(3)},
		{ID: "not-a-guid", FileName: "x", CreationDateTime: at(4)},
		// Two live uploads of one file: ambiguous.
		{ID: "77777777-7777-4777-8777-777777777777", FileName: "claims.EdmHash", State: "UploadInProgress", CreationDateTime: at(10), LastUpdatedDateTime: at(11)},
		{ID: "88888888-8888-4888-8888-888888888888", FileName: "claims.EdmHash", State: "UploadCompleted", CreationDateTime: at(11), LastUpdatedDateTime: at(11)},
		// A live upload and an old one stuck running: the newest.
		{ID: "99999999-9999-4999-8999-999999999999", FileName: "orders.EdmHash", State: "UploadInProgress", CreationDateTime: at(0), LastUpdatedDateTime: at(0)},
		{ID: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", FileName: "orders.EdmHash", State: "UploadInProgress", CreationDateTime: at(11), LastUpdatedDateTime: at(11)},
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
		{"two live uploads of the file: ambiguous", "claims.EdmHash", "", 0, 1,
			`2 sessions of data store "Patient records" (store-1) from "claims.EdmHash" are running: give the id of one:
  FILE            STATE             CREATED               ID
  claims.EdmHash  UploadCompleted   2026-11-28 11:00:00Z  88888888-8888-4888-8888-888888888888
  claims.EdmHash  UploadInProgress  2026-11-28 10:00:00Z  77777777-7777-4777-8777-777777777777`},
		{"an old one stuck running does not count", "orders.EdmHash", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 0, 1, ""},
		{"unknown: the store by name and id, the newest aligned", "nope.EdmHash", "", 0, 1,
			`no session of data store "Patient records" (store-1) has the id or file name "nope.EdmHash"; the newest are:
  FILE              STATE             CREATED               ID
  orders.EdmHash    UploadInProgress  2026-11-28 11:00:00Z  aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
  claims.EdmHash    UploadCompleted   2026-11-28 11:00:00Z  88888888-8888-4888-8888-888888888888
  claims.EdmHash    UploadInProgress  2026-11-28 10:00:00Z  77777777-7777-4777-8777-777777777777
  patients.edmhash  UploadInProgress  2026-11-28 09:00:00Z  33333333-3333-4333-8333-333333333333
  patients.EdmHash  Failed            2026-11-28 05:00:00Z  22222222-2222-4222-8222-222222222222`},
		{"control character", "a\x1bb", "", 0, 0, "control character"},
	}
	namer := func(f *fakeSessions) *sessionNamer {
		return &sessionNamer{svc: f, store: graphapi.DataStore{ID: "store-1"}, rules: health.Rules{StallAfter: 2 * time.Hour},
			now: func() time.Time { return now }}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSessions{sessions: sessions}
			s, err := namer(f).resolve(context.Background(), tc.arg)
			if f.gets != tc.gets || f.lists != tc.lists {
				t.Errorf("%d gets, %d lists; want %d, %d", f.gets, f.lists, tc.gets, tc.lists)
			}
			if tc.usage != "" {
				if _, ok := errors.AsType[*usageError](err); !ok || !strings.Contains(err.Error(), tc.usage) {
					t.Errorf("want usage error\n%s\ngot\n%v", tc.usage, err)
				}
				return
			}
			if err != nil || s.ID != tc.wantID {
				t.Errorf("got %q, %v; want %q", s.ID, err, tc.wantID)
			}
		})
	}
	t.Run("the store is listed once for many names", func(t *testing.T) {
		f := &fakeSessions{sessions: sessions}
		n := namer(f)
		for _, arg := range []string{"cards.edmhash", "x", "orders.EdmHash"} {
			if _, err := n.resolve(context.Background(), arg); err != nil {
				t.Fatal(err)
			}
		}
		if f.lists != 1 {
			t.Errorf("%d listings", f.lists)
		}
	})
	t.Run("an empty store says so", func(t *testing.T) {
		_, err := namer(&fakeSessions{}).resolve(context.Background(), "x.EdmHash")
		if err == nil || !strings.HasSuffix(err.Error(), `has the id or file name "x.EdmHash": the store has no sessions`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("service failure is not a usage error", func(t *testing.T) {
		f := &fakeSessions{err: &graphapi.Error{StatusCode: 403, Code: "accessDenied"}}
		_, err := namer(f).resolve(context.Background(), "patients.EdmHash")
		if _, ok := errors.AsType[*usageError](err); ok || !errors.Is(err, graphapi.ErrForbidden) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("not found among a listing with unreadable entries: not a usage error", func(t *testing.T) {
		f := &fakeSessions{sessions: sessions, skipped: 2}
		_, err := namer(f).resolve(context.Background(), "nope.EdmHash")
		if _, ok := errors.AsType[*usageError](err); ok || !errors.Is(err, errUnreadableListing) || !transient(err) ||
			!strings.Contains(err.Error(), "the service also listed 2 entries that are not usable sessions") {
			t.Errorf("got %v", err)
		}
		if s, err := namer(f).resolve(context.Background(), "cards.edmhash"); err != nil || s.ID != "44444444-4444-4444-8444-444444444444" {
			t.Errorf("a session that was listed is found: %q, %v", s.ID, err)
		}
	})
}
