package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

// TestReasons: each kind of failure has its reason, the status ranges
// with their edges.
func TestReasons(t *testing.T) {
	status := func(code int) error { return &graphapi.Error{Op: "list sessions", StatusCode: code} }
	cases := []struct {
		err  error
		want string
	}{
		{&RetryAfterError{Wait: 1}, "throttled"},
		{&monitor.UnusableListingError{Skipped: 5}, "bad_answer"},
		{fmt.Errorf("%w: no data store named x", errUnresolved), "not_found"},
		{&graphapi.Error{Message: "timed out", Err: context.DeadlineExceeded}, "timeout"},
		{&graphapi.Error{StatusCode: 200, Err: &graphapi.OtherSessionError{Asked: "a", Got: "b"}}, "bad_answer"},
		{status(429), "throttled"},
		{status(401), "auth"},
		{status(403), "forbidden"},
		{status(404), "not_found"},
		{status(400), "other"},
		{status(499), "other"},
		{status(500), "unavailable"},
		{status(503), "unavailable"},
		{status(199), "other"},
		{status(200), "bad_answer"},
		{status(299), "bad_answer"},
		{status(300), "other"},
		{&graphapi.Error{Code: "signInFailed", Message: "could not get a token"}, "auth"},
		{&graphapi.Error{Message: "EOF", Err: io.EOF}, "unreachable"},
		{&graphapi.Error{Message: "no cause"}, "other"},
		{errors.New("something else"), "other"},
	}
	for _, tc := range cases {
		if got := reasonOf(tc.err); got != tc.want {
			t.Errorf("reasonOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
