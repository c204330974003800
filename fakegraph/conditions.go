package fakegraph

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// ConditionKind names a standing fault of the service.
type ConditionKind int

// The conditions a test can switch on. Unlike an injected Fault, which
// answers a counted number of requests, a condition holds from
// SetConditions until it is changed, as an outage does.
const (
	// Down closes every connection without an answer (Graph unreachable).
	Down ConditionKind = iota + 1
	// Hang holds every request until the conditions change or the client
	// gives up: a service that accepts and never answers. Heal it before
	// closing an httptest.Server, whose Close waits for held requests.
	Hang
	// Unavailable answers 503 serviceUnavailable (with Retry-After when set).
	Unavailable
	// Throttled answers 429 TooManyRequests (with Retry-After when set).
	Throttled
	// Forbidden answers 403 accessDenied; with StoreID, only that store's
	// routes (the store listing still names it, as Graph's does when an
	// account may see a store but not read it).
	Forbidden
	// GarbageListing answers a session listing with entries that are not
	// usable sessions: a number, a string, null, an object without an id.
	GarbageListing
	// OtherSession answers a session read by id with another session of
	// the same store (or an id of its own when the store has no other).
	OtherSession
	// NoCount answers sessions/$count as a service that does not count:
	// 400, as Graph answers a segment it does not know.
	NoCount
	// Slow holds every answer back for Delay, then answers normally.
	Slow
	// NoTop answers a session listing that asks $top with 400, as a
	// service that does not take the option; without $top it pages as
	// usual.
	NoTop
)

var conditionNames = [...]string{Down: "down", Hang: "hang", Unavailable: "unavailable", Throttled: "throttled",
	Forbidden: "forbidden", GarbageListing: "garbage-listing", OtherSession: "other-session", NoCount: "no-count", Slow: "slow", NoTop: "no-top"}

func (k ConditionKind) String() string {
	if k > 0 && int(k) < len(conditionNames) {
		return conditionNames[k]
	}
	return "condition(" + strconv.Itoa(int(k)) + ")"
}

// Condition is one standing fault.
type Condition struct {
	Kind ConditionKind
	// StoreID limits the condition to one data store's routes; empty means
	// every route, the store listing included.
	StoreID string
	// RetryAfter is sent with Unavailable and Throttled (0: no header).
	RetryAfter time.Duration
	// Delay is how long Slow holds each answer.
	Delay time.Duration
}

// applies reports whether the condition covers a request to route about
// store (empty for the store listing).
func (c Condition) applies(route Route, store string) bool {
	if c.StoreID != "" && c.StoreID != store {
		return false
	}
	switch c.Kind {
	case GarbageListing:
		return route == RouteListSessions
	case OtherSession:
		return route == RouteGetSession
	case NoTop:
		return route == RouteListSessions
	case NoCount:
		return route == RouteCountSessions
	}
	return true
}

// SetConditions replaces the standing faults with conds; none heals the
// service. Requests held by Hang are released to be answered under the
// new conditions.
func (s *Server) SetConditions(conds ...Condition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conditions = slices.Clone(conds)
	if s.conditionsChanged != nil {
		close(s.conditionsChanged)
	}
	s.conditionsChanged = make(chan struct{})
}

// Conditions returns the standing faults.
func (s *Server) Conditions() []Condition {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.conditions)
}

// condition returns the first standing fault covering the request and a
// channel closed when the conditions change (caller holds mu).
func (s *Server) condition(route Route, args []string) (*Condition, <-chan struct{}) {
	store := ""
	if route != RouteListStores && len(args) > 0 {
		store = args[0]
	}
	for i := range s.conditions {
		if k := s.conditions[i].Kind; k == GarbageListing || k == OtherSession || k == NoTop {
			continue // they change the real answer: serveRoute asks twisted
		}
		if s.conditions[i].applies(route, store) {
			c := s.conditions[i]
			return &c, s.conditionsChanged
		}
	}
	return nil, nil
}

// serveCondition answers under a standing fault. It reports false when the
// request is to be served normally after all (Slow, or a Hang released).
func (s *Server) serveCondition(w *response, r *http.Request, c *Condition, changed <-chan struct{}) (handled bool) {
	switch c.Kind {
	case Down:
		dropConnection(w)
	case Hang:
		select {
		case <-changed:
			return false
		case <-r.Context().Done():
		}
	case Slow:
		select {
		case <-time.After(c.Delay):
			return false
		case <-r.Context().Done():
		}
	case Unavailable:
		retryAfter(w, c.RetryAfter)
		w.graphError(http.StatusServiceUnavailable, "serviceUnavailable", "The service is temporarily unavailable. Please retry later.")
	case Throttled:
		retryAfter(w, c.RetryAfter)
		w.graphError(http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry later.")
	case Forbidden:
		w.graphError(http.StatusForbidden, "accessDenied", "Access denied: the caller is not allowed to read this data store.")
	case NoCount:
		w.graphError(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '$count'.")
	default:
		return false
	}
	return true
}

// twisted reports whether a condition of kind covers a request to route
// about store (caller holds mu).
func (s *Server) twisted(kind ConditionKind, route Route, store string) bool {
	return slices.ContainsFunc(s.conditions, func(c Condition) bool { return c.Kind == kind && c.applies(route, store) })
}

func retryAfter(w *response, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

// garbageListing is a listing page no client can use as sessions.
func garbageListing(context string) map[string]any {
	return map[string]any{
		"@odata.context": context,
		"value":          []any{1, 2, "x", nil, map[string]any{"state": "Failed", "fileName": "no-id.EdmHash"}},
	}
}

// otherSession is a session of the store other than id, or nil.
func (s *Server) otherSession(storeID, id string) *session {
	for _, se := range s.sessions[storeID] {
		if se.spec.ID != id {
			return se
		}
	}
	return nil
}
