package exporter

import (
	"context"
	"errors"
	"net/http"

	"github.com/edmtop/edmtop/graphapi"
)

// Why a read failed: the values of edm_poll_errors_total's reason label, a
// small fixed set so the series stay few whatever the service answers.
const (
	reasonUnreachable = "unreachable" // no answer: connection refused or dropped, DNS
	reasonTimeout     = "timeout"     // no answer in time (--request-timeout, the poll's bound)
	reasonThrottled   = "throttled"   // 429, or a Retry-After still running
	reasonUnavailable = "unavailable" // 5xx
	reasonAuth        = "auth"        // 401, or no token could be had
	reasonForbidden   = "forbidden"   // 403
	reasonNotFound    = "not_found"   // 404, or a --datastore that names no store
	reasonBadAnswer   = "bad_answer"  // an answer that could not be used
	reasonOther       = "other"
)

// reasons lists every reason, so each counter exists from the start.
var reasons = []string{reasonUnreachable, reasonTimeout, reasonThrottled, reasonUnavailable,
	reasonAuth, reasonForbidden, reasonNotFound, reasonBadAnswer, reasonOther}

// errUnresolved marks a --datastore value the store listing does not name.
var errUnresolved = errors.New("data stores not resolved")

// reasonOf sorts a read's error into one reason.
func reasonOf(err error) string {
	var wait *RetryAfterError
	var ge *graphapi.Error
	switch {
	case errors.As(err, &wait):
		return reasonThrottled
	case errors.Is(err, errUnresolved):
		return reasonNotFound
	case errors.Is(err, context.DeadlineExceeded):
		return reasonTimeout
	case errors.Is(err, graphapi.ErrOtherSession):
		return reasonBadAnswer
	case errors.As(err, &ge):
		return graphReason(ge)
	}
	return reasonOther
}

func graphReason(e *graphapi.Error) string {
	switch code := e.StatusCode; {
	case code == http.StatusTooManyRequests:
		return reasonThrottled
	case code == http.StatusUnauthorized:
		return reasonAuth
	case code == http.StatusForbidden:
		return reasonForbidden
	case code == http.StatusNotFound:
		return reasonNotFound
	case code >= 500:
		return reasonUnavailable
	case code >= 200 && code < 300:
		return reasonBadAnswer // an answer whose body could not be used
	case code != 0:
		return reasonOther
	case e.Code == "signInFailed":
		return reasonAuth
	case e.Err != nil:
		return reasonUnreachable
	}
	return reasonOther
}

// storeScoped reports a refusal about one store (403, 404): Graph
// answered, so the exporter's view of Graph stays current; the store alone
// is unreadable.
func storeScoped(reason string) bool {
	return reason == reasonForbidden || reason == reasonNotFound
}
