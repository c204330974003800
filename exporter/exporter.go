// Package exporter serves EDM health as Prometheus metrics. It polls Graph
// through a monitor on its own interval, never per scrape (many scrapers
// must not multiply Graph traffic), judges each store with the shared
// health rules and serves the last poll's values; when a poll fails it keeps
// them and says so with edm_up 0.
package exporter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/termtext"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Defaults for Options.
const (
	DefaultInterval   = 60 * time.Second
	DefaultMaxRunning = 20
)

// minPollTimeout is the least time a poll is given before it is abandoned.
const minPollTimeout = 10 * time.Minute

// Options tune an Exporter.
type Options struct {
	// Interval between polls (default 60s). /healthz fails after three
	// intervals without a successful poll.
	Interval time.Duration
	// Rules judge the stores; health.DefaultRules() when nil.
	Rules *health.Rules
	// MaxRunning bounds the running sessions exported per store, newest
	// first (default 20), so series stay bounded whatever the service holds.
	MaxRunning int
	// Requests counts Graph's responses; it must wrap the Graph client's
	// transport. Nil: edm_graph_requests_total stays empty.
	Requests *RequestCounter
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets one line per failed poll (default: discard).
	Logger *slog.Logger
}

// Exporter polls a monitor and serves what it found.
type Exporter struct {
	mon      *monitor.Monitor
	opts     Options
	rules    health.Rules
	registry *prometheus.Registry

	mu   sync.RWMutex
	view view
}

// view is what the last polls established; Collect reads only this.
type view struct {
	up          bool
	polled      bool      // at least one poll has finished
	lastSuccess time.Time // start of the last successful poll
	lastErr     string    // the last failed poll's error, one sanitized line
	stores      []storeView
}

// New returns an exporter over mon. Nothing is read until Poll or Run.
func New(mon *monitor.Monitor, opts Options) *Exporter {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.MaxRunning <= 0 {
		opts.MaxRunning = DefaultMaxRunning
	}
	if opts.Requests == nil {
		opts.Requests = NewRequestCounter()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := &Exporter{mon: mon, opts: opts, rules: health.DefaultRules(), registry: prometheus.NewRegistry()}
	if opts.Rules != nil {
		e.rules = *opts.Rules
	}
	e.registry.MustRegister(
		&collector{e: e, d: newDescs()},
		opts.Requests.total,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return e
}

// Registry is the registry /metrics serves (for tests and embedding).
func (e *Exporter) Registry() *prometheus.Registry { return e.registry }

// Poll refreshes the monitor once and takes its stores. A store whose
// refresh failed keeps the values of its last good poll: judging old data
// at a later time would raise false stalls. Any failure sets edm_up 0.
func (e *Exporter) Poll(ctx context.Context) error {
	start := e.opts.Now()
	err := e.mon.Refresh(ctx, false)
	snap := e.mon.Snapshot()
	now := e.opts.Now()

	e.mu.Lock()
	defer e.mu.Unlock()
	prev := make(map[string]*storeView, len(e.view.stores))
	for i := range e.view.stores {
		prev[e.view.stores[i].id] = &e.view.stores[i]
	}
	stores := make([]storeView, 0, len(snap.Stores))
	for i := range snap.Stores {
		st := &snap.Stores[i]
		if st.Err == nil {
			stores = append(stores, assess(st, e.rules, now, e.opts.MaxRunning))
		} else if p := prev[label(st.DataStore.ID)]; p != nil {
			stores = append(stores, *p)
		}
	}
	e.view.stores, e.view.polled, e.view.up = stores, true, err == nil
	if err != nil {
		// Joined errors arrive one per line: keep them apart on one line.
		e.view.lastErr = strings.Join(termtext.Lines(err.Error()), "; ")
		e.opts.Logger.Warn("poll failed", "error", e.view.lastErr)
		return err
	}
	e.view.lastSuccess, e.view.lastErr = start, ""
	return nil
}

// Run polls now and then every Interval until ctx is done. A poll that
// overruns the interval delays the next; polls never overlap.
func (e *Exporter) Run(ctx context.Context) {
	tick := time.NewTicker(e.opts.Interval)
	defer tick.Stop()
	for {
		// A first listing of a large store may take minutes: a deadline
		// shorter than that would cut every attempt off. This one only
		// ends a poll that hangs (/healthz reports it well before).
		pctx, cancel := context.WithTimeout(ctx, max(3*e.opts.Interval, minPollTimeout))
		_ = e.Poll(pctx)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (e *Exporter) current() view {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.view
}

// Handler serves /metrics and /healthz.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       10 * time.Second,
	}))
	mux.HandleFunc("GET /healthz", e.serveHealthz)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "edmtop exporter: /metrics (Prometheus), /healthz")
	})
	return mux
}

// Healthy reports whether a poll succeeded within the last three
// intervals, and why not.
func (e *Exporter) Healthy() (bool, string) {
	v := e.current()
	now := e.opts.Now()
	limit := 3 * e.opts.Interval
	switch {
	case v.lastSuccess.IsZero() && !v.polled:
		return false, "no poll has finished yet"
	case v.lastSuccess.IsZero():
		return false, "no poll has succeeded yet; last error: " + v.lastErr
	case now.Sub(v.lastSuccess) > limit:
		reason := fmt.Sprintf("last successful poll %s ago, more than 3 intervals (%s)", now.Sub(v.lastSuccess).Round(time.Second), limit)
		if v.lastErr != "" {
			reason += "; last error: " + v.lastErr
		}
		return false, reason
	}
	msg := fmt.Sprintf("ok: last successful poll %s ago", now.Sub(v.lastSuccess).Round(time.Second))
	if !v.up {
		msg += "; the last poll failed: " + v.lastErr
	}
	return true, msg
}

func (e *Exporter) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	ok, reason := e.Healthy()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, reason)
}
