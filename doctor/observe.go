package doctor

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/edmtop/edmtop/graphapi"
)

// observer is the transport under the doctor's Graph client. It refuses
// every method but GET and HEAD before anything is sent, so no check can
// renew, cancel or commit, and it records each exchange for the service
// checks: status, time to the headers, the Date, throttling headers.
type observer struct {
	next  policy.Transporter
	watch Stopwatch
	now   func() time.Time

	mu        sync.Mutex
	exchanges []exchange
	refused   []string // methods refused
}

type exchange struct {
	status  int // 0: no answer
	elapsed time.Duration
	// date is the answer's Date header; at is this machine's time then.
	date, at   time.Time
	retryAfter string
	throttle   []string // names of throttling headers
}

var _ policy.Transporter = (*observer)(nil)

// newObserver watches o.Transport, or the transport a Graph client for
// the endpoint would use.
func newObserver(o Options) *observer {
	next := o.Transport
	if next == nil {
		tr, err := graphapi.NewTransport(o.Target.Endpoint)
		if err != nil {
			tr = failing{err}
		}
		next = tr
	}
	return &observer{next: next, watch: o.Stopwatch, now: o.Now}
}

// failing is a transport for an endpoint no transport can be built for.
type failing struct{ err error }

func (f failing) Do(*http.Request) (*http.Response, error) { return nil, f.err }

func (o *observer) Do(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		o.mu.Lock()
		o.refused = append(o.refused, req.Method)
		o.mu.Unlock()
		return nil, readOnlyError{}
	}
	elapsed := o.watch()
	resp, err := o.next.Do(req)
	x := exchange{elapsed: elapsed(), at: o.now()}
	if err == nil {
		x.status = resp.StatusCode
		x.date, _ = http.ParseTime(resp.Header.Get("Date"))
		x.retryAfter = resp.Header.Get("Retry-After")
		x.throttle = throttleHeaders(resp.Header)
	}
	o.mu.Lock()
	o.exchanges = append(o.exchanges, x)
	o.mu.Unlock()
	return resp, err
}

// readOnlyError is final: the retry policy must not send it again.
type readOnlyError struct{}

func (readOnlyError) Error() string { return errReadOnly.Error() }
func (readOnlyError) Unwrap() error { return errReadOnly }
func (readOnlyError) NonRetriable() {}

// throttleHeaders names the headers of an answer that speak of limits.
func throttleHeaders(h http.Header) []string {
	var names []string
	for k := range h {
		l := strings.ToLower(k)
		switch {
		case l == "retry-after", l == "retry-after-ms", l == "x-ms-retry-after-ms",
			strings.HasPrefix(l, "x-ms-throttle"), strings.HasPrefix(l, "ratelimit"),
			strings.HasPrefix(l, "x-ratelimit"), strings.HasPrefix(l, "x-ms-ratelimit"), l == "x-ms-resource-unit":
			names = append(names, l)
		}
	}
	sort.Strings(names)
	return names
}

// seen is a copy of the exchanges so far.
func (o *observer) seen() []exchange {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.exchanges)
}

// firstDate is the first answer's Date and this machine's time then.
func (o *observer) firstDate() (date, at time.Time, ok bool) {
	for _, x := range o.seen() {
		if !x.date.IsZero() {
			return x.date, x.at, true
		}
	}
	return time.Time{}, time.Time{}, false
}

// throttling sums up the refusals and waits asked for.
func (o *observer) throttling() ThrottlingFacts {
	var t ThrottlingFacts
	headers := map[string]bool{}
	for _, x := range o.seen() {
		switch x.status {
		case http.StatusTooManyRequests:
			t.Status429++
		case http.StatusServiceUnavailable:
			t.Status503++
		}
		if x.retryAfter != "" && !slices.Contains(t.RetryAfter, x.retryAfter) && len(t.RetryAfter) < 10 {
			t.RetryAfter = append(t.RetryAfter, x.retryAfter)
		}
		for _, h := range x.throttle {
			headers[h] = true
		}
	}
	for h := range headers {
		t.Headers = append(t.Headers, h)
	}
	sort.Strings(t.Headers)
	return t
}

// latency is p50 and max of the answers' times to their headers.
func (o *observer) latency() LatencyFacts {
	var times []time.Duration
	for _, x := range o.seen() {
		if x.status != 0 {
			times = append(times, x.elapsed)
		}
	}
	if len(times) == 0 {
		return LatencyFacts{}
	}
	slices.Sort(times)
	return LatencyFacts{Requests: len(times), P50Ms: millis(times[(len(times)-1)/2]), MaxMs: millis(times[len(times)-1])}
}

// millis is d in milliseconds, to a tenth.
func millis(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
