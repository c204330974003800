package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// graphErrorServer answers every request with the Graph error fixture that
// carries a target, details and nested inner errors.
func graphErrorServer(t *testing.T) map[string]string {
	return graphErrorServerReading(t, false)
}

// graphErrorServerReading is graphErrorServer; with reads, a GET of a
// session answers the session, so only the actions fail.
func graphErrorServerReading(t *testing.T, reads bool) map[string]string {
	t.Helper()
	body, err := os.ReadFile("../../graphapi/testdata/error-400-with-details.json")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if _, id, ok := strings.Cut(r.URL.Path, "/sessions/"); ok && reads && r.Method == http.MethodGet {
			_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "fileName": "f.EdmHash", "state": "UploadInProgress"})
			return
		}
		w.Header().Set("request-id", "7c1d9e2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f")
		w.WriteHeader(400)
		_, _ = w.Write(body)
	}))
	t.Cleanup(hs.Close)
	return map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": hs.URL + "/beta"}
}

const errStore = "5e000000-0000-4000-8000-000000000005"

// Graph's error.target, error.details[] and the nested innerError codes
// reach the command line's error output (issue 19).
func TestGraphErrorDetailsInTextOutput(t *testing.T) {
	env := graphErrorServer(t)
	for _, args := range [][]string{
		{"get", "--datastore", errStore, "s-1"},
		{"renew", "--datastore", errStore, "s-1"},
		{"list", "--datastore", errStore},
	} {
		code, out, stderr := runCLI(t, env, args...)
		if code != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
		for _, want := range []string{
			"HTTP 400 BadRequest: One or more properties are invalid. [request-id 7c1d9e2a",
			"\n  target: session\n",
			"\n  inner codes: invalidRequest > FieldValidationFailed\n",
			"\n  detail: InvalidValue: fileName must end with .EdmHash. (target: fileName)\n",
			"\n  detail: MissingProperty: rowsPerBlock is required. (target: rowsPerBlock)\n",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, stderr)
			}
		}
	}
}

func TestGraphErrorDetailsInJSONOutput(t *testing.T) {
	env := graphErrorServerReading(t, true)
	ids := []string{"51000000-0000-4000-8000-000000000001", "52000000-0000-4000-8000-000000000002"}
	code, out, stderr := runCLI(t, env, "renew", "--datastore", errStore, "-o", "json", ids[0], ids[1])
	if code != 1 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per failed id, got:\n%s", stderr)
	}
	for i, line := range lines {
		var f struct {
			SessionID string
			Error     struct {
				Op, Code, Message, Target, RequestID string
				Status                               int
				InnerCodes                           []string
				Details                              []struct{ Code, Message, Target string }
			}
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		e := f.Error
		if f.SessionID != ids[i] || e.Op != "renew session" || e.Status != 400 || e.Code != "BadRequest" ||
			e.Target != "session" || strings.Join(e.InnerCodes, ",") != "invalidRequest,FieldValidationFailed" ||
			len(e.Details) != 2 || e.Details[0].Target != "fileName" || e.Details[1].Code != "MissingProperty" ||
			!strings.HasPrefix(e.RequestID, "7c1d9e2a") {
			t.Errorf("line %d: %+v", i, f)
		}
	}
}
