// Failures in words: what a failed read means (Graph unreachable, not
// answering, throttling…) and why, for the header, the fleet screen's rows and
// the event log; and the outage, a run of failed reads from its first.

package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// notAnsweringAfter is how long a load may go without an answer before the
// header says Graph is not answering (the poll itself gives up at the
// request timeout).
const notAnsweringAfter = 10 * time.Second

// maxWhy bounds a failure's reason in the header, a row and the log.
const maxWhy = 80

// failure is a failed read in words: what it means, and why, scrubbed of
// secrets and safe for a terminal.
type failure struct {
	what string // "Graph unreachable", "Graph not answering", "access denied"
	why  string // "connection refused", "503 serviceUnavailable"
	// graph: the failure is Graph's as a whole (network, timeouts, 5xx,
	// 429), not a refusal of one thing.
	graph bool
	// throttled: Graph asked to wait (429, or 503 with Retry-After).
	throttled bool
}

// describe puts err in words.
func describe(err error) failure {
	ge, isGraph := graphapi.AsError(err)
	var na *monitor.NoAnswerError
	var other *graphapi.OtherSessionError
	switch {
	case errors.As(err, &na):
		return failure{what: "Graph not answering", why: "no answer within " + present.Duration(na.After), graph: true}
	case errors.As(err, &other):
		return failure{what: "Graph answered for another session", why: safeText(other.Error())}
	case errors.Is(err, monitor.ErrUnusableListing):
		return failure{what: "unusable listing", why: safeText(err.Error())}
	case !isGraph:
		return failure{what: "read failed", why: safeText(err.Error())}
	case graphapi.NoAnswer(err):
		return failure{what: "Graph not answering", why: safeText(innermost(ge.Message)), graph: true}
	case ge.StatusCode == 0:
		return failure{what: "Graph unreachable", why: safeText(innermost(ge.Message)), graph: true}
	}
	f := failure{why: statusWhy(ge)}
	switch s := ge.StatusCode; {
	case s == 429:
		f.what, f.graph, f.throttled = "Graph throttling", true, true
	case s == 503:
		f.what, f.graph, f.throttled = "Graph unavailable", true, ge.RetryAfter > 0
	case s >= 500:
		f.what, f.graph = "Graph failing", true
	case s == 401:
		f.what = "sign-in refused"
	case s == 403:
		f.what = "access denied"
	case s == 404:
		f.what = "not found"
	case s < 300:
		f.what, f.graph = "Graph answered badly", true
	default:
		f.what = "Graph refused the read"
	}
	return f
}

// statusWhy is "503 serviceUnavailable"; an answer that could not be read
// adds what was wrong with it.
func statusWhy(ge *graphapi.Error) string {
	parts := []string{fmt.Sprint(ge.StatusCode)}
	if ge.Code != "" {
		parts = append(parts, ge.Code)
	}
	why := strings.Join(parts, " ")
	if ge.StatusCode < 300 && ge.Message != "" {
		why += ": " + ge.Message
	}
	return safeText(why)
}

// innermost is a network error's own words, without the operation and
// address Go puts before them: "dial tcp 127.0.0.1:443: connect:
// connection refused" is "connection refused".
func innermost(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
}

// safeText is server text fit for a line: secrets scrubbed, controls gone,
// at most maxWhy cells.
func safeText(s string) string {
	return ansi.Truncate(termtext.OneLine(graphapi.Scrub(s)), maxWhy, "…")
}

// String is "Graph unreachable (connection refused)", the event logged
// when an outage starts.
func (f failure) String() string {
	if f.why == "" {
		return f.what
	}
	return f.what + " (" + f.why + ")"
}

// storeWhy is a store's own failure on its row and in the log: "403
// accessDenied", "connection refused".
func storeWhy(err error) string {
	f := describe(err)
	if f.why == "" {
		return f.what
	}
	return f.why
}

// outage is a run of failed reads, from the first failure to the next
// success, on either screen.
type outage struct {
	since time.Time // the first failure; zero when reads work
	err   error     // the latest failure
}

// failed records a read begun at begun that failed at t; it returns the
// event of the outage's start, once per outage. The outage runs from the
// failed read's start: a hang is seen only when the read gives up.
func (o *outage) failed(err error, begun, t time.Time) []event {
	first := o.since.IsZero()
	if first {
		o.since = begun
	}
	o.err = err
	if !first {
		return nil
	}
	return []event{{at: t, kind: eventOutage, text: describe(err).String()}}
}

// recovered records a successful read at t; it returns the event of the
// outage's end when one was running.
func (o *outage) recovered(t time.Time) []event {
	if o.since.IsZero() {
		return nil
	}
	f, took := describe(o.err), t.Sub(o.since)
	*o = outage{}
	text := "reads work again after " + present.Countdown(took)
	if f.graph {
		text = "Graph back after " + present.Countdown(took)
	}
	return []event{{at: t, kind: eventRecovered, text: text}}
}

// clockTime is a time of day for the header and the log: "06:32:10", or
// with the date when it is not today's.
func clockTime(t, now time.Time) string {
	t = t.In(now.Location())
	if now.Sub(t) > 20*time.Hour {
		return t.Format("01-02 15:04")
	}
	return t.Format("15:04:05")
}
