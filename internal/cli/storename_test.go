package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/edmtop/edmtop/graphapi"
)

// matchStore's rules, each and in their order: id, exact name, name as
// typed (case, spaces, hyphens, underscores, punctuation), unique start;
// an ambiguity at the first rule that matches; no match with a suggestion.
func TestMatchStore(t *testing.T) {
	stores := []graphapi.DataStore{
		{ID: "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11", DisplayName: "Employee records"},
		{ID: "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34", DisplayName: "Patient records"},
		{ID: "b7f0d3a4-2c55-4e1e-8a0b-91c3e4d5f6a7", DisplayName: "Patients"},
		{ID: "d1d1d1d1-0000-4000-8000-000000000001", DisplayName: "patients"},
		// A store named like another's id: the id wins.
		{ID: "c0000000-0000-4000-8000-000000000001", DisplayName: "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"},
		{ID: "plain-id", DisplayName: "Evil\x1b[2J\nname"},
		{ID: "e0000000-0000-4000-8000-000000000002", DisplayName: "Claims archive 2025"},
		{ID: "e0000000-0000-4000-8000-000000000003", DisplayName: "Claims archive 2026"},
		{ID: "f0000000-0000-4000-8000-000000000004", DisplayName: "Card_holders (EU)"},
	}
	const (
		employees = "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"
		patients  = "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34"
	)
	cases := []struct {
		name, arg, wantID string
		usage             []string // usage error text, when one is expected
	}{
		// 1. The id.
		{"id", patients, patients, nil},
		{"id in upper case", strings.ToUpper(patients), patients, nil},
		{"non-GUID id", "plain-id", "plain-id", nil},
		{"id wins over a name", employees, employees, nil},
		// 2. The exact name, before the looser rules: "Patients" and
		// "patients" are one name as typed, two names exactly.
		{"exact name", "Patient records", patients, nil},
		{"exact name wins over the same name in another case", "patients", "d1d1d1d1-0000-4000-8000-000000000001", nil},
		{"exact name wins over a longer name it starts", "Patients", "b7f0d3a4-2c55-4e1e-8a0b-91c3e4d5f6a7", nil},
		// 3. The name as people type it.
		{"any case", "EMPLOYEE Records", employees, nil},
		{"run together", "PatientRecords", patients, nil},
		{"hyphens", "patient-records", patients, nil},
		{"underscores and punctuation", "card holders eu", "f0000000-0000-4000-8000-000000000004", nil},
		{"the same name as typed, twice: ambiguous", "PATIENTS", "", []string{`2 data stores have names like "PATIENTS": give the id of one:`,
			"  Patients  b7f0d3a4-2c55-4e1e-8a0b-91c3e4d5f6a7", "  patients  d1d1d1d1-0000-4000-8000-000000000001"}},
		// 4. The start of the name as typed, when one store has it.
		{"a unique start", "Employee", employees, nil},
		{"a unique start, as typed", "patient-rec", patients, nil},
		{"a start two names share", "Claims archive", "", []string{`2 data stores have names starting with "Claims archive": give the id of one:`,
			"Claims archive 2025", "Claims archive 2026"}},
		{"a start to tell them apart", "claims archive 2026", "e0000000-0000-4000-8000-000000000003", nil},
		{"no letters: no start", "--", "", []string{`no data store has the id or name "--"; the stores are:`}},
		// No match: the nearest names, and every store.
		{"a typo", "Patient recrods", "", []string{`no data store has the id or name "Patient recrods"; did you mean "Patient records"? The stores are:`,
			"  Employee records", patients}},
		{"a typo in the start", "Pateint", "", []string{`did you mean "Patient records" or "Patients" or "patients"?`}},
		{"too far for a suggestion", "Vendors", "", []string{`no data store has the id or name "Vendors"; the stores are:`}},
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
				t.Fatalf("want a usage error, got %q, %v", d.ID, err)
			}
			for _, want := range tc.usage {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%s", want, err)
				}
			}
			if tc.name == "too far for a suggestion" && strings.Contains(err.Error(), "did you mean") {
				t.Errorf("a suggestion too far off:\n%s", err)
			}
			if strings.Contains(err.Error(), "\x1b") || strings.Contains(err.Error(), "\nname") {
				t.Errorf("store name not sanitized:\n%q", err)
			}
		})
	}
	t.Run("no stores", func(t *testing.T) {
		_, err := matchStore(nil, "x")
		if err == nil || !strings.Contains(err.Error(), "the account sees no data stores") {
			t.Errorf("got %v", err)
		}
	})
}

func TestNormalizedNameAndEditDistance(t *testing.T) {
	for in, want := range map[string]string{"Patient records": "patientrecords", "patient-records": "patientrecords",
		"Card_holders (EU)": "cardholderseu", "Ünïcode Zoë 2": "ünïcodezoë2", "--": ""} {
		if got := normalizedName(in); got != want {
			t.Errorf("normalizedName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"recrods", "records", 2}, {"zoë", "zoe", 1}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
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
