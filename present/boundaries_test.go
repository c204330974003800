package present

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Each unit of Duration, Elapsed and Countdown starts exactly at its
// threshold; the value just under it still shows the smaller unit.
func TestUnitBoundaries(t *testing.T) {
	cases := []struct {
		d                           time.Duration
		duration, elapsed, countdwn string
	}{
		{0, "0s", "0s", "0s"},
		{time.Nanosecond, "0s", "0s", "1s"},
		{59 * time.Second, "59s", "59s", "59s"},
		{59*time.Second + time.Millisecond, "59s", "59s", "1m00s"},
		{time.Minute, "1m", "1m", "1m00s"},
		{61 * time.Second, "1m", "1m", "1m01s"},
		{59*time.Minute + 59*time.Second, "59m", "59m", "59m59s"},
		{time.Hour, "1h", "1h", "1h00m"},
		{time.Hour + time.Second, "1h", "1h", "1h00m"},
		{time.Hour + time.Minute, "1h", "1h01m", "1h01m"},
		{47*time.Hour + 59*time.Minute, "47h", "47h59m", "47h59m"},
		{48 * time.Hour, "2d", "2d", "48h00m"},
		{49 * time.Hour, "2d", "2d1h", "49h00m"},
		{71*time.Hour + 59*time.Minute, "2d", "2d23h", "71h59m"},
		{72 * time.Hour, "3d", "3d", "72h00m"},
	}
	for _, c := range cases {
		if got := Duration(c.d); got != c.duration {
			t.Errorf("Duration(%v) = %q, want %q", c.d, got, c.duration)
		}
		if got := Elapsed(c.d); got != c.elapsed {
			t.Errorf("Elapsed(%v) = %q, want %q", c.d, got, c.elapsed)
		}
		if got := Countdown(c.d); got != c.countdwn {
			t.Errorf("Countdown(%v) = %q, want %q", c.d, got, c.countdwn)
		}
	}
}

// "now" covers less than a second, and a time ahead of now (clock skew).
func TestAgoBoundaries(t *testing.T) {
	for ago, want := range map[time.Duration]string{
		999 * time.Millisecond: "now",
		time.Second:            "1s ago",
		-time.Hour:             "now",
		59 * time.Second:       "59s ago",
		time.Minute:            "1m ago",
		48 * time.Hour:         "2d ago",
	} {
		if got := Ago(now.Add(-ago), now); got != want {
			t.Errorf("Ago(%v before now) = %q, want %q", ago, got, want)
		}
	}
}

// A count of zero is a count ("0"); only a null or negative one is a dash.
func TestCountZeroIsACount(t *testing.T) {
	for c, want := range map[graphapi.Count]string{
		{Value: 0, Valid: true}:  "0",
		{Value: 1, Valid: true}:  "1",
		{Value: -1, Valid: true}: Dash,
		{Value: 7, Valid: false}: Dash,
	} {
		if got := Count(c); got != want {
			t.Errorf("Count(%+v) = %q, want %q", c, got, want)
		}
	}
}

// RedactURI says a query was removed whenever the URL had one, even an
// empty one ("https://host/p?"): the caller shows "?REDACTED" then.
func TestRedactURIMarksEveryQuery(t *testing.T) {
	cases := []struct {
		raw, want string
		hadQuery  bool
	}{
		{"https://host/p?", "https://host/p", true},
		{"https://host/p?#frag", "https://host/p", true},
		{"https://host/p?sig=abc", "https://host/p", true},
		{"https://host/p#?sig=abc", "https://host/p", false},
		{"https://host/p", "https://host/p", false},
	}
	for _, c := range cases {
		got, had := RedactURI(c.raw)
		if got != c.want || had != c.hadQuery {
			t.Errorf("RedactURI(%q) = %q, %v; want %q, %v", c.raw, got, had, c.want, c.hadQuery)
		}
	}
}

func TestPercentLabelIsFourCells(t *testing.T) {
	for _, p := range []graphapi.Progress{{}, prog(0, 1), prog(1, 3), prog(1, 1)} {
		if got := PercentLabel(p); len(got) != 4 {
			t.Errorf("PercentLabel(%+v) = %q, want four cells", p, got)
		}
	}
}
