package present

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

func before(d time.Duration) graphapi.Time { return graphapi.Time{Time: now.Add(-d)} }

func count(v int64) graphapi.Count { return graphapi.Count{Value: v, Valid: true} }

// fieldMap is a list's values by label; a list item under an empty label
// joins the one above it.
func fieldMap(fields []Field) map[string]string {
	m := map[string]string{}
	last := ""
	for _, f := range fields {
		if f.Label == "" {
			m[last] += " | " + f.Value
			continue
		}
		last = f.Label
		m[f.Label] = f.Value
	}
	return m
}

func labels(fields []Field) string {
	var l []string
	for _, f := range fields {
		l = append(l, f.Label)
	}
	return strings.Join(l, ",")
}

func TestSessionFields(t *testing.T) {
	s := &graphapi.Session{ID: "s1", DataStoreID: "ds", FileName: "a.EdmHash", State: "ProcessingInProgress",
		TotalBlockCount: count(24), RemainingBlockCount: count(0), TotalJobCount: count(10), RemainingJobCount: count(3),
		RowsPerBlock: count(100000), CreationDateTime: before(time.Hour), UploadCompletionDateTime: before(25 * time.Minute),
		LastUpdatedDateTime: before(4 * time.Minute), DataUploadURI: "https://up.example/x?sv=1&sig=SECRET", Salt: "SALTSECRET",
		Fields: []string{"EmployeeId", "Email"}}
	text := Session(s, Clock{Now: now})
	want := map[string]string{
		"file":                 "a.EdmHash",
		"session id":           "s1",
		"data store id":        "ds",
		"state":                "ProcessingInProgress  (in progress)",
		"blocks":               "24 of 24 done, 0 remaining  (100%)",
		"jobs":                 "7 of 10 done, 3 remaining  (70%)",
		"rows per block":       "100000",
		"estimated rows":       "about 2,400,000 (blocks × rows per block)",
		"upload time":          "35m",
		"processing time":      "25m so far",
		"created":              "2026-11-28 08:05:00Z",
		"started":              Dash,
		"last updated":         "2026-11-28 09:01:00Z",
		"upload completed":     "2026-11-28 08:40:00Z",
		"processing completed": Dash,
		"completed":            Dash,
		"checksum":             Dash,
		"upload URI":           "https://up.example/x  (query hidden: it holds the upload signature)",
		"salt":                 "•••••••• (10 characters, hidden)",
		"upload agent id":      Dash,
		"fields (2)":           "1. EmployeeId | 2. Email",
	}
	got := fieldMap(text.Fields())
	for label, value := range want {
		if got[label] != value {
			t.Errorf("%s = %q, want %q", label, got[label], value)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d labels, want %d: %s", len(got), len(want), labels(text.Fields()))
	}
	// The groups in their order: the dashboard puts its lines between them.
	for name, c := range map[string]struct {
		group []Field
		want  string
	}{
		"head":     {text.Head, "file,session id,data store id,state"},
		"progress": {text.Progress, "blocks,jobs,rows per block,estimated rows,upload time,processing time"},
		"times":    {text.Times, "created,started,last updated,upload completed,processing completed,completed"},
		"upload":   {text.Upload, "checksum,upload URI,salt,upload agent id,fields (2),"},
	} {
		if got := labels(c.group); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
	if n := len(text.Fields()); n != len(text.Head)+len(text.Progress)+len(text.Times)+len(text.Upload) {
		t.Errorf("Fields has %d lines", n)
	}
	// For people at the dashboard: local time with the age.
	local := fieldMap(Session(s, Clock{Now: now.In(time.FixedZone("CET", 3600)), Local: true}).Fields())
	if local["created"] != "2026-11-28 09:05:00 CET  (1h ago)" {
		t.Errorf("local created = %q", local["created"])
	}
}

// Estimated rows need both counts, and positive ones.
func TestSessionEstimatedRows(t *testing.T) {
	for _, c := range []struct {
		blocks, rows graphapi.Count
		want         string
	}{
		{count(24), count(100000), "about 2,400,000 (blocks × rows per block)"},
		{count(-3), count(10), Dash},
		{count(3), graphapi.Count{}, Dash},
	} {
		s := &graphapi.Session{TotalBlockCount: c.blocks, RowsPerBlock: c.rows}
		if got := fieldMap(Session(s, Clock{Now: now}).Fields())["estimated rows"]; got != c.want {
			t.Errorf("%v × %v: %q, want %q", c.blocks, c.rows, got, c.want)
		}
	}
}

func TestSessionFieldsEmpty(t *testing.T) {
	got := fieldMap(Session(&graphapi.Session{}, Clock{Now: now}).Fields())
	for label, value := range map[string]string{
		"file": Dash, "state": "-  (in progress)", "blocks": "total -, remaining -  (progress unknown)",
		"estimated rows": Dash, "upload URI": Dash, "salt": Dash, "fields": Dash, "upload time": Dash,
	} {
		if got[label] != value {
			t.Errorf("%s = %q, want %q", label, got[label], value)
		}
	}
}

func TestList(t *testing.T) {
	if got := List("fields", nil); len(got) != 1 || got[0] != (Field{"fields", Dash}) {
		t.Errorf("empty: %v", got)
	}
	got := List("fields", []string{"a", "b", "c"})
	want := []Field{{"fields (3)", "1. a"}, {"", "2. b"}, {"", "3. c"}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestCounts(t *testing.T) {
	cases := []struct {
		name             string
		total, remaining graphapi.Count
		want             string
	}{
		{"running", count(10), count(7), "3 of 10 done, 7 remaining  (30%)"},
		{"clamped, never negative", count(10), count(-3), "10 of 10 done, 0 remaining  (100%)"},
		{"clamped, never above the total", count(10), count(12), "0 of 10 done, 10 remaining  (0%)"},
		{"no remaining count", count(10), graphapi.Count{}, "0 of 10 done, - remaining  (0%)"},
		{"no total", graphapi.Count{}, count(4), "total -, remaining 4  (progress unknown)"},
		{"zero total", count(0), count(0), "total 0, remaining 0  (progress unknown)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := graphapi.Session{TotalBlockCount: c.total, RemainingBlockCount: c.remaining}
			if got := Counts(s.UploadProgress(), c.total, c.remaining); got != c.want {
				t.Errorf("%q, want %q", got, c.want)
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	if got := ErrorFields(nil, Clock{Now: now}); len(got) != 1 || got[0] != (Field{"error", Dash}) {
		t.Errorf("no error: %v", got)
	}
	e := &graphapi.ClassificationError{Code: "InvalidHashFormat", Message: "Block 6 could not be read", Target: "block6",
		InnerError: &graphapi.ClassificationInnerError{Code: "HashMismatch", ActivityID: "act-1", ClientRequestID: "cr-1", ErrorDateTime: before(time.Minute)},
		Details: []graphapi.ClassificationErrorDetail{
			{Code: "RowCount", Message: "too few rows", Target: "rows"},
			{Message: "no code", InnerError: &graphapi.ClassificationInnerError{Code: "Deep"}},
			{Code: "Plain", Message: "no inner code", InnerError: &graphapi.ClassificationInnerError{}},
		}}
	got := ErrorFields(e, Clock{Now: now})
	want := []Field{
		{"error code", "InvalidHashFormat"},
		{"error message", "Block 6 could not be read"},
		{"error target", "block6"},
		{"inner code", "HashMismatch"},
		{"activity id", "act-1"},
		{"client request id", "cr-1"},
		{"error time", "2026-11-28 09:04:00Z"},
		{"detail 1", "RowCount: too few rows  (target: rows)"},
		{"detail 2", "-: no code  (inner code: Deep)"},
		{"detail 3", "Plain: no inner code"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d fields: %v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, got[i], want[i])
		}
	}
	// Without an inner error: only the error's own three lines.
	if got := ErrorFields(&graphapi.ClassificationError{Code: "X"}, Clock{Now: now}); labels(got) != "error code,error message,error target" {
		t.Errorf("no inner error: %s", labels(got))
	}
}

func TestAside(t *testing.T) {
	if got := Aside("target", "rows"); got != "  (target: rows)" {
		t.Errorf("%q", got)
	}
	if Aside("target", "") != "" {
		t.Error("an empty value adds nothing")
	}
}

func TestUploadURI(t *testing.T) {
	cases := map[string]string{
		"https://a.blob.core.windows.net/s/1?sv=1&sig=abc%3D": "https://a.blob.core.windows.net/s/1  (query hidden: it holds the upload signature)",
		"https://a.blob.core.windows.net/s/1":                 "https://a.blob.core.windows.net/s/1",
		"":                                                    Dash,
	}
	for raw, want := range cases {
		if got := UploadURI(raw); got != want {
			t.Errorf("UploadURI(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := UploadURI("https://user:pw@host/p"); strings.Contains(got, "pw") {
		t.Errorf("user info shown: %q", got)
	}
}

func TestClockStamp(t *testing.T) {
	ts := before(4 * time.Minute)
	if got := (Clock{Now: now}).Stamp(ts); got != "2026-11-28 09:01:00Z" {
		t.Errorf("UTC: %q", got)
	}
	if got := (Clock{Now: now, Local: true}).Stamp(ts); got != "2026-11-28 09:01:00 UTC  (4m ago)" {
		t.Errorf("local: %q", got)
	}
}

func TestPhaseDurations(t *testing.T) {
	cases := []struct {
		name     string
		s        graphapi.Session
		up, proc string
	}{
		{"finished", graphapi.Session{State: "Completed", StartDateTime: before(3 * time.Hour), UploadCompletionDateTime: before(2 * time.Hour), ProcessingCompletionDateTime: before(48 * time.Minute)}, "1h", "1h12m"},
		{"started time wins over created", graphapi.Session{State: "Completed", CreationDateTime: before(5 * time.Hour), StartDateTime: before(3 * time.Hour), UploadCompletionDateTime: before(2 * time.Hour)}, "1h", "-"},
		{"uploading", graphapi.Session{State: "UploadInProgress", CreationDateTime: before(12 * time.Minute)}, "12m so far", "- (not started)"},
		{"processing", graphapi.Session{State: "ProcessingInProgress", CreationDateTime: before(time.Hour), UploadCompletionDateTime: before(20 * time.Minute)}, "40m", "20m so far"},
		{"failed while processing", graphapi.Session{State: "Failed", CreationDateTime: before(time.Hour), UploadCompletionDateTime: before(20 * time.Minute)}, "40m", "-"},
		{"completed, only completion time", graphapi.Session{State: "Completed", CreationDateTime: before(3 * 24 * time.Hour), UploadCompletionDateTime: before(49 * time.Hour), CompletionDateTime: before(time.Hour)}, "23h", "2d"},
		{"failed: its completion is not processing's", graphapi.Session{State: "Failed", CreationDateTime: before(3 * time.Hour), UploadCompletionDateTime: before(2 * time.Hour), CompletionDateTime: before(time.Hour)}, "1h", "-"},
		{"nothing known", graphapi.Session{State: "Completed"}, "-", "- (not started)"},
		{"uploaded, no completion time", graphapi.Session{State: "ProcessingInProgress", CreationDateTime: before(time.Hour), TotalBlockCount: count(4), RemainingBlockCount: count(0)}, "-", "- (the upload's end is not reported)"},
		{"end before begin (skew)", graphapi.Session{State: "Completed", CreationDateTime: before(time.Hour), UploadCompletionDateTime: before(2 * time.Hour)}, "-", "-"},
		{"begin in the future (skew)", graphapi.Session{State: "UploadInProgress", CreationDateTime: before(-time.Minute)}, "-", "- (not started)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up, proc := PhaseDurations(&c.s, now)
			if up != c.up || proc != c.proc {
				t.Errorf("got %q / %q, want %q / %q", up, proc, c.up, c.proc)
			}
		})
	}
}

// A state says itself once: a final state the service is known to send
// alone, an upload awaiting its commit so marked, others with their kind.
func TestState(t *testing.T) {
	for state, want := range map[string]string{
		"Failed":               "Failed",
		"Cancelled":            "Cancelled",
		"Completed":            "Completed",
		"UploadCompleted":      "UploadCompleted  (awaiting commit)",
		"UploadInProgress":     "UploadInProgress  (in progress)",
		"ProcessingInProgress": "ProcessingInProgress  (in progress)",
		"IndexError":           "IndexError  (failed)", // unknown: its kind says how it is taken
		"Archived":             "Archived  (in progress)",
		"":                     "-  (in progress)",
	} {
		if got := State(&graphapi.Session{State: state}); got != want {
			t.Errorf("State(%q) = %q, want %q", state, got, want)
		}
	}
}

// A running session silent for longer than the rule says so under its
// state, with the rule; at the threshold, finished, or with no rule, not.
func TestStall(t *testing.T) {
	rules := health.Rules{StallAfter: 2 * time.Hour}
	running := func(idle time.Duration) *graphapi.Session {
		return &graphapi.Session{State: "UploadInProgress", LastUpdatedDateTime: before(idle)}
	}
	cases := []struct {
		name string
		s    *graphapi.Session
		c    Clock
		want string
	}{
		{"stalled", running(20 * time.Hour), Clock{Now: now, Rules: rules}, "stalled=no update for 20h (stall after 2h)"},
		{"minutes", running(2*time.Hour + 30*time.Minute), Clock{Now: now, Rules: rules}, "stalled=no update for 2h30m (stall after 2h)"},
		{"at the threshold", running(2 * time.Hour), Clock{Now: now, Rules: rules}, ""},
		{"finished", &graphapi.Session{State: "Failed", LastUpdatedDateTime: before(20 * time.Hour)}, Clock{Now: now, Rules: rules}, ""},
		{"no rule", running(20 * time.Hour), Clock{Now: now}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Stall(tc.s, tc.c) {
				got = append(got, f.Label+"="+f.Value)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("Stall = %q, want %q", got, tc.want)
			}
			head := Session(tc.s, tc.c).Head
			if stalled := strings.Contains(labels(head), ",stalled"); stalled != (tc.want != "") {
				t.Errorf("head %s", labels(head))
			}
		})
	}
}
