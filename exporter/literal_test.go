package exporter_test

// Expectations here are literal values read off the fixture and the fixed
// clock (t0 = Unix 1795856400), never computed with the health package: a
// bug in the rules must not pass through into the expectation.

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
)

// literalRig is an exporter over the fixture; every Graph call takes 7 s
// of the fixed clock and every poll lists every store.
func literalRig(t *testing.T, opts exporter.Options) (*exporter.Exporter, *fakeService, *fakegraph.ManualClock, *bytes.Buffer) {
	t.Helper()
	clock := fakegraph.NewManualClock(t0)
	svc := fixture(clock)
	svc.step = 7 * time.Second
	var logs bytes.Buffer
	opts.Now, opts.Logger = clock.Now, slog.New(slog.NewTextHandler(&logs, nil))
	opts.Monitor = monitor.Options{FullEvery: 1}
	return exporter.New(svc, opts), svc, clock, &logs
}

func TestFirstPollLiteralValues(t *testing.T) {
	exp, _, _, _ := literalRig(t, exporter.Options{})
	if err := exp.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := samples(t, exp)
	// The poll started at t0 and made five calls (the store listing and
	// four session listings) of 7 s each: its timestamps are its start's,
	// its verdicts are judged at its end, t0+35s.
	global := map[string]float64{
		"edm_up{}": 1, "edm_last_poll_timestamp_seconds{}": 1795856400, "edm_poll_duration_seconds{}": 35,
		"edm_datastores{}": 4, "edm_poll_interval_seconds{}": 60, "edm_graph_retry_after_seconds{}": 0,
		"edm_max_age_seconds{}": 93600, // the default 26 h
	}
	for k, want := range global {
		if got, ok := s[k]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	want := storeWant(
		// The newer of two completed runs is the last index: 08:00 today.
		storeSeries{id: "s-ledger", name: "Ledger", health: "ok", up: 1, lastSuccess: 1795856400, lastIndex: 1795852800, uploads: 1},
		// Never indexed: stale, and no last-index series at all.
		storeSeries{id: "s-vault", name: "Vault", health: "stale", up: 1, lastSuccess: 1795856400, uploads: 0},
		// The newest run failed; the index is the completed run of 21:00 yesterday.
		storeSeries{id: "s-claims", name: "Claims", health: "failed", up: 1, lastSuccess: 1795856400, lastIndex: 1795813200, uploads: 2},
		storeSeries{id: "s-cards", name: "Cards", health: "stalled", up: 1, lastSuccess: 1795856400, lastIndex: 1795780800, uploads: 2},
	)
	for _, d := range diff(want, withPrefix(s, "edm_datastore_")) {
		t.Error(d)
	}
	sessions := map[string]float64{
		`edm_session_state{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new,state=Completed}`:          1,
		`edm_session_blocks{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new}`:                         8,
		`edm_session_blocks_remaining{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new}`:               0,
		`edm_session_jobs{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new}`:                           2,
		`edm_session_jobs_remaining{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new}`:                 0,
		`edm_session_last_updated_timestamp_seconds{datastore_id=s-ledger,file_name=ledger-2.csv,session_id=l-new}`: 1795852800,
		`edm_session_state{datastore_id=s-claims,file_name=claims-2.csv,session_id=c-bad,state=Failed}`:             1,
		`edm_session_last_updated_timestamp_seconds{datastore_id=s-claims,file_name=claims-2.csv,session_id=c-bad}`: 1795845600,
		`edm_session_state{datastore_id=s-cards,file_name=cards.csv,session_id=k-run,state=UploadInProgress}`:       1,
		`edm_session_blocks{datastore_id=s-cards,file_name=cards.csv,session_id=k-run}`:                             10,
		`edm_session_blocks_remaining{datastore_id=s-cards,file_name=cards.csv,session_id=k-run}`:                   4,
		`edm_session_jobs{datastore_id=s-cards,file_name=cards.csv,session_id=k-run}`:                               5,
		`edm_session_jobs_remaining{datastore_id=s-cards,file_name=cards.csv,session_id=k-run}`:                     5,
		`edm_session_last_updated_timestamp_seconds{datastore_id=s-cards,file_name=cards.csv,session_id=k-run}`:     1795845600,
		`edm_session_state{datastore_id=s-cards,file_name=cards-0.csv,session_id=k-done,state=Completed}`:           1,
		`edm_session_last_updated_timestamp_seconds{datastore_id=s-cards,file_name=cards-0.csv,session_id=k-done}`:  1795780800,
	}
	for _, d := range diff(sessions, withPrefix(s, "edm_session_")) {
		t.Error(d)
	}
}

// TestUnreadableStoreKeepsItsSeries: a store that cannot be read keeps its
// info and last figures, with health unknown; a refusal of one store (403)
// leaves edm_up at 1, a store that does not answer (503) sets it to 0.
func TestUnreadableStoreKeepsItsSeries(t *testing.T) {
	exp, svc, clock, logs := literalRig(t, exporter.Options{})
	ctx := context.Background()
	// The message echoes a SAS URL: the log line must not carry its query.
	forbidden := &graphapi.Error{Op: "list sessions", StatusCode: 403, Code: "accessDenied",
		Message: "no access to https://edm.blob.core.windows.net/c?sig=SAS-SECRET-77"}
	unavailable := &graphapi.Error{Op: "list sessions", StatusCode: 503, Message: "unavailable"}
	unknownClaims := storeSeries{id: "s-claims", name: "Claims", health: "unknown", up: 0, lastSuccess: 1795856400, lastIndex: 1795813200, uploads: 2}
	steps := []struct {
		name       string
		err        error
		wantUp     float64
		wantPoll   float64 // edm_last_poll_timestamp_seconds
		wantClaims storeSeries
		wantLog    []string
		notLog     string
		wantReason string
	}{
		{"403 for one store", forbidden, 1, 1795856460, unknownClaims,
			[]string{`level=WARN msg="data store unreadable" datastore_id=s-claims datastore=Claims reason=forbidden`}, "poll failed", "forbidden"},
		{"503 for that store", unavailable, 0, 1795856460, unknownClaims,
			[]string{`level=WARN msg="poll failed" reason=unavailable error="data store s-claims: list sessions: HTTP 503: unavailable"`,
				`level=WARN msg="data store unreadable" datastore_id=s-claims datastore=Claims reason=unavailable`}, "", "unavailable"},
		// The same failure again: the poll says so, the store line does not repeat.
		{"503 again", unavailable, 0, 1795856460, unknownClaims,
			[]string{`msg="poll failed" reason=unavailable`}, "data store unreadable", ""},
		{"healed", nil, 1, 1795856640,
			storeSeries{id: "s-claims", name: "Claims", health: "failed", up: 1, lastSuccess: 1795856640, lastIndex: 1795813200, uploads: 2},
			[]string{`level=INFO msg="poll succeeded again"`, `level=INFO msg="data store readable again" datastore_id=s-claims datastore=Claims`}, "WARN", ""},
	}
	if err := exp.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for i, step := range steps {
		setClock(clock, t0.Add(time.Duration(i+1)*time.Minute))
		svc.setErr("s-claims", step.err)
		logs.Reset()
		_ = exp.Poll(ctx)
		s := samples(t, exp)
		if s["edm_up{}"] != step.wantUp || s["edm_last_poll_timestamp_seconds{}"] != step.wantPoll {
			t.Errorf("%s: edm_up %v, last poll %v; want %v, %v", step.name, s["edm_up{}"], s["edm_last_poll_timestamp_seconds{}"], step.wantUp, step.wantPoll)
		}
		for _, d := range diff(storeWant(step.wantClaims), ofStore(withPrefix(s, "edm_datastore_"), "s-claims")) {
			t.Errorf("%s: %s", step.name, d)
		}
		for _, want := range step.wantLog {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("%s: log lacks %q:\n%s", step.name, want, logs)
			}
		}
		if step.notLog != "" && strings.Contains(logs.String(), step.notLog) {
			t.Errorf("%s: log has %q:\n%s", step.name, step.notLog, logs)
		}
		if strings.Contains(logs.String(), "SAS-SECRET") {
			t.Errorf("%s: the SAS signature in the log:\n%s", step.name, logs)
		}
		if step.wantReason != "" && s[key("edm_poll_errors_total", "reason="+step.wantReason)] != 1 {
			t.Errorf("%s: %s errors counted %v, want 1", step.name, step.wantReason, s[key("edm_poll_errors_total", "reason="+step.wantReason)])
		}
	}
}

// TestMonitorRunsOnTheExportersClock: the full listing that finds new
// sessions is due 5 minutes after the last on the exporter's clock, not
// the machine's: a session created meanwhile shows on the next poll.
func TestMonitorRunsOnTheExportersClock(t *testing.T) {
	clock := fakegraph.NewManualClock(t0)
	svc := fixture(clock)
	exp := exporter.New(svc, exporter.Options{Now: clock.Now})
	if err := exp.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	svc.sessions["s-vault"] = []*graphapi.Session{{ID: "v-new", FileName: "vault.csv", State: "UploadInProgress",
		CreationDateTime: ts("2026-11-28T09:01:00Z"), LastUpdatedDateTime: ts("2026-11-28T09:05:00Z")}}
	svc.mu.Unlock()
	setClock(clock, t0.Add(6*time.Minute))
	if err := exp.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	k := `edm_session_state{datastore_id=s-vault,file_name=vault.csv,session_id=v-new,state=UploadInProgress}`
	if got := samples(t, exp)[k]; got != 1 {
		t.Errorf("%s = %v, want 1: the store was not listed again", k, got)
	}
}

// TestStoreListedTwiceIsExportedOnce: a store the listing names twice is
// one store: one set of series, counted once.
func TestStoreListedTwiceIsExportedOnce(t *testing.T) {
	clock := fakegraph.NewManualClock(t0)
	svc := fixture(clock)
	svc.stores = append(svc.stores, graphapi.DataStore{ID: "s-ledger", DisplayName: "Ledger"})
	exp := exporter.New(svc, exporter.Options{Now: clock.Now})
	if err := exp.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := samples(t, exp)
	want := storeWant(storeSeries{id: "s-ledger", name: "Ledger", health: "ok", up: 1, lastSuccess: 1795856400, lastIndex: 1795852800, uploads: 1})
	for _, d := range diff(want, ofStore(withPrefix(s, "edm_datastore_"), "s-ledger")) {
		t.Error(d)
	}
	if s["edm_datastores{}"] != 4 {
		t.Errorf("edm_datastores %v, want 4", s["edm_datastores{}"])
	}
}
