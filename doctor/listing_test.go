package doctor

import (
	"strings"
	"testing"
)

// The full-listing check: how often the largest store would be listed at
// the monitor's budget, a warning when new sessions would wait longer than
// 5 minutes and the service does not count.
func TestListingCheck(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		name    string
		page    int
		count   string
		stores  []StoreFacts
		verdict Verdict
		detail  string
	}{
		{"small", 100, "no", []StoreFacts{{Sessions: 250}}, OK,
			"the largest store (250 sessions) takes 3 pages of 100: listed at most every 45s at 30 requests a minute"},
		{"100k at 100 a page", 100, "no", []StoreFacts{{Sessions: 2000, Count: n(100000)}}, Warn,
			"the largest store (100000 sessions) takes 1000 pages of 100: listed at most every 33m at 30 requests a minute"},
		{"100k at 999 a page", 999, "no", []StoreFacts{{Sessions: 100000}}, OK,
			"takes 101 pages of 999: listed at most every 3m at 30"},
		{"a counting service", 100, "yes", []StoreFacts{{Sessions: 100000}}, OK,
			"listed at most every 33m at 30 requests a minute; a changed count lists it at once"},
		{"the budget shared by 10 stores", 100, "no", make([]StoreFacts, 10), OK, "at 10 requests a minute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &runner{o: Options{Progress: discard{}}, rep: &Report{}}
			r.rep.Access.Stores = tc.stores
			r.rep.Service.PageSize, r.rep.Service.Count = tc.page, tc.count
			r.listingCheck(tc.stores, "")
			c := r.rep.Checks[0]
			if c.Verdict != tc.verdict || !strings.Contains(c.Detail, tc.detail) || (c.Verdict == Warn) != (c.Fix != "") {
				t.Errorf("%s %q (fix %q), want %s %q", c.Verdict, c.Detail, c.Fix, tc.verdict, tc.detail)
			}
		})
	}
}

type discard struct{}

func (discard) Step(Section, string) {}
func (discard) Done(Check)           {}
