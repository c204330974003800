package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/edmtop/edmtop/present"
)

// A sample is what one refresh saw of a session's progress.
type sample struct {
	at           time.Time
	blocks, jobs int64 // done counts
	up, proc     float64
}

const (
	maxSamples = 120
	// rateWindow is how far back rates look: long enough to smooth, short
	// enough to follow a change of pace.
	rateWindow = 10 * time.Minute
	// stallAfter is how long without progress before the rate decays.
	stallAfter = time.Minute
)

// addSample records progress when it changed (or for the first time).
func addSample(samples []sample, s sample) []sample {
	if n := len(samples); n > 0 {
		last := samples[n-1]
		if last.blocks == s.blocks && last.jobs == s.jobs {
			return samples
		}
		if !s.at.After(last.at) {
			return samples
		}
	}
	samples = append(samples, s)
	if len(samples) > maxSamples {
		samples = samples[len(samples)-maxSamples:]
	}
	return samples
}

// ratePerMinute is the pace of blocks (jobs=false) or jobs over the window
// ending now; ok is false until two samples show a change.
func ratePerMinute(samples []sample, now time.Time, jobs bool) (float64, bool) {
	if len(samples) < 2 {
		return 0, false
	}
	first := len(samples) - 1
	for first > 0 && now.Sub(samples[first-1].at) <= rateWindow {
		first--
	}
	if first == len(samples)-1 {
		first = len(samples) - 2 // the window holds one sample: use the one before
	}
	a, b := samples[first], samples[len(samples)-1]
	done := b.blocks - a.blocks
	if jobs {
		done = b.jobs - a.jobs
	}
	// Measure to the last change, or to now once progress has stalled for a
	// while, so a stuck session's rate decays.
	end := b.at
	if now.Sub(b.at) > stallAfter {
		end = now
	}
	minutes := end.Sub(a.at).Minutes()
	if done <= 0 || minutes <= 0 {
		return 0, false
	}
	return float64(done) / minutes, true
}

// etaText is the time left at a rate, e.g. "4m", "1h05m", "2d3h"; present.Dash when
// it cannot be told.
func etaText(remaining int64, ratePerMin float64, ok bool) string {
	if remaining <= 0 {
		return "done"
	}
	if !ok || ratePerMin <= 0 {
		return present.Dash
	}
	minutes := float64(remaining) / ratePerMin
	if minutes > 365*24*60 {
		return ">1y" // also keeps the Duration below from overflowing
	}
	d := time.Duration(minutes * float64(time.Minute))
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values in [0,1] as a line of block characters, the most
// recent at the right, at most width wide.
func sparkline(values []float64, width int) string {
	if width <= 0 || len(values) == 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	var b strings.Builder
	for _, v := range values {
		v = min(max(v, 0), 1)
		b.WriteRune(sparkBlocks[int(v*float64(len(sparkBlocks)-1)+0.5)])
	}
	return b.String()
}

// rateText is "12.5 blocks/min".
func rateText(rate float64, ok bool, unit string) string {
	if !ok {
		return present.Dash + " (needs two refreshes with progress)"
	}
	if rate >= 10 {
		return fmt.Sprintf("%.0f %s/min", rate, unit)
	}
	return fmt.Sprintf("%.1f %s/min", rate, unit)
}
