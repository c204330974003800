package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

func TestSessionDetailsError(t *testing.T) {
	s := graphapi.Session{ID: "s1", FileName: "evil\x1b[2J\nname.EdmHash", State: "Failed",
		TotalBlockCount: graphapi.Count{Value: 10, Valid: true}, RemainingBlockCount: graphapi.Count{Value: -3, Valid: true},
		DataUploadURI: "https://up.example/x?sv=1&sig=SECRET", Salt: "SALTSECRET",
		Error: &graphapi.ClassificationError{Code: "InvalidHashFormat", Message: "Block 6 could not be read", Target: "block6",
			InnerError: &graphapi.ClassificationInnerError{Code: "HashMismatch", ActivityID: "act-1"},
			Details: []graphapi.ClassificationErrorDetail{
				{Code: "RowCount", Message: "too few rows", Target: "rows"},
				{Message: "no code", InnerError: &graphapi.ClassificationInnerError{Code: "Deep"}},
			}}}
	var b strings.Builder
	if err := writeDetails(&b, sessionDetails(&s, time.Now(), health.DefaultRules())); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Compare with the alignment folded to one space.
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		label, value, _ := strings.Cut(l, ":")
		lines = append(lines, label+": "+strings.TrimLeft(value, " "))
	}
	folded := strings.Join(lines, "\n")
	for _, want := range []string{
		"state: Failed\n", // not "Failed  (failed)": the state says it once
		"blocks: 10 of 10 done, 0 remaining  (100%)", // clamped, never -3
		"upload URI: https://up.example/x  (query hidden: it holds the upload signature)",
		"salt: •••••••• (10 characters, hidden)",
		"error code: InvalidHashFormat",
		"error message: Block 6 could not be read",
		"error target: block6",
		"inner code: HashMismatch",
		"activity id: act-1",
		"detail 1: RowCount: too few rows  (target: rows)",
		"detail 2: -: no code  (inner code: Deep)",
		"estimated rows: -",
	} {
		if !strings.Contains(folded, strings.TrimSuffix(want, "\n")+"\n") {
			t.Errorf("details lack %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"\x1b", "SECRET", "sig="} {
		if strings.Contains(out, bad) {
			t.Errorf("details contain %q:\n%s", bad, out)
		}
	}
	if n := strings.Count(out, "\n"); n != len(sessionDetails(&s, time.Now(), health.DefaultRules())) {
		t.Errorf("%d lines for %d details: a value broke its line", n, len(sessionDetails(&s, time.Now(), health.DefaultRules())))
	}
}

// A stalled session says so under its state, with the rule it broke; the
// same session judged by rules that never stall says nothing of it.
func TestSessionDetailsStall(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := graphapi.Session{ID: "s1", FileName: "claims.EdmHash", State: "UploadInProgress",
		LastUpdatedDateTime: graphapi.Time{Time: now.Add(-20 * time.Hour)}}
	var b strings.Builder
	if err := writeDetails(&b, sessionDetails(&s, now, health.Rules{StallAfter: 2 * time.Hour})); err != nil {
		t.Fatal(err)
	}
	if want := "stalled:               no update for 20h (stall after 2h)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("details lack %q:\n%s", want, b.String())
	}
	b.Reset()
	_ = writeDetails(&b, sessionDetails(&s, now, health.Rules{}))
	if strings.Contains(b.String(), "stalled") {
		t.Errorf("no stall rule, yet:\n%s", b.String())
	}
}
