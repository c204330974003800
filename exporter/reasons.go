package exporter

import (
	"context"
	"errors"
	"net/http"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
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
	case errors.Is(err, monitor.ErrUnusableListing):
		return reasonBadAnswer
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

// statusReasons are the answers whose status says why.
var statusReasons = map[int]string{
	http.StatusTooManyRequests: reasonThrottled,
	http.StatusUnauthorized:    reasonAuth,
	http.StatusForbidden:       reasonForbidden,
	http.StatusNotFound:        reasonNotFound,
}

func graphReason(e *graphapi.Error) string {
	code := e.StatusCode
	if r, ok := statusReasons[code]; ok {
		return r
	}
	if code >= 500 {
		return reasonUnavailable
	}
	if code >= 200 && code < 300 {
		return reasonBadAnswer // an answer whose body could not be used
	}
	if code != 0 {
		return reasonOther
	}
	if e.Code == "signInFailed" {
		return reasonAuth
	}
	if e.Err != nil {
		return reasonUnreachable // no answer at all
	}
	return reasonOther
}

// storeScoped reports a refusal about one store (403, 404): Graph
// answered, so the exporter's view of Graph stays current; the store alone
// is unreadable.
func storeScoped(reason string) bool {
	return reason == reasonForbidden || reason == reasonNotFound
}
