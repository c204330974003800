// Package grafana builds the edmtop exporter's Grafana dashboard from typed
// Go (grafana-foundation-sdk). deploy/grafana/edmtop.json is its output,
// kept equal by a golden test: after a change, run
//
//	go test ./deploy/grafana -update
//
// The dashboard names no data source uid: a "datasource" variable picks
// the Prometheus that scrapes the exporter, an "instance" variable the
// exporters.
//
// It builds the classic dashboard model (schema v1), which every Grafana
// still imports; the SDK marks it deprecated in favour of dashboardv2,
// which only Grafana 12's new schema reads.
//
//lint:file-ignore SA1019 the classic model is what users can import
package grafana

import (
	"encoding/json"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// sel selects the exporters the instance variable picks.
const sel = `instance=~"$instance"`

// running matches the states of sessions still under way (as
// graphapi.ClassifyState: not failed, cancelled or completed).
const running = `state!~"(?i)completed|.*(fail|error|cancel).*"`

// withName adds each store's display name to a per-store series.
const withName = ` * on (job, instance, datastore_id) group_left (datastore) edm_datastore_info`

// sessionKey joins a session's series.
const sessionKey = `on (job, instance, datastore_id, session_id)`

// Queries, each executed by the exporter's real-Prometheus test.
const (
	// A store's verdict as a number: 0 ok, 1 stale, 2 stalled, 3 failed, 4 unknown.
	verdictExpr = `max by (datastore) (` +
		`(edm_datastore_health{` + sel + `,health="ok"} == 1) * 0` +
		` or (edm_datastore_health{` + sel + `,health="stale"} == 1) * 1` +
		` or (edm_datastore_health{` + sel + `,health="stalled"} == 1) * 2` +
		` or (edm_datastore_health{` + sel + `,health="failed"} == 1) * 3` +
		` or (edm_datastore_health{` + sel + `,health="unknown"} == 1) * 4)`
	indexAgeExpr  = `(time() - edm_datastore_last_index_timestamp_seconds{` + sel + `})` + withName
	maxAgeExpr    = `max(edm_max_age_seconds{` + sel + `} > 0)`
	uploadsExpr   = `(edm_datastore_uploads_24h{` + sel + `} / on (job, instance, datastore_id) edm_datastore_upload_limit)` + withName
	sessionsExpr  = `max by (datastore_id, session_id, file_name) (edm_session_state{` + sel + `,` + running + `})`
	uploadPctExpr = `100 * (1 - edm_session_blocks_remaining{` + sel + `} / (edm_session_blocks > 0))` +
		` and ` + sessionKey + ` edm_session_state{` + running + `}`
	processPctExpr = `100 * (1 - edm_session_jobs_remaining{` + sel + `} / (edm_session_jobs > 0))` +
		` and ` + sessionKey + ` edm_session_state{` + running + `}`
	sinceUpdateExpr = `(time() - edm_session_last_updated_timestamp_seconds{` + sel + `})` +
		` and ` + sessionKey + ` edm_session_state{` + running + `}`
	storeUpExpr    = `edm_datastore_up{` + sel + `}` + withName
	upExpr         = `edm_up{` + sel + `}`
	pollAgeExpr    = `time() - edm_last_poll_timestamp_seconds{` + sel + `}`
	pollLimitExpr  = `3 * edm_poll_interval_seconds{` + sel + `}`
	durationExpr   = `edm_poll_duration_seconds{` + sel + `}`
	requestsExpr   = `sum by (code) (rate(edm_graph_requests_total{` + sel + `}[$__rate_interval]))`
	errorsExpr     = `sum by (reason) (rate(edm_poll_errors_total{` + sel + `}[$__rate_interval]))`
	retryAfterExpr = `edm_graph_retry_after_seconds{` + sel + `}`
	rssExpr        = `process_resident_memory_bytes{` + sel + `} and on (job, instance) edm_up`
)

func ptr[T any](v T) *T { return &v }

func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: ptr("prometheus"), Uid: ptr("${datasource}")}
}

func query(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(ref).Expr(expr).LegendFormat(legend).Datasource(datasource())
}

// instant is a query for a table: the values now, one row per series.
func instant(ref, expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(ref).Expr(expr).Instant().Format(prometheus.PromQueryFormatTable).Datasource(datasource())
}

func steps(pairs ...any) cog.Builder[dashboard.ThresholdsConfig] {
	var s []dashboard.Threshold
	for i := 0; i < len(pairs); i += 2 {
		var v *float64
		if f, ok := pairs[i].(float64); ok {
			v = &f
		}
		s = append(s, dashboard.Threshold{Value: v, Color: pairs[i+1].(string)})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(s)
}

// texts maps numbers to words and colours, for state timelines.
func texts(pairs ...string) []dashboard.ValueMapping {
	m := dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: map[string]dashboard.ValueMappingResult{}}
	for i := 0; i+2 < len(pairs); i += 3 {
		m.Options[pairs[i]] = dashboard.ValueMappingResult{Text: ptr(pairs[i+1]), Color: ptr(pairs[i+2]), Index: ptr(int32(i / 3))}
	}
	return []dashboard.ValueMapping{{ValueMap: &m}}
}

// Dashboard builds the dashboard.
func Dashboard() (dashboard.Dashboard, error) {
	instance := dashboard.NewQueryVariableBuilder("instance").Label("Exporter").
		Query(dashboard.StringOrMap{String: ptr("label_values(edm_up, instance)")}).
		Datasource(datasource()).Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).Multi(true).IncludeAll(true).AllValue(".*")
	b := dashboard.NewDashboardBuilder("EDM upload health (edmtop)").
		Description("Exact Data Match upload health from edmtop exporter: verdicts, index age, uploads, running sessions, and the exporter's own view of Microsoft Graph.").
		Tags([]string{"edmtop", "purview", "edm"}).
		Refresh("1m").Time("now-24h", "now").Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Label("Data source").Type("prometheus")).
		WithVariable(instance)
	b = storeRow(b)
	b = exporterRow(b)
	return b.Build()
}

func storeRow(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	return b.WithRow(dashboard.NewRowBuilder("Data stores").Id(1)).
		WithPanel(statetimeline.NewPanelBuilder().Id(2).Title("Verdict per store").
			Description("The exporter's verdict for each store: failed (newest upload failed), stalled (no update for --stall-after), stale (index older than --max-age), ok, or unknown (the store cannot be read).").
			WithTarget(query("A", verdictExpr, "{{datastore}}")).Datasource(datasource()).
			Mappings(texts("0", "ok", "green", "1", "stale", "yellow", "2", "stalled", "orange", "3", "failed", "red", "4", "unknown", "text")).
			ShowValue(common.VisibilityModeNever).MergeValues(true).Height(8).Span(24)).
		WithPanel(timeseries.NewPanelBuilder().Id(3).Title("Index age against --max-age").
			Description("How old each store's last index is; the dashed line is the exporter's --max-age, past which a store is stale.").
			WithTarget(query("A", indexAgeExpr, "{{datastore}}")).WithTarget(query("B", maxAgeExpr, "--max-age")).
			Datasource(datasource()).Unit("s").Min(0).
			OverrideByName("--max-age", []dashboard.DynamicConfigValue{
				{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}},
				{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "red"}},
			}).Height(8).Span(12)).
		WithPanel(bargauge.NewPanelBuilder().Id(4).Title("Uploads in 24 h against the limit").
			Description("Upload sessions created in the last 24 hours, as a share of --upload-limit: at 100% the service refuses a new upload.").
			WithTarget(query("A", uploadsExpr, "{{datastore}}")).Datasource(datasource()).
			Unit("percentunit").Min(0).Max(1).Thresholds(steps(nil, "green", 0.8, "orange", 1.0, "red")).
			DisplayMode(common.BarGaugeDisplayModeBasic).Orientation(common.VizOrientationHorizontal).
			Height(8).Span(12)).
		WithPanel(table.NewPanelBuilder().Id(5).Title("Running sessions").
			Description("Each running session (newest 20 per store): its file, upload and processing progress, and the time since the service last updated it.").
			WithTarget(instant("A", sessionsExpr)).WithTarget(instant("B", uploadPctExpr)).
			WithTarget(instant("C", processPctExpr)).WithTarget(instant("D", sinceUpdateExpr)).
			Datasource(datasource()).
			WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
			WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]bool{"Time": true, "Value #A": true, "session_id": true, "job": true, "instance": true},
				"renameByName":  map[string]string{"file_name": "File", "datastore_id": "Store", "Value #B": "Upload %", "Value #C": "Processing %", "Value #D": "Since update"},
			}}).
			OverrideByName("Since update", []dashboard.DynamicConfigValue{{Id: "unit", Value: "s"}}).
			OverrideByRegexp(".* %", []dashboard.DynamicConfigValue{{Id: "unit", Value: "percent"}, {Id: "decimals", Value: 0}}).
			Height(9).Span(24))
}

func exporterRow(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	return b.WithRow(dashboard.NewRowBuilder("Exporter and Graph").Id(6)).
		WithPanel(statetimeline.NewPanelBuilder().Id(7).Title("View of Graph current (edm_up) and stores read").
			Description("edm_up: 1 while the exporter's last poll got its answers within two intervals. Per store: whether its last read succeeded.").
			WithTarget(query("A", upExpr, "edm_up {{instance}}")).WithTarget(query("B", storeUpExpr, "{{datastore}}")).
			Datasource(datasource()).Mappings(texts("1", "current", "green", "0", "not current", "red")).
			ShowValue(common.VisibilityModeNever).MergeValues(true).Height(8).Span(12)).
		WithPanel(timeseries.NewPanelBuilder().Id(8).Title("Age of the last successful poll").
			Description("Time since the last successful poll started; the dashed line is three intervals, where EDMExporterDataOld starts counting.").
			WithTarget(query("A", pollAgeExpr, "{{instance}}")).WithTarget(query("B", pollLimitExpr, "3 intervals")).
			WithTarget(query("C", durationExpr, "poll duration {{instance}}")).
			Datasource(datasource()).Unit("s").Min(0).
			OverrideByName("3 intervals", []dashboard.DynamicConfigValue{
				{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}},
			}).Height(8).Span(12)).
		WithPanel(timeseries.NewPanelBuilder().Id(9).Title("Graph requests by status code").
			Description(`Requests to Microsoft Graph per second by HTTP status; "error" when no answer came.`).
			WithTarget(query("A", requestsExpr, "{{code}}")).Datasource(datasource()).Unit("reqps").Min(0).Height(8).Span(8)).
		WithPanel(timeseries.NewPanelBuilder().Id(10).Title("Poll errors by reason, and Retry-After").
			Description("Polls that met an error, per second by reason; the Retry-After the exporter is waiting out (right axis).").
			WithTarget(query("A", errorsExpr, "{{reason}}")).WithTarget(query("B", retryAfterExpr, "Retry-After left")).
			Datasource(datasource()).Min(0).
			OverrideByName("Retry-After left", []dashboard.DynamicConfigValue{
				{Id: "unit", Value: "s"}, {Id: "custom.axisPlacement", Value: "right"},
			}).Height(8).Span(8)).
		WithPanel(timeseries.NewPanelBuilder().Id(11).Title("Exporter memory (RSS)").
			WithTarget(query("A", rssExpr, "{{instance}}")).Datasource(datasource()).Unit("bytes").Min(0).Height(8).Span(8))
}

// JSON is the dashboard as Grafana imports it.
func JSON() ([]byte, error) {
	d, err := Dashboard()
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
