package exporter

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Doer sends one HTTP request; it is azcore's policy.Transporter, which
// graphapi.Options.Transport takes, and *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// RequestCounter counts Graph's HTTP responses by status code
// (edm_graph_requests_total). It sits at the transport, under graphapi's
// retry policy, so every answer is counted: each page of a listing, each
// retry and each token refusal. A request that got no answer (a dropped
// connection, a timeout) has no code and is not counted; edm_up shows it.
type RequestCounter struct {
	total *prometheus.CounterVec
}

// NewRequestCounter returns a counter with no requests counted.
func NewRequestCounter() *RequestCounter {
	return &RequestCounter{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edm_graph_requests_total",
		Help: "HTTP responses from Microsoft Graph, by status code (every page and retry counts).",
	}, []string{"code"})}
}

// Wrap returns next with every response counted.
func (c *RequestCounter) Wrap(next Doer) Doer {
	return countingDoer{next: next, c: c}
}

type countingDoer struct {
	next Doer
	c    *RequestCounter
}

func (d countingDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if resp != nil {
		// Status codes are three digits: the label has at most a few
		// hundred values, in practice a handful.
		d.c.total.WithLabelValues(strconv.Itoa(resp.StatusCode)).Inc()
	}
	return resp, err
}
