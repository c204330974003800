package exporter

import (
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/prometheus/client_golang/prometheus"
)

// Label names: part of the contract documented in docs/exporter.md.
var (
	storeLabels   = []string{"datastore_id"}
	sessionLabels = []string{"datastore_id", "session_id", "file_name"}
)

// unknown is edm_datastore_health's fifth value: the store's health cannot
// be told (it could not be read, or the exporter's view is not current).
const unknown = "unknown"

// descs are the metric descriptions the collector emits.
type descs struct {
	up, lastPoll, datastores, retryAfter  *prometheus.Desc
	pollDuration, pollInterval, maxAge    *prometheus.Desc
	info, health, storeUp, storeLastRead  *prometheus.Desc
	lastIndex, uploads24h, uploadLimit    *prometheus.Desc
	blocks, blocksLeft, jobs, jobsLeft    *prometheus.Desc
	sessionUpdated, sessionState          *prometheus.Desc
	storeDescs, sessionDescs, globalDescs []*prometheus.Desc
}

func newDescs() descs {
	d := prometheus.NewDesc
	x := descs{
		up:           d("edm_up", "Whether the exporter's view of Microsoft Graph is current (1: the last poll got its answers and a poll completed within two intervals) or not (0).", nil, nil),
		lastPoll:     d("edm_last_poll_timestamp_seconds", "When the last successful poll of Microsoft Graph started (Unix time).", nil, nil),
		datastores:   d("edm_datastores", "Data stores watched: every store the last store listing returned, or the --datastore ones. Absent until a listing succeeded.", nil, nil),
		retryAfter:   d("edm_graph_retry_after_seconds", "Seconds left of the Retry-After the service asked for; no request is sent before. 0 when none runs.", nil, nil),
		pollDuration: d("edm_poll_duration_seconds", "How long the last completed poll of Microsoft Graph took.", nil, nil),
		pollInterval: d("edm_poll_interval_seconds", "The exporter's --interval between polls.", nil, nil),
		maxAge:       d("edm_max_age_seconds", "The exporter's --max-age: a store whose last index is older is stale (0: never).", nil, nil),
		info:         d("edm_datastore_info", "An EDM data store watched by the exporter, always 1.", []string{"datastore_id", "datastore"}, nil),
		health: d("edm_datastore_health", "The data store's health: 1 for its verdict (ok, stale, stalled, failed, or unknown when it cannot be read), 0 for the others.",
			[]string{"datastore_id", "datastore", "health"}, nil),
		storeUp:       d("edm_datastore_up", "Whether the last poll read the data store and the exporter's view is current (1) or not (0).", storeLabels, nil),
		storeLastRead: d("edm_datastore_last_success_timestamp_seconds", "When the last poll that read the data store started (Unix time); absent when none has.", storeLabels, nil),
		lastIndex:     d("edm_datastore_last_index_timestamp_seconds", "When the data store's index was last built (Unix time); absent when never.", storeLabels, nil),
		uploads24h:    d("edm_datastore_uploads_24h", "Upload sessions created in the 24 hours before the last poll that read the data store.", storeLabels, nil),
		uploadLimit:   d("edm_datastore_upload_limit", "Uploads the service allows per 24 hours (the exporter's --upload-limit).", storeLabels, nil),
		blocks:        d("edm_session_blocks", "The session's total upload blocks.", sessionLabels, nil),
		blocksLeft:    d("edm_session_blocks_remaining", "The session's upload blocks not yet uploaded.", sessionLabels, nil),
		jobs:          d("edm_session_jobs", "The session's total processing jobs.", sessionLabels, nil),
		jobsLeft:      d("edm_session_jobs_remaining", "The session's processing jobs not yet finished.", sessionLabels, nil),
		sessionUpdated: d("edm_session_last_updated_timestamp_seconds", "When the service last updated the session (Unix time).",
			sessionLabels, nil),
		sessionState: d("edm_session_state", "The session's state as the service names it, always 1 (running sessions and the newest final one of each store).",
			append(append([]string(nil), sessionLabels...), "state"), nil),
	}
	x.globalDescs = []*prometheus.Desc{x.up, x.lastPoll, x.datastores, x.retryAfter, x.pollDuration, x.pollInterval, x.maxAge}
	x.storeDescs = []*prometheus.Desc{x.info, x.health, x.storeUp, x.storeLastRead, x.lastIndex, x.uploads24h, x.uploadLimit}
	x.sessionDescs = []*prometheus.Desc{x.blocks, x.blocksLeft, x.jobs, x.jobsLeft, x.sessionUpdated, x.sessionState}
	return x
}

// healthValues are edm_datastore_health's label values: the verdicts and unknown.
var healthValues = func() []string {
	var out []string
	for _, v := range health.Verdicts {
		out = append(out, v.String())
	}
	return append(out, unknown)
}()

// collector serves the exporter's last view; it never calls Graph. Only
// how current the view is depends on the time of the scrape: a poll that
// hangs turns edm_up and every store's verdict to unknown while it hangs.
type collector struct {
	e *Exporter
	d descs
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, list := range [][]*prometheus.Desc{c.d.globalDescs, c.d.storeDescs, c.d.sessionDescs} {
		for _, d := range list {
			ch <- d
		}
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	v := c.e.current()
	fresh := c.e.fresh(&v, c.e.opts.Now())
	gauge(ch, c.d.up, boolFloat(v.up && fresh))
	if !v.lastSuccess.IsZero() {
		gauge(ch, c.d.lastPoll, unix(v.lastSuccess))
	}
	if v.datastores >= 0 {
		gauge(ch, c.d.datastores, float64(v.datastores))
	}
	gauge(ch, c.d.retryAfter, c.e.opts.Transport.RetryAfter().Seconds())
	if v.polled {
		gauge(ch, c.d.pollDuration, v.duration.Seconds())
	}
	gauge(ch, c.d.pollInterval, c.e.opts.Interval.Seconds())
	gauge(ch, c.d.maxAge, c.e.rules.MaxAge.Seconds())
	for i := range v.stores {
		c.collectStore(ch, &v.stores[i], fresh)
	}
}

// collectStore sends a store's series. A store that cannot be read now
// keeps its info and its last figures, with health unknown: never silence.
func (c *collector) collectStore(ch chan<- prometheus.Metric, s *storeView, fresh bool) {
	readable := s.readable && fresh
	gauge(ch, c.d.info, 1, s.id, s.name)
	for _, h := range healthValues {
		judged := readable && h == s.verdict.String()
		gauge(ch, c.d.health, boolFloat(judged || (!readable && h == unknown)), s.id, s.name, h)
	}
	gauge(ch, c.d.storeUp, boolFloat(readable), s.id)
	gauge(ch, c.d.uploadLimit, float64(s.uploadLimit), s.id)
	if s.lastSuccess.IsZero() {
		return // never read: nothing more is known
	}
	gauge(ch, c.d.storeLastRead, unix(s.lastSuccess), s.id)
	if !s.lastIndex.IsZero() {
		gauge(ch, c.d.lastIndex, unix(s.lastIndex), s.id)
	}
	gauge(ch, c.d.uploads24h, float64(s.uploads24h), s.id)
	for _, ses := range s.sessions {
		labels := []string{s.id, ses.id, ses.fileName}
		count(ch, c.d.blocks, ses.blocks, labels)
		count(ch, c.d.blocksLeft, ses.blocksLeft, labels)
		count(ch, c.d.jobs, ses.jobs, labels)
		count(ch, c.d.jobsLeft, ses.jobsLeft, labels)
		if !ses.updated.IsZero() {
			gauge(ch, c.d.sessionUpdated, unix(ses.updated), labels...)
		}
		gauge(ch, c.d.sessionState, 1, append(labels, ses.state)...)
	}
}

// gauge sends one sample; a value that cannot be a sample is left out
// rather than failing the whole scrape.
func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	if m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...); err == nil {
		ch <- m
	}
}

// count sends a Graph count when the service gave one (null stays absent).
func count(ch chan<- prometheus.Metric, d *prometheus.Desc, c graphapi.Count, labels []string) {
	if c.Valid {
		gauge(ch, d, float64(c.Value), labels...)
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
