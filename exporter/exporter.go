// Package exporter serves EDM health as Prometheus metrics. It polls Graph
// through a monitor on its own interval, never per scrape (many scrapers
// must not multiply Graph traffic), judges each store with the shared
// health rules and serves what the polls established: per store, its last
// good values and whether the last poll could read it; for the whole,
// edm_up, whether its view of Graph is current. Graph failing is a value
// it reports, never a reason to stop.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/termtext"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
)

// Defaults for Options.
const (
	DefaultInterval      = time.Minute
	DefaultMaxRunning    = 20
	DefaultTelemetryPath = "/metrics"
)

// currentIntervals: the view is current while a poll completed within this
// many intervals; past that a poll hangs, and scrapes say so.
const currentIntervals = 2

// Options tune an Exporter.
type Options struct {
	// Interval between polls (default 60s). The view stops being current
	// when no poll completed within two intervals.
	Interval time.Duration
	// Rules judge the stores; health.DefaultRules() when nil.
	Rules *health.Rules
	// MaxRunning bounds the running sessions exported per store, newest
	// first (default 20), so series stay bounded whatever the service holds.
	MaxRunning int
	// Resolve picks the ids of the stores to watch from the store listing
	// (--datastore names or ids). It runs in the poll loop until it
	// succeeds, so a Graph that is down at start is retried, not fatal.
	// Nil: every store the service lists.
	Resolve func(all []graphapi.DataStore) ([]string, error)
	// Monitor tunes the monitor (its Stores come from Resolve, its clock
	// from Now).
	Monitor monitor.Options
	// Transport must be the Graph client's transport: it counts Graph's
	// answers and holds requests while a Retry-After runs. Nil: a
	// transport that has sent nothing.
	Transport *Transport
	// TelemetryPath is where the metrics are served (default /metrics).
	TelemetryPath string
	// Version labels edm_build_info and the landing page.
	Version string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets a line per failed poll and per store that turns
	// unreadable or readable again (default: discard).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxRunning <= 0 {
		o.MaxRunning = DefaultMaxRunning
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Monitor.Now == nil {
		o.Monitor.Now = o.Now
	}
	if o.Transport == nil {
		o.Transport = NewTransport(nil, o.Now)
	}
	if o.TelemetryPath == "" {
		o.TelemetryPath = DefaultTelemetryPath
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Exporter polls Graph through a monitor and serves what it found.
type Exporter struct {
	svc        monitor.Service
	opts       Options
	rules      health.Rules
	registry   *prometheus.Registry
	pollErrors *prometheus.CounterVec

	polling sync.Mutex       // one poll at a time; it owns mon
	mon     *monitor.Monitor // nil until the stores are resolved

	mu   sync.RWMutex
	view view
}

// view is what the polls established; scrapes and probes read only this.
type view struct {
	polled      bool          // a poll has completed
	running     bool          // a poll is running
	up          bool          // the last completed poll got its answers
	started     time.Time     // start of the poll running or last run
	completed   time.Time     // end of the last completed poll
	duration    time.Duration // of the last completed poll
	lastSuccess time.Time     // start of the last successful poll
	lastErr     string        // the last failed poll's error, one scrubbed line
	lastReason  string
	datastores  int // stores watched; -1 until a store listing succeeded
	stores      []storeView
}

// New returns an exporter watching stores through svc (a Graph client
// whose transport is Options.Transport). Nothing is read until Poll or Run.
func New(svc monitor.Service, opts Options) *Exporter {
	opts = opts.withDefaults()
	e := &Exporter{svc: svc, opts: opts, rules: health.DefaultRules(), registry: prometheus.NewRegistry(),
		pollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edm_poll_errors_total",
			Help: "Polls that met an error, by reason; a poll meeting several kinds counts once under each.",
		}, []string{"reason"}),
		view: view{datastores: -1}}
	if opts.Rules != nil {
		e.rules = *opts.Rules
	}
	for _, r := range reasons {
		e.pollErrors.WithLabelValues(r) // every reason from the start: rate() needs a zero
	}
	e.registry.MustRegister(
		&collector{e: e, d: newDescs()},
		e.pollErrors,
		opts.Transport.total,
		versioncollector.NewCollector("edm", versioncollector.WithExtraConstLabels(prometheus.Labels{"version": opts.Version})),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return e
}

// Registry is the registry the telemetry path serves (for tests and embedding).
func (e *Exporter) Registry() *prometheus.Registry { return e.registry }

// Poll reads Graph once through the monitor and makes the answers the view.
// While a Retry-After runs it asks nothing and changes nothing. A store
// that cannot be read keeps its last values without a verdict; the poll
// fails (edm_up 0) when Graph did not answer, not when it refused one store.
func (e *Exporter) Poll(ctx context.Context) error {
	e.polling.Lock()
	defer e.polling.Unlock()
	if wait := e.opts.Transport.RetryAfter(); wait > 0 {
		return &RetryAfterError{Wait: wait}
	}
	start := e.opts.Now()
	e.mu.Lock()
	e.view.started, e.view.running = start, true
	e.mu.Unlock()
	mon, err := e.monitor(ctx)
	var snap monitor.Snapshot
	if err == nil {
		_ = mon.Refresh(ctx, false) // its errors are in the snapshot, per store
		snap = mon.Snapshot()
	}
	return e.record(start, e.opts.Now(), snap, err)
}

// monitor returns the monitor, made once the stores to watch are known.
func (e *Exporter) monitor(ctx context.Context) (*monitor.Monitor, error) {
	if e.mon != nil {
		return e.mon, nil
	}
	mo := e.opts.Monitor
	if e.opts.Resolve != nil {
		all, err := e.svc.ListDataStores(ctx)
		if err != nil {
			return nil, fmt.Errorf("list data stores: %w", err)
		}
		if mo.Stores, err = e.opts.Resolve(all); err != nil {
			return nil, fmt.Errorf("%w: %w", errUnresolved, err)
		}
	}
	e.mon = monitor.New(e.svc, mo)
	return e.mon, nil
}

// poll gathers one poll's outcome while it is recorded.
type poll struct {
	start, end time.Time
	errs       []error // what makes the poll fail
	reasons    map[string]bool
}

func (p *poll) fail(err error) {
	p.reasons[reasonOf(err)] = true
	p.errs = append(p.errs, err)
}

// storeFailed notes a store's read error and returns its reason. A refusal
// about the store alone (403, 404) does not fail the poll.
func (p *poll) storeFailed(st *monitor.Store) string {
	reason := reasonOf(st.Err)
	p.reasons[reason] = true
	if !storeScoped(reason) {
		p.errs = append(p.errs, fmt.Errorf("data store %s: %w", label(st.DataStore.ID), st.Err))
	}
	return reason
}

// record makes a completed poll the view, counts and logs its errors, and
// returns what failed the poll.
func (e *Exporter) record(start, end time.Time, snap monitor.Snapshot, resolveErr error) error {
	p := poll{start: start, end: end, reasons: map[string]bool{}}
	if resolveErr != nil {
		p.fail(resolveErr)
	}
	if snap.Err != nil {
		p.fail(fmt.Errorf("list data stores: %w", snap.Err))
	}
	e.mu.Lock()
	old := e.view
	next := view{polled: true, started: start, completed: end, duration: end.Sub(start),
		lastSuccess: old.lastSuccess, datastores: old.datastores}
	next.stores = e.judge(snap, old.stores, &p)
	if !snap.StoresListed.IsZero() {
		next.datastores = len(snap.Stores)
	}
	err := errors.Join(p.errs...)
	next.up = err == nil
	if next.up {
		next.lastSuccess = start
	} else {
		next.lastErr, next.lastReason = oneLine(err), reasonOf(p.errs[0])
	}
	e.view = next
	e.mu.Unlock()
	for r := range p.reasons {
		e.pollErrors.WithLabelValues(r).Inc()
	}
	e.logChanges(old, next)
	return err
}

// judge makes each store's view: judged anew when the poll read it, else
// its last view without a verdict (none at all when never read).
func (e *Exporter) judge(snap monitor.Snapshot, prev []storeView, p *poll) []storeView {
	byID := make(map[string]*storeView, len(prev))
	for i := range prev {
		byID[prev[i].id] = &prev[i]
	}
	out := make([]storeView, 0, len(snap.Stores))
	for i := range snap.Stores {
		st := &snap.Stores[i]
		if st.Err == nil {
			v := assess(st, e.rules, p.end, e.opts.MaxRunning)
			v.readable, v.lastSuccess = true, p.start
			out = append(out, v)
			continue
		}
		reason := p.storeFailed(st)
		v := storeView{id: label(st.DataStore.ID), uploadLimit: e.rules.UploadLimit}
		if old := byID[v.id]; old != nil {
			v = *old
		}
		v.name = label(st.DataStore.DisplayName)
		v.readable, v.reason, v.err = false, reason, oneLine(st.Err)
		out = append(out, v)
	}
	return out
}

// logChanges logs a failed poll, and each store that turned unreadable
// (or changed why) or readable again: a store refused for days logs once.
func (e *Exporter) logChanges(old, next view) {
	log := e.opts.Logger
	if !next.up {
		log.Warn("poll failed", "reason", next.lastReason, "error", next.lastErr)
	} else if old.polled && !old.up {
		log.Info("poll succeeded again", "failing_since", old.lastSuccess)
	}
	was := make(map[string]storeView, len(old.stores))
	for _, s := range old.stores {
		was[s.id] = s
	}
	for _, s := range next.stores {
		o, seen := was[s.id]
		if !s.readable && (!seen || o.readable || o.reason != s.reason) {
			log.Warn("data store unreadable", "datastore_id", s.id, "datastore", s.name, "reason", s.reason, "error", s.err)
		} else if s.readable && seen && !o.readable {
			log.Info("data store readable again", "datastore_id", s.id, "datastore", s.name)
		}
	}
}

// oneLine is an error as one log line: scrubbed of secrets, joined errors
// kept apart, no control characters.
func oneLine(err error) string {
	return strings.Join(termtext.Lines(graphapi.Scrub(err.Error())), "; ")
}

// pollTimeout bounds one poll: three intervals, and never less than ten
// minutes. A first listing of a large store may take minutes: a deadline
// shorter than that would cut every attempt off. This one only ends a poll
// that hangs; scrapes report it after two intervals.
func pollTimeout(interval time.Duration) time.Duration {
	return max(3*interval, 10*time.Minute)
}

// Run polls now and then every Interval until ctx is done. A poll that
// overruns the interval delays the next; polls never overlap.
func (e *Exporter) Run(ctx context.Context) {
	tick := time.NewTicker(e.opts.Interval)
	defer tick.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, pollTimeout(e.opts.Interval))
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

// fresh reports whether v is current at now: a poll completed within two
// intervals. Past that a poll hangs (or none ever finished).
func (e *Exporter) fresh(v *view, now time.Time) bool {
	return v.polled && now.Sub(v.completed) <= currentIntervals*e.opts.Interval
}
