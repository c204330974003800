package graphapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decodeSessionPageV1 is the page decoder before the token scanner, on
// encoding/json: the reference the scanner must agree with.
func decodeSessionPageV1(data []byte) (page[*Session], error) {
	var raw struct {
		Value    *[]*rawSession  `json:"value"`
		NextLink json.RawMessage `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Type == nil || te.Type.Kind() == reflect.Slice {
			return page[*Session]{}, err
		}
	}
	if raw.Value == nil {
		return page[*Session]{}, errors.New("no value array")
	}
	p := page[*Session]{NextLink: looseString(raw.NextLink)}
	for _, r := range *raw.Value {
		if r == nil || r.empty() {
			p.Skipped++
			continue
		}
		s := r.session()
		p.Value = append(p.Value, &s)
	}
	return p, nil
}

// dumpPage is everything a page decoded, errors' inner objects included.
func dumpPage(p page[*Session]) string {
	var b strings.Builder
	fmt.Fprintf(&b, "next %q, skipped %d\n", p.NextLink, p.Skipped)
	for _, s := range p.Value {
		fmt.Fprintf(&b, "%+v\n", *s)
		if e := s.Error; e != nil {
			fmt.Fprintf(&b, "  %+v\n", *e)
			if e.InnerError != nil {
				fmt.Fprintf(&b, "  %+v\n", *e.InnerError)
			}
		}
	}
	return b.String()
}

// samePage compares what two pages hold, not where.
func samePage(a, b page[*Session]) bool {
	if a.NextLink != b.NextLink || a.Skipped != b.Skipped || len(a.Value) != len(b.Value) {
		return false
	}
	for i := range a.Value {
		if !reflect.DeepEqual(*a.Value[i], *b.Value[i]) {
			return false
		}
	}
	return true
}

// The scanner reads a page as encoding/json did: the same sessions, the
// same skipped entries, and a refusal of the same pages.
func TestSessionPageAsEncodingJSON(t *testing.T) {
	pages := map[string]string{
		"fixture 1":              string(fixture(t, "sessions-page1.json")),
		"fixture 2":              string(fixture(t, "sessions-page2.json")),
		"non-objects":            `{"value":[null, 3, "x", {"id":"ok"}, [1], {}, {"id":"ok2","state":7}]}`,
		"names in another case":  `{"VALUE":[{"ID":"a","State":"Completed","fileNAME":"f"}],"@ODATA.NEXTLINK":"n"}`,
		"a repeated name":        `{"value":[{"id":"a","id":"b","state":"x","state":"Failed"}]}`,
		"a repeated value":       `{"value":[{"id":"a"}],"value":[{"id":"b"},{"id":"c"}]}`,
		"value then null":        `{"value":[{"id":"a"}],"value":null}`,
		"escaped names":          `{"v\u0061lue":[{"\u0069d":"a","st\u0061te":"Completed"}]}`,
		"annotations":            `{"@odata.context":"x","value":[{"@odata.type":"#x","@odata.etag":"W/1","id":"a"}]}`,
		"nulls and odd types":    `{"value":[{"id":null,"state":true,"totalBlockCount":"12","fields":{},"error":[]}]}`,
		"nested error":           `{"value":[{"id":"a","error":{"code":"c","details":[{"code":"d","innerError":{"code":"i"}}]}}]}`,
		"invalid UTF-8":          "{\"value\":[{\"id\":\"a\xff\",\"fileName\":\"\xc3\x28\"}]}",
		"whitespace":             " \n{ \"value\" : [ { \"id\" : \"a\" } , 7 ] , \"@odata.nextLink\" : 7 }\t",
		"no value":               `{"id":"not a collection"}`,
		"value an object":        `{"value":{"id":"x"}}`,
		"value a string":         `{"value":"x"}`,
		"an array":               `[]`,
		"a string":               `"x"`,
		"null":                   `null`,
		"truncated":              `{"value":[{"id":"a"`,
		"two documents":          `{"value":[]} {"value":[]}`,
		"a control in a string":  "{\"value\":[{\"id\":\"a\x01\"}]}",
		"a trailing comma":       `{"value":[{"id":"a"},]}`,
		"not JSON":               `<!doctype html>`,
		"unknown big properties": `{"value":[{"id":"a","x":{"y":[1,2,{"z":null}]},"fileName":"f"}]}`,
	}
	for name, body := range pages {
		t.Run(name, func(t *testing.T) {
			sameAsEncodingJSON(t, []byte(body))
		})
	}
}

func sameAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := decodeSessionPageV1(data)
	got, err := decodeSessionPage(data, nil)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%q: error %v; encoding/json: %v", data, err, wantErr)
	case err == nil && !samePage(got, want):
		t.Fatalf("%q decoded\n%s\nencoding/json decoded\n%s", data, dumpPage(got), dumpPage(want))
	}
}

func FuzzSessionPageAsEncodingJSON(f *testing.F) {
	f.Add(fixture(f, "sessions-page1.json"))
	f.Add([]byte(`{"value":[null,3,{"id":"a","ID":"b"},[],{"id":"b","fields":{}}],"@odata.nextLink":7}`))
	f.Add([]byte(`{"Value":[{"\u0069d":"a","error":{"code":"x"}}],"value":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsEncodingJSON(t, data)
	})
}

// A page's errors say what is wrong in the words the client used before.
func TestSessionPageErrors(t *testing.T) {
	cases := map[string]string{
		`{"value":[{"id":"a"`:     "truncated",
		`hello`:                   "not valid JSON",
		`{"value":[]} x`:          "not valid JSON",
		`{"value":{"id":"x"}}`:    `"value" is not an array`,
		`{"id":"x"}`:              `no "value" array`,
		`[{"id":"x"}]`:            "not a collection",
		" \n ":                    "empty",
		`{"value":[{"id":"a"}],}`: "not valid JSON",
	}
	for body, want := range cases {
		_, err := decodeSessionPage([]byte(body), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", body, err, want)
		}
	}
}

// keep may leave a session out (Omitted): it is counted, not listed, and
// nothing of it is converted.
func TestKeepOmits(t *testing.T) {
	body := []byte(`{"value":[{"id":"a","state":"Completed"},{"id":"b","state":"Failed","error":{"code":"x"}},{"id":"c"}]}`)
	var seen []string
	p, err := decodeSessionPage(body, func(s *Session) *Session {
		seen = append(seen, s.ID+"/"+s.State)
		if s.ID == "b" {
			return Omitted
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Value) != 2 || p.Value[0].ID != "a" || p.Value[1].ID != "c" || p.Omitted != 1 || p.Skipped != 0 {
		t.Errorf("listed %d (%v), omitted %d, skipped %d; want a and c, b omitted", len(p.Value), p.Value, p.Omitted, p.Skipped)
	}
	if strings.Join(seen, ",") != "a/Completed,b/Failed,c/" {
		t.Errorf("keep saw %v", seen)
	}
}
