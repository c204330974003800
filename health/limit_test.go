package health

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// The upload limit: five uploads in 24 hours (the default) use it up; the
// next is allowed when the oldest of the five leaves the window.
func TestUploadLimit(t *testing.T) {
	uploads := func(ages ...time.Duration) []*graphapi.Session {
		var out []*graphapi.Session
		for i, a := range ages {
			out = append(out, completed(string(rune('a'+i)), a, a-time.Minute))
		}
		return out
	}
	h := time.Hour
	cases := []struct {
		name    string
		limit   int
		ages    []time.Duration
		reached bool
		next    time.Time // zero: not reached
	}{
		{"four of five", 5, []time.Duration{1 * h, 3 * h, 5 * h, 7 * h}, false, time.Time{}},
		{"five of five", 5, []time.Duration{1 * h, 3 * h, 5 * h, 7 * h, 10 * h}, true, now.Add(14 * h)},
		{"five of five in any order", 5, []time.Duration{7 * h, 1 * h, 10 * h, 5 * h, 3 * h}, true, now.Add(14 * h)},
		{"seven of five: three must leave", 5, []time.Duration{1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h, 20 * h}, true, now.Add(19 * h)},
		{"old uploads do not count", 5, []time.Duration{1 * h, 25 * h, 30 * h, 40 * h, 50 * h}, false, time.Time{}},
		{"a limit of one", 1, []time.Duration{2 * h}, true, now.Add(22 * h)},
		{"no limit (0)", 0, []time.Duration{1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h}, false, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Rules{MaxAge: DefaultMaxAge, UploadLimit: c.limit}.Assess(nil, uploads(c.ages...), now)
			if st.LimitReached != c.reached || !st.NextUpload.Equal(c.next) {
				t.Errorf("reached %v next %v; want %v %v", st.LimitReached, st.NextUpload, c.reached, c.next)
			}
			if st.Verdict != OK {
				t.Errorf("verdict %s: the limit is not a verdict", st.Verdict)
			}
		})
	}
}
