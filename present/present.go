// Package present is the text of a session shared by the dashboard and the
// CLI output: percents, times, the dash for a missing value, a URL without
// its signature and a secret without its value. Values in, strings out: no
// styles, no IO. Callers sanitize server text (termtext) before showing it.
package present

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Dash stands for a missing value, in the dashboard and the CLI alike. It
// is ASCII so that scripts, dumb terminals and console fonts all read it.
const Dash = "-"

// Redacted replaces a secret in machine-readable output.
const Redacted = "REDACTED"

// OrDash is s, or Dash when s is empty.
func OrDash(s string) string {
	if s == "" {
		return Dash
	}
	return s
}

// Count is "12", or Dash for a null or negative (meaningless) count.
func Count(c graphapi.Count) string {
	if !c.Valid || c.Value < 0 {
		return Dash
	}
	return fmt.Sprint(c.Value)
}

// PhaseProgress is the progress of the phase a running session is in:
// its jobs once its state speaks of processing, else its blocks.
func PhaseProgress(s *graphapi.Session) graphapi.Progress {
	if strings.Contains(strings.ToLower(s.State), "processing") {
		return s.ProcessingProgress()
	}
	return s.UploadProgress()
}

// Percent is "42%", or Dash when the progress is unknown.
func Percent(p graphapi.Progress) string {
	if !p.Known {
		return Dash
	}
	return fmt.Sprintf("%d%%", p.Percent())
}

// PercentLabel is Percent right-aligned in four cells for a bar: "  7%",
// "100%", or blank when unknown (a bar without a total shows no percent).
func PercentLabel(p graphapi.Progress) string {
	if !p.Known {
		return "    "
	}
	return fmt.Sprintf("%3d%%", p.Percent())
}

// Ago is "5s ago", "3m ago", "20h ago", "4d ago" or "now"; Dash for a zero
// time. A time slightly ahead of now is clock skew, shown as "now".
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return Dash
	}
	d := now.Sub(t)
	if d < time.Second {
		return "now"
	}
	return Duration(d) + " ago"
}

// Duration is the largest whole unit: 45s, 12m, 5h (up to 48h), 3d.
func Duration(d time.Duration) string {
	// Ifs, not a switch's cases, here and below: CI's mutation test
	// (gremlins) never counts a case's condition as covered, so it would
	// not test the thresholds (docs/reliability.md, "Mutation testing").
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// Elapsed is a span precise enough to compare runs, down to the unit below
// the largest: "45s", "12m", "1h12m", "2d3h"; a whole hour or day shows
// alone ("26h", "3d"), as a threshold reads.
func Elapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	if d < 48*time.Hour {
		return withRest(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "%02dm")
	}
	return withRest(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "%dh")
}

// withRest is n and its unit, then the rest in its format unless it is 0.
func withRest(n int, unit string, rest int, format string) string {
	s := fmt.Sprint(n) + unit
	if rest != 0 {
		s += fmt.Sprintf(format, rest)
	}
	return s
}

// EstimatedRows is a row estimate (blocks × rows per block) with thousands
// separated, or Dash when unknown (0).
func EstimatedRows(n int64) string {
	if n <= 0 {
		return Dash
	}
	digits := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "about " + b.String() + " (blocks × rows per block)"
}

// Countdown is a wait in whole seconds, rounded up: "45s", "2m05s", "1h02m".
func Countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return fmt.Sprintf("%ds", secs)
	}
	if secs < 3600 {
		return fmt.Sprintf("%dm%02ds", secs/60, secs%60)
	}
	return fmt.Sprintf("%dh%02dm", secs/3600, secs%3600/60)
}

// ShortTime is a compact timestamp in now's zone: "11-28 09:04" this year,
// "2025-11-28" before; Dash for a zero time.
func ShortTime(t, now time.Time) string {
	if t.IsZero() {
		return Dash
	}
	t = t.In(now.Location())
	if t.Year() == now.Year() {
		return t.Format("01-02 15:04")
	}
	return t.Format("2006-01-02")
}

// Until is a time ahead, as a deadline reads, in now's zone: "14:05"
// today, "tomorrow 09:12", else "12-05 09:12"; Dash for a zero time.
func Until(t, now time.Time) string {
	if t.IsZero() {
		return Dash
	}
	t = t.In(now.Location())
	y, m, d := now.Date()
	switch ty, tm, td := t.Date(); {
	case ty == y && tm == m && td == d:
		return t.Format("15:04")
	case t.Before(time.Date(y, m, d+2, 0, 0, 0, 0, now.Location())) && t.After(now):
		return "tomorrow " + t.Format("15:04")
	}
	return t.Format("01-02 15:04")
}

// Absolute is a full timestamp in now's zone with the age, for people:
// "2026-11-28 09:01:00 UTC  (4m ago)". An unreadable time shows what the
// service sent (unsanitized: the caller sanitizes), a missing one Dash.
func Absolute(t graphapi.Time, now time.Time) string {
	if t.IsZero() {
		if t.Raw != "" {
			return t.Raw + " (unreadable)"
		}
		return Dash
	}
	return t.In(now.Location()).Format("2006-01-02 15:04:05 MST") + "  (" + Ago(t.Time, now) + ")"
}

// UTC is a timestamp for scripts: "2026-11-28 09:01:00Z"; the service's
// text when it could not be read; Dash when missing.
func UTC(t graphapi.Time) string {
	if t.IsZero() {
		return OrDash(t.Raw)
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// RedactURI is a URL without its query (an upload URL's query is the SAS
// signature) and without user info; hadQuery says a query was removed. An
// unreadable URL is hidden whole; an empty one is Dash.
func RedactURI(raw string) (s string, hadQuery bool) {
	if raw == "" {
		return Dash, false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL hidden)", false
	}
	return graphapi.RedactURLString(raw), u.RawQuery != "" || u.ForceQuery
}

// MaskSecret shows that a secret exists, and its length, without its value.
func MaskSecret(s string) string {
	if s == "" {
		return Dash
	}
	return fmt.Sprintf("•••••••• (%d characters, hidden)", len([]rune(s)))
}
