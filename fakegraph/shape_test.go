package fakegraph

import (
	"maps"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A shaped tenant serves its stores with the sessions in the states asked
// for, for days of its clock, paged and counted as the shape says.
func TestShapedTenant(t *testing.T) {
	clock := NewManualClock(t0)
	sh := Shape{
		PageSize: 3,
		NoCount:  true,
		Stores: []ShapeStore{
			{Name: "store-1", Sessions: []StateCount{{StateCompleted, 4}, {StateFailed, 1}, {StateUploading, 2}, {"ExpiredUploadSession", 1}}},
			{Name: "store-2", Forbidden: true},
			{Name: "store-3", Sessions: []StateCount{{StateUploadCompleted, 1}, {StateProcessing, 2}, {StateCancelled, 1}}},
		},
	}
	s, err := NewShaped(Options{Clock: clock, Token: token}, sh)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	base := hs.URL + "/beta/dataClassification/exactMatchDataStores"

	_, m, _ := call(t, "GET", base+"?$top=10")
	stores := m["value"].([]any)
	if len(stores) != 3 {
		t.Fatalf("%d stores", len(stores))
	}
	ids := make([]string, len(stores))
	for i, st := range stores {
		ids[i] = st.(map[string]any)["id"].(string)
		if name := st.(map[string]any)["displayName"]; name != sh.Stores[i].Name {
			t.Errorf("store %d named %v", i, name)
		}
	}
	for _, after := range []time.Duration{0, 47 * time.Hour} {
		clock.Advance(after)
		for i, want := range []map[string]int{
			{StateCompleted: 4, StateFailed: 1, StateUploading: 2, "ExpiredUploadSession": 1},
			nil,
			{StateUploadCompleted: 1, StateProcessing: 2, StateCancelled: 1},
		} {
			status, got, pages := states(t, base+"/"+ids[i]+"/sessions")
			if want == nil {
				if status != 403 {
					t.Errorf("forbidden store answered %d", status)
				}
				continue
			}
			if status != 200 || !maps.Equal(got, want) {
				t.Errorf("after %s, store %d: %d %v, want %v", after, i+1, status, got, want)
			}
			if i == 0 && pages != 3 {
				t.Errorf("store 1 in %d pages of 3, want 3", pages)
			}
		}
	}
	if status, _, _ := call(t, "GET", base+"/"+ids[0]+"/sessions/$count"); status != 400 {
		t.Errorf("$count answered %d under NoCount", status)
	}
}

// states lists a store's sessions through every page and counts them by state.
func states(t *testing.T, url string) (status int, counts map[string]int, pages int) {
	counts = map[string]int{}
	for url != "" {
		status, m, _ := call(t, "GET", url)
		if status != 200 {
			return status, nil, pages
		}
		pages++
		for _, v := range m["value"].([]any) {
			counts[v.(map[string]any)["state"].(string)]++
		}
		url, _ = m["@odata.nextLink"].(string)
	}
	return 200, counts, pages
}

func TestShapedTenantForbiddenAndSlow(t *testing.T) {
	s, err := NewShaped(Options{Token: token}, Shape{ListForbidden: true, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	if status, m, _ := call(t, "GET", hs.URL+"/beta/dataClassification/exactMatchDataStores"); status != 403 || !strings.Contains(m["error"].(map[string]any)["code"].(string), "accessDenied") {
		t.Errorf("%d %v", status, m)
	}
	conds := s.Conditions()
	if len(conds) != 2 || conds[1].Kind != Slow || conds[1].Delay != 20*time.Millisecond {
		t.Errorf("conditions %+v", conds)
	}
}

func TestShapeBounds(t *testing.T) {
	for name, sh := range map[string]Shape{
		"negative count":   {Stores: []ShapeStore{{Name: "a", Sessions: []StateCount{{StateCompleted, -1}}}}},
		"too many":         {Stores: []ShapeStore{{Name: "a", Sessions: []StateCount{{StateCompleted, 15000}, {StateFailed, 15000}}}}},
		"unnamed state":    {Stores: []ShapeStore{{Name: "a", Sessions: []StateCount{{"", 1}}}}},
		"page size":        {PageSize: 5000},
		"negative latency": {Latency: -time.Second},
		"too many stores":  {Stores: make([]ShapeStore, maxShapeStores+1)},
	} {
		if _, err := NewShaped(Options{}, sh); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
