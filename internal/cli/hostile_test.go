package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestHostilePayloadsInCommandOutput(t *testing.T) {
	b, err := os.ReadFile("../../termtext/testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Payloads []struct{ Name, Text string } }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	for _, p := range file.Payloads {
		t.Run(p.Name, func(t *testing.T) {
			text := p.Text
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.Method == "POST" {
					w.WriteHeader(404)
					_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": text, "message": text, "innerError": map[string]any{"request-id": text}}})
					return
				}
				item := map[string]any{"id": "id-" + text, "displayName": text, "description": text, "fileName": text, "state": text,
					"dataStoreId": text, "checksum": text, "fields": []string{text}, "uploadAgentId": text, "lastUpdatedDateTime": text,
					"error": map[string]any{"code": text, "message": text}}
				_ = json.NewEncoder(w).Encode(map[string]any{"value": []any{item}})
			}))
			defer hs.Close()
			env := map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": hs.URL + "/beta"}
			outputs := map[string]string{}
			const ds = "5e000000-0000-4000-8000-000000000005"
			for _, args := range [][]string{{"stores"}, {"list", "--datastore", ds}, {"list", "--datastore", ds, "-o", "json"}, {"stores", "-o", "json"}} {
				code, out, stderr := runCLI(t, env, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d %s", args, code, stderr)
				}
				outputs[strings.Join(args, " ")] = out
			}
			_, _, stderr := runCLI(t, env, "renew", "--datastore", ds, "x")
			outputs["renew stderr"] = stderr
			// An unknown name lists the stores, named by the server.
			_, _, stderr = runCLI(t, env, "list", "--datastore", "no such store")
			outputs["unknown store stderr"] = stderr
			for what, out := range outputs {
				for _, bad := range []byte{0x1b, 0x9b, 0x07, 0x08, '\r', 0x00} {
					if strings.IndexByte(out, bad) >= 0 {
						t.Errorf("%s: byte %#x written", what, bad)
					}
				}
				for _, r := range out {
					if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
						t.Errorf("%s: rune %U written", what, r)
						break
					}
				}
			}
			// JSON keeps the data exactly, escaped.
			var sessions []map[string]any
			if err := json.Unmarshal([]byte(outputs["list --datastore "+ds+" -o json"]), &sessions); err != nil || sessions[0]["fileName"] != text {
				t.Errorf("JSON does not round-trip the value: %v", err)
			}
			// Table rows stay one line each.
			if n := strings.Count(outputs["list --datastore "+ds], "\n"); n != 2 {
				t.Errorf("table has %d lines, want 2", n)
			}
		})
	}
}
