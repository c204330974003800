package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/edmtop/edmtop/graphapi"
)

func fieldMap(fields []field) map[string]string {
	m := map[string]string{}
	for _, f := range fields {
		m[f.label] = f.value
	}
	return m
}

// The error pane shows what a support ticket needs of a *graphapi.Error:
// its target, every detail and the inner codes, each sanitized.
func TestCallErrorFieldsShowTargetDetailsAndInnerCodes(t *testing.T) {
	hostile := "\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\r\x9b"
	for _, tc := range []struct {
		name  string
		err   error
		want  map[string]string
		unset []string
	}{
		{"everything", &graphapi.Error{StatusCode: 400, Code: "BadRequest", Message: "Invalid request", Target: "fields",
			InnerCodes: []string{"InvalidSchema", "ColumnMissing"},
			Details: []graphapi.ErrorDetail{
				{Code: "MissingColumn", Message: "Email is required", Target: "fields[1]", InnerCodes: []string{"Required"}},
				{Message: "second"},
			}},
			map[string]string{"target": "fields", "inner codes": "InvalidSchema > ColumnMissing",
				"detail 1": "MissingColumn: Email is required  (target: fields[1])  (inner: Required)", "detail 2": "-: second"}, nil},
		{"none of them", &graphapi.Error{StatusCode: 404, Code: "NotFound", Message: "gone"},
			map[string]string{"code": "NotFound"}, []string{"target", "inner codes", "detail 1"}},
		{"hostile strings", &graphapi.Error{StatusCode: 400, Code: "C" + hostile, Message: "m", Target: "t" + hostile,
			InnerCodes: []string{"i" + hostile}, Details: []graphapi.ErrorDetail{{Code: "d" + hostile, Message: hostile, Target: hostile, InnerCodes: []string{hostile}}}},
			map[string]string{}, nil},
		{"not a graph error", errors.New("dial tcp: refused"), map[string]string{"error": "dial tcp: refused"}, []string{"target"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldMap(callErrorFields(tc.err))
			for label, want := range tc.want {
				if got[label] != want {
					t.Errorf("%s = %q, want %q", label, got[label], want)
				}
			}
			for _, label := range tc.unset {
				if _, ok := got[label]; ok {
					t.Errorf("%s shown: %q", label, got[label])
				}
			}
			for label, v := range got {
				if strings.ContainsAny(v, "\x1b\x07\r\n\u009b") {
					t.Errorf("%s not sanitized: %q", label, v)
				}
			}
		})
	}
}
