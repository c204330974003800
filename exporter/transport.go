package exporter

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/prometheus/client_golang/prometheus"
)

// Doer sends one HTTP request; it is azcore's policy.Transporter, which
// graphapi.Options.Transport takes, and *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// codeError is edm_graph_requests_total's code for a request that got no
// answer (refused or dropped connection, timeout).
const codeError = "error"

// Transport sits at the Graph client's transport, under graphapi's retry
// policy, so it sees every try: it counts each answer by status code and
// each request that got none (edm_graph_requests_total), and it honours
// Retry-After for the whole client: after a 429 or 503 that names a wait,
// no request leaves until the wait is over (edm_graph_retry_after_seconds).
type Transport struct {
	next  Doer
	now   func() time.Time
	total *prometheus.CounterVec

	mu    sync.Mutex
	until time.Time // no request before this
}

// NewTransport returns a transport sending through next (nil: it counts
// nothing and sends nothing, for an exporter over another Service) with
// the clock now (nil: time.Now).
func NewTransport(next Doer, now func() time.Time) *Transport {
	if now == nil {
		now = time.Now
	}
	return &Transport{next: next, now: now, total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edm_graph_requests_total",
		Help: `Requests to Microsoft Graph by HTTP status code, every page and retry counted; code="error" when no answer came (connection refused or dropped, timeout).`,
	}, []string{"code"})}
}

// RetryAfterError refuses a request while the service's Retry-After runs.
// It is not retried by graphapi (azcore's NonRetriable).
type RetryAfterError struct {
	Wait time.Duration // what is left of the wait
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("waiting out the service's Retry-After: %s left", e.Wait.Round(time.Second))
}

// NonRetriable tells azcore's retry policy to give up at once.
func (*RetryAfterError) NonRetriable() {}

// Do sends req unless a Retry-After is running, and counts the outcome.
func (t *Transport) Do(req *http.Request) (*http.Response, error) {
	if wait := t.RetryAfter(); wait > 0 {
		return nil, &RetryAfterError{Wait: wait}
	}
	resp, err := t.next.Do(req)
	if err != nil {
		t.total.WithLabelValues(codeError).Inc()
		return resp, err
	}
	// Status codes are three digits: the label has at most a few hundred
	// values, in practice a handful.
	t.total.WithLabelValues(strconv.Itoa(resp.StatusCode)).Inc()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		now := t.now()
		t.hold(now.Add(graphapi.ParseRetryAfter(resp.Header, now))) // 0 when none: no hold
	}
	return resp, nil
}

// RetryAfter is what is left of the service's last Retry-After, 0 when
// requests may go.
func (t *Transport) RetryAfter() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.until.Sub(t.now()), 0)
}

// hold stops requests until until, or later if a wait already runs longer.
func (t *Transport) hold(until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until.After(t.until) {
		t.until = until
	}
}
