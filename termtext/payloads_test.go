package termtext

import (
	"encoding/json"
	"os"
	"testing"
)

// The shared payload table: testdata/hostile.json, also used by the ui and
// command tests.
func TestSharedPayloads(t *testing.T) {
	b, err := os.ReadFile("testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Payloads []struct{ Name, Text string }
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Payloads) < 15 {
		t.Fatalf("only %d payloads", len(file.Payloads))
	}
	for _, p := range append(file.Payloads, struct{ Name, Text string }{"raw 0x9b", "a\x9b2Jb"}, struct{ Name, Text string }{"invalid UTF-8", "a\xff\xfeb"}) {
		t.Run(p.Name, func(t *testing.T) {
			assertSafe(t, Sanitize(p.Text))
			assertSafe(t, OneLine(p.Text))
		})
	}
}
