package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/keymap"
)

// fleetFake serves stores whose sessions can fail per store.
type fleetFake struct {
	fakeService
	failStore map[string]error
	storesErr error
}

func (f *fleetFake) ListDataStores(ctx context.Context) ([]graphapi.DataStore, error) {
	if f.storesErr != nil {
		return nil, f.storesErr
	}
	return f.fakeService.ListDataStores(ctx)
}

func (f *fleetFake) ListSessions(ctx context.Context, id string) ([]graphapi.Session, error) {
	if err := f.failStore[id]; err != nil {
		return nil, err
	}
	return f.fakeService.ListSessions(ctx, id)
}

var fleetNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) graphapi.Time { return graphapi.Time{Time: fleetNow.Add(-d)} }

func fleetScenario() *fleetFake {
	f := &fleetFake{fakeService: *newFake(), failStore: map[string]error{}}
	f.stores = []graphapi.DataStore{
		{ID: "s-ok", DisplayName: "Ember Payroll"},
		{ID: "s-failed", DisplayName: "Cobalt Patient Index"},
		{ID: "s-stale", DisplayName: "Quarry Vendor Registry", DataLastUpdatedDateTime: ago(72 * time.Hour)},
		{ID: "s-stalled", DisplayName: "Delta Claims Archive"},
		{ID: "s-broken", DisplayName: "Aurora Member Ledger"},
	}
	f.sessions["s-ok"] = []graphapi.Session{{ID: "a", State: "Completed", CreationDateTime: ago(2 * time.Hour), CompletionDateTime: ago(time.Hour)}}
	f.sessions["s-failed"] = []graphapi.Session{
		{ID: "b", State: "Failed", CreationDateTime: ago(2 * time.Hour), LastUpdatedDateTime: ago(time.Hour), Error: &graphapi.ClassificationError{Code: "InvalidHashBlockFormat"}},
		{ID: "c", State: "Completed", CreationDateTime: ago(12 * time.Hour), CompletionDateTime: ago(10 * time.Hour)},
	}
	f.sessions["s-stalled"] = []graphapi.Session{
		{ID: "d", State: "UploadInProgress", CreationDateTime: ago(21 * time.Hour), LastUpdatedDateTime: ago(20 * time.Hour), TotalBlockCount: cnt(100), RemainingBlockCount: cnt(63)},
		{ID: "e", State: "Completed", CreationDateTime: ago(23 * time.Hour), CompletionDateTime: ago(22 * time.Hour)},
	}
	f.failStore["s-broken"] = errors.New("HTTP 403 accessDenied")
	return f
}

func newTestOverview(svc Service) *overview {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	o := newOverview(svc, context.Background(), health.DefaultRules(), func() time.Time { return fleetNow }, time.Minute, keymap.Default(), &st)
	o.SetSize(120, 10)
	return o
}

func loadOverview(t *testing.T, o *overview) {
	t.Helper()
	msg := o.Load()()
	if o.Load() != nil {
		t.Fatal("a second poll started while one was in flight")
	}
	o.Update(msg)
	if o.Loading() {
		t.Fatal("still loading after the answer")
	}
}

func TestOverviewJudgesAndSortsWorstFirst(t *testing.T) {
	o := newTestOverview(fleetScenario())
	loadOverview(t, o)
	var order []string
	for _, i := range o.shown {
		order = append(order, o.rows[i].store.ID)
	}
	want := "s-broken s-failed s-stalled s-stale s-ok"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	if got := o.Summary(); got != "5 stores · 1 unknown · 1 failed · 1 stalled · 1 stale" {
		t.Errorf("summary %q", got)
	}
	view := o.View()
	for _, want := range []string{
		"STORE", "HEALTH", "LAST INDEX", "CURRENT SESSION", "24H",
		"✗ failed", "Failed  InvalidHashBlockFormat (1h)", "10h ago", "1/5",
		"⧗ stalled", "● Uploading 37%  no update for 20h", "22h ago",
		"◷ stale", "3d ago", "0/5",
		"✓ ok", "idle",
		"? unknown", "error: HTTP 403 accessDenied",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if !strings.HasPrefix(strings.Split(view, "\n")[1], ">Aurora") {
		t.Errorf("the first row is not selected:\n%s", view)
	}
}

func TestOverviewOpensTheSelectedStore(t *testing.T) {
	o := newTestOverview(fleetScenario())
	loadOverview(t, o)
	o.Update(keyMsg("j"))
	o.Update(keyMsg("j"))
	cmd := o.Update(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("enter did nothing")
	}
	open, ok := cmd().(OpenStoreMsg)
	if !ok || open.Store.ID != "s-stalled" {
		t.Errorf("opened %+v", open)
	}
}

func TestOverviewSelectionFollowsTheStoreAcrossPolls(t *testing.T) {
	f := fleetScenario()
	o := newTestOverview(f)
	loadOverview(t, o)
	o.Update(keyMsg("G")) // Ember Payroll, ok, last
	delete(f.failStore, "s-broken")
	f.failStore["s-ok"] = errors.New("timeout")
	loadOverview(t, o)
	if s := o.Selected(); s == nil || s.store.ID != "s-ok" || o.cursor() != 0 {
		t.Errorf("selection moved: %+v at %d", s, o.cursor())
	}
}

func TestOverviewFilter(t *testing.T) {
	o := newTestOverview(fleetScenario())
	loadOverview(t, o)
	o.Update(keyMsg("/"))
	for _, r := range "delta" {
		o.Update(keyMsg(string(r)))
	}
	if len(o.shown) != 1 || o.Selected().store.ID != "s-stalled" {
		t.Fatalf("filter shows %v", o.shown)
	}
	o.Update(keyMsg("enter"))
	if o.Filtering() {
		t.Error("enter did not leave the filter input")
	}
	o.Update(keyMsg("esc"))
	if len(o.shown) != 5 {
		t.Errorf("esc did not clear the filter: %v", o.shown)
	}
	o.Update(keyMsg("/"))
	for _, r := range "zzz" {
		o.Update(keyMsg(string(r)))
	}
	if v := o.View(); !strings.Contains(v, `no store matches "zzz", esc clears`) {
		t.Errorf("no-match text missing:\n%s", v)
	}
}

func TestOverviewKeepsRowsWhenTheStoreListFails(t *testing.T) {
	f := fleetScenario()
	o := newTestOverview(f)
	loadOverview(t, o)
	f.storesErr = errors.New("HTTP 503")
	loadOverview(t, o)
	if len(o.rows) != 5 || o.Err() == nil {
		t.Errorf("rows %d err %v", len(o.rows), o.Err())
	}
}

func TestOverviewDropsAStaleAnswer(t *testing.T) {
	o := newTestOverview(fleetScenario())
	old := o.Load()
	msg := old().(fleetLoadedMsg)
	msg.gen--
	o.Update(msg)
	if !o.Loading() || len(o.rows) != 0 {
		t.Error("an answer of an older poll was applied")
	}
}

func TestOverviewNarrowDropsColumnsFromTheRight(t *testing.T) {
	o := newTestOverview(fleetScenario())
	o.SetSize(60, 10)
	loadOverview(t, o)
	v := o.View()
	if strings.Contains(v, "24H") || !strings.Contains(v, "CURRENT SESSION") {
		t.Errorf("at 60 columns:\n%s", v)
	}
	for _, line := range strings.Split(v, "\n") {
		if cells(line) > 60 {
			t.Errorf("line wider than 60: %q", line)
		}
	}
}

func TestOverviewReportsVerdictChanges(t *testing.T) {
	f := fleetScenario()
	o := newTestOverview(f)
	if cmd := o.Update(o.Load()()); cmd != nil {
		t.Errorf("the first poll reported changes: %v", cmd())
	}
	f.sessions["s-ok"] = append(f.sessions["s-ok"], graphapi.Session{ID: "z", State: "Failed", CreationDateTime: ago(time.Minute), LastUpdatedDateTime: ago(time.Minute)})
	cmd := o.Update(o.Load()())
	if cmd == nil {
		t.Fatal("no event for a store turning failed")
	}
	events := cmd().(eventsMsg)
	if len(events) != 1 || events[0].kind != eventFailed || events[0].text != "Ember Payroll is failed (was ok)" || !events[0].kind.rings() {
		t.Errorf("events %+v", events)
	}
}

func TestEventLogKeepsNewestFirstAndBounds(t *testing.T) {
	st := NewStyles(asciiRenderer(), DefaultTheme())
	l := newEventLog(keymap.Default(), &st)
	l.SetSize(80, 3)
	for i := range maxEvents + 5 {
		l.Add(event{at: fleetNow.Add(time.Duration(i) * time.Second), kind: eventCompleted, text: "run \x1b]0;x\x07" + string(rune('a'+i%26))})
	}
	if l.Len() != maxEvents {
		t.Errorf("kept %d", l.Len())
	}
	v := l.View(fleetNow.Add(time.Hour))
	lines := strings.Split(v, "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "12:16:44") || strings.Contains(v, "\x1b]") {
		t.Errorf("view:\n%q", v)
	}
	l.Update(keyMsg("G"))
	if !strings.Contains(l.View(fleetNow.Add(time.Hour)), "12:00:07") {
		t.Errorf("end does not reach the oldest kept event:\n%s", l.View(fleetNow.Add(time.Hour)))
	}
}
