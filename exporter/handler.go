package exporter

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
)

// Handler serves the metrics (Options.TelemetryPath), the probes
// /-/healthy (liveness: 200 while the process serves) and /-/ready
// (readiness: 200 once a poll succeeded), /healthz (the old probe, now an
// alias of /-/healthy) and a landing page at /. Probes and the page never
// call Graph; their text says how current the view is.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	// No scrape timeout: collecting reads the last view and never waits.
	mux.Handle("GET "+e.opts.TelemetryPath, promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET /-/healthy", e.serveHealthy)
	// /healthz answered 503 while Graph failed: as a liveness probe that
	// restarted the exporter in a loop. It now means what liveness means.
	mux.HandleFunc("GET /healthz", e.serveHealthy)
	mux.HandleFunc("GET /-/ready", e.serveReady)
	mux.Handle("GET /", e.landingPage())
	return mux
}

func (e *Exporter) landingPage() http.Handler {
	page, err := web.NewLandingPage(web.LandingConfig{
		Name:        "edmtop exporter",
		Description: "Exact Data Match upload health from Microsoft Graph",
		Version:     e.opts.Version,
		Profiling:   "false",
		Links: []web.LandingLinks{
			{Address: e.opts.TelemetryPath, Text: "Metrics"},
			{Address: "/-/healthy", Text: "Health", Description: "liveness: 200 while the process serves"},
			{Address: "/-/ready", Text: "Readiness", Description: "200 once a poll of Graph succeeded"},
		},
	})
	if err != nil { // the toolkit's embedded template never fails; if it did, / would be a 404
		return http.NotFoundHandler()
	}
	return page
}

// Ready reports whether a poll has succeeded, and the status in words.
func (e *Exporter) Ready() (bool, string) {
	v := e.current()
	return !v.lastSuccess.IsZero(), e.status(&v, e.opts.Now())
}

// Status says in words how current the exporter's view is.
func (e *Exporter) Status() string {
	v := e.current()
	return e.status(&v, e.opts.Now())
}

func (e *Exporter) status(v *view, now time.Time) string {
	var parts []string
	ago := func(t time.Time) string { return now.Sub(t).Round(time.Second).String() }
	switch {
	case v.lastSuccess.IsZero():
		parts = append(parts, "no poll of Graph has succeeded yet")
	default:
		parts = append(parts, "last successful poll "+ago(v.lastSuccess)+" ago")
	}
	if v.polled && !v.up {
		parts = append(parts, fmt.Sprintf("the last poll failed (%s): %s", v.lastReason, v.lastErr))
	}
	if !e.fresh(v, now) && v.running {
		parts = append(parts, fmt.Sprintf("a poll has been running for %s: the values are not current", ago(v.started)))
	} else if v.polled && !e.fresh(v, now) {
		parts = append(parts, "no poll completed for "+ago(v.completed)+": the values are not current")
	}
	if wait := e.opts.Transport.RetryAfter(); wait > 0 {
		parts = append(parts, "no request to Graph for "+wait.Round(time.Second).String()+" more, as its Retry-After asked")
	}
	return strings.Join(parts, "; ")
}

func (e *Exporter) serveHealthy(w http.ResponseWriter, _ *http.Request) {
	writeProbe(w, true, "edmtop exporter is healthy: "+e.Status())
}

func (e *Exporter) serveReady(w http.ResponseWriter, _ *http.Request) {
	ok, status := e.Ready()
	if ok {
		writeProbe(w, true, "edmtop exporter is ready: "+status)
		return
	}
	writeProbe(w, false, "edmtop exporter is not ready: "+status)
}

func writeProbe(w http.ResponseWriter, ok bool, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, text)
}
