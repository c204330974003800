package graphapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestDecodeRenewDocExample(t *testing.T) {
	s, err := DecodeSession(fixture(t, "renew-response-doc-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "3989975e-975e-3989-5e97-89395e978939" {
		t.Errorf("id = %q", s.ID)
	}
	if s.DataStoreID != "Datastore Id value" {
		t.Errorf("datastoreId spelling not read: %q", s.DataStoreID)
	}
	if s.Error != nil {
		t.Errorf("an error with only @odata.type should read as no error, got %+v", s.Error)
	}
	if got := s.UploadProgress(); !got.Known || got.Done != 12 || got.Total != 15 || got.Percent() != 80 {
		t.Errorf("upload progress = %+v", got)
	}
	want := time.Date(2016, 12, 31, 20, 59, 29, 271832000, time.UTC)
	if !s.ProcessingCompletionDateTime.Equal(want) {
		t.Errorf("processingCompletionDateTime = %v, want %v", s.ProcessingCompletionDateTime.Time, want)
	}
}

func TestDecodeSessionBareAndWrapped(t *testing.T) {
	bare := `{"id":"a","dataStoreId":"s","state":"Completed"}`
	for name, body := range map[string]string{"bare": bare, "wrapped": `{"value":` + bare + `}`} {
		t.Run(name, func(t *testing.T) {
			s, err := DecodeSession([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != "a" || s.DataStoreID != "s" || s.StateClass() != StateDone {
				t.Errorf("got %+v", s)
			}
		})
	}
}

func TestDecodeSessionErrors(t *testing.T) {
	for name, body := range map[string]string{
		"empty":     "",
		"truncated": `{"id":"a","state":"Comp`,
		"html":      "<html><body>502 Bad Gateway</body></html>",
		"array":     `[1,2]`,
		"no id":     `{"state":"Completed"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeSession([]byte(body)); err == nil {
				t.Errorf("no error for %q", body)
			}
		})
	}
}

func TestDecodeFixturePages(t *testing.T) {
	p1, err := decodeSessionPage(fixture(t, "sessions-page1.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Value) != 2 || p1.NextLink == "" {
		t.Fatalf("page 1: %d sessions, nextLink %q", len(p1.Value), p1.NextLink)
	}
	p2, err := decodeSessionPage(fixture(t, "sessions-page2.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := p2.Value[1]
	if failed.StateClass() != StateFailed || failed.Error == nil {
		t.Fatalf("failed session: %+v", failed)
	}
	e := failed.Error
	if e.Code != "InvalidHashFormat" || e.Target != "contractors.EdmHash" || e.InnerError == nil ||
		e.InnerError.Code != "SchemaColumnMismatch" || e.InnerError.ActivityID != "c0ffee00-1111-4222-8333-944455556666" ||
		e.InnerError.ErrorDateTime.IsZero() || len(e.Details) != 1 || e.Details[0].Message != "Expected 3 columns, found 4" {
		t.Errorf("classification error: %+v inner %+v", e, e.InnerError)
	}
	if got := failed.ProcessingProgress(); got.Percent() != 25 {
		t.Errorf("processing = %+v", got)
	}
	s := p1.Value[0]
	if len(s.Fields) != 3 || s.RowsPerBlock.Value != 100000 || s.Salt == "" || s.FileName != "employees-2026-11-28.EdmHash" {
		t.Errorf("session fields: %+v", s)
	}
}

func TestColumnFlagsAreNullable(t *testing.T) {
	p, err := decodePage[DataStore]([]byte(`{"value":[{"id":"s","columns":[
		{"name":"a","isSearchable":null},
		{"name":"b","isSearchable":false,"isCaseInsensitive":"true"},
		{"name":"c","isSearchable":true,"isCaseInsensitive":7}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	show := func(b *bool) string {
		if b == nil {
			return "?"
		}
		return fmt.Sprint(*b)
	}
	var got []string
	for _, c := range p.Value[0].Columns {
		got = append(got, show(c.IsSearchable)+"/"+show(c.IsCaseInsensitive))
	}
	if strings.Join(got, " ") != "?/? false/true true/?" {
		t.Errorf("flags %v", got)
	}
}

func TestDecodeUploadAgent(t *testing.T) {
	a, err := DecodeUploadAgent(fixture(t, "upload-agent.json"))
	if err != nil || a.ID != "bfecbadd-6c8f-58c7-bce8-f85261d809f0" || a.Description != "EDMUPLOAD-01 (hr-etl service account)" || a.CreationDateTime.IsZero() {
		t.Errorf("%+v %v", a, err)
	}
	if _, err := DecodeUploadAgent([]byte("[1]")); err == nil {
		t.Error("an array decoded as an agent")
	}
}

func TestDecodeDataStores(t *testing.T) {
	p, err := decodePage[DataStore](fixture(t, "datastores.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Value) != 2 {
		t.Fatalf("%d stores", len(p.Value))
	}
	hr := p.Value[0]
	if hr.DisplayName != "Employee records" || len(hr.Columns) != 3 || hr.Columns[1].IsCaseInsensitive == nil || !*hr.Columns[1].IsCaseInsensitive ||
		len(hr.Columns[1].IgnoredDelimiters) != 1 || hr.DataLastUpdatedDateTime.IsZero() {
		t.Errorf("store: %+v", hr)
	}
	cards := p.Value[1]
	if cards.Description != "" || !cards.DataLastUpdatedDateTime.IsZero() || len(cards.Columns) != 0 {
		t.Errorf("nulls: %+v", cards)
	}
}

func TestDecodeTolerance(t *testing.T) {
	body := `{"id": 42, "state": ["x"], "fileName": null, "totalBlockCount": "10", "remainingBlockCount": -4,
		"totalJobCount": 1e12, "remainingJobCount": true, "lastUpdatedDateTime": "yesterday-ish",
		"creationDateTime": "2026-11-28T09:06:41", "fields": ["a", 3, null, {"x":1}], "error": "oops",
		"somethingNew": {"deep": [1,2,3]}}`
	var s Session
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != "42" || s.State != "" || s.FileName != "" {
		t.Errorf("strings: %+v", s)
	}
	if s.TotalBlockCount != (Count{10, true}) || s.RemainingBlockCount != (Count{-4, true}) {
		t.Errorf("block counts: %+v %+v", s.TotalBlockCount, s.RemainingBlockCount)
	}
	if s.TotalJobCount != (Count{math.MaxInt32, true}) || s.RemainingJobCount.Valid {
		t.Errorf("job counts: %+v %+v", s.TotalJobCount, s.RemainingJobCount)
	}
	if !s.LastUpdatedDateTime.IsZero() || s.LastUpdatedDateTime.Raw != "yesterday-ish" {
		t.Errorf("odd date: %+v", s.LastUpdatedDateTime)
	}
	if s.CreationDateTime.Time != time.Date(2026, 11, 28, 9, 6, 41, 0, time.UTC) {
		t.Errorf("zone-less date: %v", s.CreationDateTime.Time)
	}
	if len(s.Fields) != 3 || s.Fields[0] != "a" || s.Fields[1] != "3" || s.Fields[2] != "" {
		t.Errorf("fields: %q", s.Fields)
	}
	if s.Error != nil {
		t.Errorf("error of the wrong type should be dropped: %+v", s.Error)
	}
	// Remaining above total clamps to 0% done; negative remaining to 100%.
	if p := s.UploadProgress(); !p.Known || p.Percent() != 100 {
		t.Errorf("negative remaining: %+v", p)
	}
}

func TestDecodePageSkipsNonObjects(t *testing.T) {
	body := []byte(`{"value":[null, 3, "x", {"id":"ok"}, [1], {}, {"id":"ok2","state":7}]}`)
	p, err := decodeSessionPage(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Value) != 2 || p.Value[0].ID != "ok" || p.Value[1].ID != "ok2" || p.Value[1].State != "7" {
		t.Errorf("sessions: got %+v", p.Value)
	}
	stores, err := decodePage[DataStore](body)
	if err != nil || len(stores.Value) != 3 { // {} is an object: an empty store
		t.Errorf("stores: got %+v, %v", stores.Value, err)
	}
	for _, bad := range []string{`{"id":"not a collection"}`, `{"value":{"id":"x"}}`, `{"value":"x"}`, `[]`} {
		if _, err := decodeSessionPage([]byte(bad), nil); err == nil {
			t.Errorf("%s was accepted as a page", bad)
		}
	}
}

func TestProgress(t *testing.T) {
	c := func(v int64) Count { return Count{v, true} }
	cases := []struct {
		name             string
		total, remaining Count
		known            bool
		percent          int
	}{
		{"missing total", Count{}, c(3), false, 0},
		{"zero total", c(0), c(0), false, 0},
		{"negative total", c(-5), c(0), false, 0},
		{"none done", c(10), c(10), true, 0},
		{"half", c(10), c(5), true, 50},
		{"rounds down", c(3), c(1), true, 66},
		{"almost done is 99", c(1000), c(1), true, 99},
		{"done", c(10), c(0), true, 100},
		{"remaining above total", c(10), c(99), true, 0},
		{"negative remaining", c(10), c(-3), true, 100},
		{"missing remaining", c(10), Count{}, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := progress(tc.total, tc.remaining)
			if p.Known != tc.known || p.Percent() != tc.percent || p.Fraction < 0 || p.Fraction > 1 {
				t.Errorf("progress(%+v, %+v) = %+v (percent %d)", tc.total, tc.remaining, p, p.Percent())
			}
		})
	}
}

// The details pane showed "2147483647 of 2147483647 done, -5 remaining":
// Remaining is clamped like Done (issue 17 #8).
func TestProgressRemainingIsClamped(t *testing.T) {
	s, err := DecodeSession([]byte(`{"id":"a","totalBlockCount":1e40,"remainingBlockCount":-5,"totalJobCount":10,"remainingJobCount":99999999999}`))
	if err != nil {
		t.Fatal(err)
	}
	if up := s.UploadProgress(); up.Total != math.MaxInt32 || up.Done != up.Total || up.Remaining() != 0 {
		t.Errorf("upload %+v remaining %d", up, up.Remaining())
	}
	if proc := s.ProcessingProgress(); proc.Done != 0 || proc.Remaining() != 10 {
		t.Errorf("processing %+v remaining %d", proc, proc.Remaining())
	}
	if (Progress{}).Remaining() != 0 {
		t.Error("unknown progress has a remaining count")
	}
}

func TestClassifyState(t *testing.T) {
	cases := map[string]StateClass{
		"Completed":            StateDone,
		"completed":            StateDone,
		"Failed":               StateFailed,
		"ProcessingFailed":     StateFailed,
		"ErrorOccurred":        StateFailed,
		"Cancelled":            StateCancelled,
		"Canceled":             StateCancelled,
		"ProcessingInProgress": StateInProgress,
		"UploadInProgress":     StateInProgress,
		"UploadCompleted":      StateInProgress,
		"Something new":        StateInProgress,
		"":                     StateInProgress,
	}
	for state, want := range cases {
		if got := ClassifyState(state); got != want {
			t.Errorf("ClassifyState(%q) = %v, want %v", state, got, want)
		}
	}
}

func TestNewerThan(t *testing.T) {
	at := func(s string) Session {
		tm, _ := ParseTime(s)
		return Session{ID: "x", LastUpdatedDateTime: Time{Time: tm, Raw: s}}
	}
	old, newer, none := at("2026-11-28T09:00:00Z"), at("2026-11-28T09:00:01Z"), at("")
	if !newer.NewerThan(&old) || old.NewerThan(&newer) || old.NewerThan(&old) {
		t.Error("ordering by lastUpdatedDateTime is wrong")
	}
	if none.NewerThan(&old) {
		t.Error("a copy without a timestamp must not count as newer")
	}
	if !old.NewerThan(&none) {
		t.Error("a timestamped copy is newer than one without")
	}
}

func FuzzDecodeSession(f *testing.F) {
	for _, name := range []string{"renew-response-doc-example.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"value":{"id":"x","totalBlockCount":-1,"remainingBlockCount":2147483648}}`))
	f.Add([]byte(`{"id":"\u001b]0;pwned\u0007","error":{"details":[{"innerError":{}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSession(data)
		if err != nil {
			return
		}
		for _, p := range []Progress{s.UploadProgress(), s.ProcessingProgress()} {
			if p.Fraction < 0 || p.Fraction > 1 || p.Percent() < 0 || p.Percent() > 100 {
				t.Fatalf("progress out of range: %+v", p)
			}
		}
		_ = s.StateClass()
	})
}

func FuzzDecodeSessionPage(f *testing.F) {
	f.Add(fixture(f, "sessions-page1.json"))
	f.Add(fixture(f, "sessions-page2.json"))
	f.Add([]byte(`{"value":[null,3,{"id":"a"},[],{"id":"b","fields":{}}],"@odata.nextLink":7}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeSessionPage(data, nil)
		if err != nil {
			return
		}
		for _, s := range p.Value {
			if s == nil {
				t.Fatal("a page listed a nil session")
			}
			_ = s.UploadProgress().Percent()
		}
	})
}

// Nothing decoded points into the response body: the body's bytes may be
// reused or overwritten once the page is decoded.
func TestDecodedSessionsKeepNoBody(t *testing.T) {
	dump := func(p page[*Session]) string {
		out := p.NextLink
		for _, s := range p.Value {
			out += fmt.Sprintf("%+v", *s)
			if e := s.Error; e != nil {
				out += fmt.Sprintf("%+v", *e)
				if e.InnerError != nil {
					out += fmt.Sprintf("%+v", *e.InnerError)
				}
			}
		}
		return out
	}
	for _, name := range []string{"sessions-page1.json", "sessions-page2.json"} {
		body := fixture(t, name)
		p, err := decodeSessionPage(body, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := dump(p)
		for i := range body {
			body[i] = 'Z'
		}
		if got := dump(p); got != want {
			t.Errorf("%s: overwriting the body changed what was decoded:\n%s\nwas\n%s", name, got, want)
		}
	}
}
