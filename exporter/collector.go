package exporter

import (
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/prometheus/client_golang/prometheus"
)

// Label names: part of the contract documented in the README (Prometheus exporter).
var (
	storeLabels   = []string{"datastore_id"}
	sessionLabels = []string{"datastore_id", "session_id", "file_name"}
)

// descs are the metric descriptions the collector emits.
type descs struct {
	up, lastPoll                       *prometheus.Desc
	info, health                       *prometheus.Desc
	lastIndex, uploads24h, uploadLimit *prometheus.Desc
	blocks, blocksLeft, jobs, jobsLeft *prometheus.Desc
	sessionUpdated, sessionState       *prometheus.Desc
}

func newDescs() descs {
	d := prometheus.NewDesc
	return descs{
		up:       d("edm_up", "1 when the last poll of Microsoft Graph succeeded, 0 when it failed (the other values are then the previous poll's).", nil, nil),
		lastPoll: d("edm_last_poll_timestamp_seconds", "When the last successful poll of Microsoft Graph started (Unix time).", nil, nil),
		info:     d("edm_datastore_info", "An EDM data store watched by the exporter, always 1.", []string{"datastore_id", "datastore"}, nil),
		health: d("edm_datastore_health", "The data store's health: 1 for its verdict (ok, stale, failed or stalled), 0 for the others.",
			[]string{"datastore_id", "datastore", "health"}, nil),
		lastIndex:   d("edm_datastore_last_index_timestamp_seconds", "When the data store's index was last built (Unix time); absent when never.", storeLabels, nil),
		uploads24h:  d("edm_datastore_uploads_24h", "Upload sessions created in the 24 hours before the poll.", storeLabels, nil),
		uploadLimit: d("edm_datastore_upload_limit", "Uploads the service allows per 24 hours (the exporter's --upload-limit).", storeLabels, nil),
		blocks:      d("edm_session_blocks", "The session's total upload blocks.", sessionLabels, nil),
		blocksLeft:  d("edm_session_blocks_remaining", "The session's upload blocks not yet uploaded.", sessionLabels, nil),
		jobs:        d("edm_session_jobs", "The session's total processing jobs.", sessionLabels, nil),
		jobsLeft:    d("edm_session_jobs_remaining", "The session's processing jobs not yet finished.", sessionLabels, nil),
		sessionUpdated: d("edm_session_last_updated_timestamp_seconds", "When the service last updated the session (Unix time).",
			sessionLabels, nil),
		sessionState: d("edm_session_state", "The session's state as the service names it, always 1 (running sessions and the newest final one of each store).",
			append(append([]string(nil), sessionLabels...), "state"), nil),
	}
}

// collector serves the exporter's last view; it never calls Graph.
type collector struct {
	e *Exporter
	d descs
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.d.up, c.d.lastPoll, c.d.info, c.d.health, c.d.lastIndex, c.d.uploads24h,
		c.d.uploadLimit, c.d.blocks, c.d.blocksLeft, c.d.jobs, c.d.jobsLeft, c.d.sessionUpdated, c.d.sessionState} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	v := c.e.current()
	gauge(ch, c.d.up, boolFloat(v.up))
	if !v.lastSuccess.IsZero() {
		gauge(ch, c.d.lastPoll, unix(v.lastSuccess))
	}
	for i := range v.stores {
		c.collectStore(ch, &v.stores[i])
	}
}

func (c *collector) collectStore(ch chan<- prometheus.Metric, s *storeView) {
	gauge(ch, c.d.info, 1, s.id, s.name)
	for _, verdict := range health.Verdicts {
		gauge(ch, c.d.health, boolFloat(verdict == s.verdict), s.id, s.name, verdict.String())
	}
	if !s.lastIndex.IsZero() {
		gauge(ch, c.d.lastIndex, unix(s.lastIndex), s.id)
	}
	gauge(ch, c.d.uploads24h, float64(s.uploads24h), s.id)
	gauge(ch, c.d.uploadLimit, float64(s.uploadLimit), s.id)
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
