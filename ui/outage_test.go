package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

func TestDescribeFailures(t *testing.T) {
	for _, tc := range []struct {
		err             error
		what, why       string
		graph, throttle bool
	}{
		{&graphapi.Error{Op: "list sessions", Message: "dial tcp 10.0.0.1:443: connect: connection refused"}, "Graph unreachable", "connection refused", true, false},
		{&graphapi.Error{Message: "timed out waiting for the service", Err: context.DeadlineExceeded}, "Graph not answering", "timed out waiting for the service", true, false},
		{fmt.Errorf("store a: %w", &monitor.NoAnswerError{After: 30 * time.Second}), "Graph not answering", "no answer within 30s", true, false},
		{&graphapi.Error{StatusCode: 429, Code: "TooManyRequests", RetryAfter: time.Minute}, "Graph throttling", "429 TooManyRequests", true, true},
		{&graphapi.Error{StatusCode: 503, Code: "serviceUnavailable", RetryAfter: time.Minute}, "Graph unavailable", "503 serviceUnavailable", true, true},
		{&graphapi.Error{StatusCode: 503, Code: "serviceUnavailable"}, "Graph unavailable", "503 serviceUnavailable", true, false},
		{&graphapi.Error{StatusCode: 502}, "Graph failing", "502", true, false},
		{&graphapi.Error{StatusCode: 403, Code: "accessDenied", Message: "Bearer eyJhbGciOi.secret.token"}, "access denied", "403 accessDenied", false, false},
		{&graphapi.Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}, "sign-in refused", "401 InvalidAuthenticationToken", false, false},
		{&graphapi.Error{StatusCode: 200, Message: "response JSON is truncated"}, "Graph answered badly", "200: response JSON is truncated", true, false},
		{&graphapi.Error{Op: "get session", StatusCode: 200, Err: &graphapi.OtherSessionError{Asked: "a1", Got: "b2"}}, "Graph answered for another session", "asked for session a1, the service answered with b2", false, false},
		{&monitor.UnusableListingError{Skipped: 5}, "unusable listing", "the listing holds 5 entries that are not usable sessions", false, false},
		{errors.New("boom\x1b]0;title\x07 salt=abc sig=xyz"), "read failed", "", false, false},
	} {
		f := describe(tc.err)
		if f.what != tc.what || (tc.why != "" && f.why != tc.why) || f.graph != tc.graph || f.throttled != tc.throttle {
			t.Errorf("%v: %+v", tc.err, f)
		}
		for _, leak := range []string{"\x1b", "\x07", "xyz", "eyJ"} {
			if strings.Contains(f.what+f.why, leak) {
				t.Errorf("%v: %q reached the words %+v", tc.err, leak, f)
			}
		}
	}
}

// An outage runs from the start of its first failed read to the next
// success: one event each way, whatever the reads between.
func TestOutageIsOneRun(t *testing.T) {
	var o outage
	t0 := time.Date(2026, 11, 28, 6, 32, 10, 0, time.UTC)
	refused := &graphapi.Error{Message: "connect: connection refused"}
	if ev := o.failed(refused, t0, t0.Add(11*time.Second)); len(ev) != 1 || ev[0].text != "Graph unreachable (connection refused)" || ev[0].kind != eventOutage {
		t.Errorf("start: %+v", ev)
	}
	if ev := o.failed(&monitor.NoAnswerError{After: 30 * time.Second}, t0.Add(time.Minute), t0.Add(90*time.Second)); ev != nil || !o.since.Equal(t0) {
		t.Errorf("a second failure: %+v, since %v", ev, o.since)
	}
	if ev := o.recovered(t0.Add(2*time.Minute + 3*time.Second)); len(ev) != 1 || ev[0].text != "Graph back after 2m03s" || ev[0].kind != eventRecovered {
		t.Errorf("end: %+v", ev)
	}
	if ev := o.recovered(t0.Add(3 * time.Minute)); ev != nil || !o.since.IsZero() {
		t.Errorf("a success with no outage: %+v", ev)
	}
	o.failed(&graphapi.Error{StatusCode: 403, Code: "accessDenied"}, t0, t0)
	if ev := o.recovered(t0.Add(time.Minute)); len(ev) != 1 || ev[0].text != "reads work again after 1m00s" {
		t.Errorf("a refusal's end: %+v", ev)
	}
}
