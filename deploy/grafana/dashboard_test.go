package grafana

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "write edmtop.json from the Go definition")

const golden = "edmtop.json"

// TestDashboardIsGenerated: edmtop.json is what Dashboard builds, so the
// JSON is never edited by hand (go test ./deploy/grafana -update).
func TestDashboardIsGenerated(t *testing.T) {
	got, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what dashboard.go builds: run go test ./deploy/grafana -update", golden)
	}
}

// TestNoDataSourceUID: every data source reference is the datasource
// variable, so the dashboard imports into any Grafana.
func TestNoDataSourceUID(t *testing.T) {
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	refs := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "datasource" {
					ref, _ := x.(map[string]any)
					if ref["uid"] != "${datasource}" || ref["type"] != "prometheus" {
						t.Errorf("a data source reference %v", x)
					}
					refs++
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(d)
	if refs == 0 {
		t.Error("no data source reference at all")
	}
	found := false
	for _, v := range d["templating"].(map[string]any)["list"].([]any) {
		v := v.(map[string]any)
		found = found || (v["name"] == "datasource" && v["type"] == "datasource" && v["query"] == "prometheus")
	}
	if !found {
		t.Error("no datasource variable of type prometheus")
	}
}
