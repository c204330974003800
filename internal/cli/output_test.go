package cli

import (
	"testing"

	"github.com/edmtop/edmtop/graphapi"
)

// Issue 17 (a surviving mutant): a total of 0, missing or negative shows
// "-" in the table, never a percent computed from it.
func TestTableShowsADashWithoutATotal(t *testing.T) {
	count := func(v int64) graphapi.Count { return graphapi.Count{Value: v, Valid: true} }
	cases := []struct {
		name             string
		total, remaining graphapi.Count
		want             string
	}{
		{"zero total", count(0), count(0), "-"},
		{"missing total", graphapi.Count{}, count(3), "-"},
		{"negative total", count(-4), count(1), "-"},
		{"half done", count(10), count(5), "50%"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := graphapi.Session{ID: "a", TotalBlockCount: c.total, RemainingBlockCount: c.remaining,
				TotalJobCount: c.total, RemainingJobCount: c.remaining}
			row := sessionRows([]*graphapi.Session{&s})[0]
			if row[3] != c.want || row[4] != c.want {
				t.Errorf("upload %q, processing %q; want %q", row[3], row[4], c.want)
			}
		})
	}
}
