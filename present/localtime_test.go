package present

import (
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// setLocal makes zone the process's local time zone for one test, as a
// user's TZ would. It changes a global: no test in this package runs in
// parallel.
func setLocal(t *testing.T, zone *time.Location) {
	t.Helper()
	saved := time.Local
	time.Local = zone
	t.Cleanup(func() { time.Local = saved })
}

// The service sends UTC; a person reads their own clock. With the local
// zone at UTC+9, a session finished at 00:30 UTC shows 09:30, and one
// finished late on New Year's Eve in UTC shows the new year's date.
func TestShortTimeIsInTheLocalZone(t *testing.T) {
	setLocal(t, time.FixedZone("UTC+9", 9*60*60))
	now := time.Date(2027, 1, 1, 10, 0, 0, 0, time.Local) // 01:00 UTC
	cases := []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC), "01-01 09:30"},
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), "01-01 05:00"},  // 2027 here
		{time.Date(2026, 12, 31, 14, 59, 0, 0, time.UTC), "2026-12-31"},  // 23:59 here, last year
		{time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), "2025-06-01"},     // an earlier year
		{time.Date(2027, 11, 28, 9, 4, 0, 0, time.UTC), "11-28 18:04"},   // later this year (skew)
		{time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC), "01-01 00:00"},  // midnight here
		{time.Date(2026, 12, 31, 14, 59, 59, 0, time.UTC), "2026-12-31"}, // a second before it
		{time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("X", 0)), "01-01 09:30"},
	}
	for _, c := range cases {
		if got := ShortTime(c.utc, now); got != c.want {
			t.Errorf("ShortTime(%v) = %q, want %q", c.utc, got, c.want)
		}
	}
	// Callers pass time.Now(), which is in the local zone.
	utc := time.Now().UTC().Truncate(time.Minute)
	if got, want := ShortTime(utc, time.Now()), utc.Add(9*time.Hour).Format("01-02 15:04"); got != want {
		t.Errorf("ShortTime(%v, time.Now()) = %q, want %q", utc, got, want)
	}
	if got := Absolute(graphapi.Time{Time: time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC)}, now); got != "2027-01-01 09:30:00 UTC+9  (30m ago)" {
		t.Errorf("Absolute = %q, want the local time", got)
	}
}
