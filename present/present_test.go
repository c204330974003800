package present

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

var now = time.Date(2026, 11, 28, 9, 5, 0, 0, time.UTC)

func prog(done, total int64) graphapi.Progress {
	return graphapi.Progress{Known: true, Done: done, Total: total, Fraction: float64(done) / float64(total)}
}

// A session's phase is the one its state speaks of: jobs once it says
// processing (in any case), blocks before.
func TestPhaseProgress(t *testing.T) {
	n := func(v int64) graphapi.Count { return graphapi.Count{Value: v, Valid: true} }
	s := graphapi.Session{TotalBlockCount: n(10), RemainingBlockCount: n(0), TotalJobCount: n(4), RemainingJobCount: n(3)}
	for state, want := range map[string]int64{"UploadInProgress": 10, "UploadCompleted": 10, "ProcessingInProgress": 1, "processinginprogress": 1} {
		s.State = state
		if got := PhaseProgress(&s); got.Done != want {
			t.Errorf("%s: %d done, want %d", state, got.Done, want)
		}
	}
}

func TestPercent(t *testing.T) {
	cases := []struct {
		name         string
		p            graphapi.Progress
		text, padded string
	}{
		{"unknown", graphapi.Progress{}, "-", "    "},
		{"none", prog(0, 10), "0%", "  0%"},
		{"some", prog(7, 100), "7%", "  7%"},
		{"most", prog(4, 5), "80%", " 80%"},
		{"all", prog(10, 10), "100%", "100%"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percent(tc.p); got != tc.text {
				t.Errorf("Percent = %q, want %q", got, tc.text)
			}
			if got := PercentLabel(tc.p); got != tc.padded {
				t.Errorf("PercentLabel = %q, want %q", got, tc.padded)
			}
		})
	}
}

func TestAgoAndDuration(t *testing.T) {
	cases := []struct {
		ago  time.Duration
		want string
	}{
		{0, "now"}, {-5 * time.Second, "now"}, {3 * time.Second, "3s ago"}, {90 * time.Second, "1m ago"},
		{3 * time.Hour, "3h ago"}, {20 * time.Hour, "20h ago"}, {47 * time.Hour, "47h ago"}, {72 * time.Hour, "3d ago"},
	}
	for _, tc := range cases {
		if got := Ago(now.Add(-tc.ago), now); got != tc.want {
			t.Errorf("Ago(-%v) = %q, want %q", tc.ago, got, tc.want)
		}
	}
	if got := Ago(time.Time{}, now); got != Dash {
		t.Errorf("zero time: %q", got)
	}
}

func TestCountdown(t *testing.T) {
	cases := map[time.Duration]string{0: "0s", 1500 * time.Millisecond: "2s", 59 * time.Second: "59s",
		90 * time.Second: "1m30s", -time.Second: "0s", 2*time.Hour + 5*time.Minute: "2h05m"}
	for d, want := range cases {
		if got := Countdown(d); got != want {
			t.Errorf("Countdown(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestTimestamps(t *testing.T) {
	readable := graphapi.Time{Time: now.Add(-4 * time.Minute), Raw: "2026-11-28T09:01:00Z"}
	unreadable := graphapi.Time{Raw: "yesterday"}
	cases := []struct {
		name          string
		t             graphapi.Time
		absolute, utc string
	}{
		{"readable", readable, "2026-11-28 09:01:00 UTC  (4m ago)", "2026-11-28 09:01:00Z"},
		{"unreadable", unreadable, "yesterday (unreadable)", "yesterday"},
		{"missing", graphapi.Time{}, "-", "-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Absolute(tc.t, now); got != tc.absolute {
				t.Errorf("Absolute = %q, want %q", got, tc.absolute)
			}
			if got := UTC(tc.t); got != tc.utc {
				t.Errorf("UTC = %q, want %q", got, tc.utc)
			}
		})
	}
	short := map[time.Time]string{now.Add(-time.Hour): "11-28 08:05", now.AddDate(-1, 0, 0): "2025-11-28", {}: "-"}
	for in, want := range short {
		if got := ShortTime(in, now); got != want {
			t.Errorf("ShortTime(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactURI(t *testing.T) {
	cases := []struct {
		raw, want string
		hadQuery  bool
	}{
		{"https://a.blob.core.windows.net/s/1?sv=1&sig=abc%3D", "https://a.blob.core.windows.net/s/1", true},
		{"https://user:pw@host/p", "https://host/p", false},
		{"https://host/p#frag", "https://host/p", false},
		{"https://host/p", "https://host/p", false},
		{"", "-", false},
		{"https://host/%zz?sig=x", "(unreadable URL hidden)", false},
	}
	for _, tc := range cases {
		got, had := RedactURI(tc.raw)
		if got != tc.want || had != tc.hadQuery {
			t.Errorf("RedactURI(%q) = %q, %v; want %q, %v", tc.raw, got, had, tc.want, tc.hadQuery)
		}
		if strings.Contains(got, "sig") || strings.Contains(got, "pw") {
			t.Errorf("RedactURI(%q) leaks: %q", tc.raw, got)
		}
	}
}

func TestMaskSecretAndDashes(t *testing.T) {
	if got := MaskSecret("abcdef"); strings.Contains(got, "abc") || !strings.Contains(got, "6 characters") {
		t.Errorf("MaskSecret = %q", got)
	}
	if got := MaskSecret("é€"); !strings.Contains(got, "2 characters") {
		t.Errorf("MaskSecret counts runes: %q", got)
	}
	if MaskSecret("") != Dash || OrDash("") != Dash || OrDash("x") != "x" {
		t.Error("empty values")
	}
	if Count(graphapi.Count{}) != Dash || Count(graphapi.Count{Value: 12, Valid: true}) != "12" ||
		Count(graphapi.Count{Value: -5, Valid: true}) != Dash {
		t.Error("Count")
	}
}

func TestElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second:                "45s",
		12*time.Minute + 59*time.Second: "12m",
		72 * time.Minute:                "1h12m",
		47*time.Hour + 59*time.Minute:   "47h59m",
		51 * time.Hour:                  "2d3h",
		26 * time.Hour:                  "26h", // a whole hour or day alone, as a threshold reads
		26*time.Hour + 30*time.Second:   "26h",
		5 * 24 * time.Hour:              "5d",
	} {
		if got := Elapsed(d); got != want {
			t.Errorf("Elapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestEstimatedRows(t *testing.T) {
	for n, want := range map[int64]string{0: Dash, -5: Dash, 999: "about 999 (blocks × rows per block)", 2400000: "about 2,400,000 (blocks × rows per block)"} {
		if got := EstimatedRows(n); got != want {
			t.Errorf("EstimatedRows(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestUntil(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 54, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "-"},
		{now.Add(2 * time.Hour), "12:54"},
		{now.Add(13*time.Hour + 5*time.Minute), "23:59"},
		{now.Add(23*time.Hour + 48*time.Minute), "tomorrow 10:42"},
		{now.Add(37*time.Hour + 6*time.Minute), "12-05 00:00"},
		{now.Add(-time.Hour), "09:54"},            // earlier today: still the time
		{now.Add(-24 * time.Hour), "12-02 10:54"}, // a day ago is no "tomorrow"
	} {
		if got := Until(tc.t, now); got != tc.want {
			t.Errorf("Until(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
	// In now's zone: 23:30 UTC is tomorrow 00:30 in UTC+1.
	plus1 := time.FixedZone("UTC+1", 3600)
	if got := Until(now.Add(12*time.Hour+36*time.Minute), now.In(plus1)); got != "tomorrow 00:30" {
		t.Errorf("in UTC+1: %q", got)
	}
}
