package graphapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Error is the one error type the client returns. It carries what a support
// ticket needs and never the token, a URL query string or a raw body dump.
type Error struct {
	// Op names the call, e.g. "list sessions".
	Op string
	// StatusCode is the HTTP status, 0 when no response arrived.
	StatusCode int
	// Code is Graph's error code (compare case-insensitively).
	Code string
	// Message is Graph's message or a description of what failed.
	Message string
	// Target is Graph's error.target: the property or object at fault.
	Target string
	// Details are Graph's error.details, one entry per problem found.
	Details []ErrorDetail
	// InnerCodes are the codes of error.innerError and of the innerErrors
	// nested in it, outermost first: finer reasons such as why a request
	// was throttled.
	InnerCodes []string
	// RequestID and ClientRequestID identify the request for Microsoft support.
	RequestID       string
	ClientRequestID string
	// Date is the server's time of the error (UTC), zero when unknown.
	Date time.Time
	// RetryAfter is how long the service asked us to wait (429/503), 0 when not given.
	RetryAfter time.Duration
	// OutcomeUnknown is set when an action may have reached the server but
	// no answer came back: the caller should re-read the resource.
	OutcomeUnknown bool
	// Err is the underlying cause, if any (network error, decoding error).
	Err error
}

// ErrorDetail is one entry of a Graph error's details.
type ErrorDetail struct {
	Code, Message, Target string
	// InnerCodes are the detail's own innerError codes, outermost first.
	InnerCodes []string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(": ")
	} else if e.Code != "" {
		b.WriteString(e.Code + ": ")
	}
	b.WriteString(e.Message)
	writeTarget(&b, e.Target)
	if len(e.InnerCodes) > 0 {
		b.WriteString(" (" + strings.Join(e.InnerCodes, ": ") + ")")
	}
	for i, d := range e.Details {
		if i == 0 {
			b.WriteString(" details:")
		} else {
			b.WriteString(";")
		}
		b.WriteString(" ")
		if d.Code != "" {
			b.WriteString(d.Code + ": ")
		}
		b.WriteString(d.Message)
		writeTarget(&b, d.Target)
	}
	if e.OutcomeUnknown {
		b.WriteString(" (the request may have reached the service: outcome unknown)")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	if e.RequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + "]")
	}
	return b.String()
}

func writeTarget(b *strings.Builder, target string) {
	if target != "" {
		b.WriteString(" (target: " + target + ")")
	}
}

func (e *Error) Unwrap() error { return e.Err }

// scrub passes every string the server chose through f.
func (e *Error) scrub(f func(string) string) {
	e.Code, e.Message, e.Target = f(e.Code), f(e.Message), f(e.Target)
	for i := range e.InnerCodes {
		e.InnerCodes[i] = f(e.InnerCodes[i])
	}
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Message, d.Target = f(d.Code), f(d.Message), f(d.Target)
		for j := range d.InnerCodes {
			d.InnerCodes[j] = f(d.InnerCodes[j])
		}
	}
}

// opError wraps a failure that is not an HTTP answer (a bad id, an
// unreadable body) as the one error type.
func opError(op string, err error) *Error {
	return &Error{Op: op, Message: err.Error(), Err: err}
}

// Is lets callers match on well-known conditions:
// errors.Is(err, ErrNotFound), errors.Is(err, ErrThrottled), ...
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == 404
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrForbidden:
		return e.StatusCode == 403
	case ErrThrottled:
		return e.StatusCode == 429 || e.StatusCode == 503
	case ErrConflict:
		return e.StatusCode == 409
	}
	return false
}

// Sentinel conditions for errors.Is on an *Error.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrThrottled    = errors.New("throttled")
	ErrConflict     = errors.New("conflict")
	// ErrUnsupported: the service does not offer the request (e.g.
	// sessions/$count); fall back to another way.
	ErrUnsupported = errors.New("not supported by the service")
	// ErrUnreadableAnswer: the service accepted an action (200 or 204) but
	// its answer, and a read-back, could not be used. The action happened.
	ErrUnreadableAnswer = errors.New("accepted, but the answer could not be read")
	// ErrOtherSession: a session read by id came back with another id (or
	// none). Such an answer is never applied: it is about another session.
	ErrOtherSession = errors.New("the service answered with another session")
)

// OtherSessionError is the error for an answer about another session than
// the one asked for; it names both and matches ErrOtherSession.
type OtherSessionError struct{ Asked, Got string }

func (e *OtherSessionError) Error() string {
	got := e.Got
	if got == "" {
		got = "no id"
	}
	return fmt.Sprintf("asked for session %s, the service answered with %s", e.Asked, got)
}

func (e *OtherSessionError) Is(target error) bool { return target == ErrOtherSession }

// SameSession returns an *OtherSessionError when got is not the session
// asked for (ids compare without regard to case, as GUIDs do).
func SameSession(asked, got string) error {
	if got != "" && strings.EqualFold(asked, got) {
		return nil
	}
	return &OtherSessionError{Asked: asked, Got: got}
}

// AsError returns err as an *Error when it is one.
func AsError(err error) (*Error, bool) {
	var ge *Error
	ok := errors.As(err, &ge)
	return ge, ok
}

// redactURL keeps scheme, host and path: query strings may carry SAS
// signatures or skip tokens, and user info may carry credentials.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return c.String()
}

// RedactURLString removes user info, query and fragment from a URL string.
// A string that does not parse is replaced entirely.
func RedactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return redactURL(u)
}

// describeTransportError turns a transport failure into text without the
// request URL (net/http's errors embed it, query string included).
func describeTransportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out waiting for the service"
		}
		return ue.Err.Error()
	}
	return err.Error()
}

// NoAnswer reports a call that got no answer in time (a hang), as
// against one that could not reach the service at all: both have no
// status, only a hang ran out of time.
func NoAnswer(err error) bool {
	ge, ok := AsError(err)
	return ok && ge.StatusCode == 0 && errors.Is(err, context.DeadlineExceeded)
}

// Advice says what an admin can do about an error, or "" when there is
// nothing specific: 401 means the token was refused, 403 that the account
// lacks EDM access.
func Advice(err error) string {
	if ge, ok := AsError(err); ok && ge.Code == "signInFailed" {
		return "No token could be had without signing in again: quit and start edmtop to sign in."
	}
	switch {
	case errors.Is(err, ErrUnauthorized):
		return "The service refused the token: it may have expired or be for another cloud (check --cloud). Sign in again."
	case errors.Is(err, ErrForbidden):
		return "The account may not use EDM: it must be a member of the EDM_DataUploaders security group (an app also needs the Graph permission your tenant grants for EDM)."
	case errors.Is(err, ErrThrottled):
		return "The service is throttling requests: edmtop waits as long as it asks."
	}
	return ""
}
