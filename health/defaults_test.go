package health

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// The defaults are documented (docs/health.md, check's help): each
// is asserted by its literal value here, and by behaviour below, so a
// changed constant fails a test instead of passing through every test
// that compares with the constant.
func TestDocumentedDefaults(t *testing.T) {
	want := Rules{StallAfter: 2 * time.Hour, MaxAge: 26 * time.Hour, UploadLimit: 5}
	if got := DefaultRules(); got != want {
		t.Errorf("DefaultRules() = %+v, want %+v", got, want)
	}
	if DefaultStallAfter != 2*time.Hour || DefaultMaxAge != 26*time.Hour || DefaultUploadLimit != 5 {
		t.Errorf("defaults %v, %v, %d; want 2h, 26h, 5", DefaultStallAfter, DefaultMaxAge, DefaultUploadLimit)
	}
	if DriftThreshold != 0.30 || driftWindow != 7 {
		t.Errorf("drift: %v over %d runs, want 0.30 over 7", DriftThreshold, driftWindow)
	}
}

func TestDefaultRulesByBehaviour(t *testing.T) {
	r := DefaultRules()
	never := &graphapi.DataStore{ID: "ds"}
	uploads := func(n int) []*graphapi.Session {
		var out []*graphapi.Session
		for i := range n {
			created := time.Duration(i+1) * time.Hour
			out = append(out, done(string(rune('a'+i)), created, created-time.Minute))
		}
		return out
	}
	cases := []struct {
		name     string
		sessions []*graphapi.Session
		verdict  Verdict
		reached  bool
	}{
		{"idle 1h59m: running", []*graphapi.Session{done("a", 3*h, 2*h), sess("b", "UploadInProgress", 3*h, 119*time.Minute)}, OK, false},
		{"idle 2h01m: stalled", []*graphapi.Session{done("a", 3*h, 2*h), sess("b", "UploadInProgress", 3*h, 121*time.Minute)}, Stalled, false},
		{"index 25h59m: ok", []*graphapi.Session{done("a", 27*h, 26*h-time.Minute)}, OK, false},
		{"index 26h01m: stale", []*graphapi.Session{done("a", 27*h, 26*h+time.Minute)}, Stale, false},
		{"four uploads in 24h: one left", uploads(4), OK, false},
		{"five uploads in 24h: the limit", uploads(5), OK, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := r.Assess(never, c.sessions, now)
			if st.Verdict != c.verdict || st.LimitReached != c.reached {
				t.Errorf("verdict %v, limit reached %v; want %v, %v", st.Verdict, st.LimitReached, c.verdict, c.reached)
			}
			if st.UploadLimit != 5 {
				t.Errorf("upload limit %d, want 5", st.UploadLimit)
			}
		})
	}
}
