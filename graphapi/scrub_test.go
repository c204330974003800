package graphapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl"
	cases := []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"the bearer token is invalid", "the bearer token is invalid"},
		{"got Authorization: Bearer abc.def-ghi~jkl==", "got Authorization: Bearer [redacted]"},
		{"token " + jwt + " expired", "token [redacted] expired"},
		{"upload to https://x.blob.core.windows.net/s/1?sv=2024&sig=abc%2B%3D failed", "upload to https://x.blob.core.windows.net/s/1?[redacted] failed"},
		{"query sig=abc%2B&se=2026 rejected", "query sig=[redacted]&se=2026 rejected"},
		{"salt k3v9q2m8x7c1 does not match", "salt [redacted] does not match"},
		{"short abc stays", "short abc stays"},
		{"request-id 7c1d9e2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f at 09:15:02", "request-id 7c1d9e2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f at 09:15:02"},
		// A salt named as one, of a session never read (issue 23, item 16).
		{"hash check failed: salt=Zq81mNv0 mismatch", "hash check failed: salt=[redacted] mismatch"},
		{"SALT = 'a b c' rejected", "SALT = [redacted] rejected"},
		{`bad body {"id":"x","Salt": "pepper-9f"}`, `bad body {"id":"x","Salt": [redacted]}`},
		{`bad body {\"salt\":\"pepper-9f\"}`, `bad body {\"salt\":[redacted]}`},
		{`expected salt: "x y" here`, `expected salt: [redacted] here`},
		{"uri h?sv=1&salt=abc&x=2", "uri h?sv=1&salt=[redacted]&x=2"},
		{"Invalid salt: the hash does not match", "Invalid salt: the hash does not match"},
		{"salt= and basalt=rock stay", "salt= and basalt=rock stay"},
	}
	for _, tc := range cases {
		if got := Scrub(tc.in, "k3v9q2m8x7c1", "abc", ""); got != tc.want {
			t.Errorf("Scrub(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// A server that echoes the token, a session's salt and a SAS URL in an
// error must not get them onto the screen or into a log (issue 17 #3).
func TestServerEchoedSecretsAreScrubbed(t *testing.T) {
	srv, _ := fixtureServer(t)
	c := newTestClient(t, srv, nil)
	sessions, err := c.ListSessions(context.Background(), storeID)
	if err != nil {
		t.Fatal(err)
	}
	salt, uri := sessions[0].Salt, sessions[0].DataUploadURI
	echo := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		msg := fmt.Sprintf("bad header %s; salt %s; uri %s", r.Header.Get("Authorization"), salt, uri)
		fmt.Fprintf(w, `{"error":{"code":"BadRequest","message":%q,"target":%q,"details":[{"code":"x","message":%q,"target":%q}]}}`,
			msg, testToken, msg, salt)
	}))
	// The same client, pointed at the echoing server: it knows the salt.
	c.base, _ = CheckEndpoint(echo.URL + "/beta")
	_, err = c.RenewSession(context.Background(), storeID, sessions[0].ID)
	ge, ok := AsError(err)
	if !ok || ge.StatusCode != 400 || len(ge.Details) != 1 {
		t.Fatalf("got %v", err)
	}
	text := ge.Error() + ge.Target + ge.Details[0].Target
	for _, secret := range []string{testToken, salt, "sig=", "EXAMPLEsig"} {
		if strings.Contains(text, secret) {
			t.Errorf("error text leaks %q: %s", secret, text)
		}
	}
	if !strings.Contains(ge.Message, "bad header Bearer [redacted]") || !strings.Contains(ge.Message, "uri https://edmupload.blob.core.windows.net/sessions/1?[redacted]") {
		t.Errorf("message lost its shape: %s", ge.Message)
	}
	if got := c.Scrub("echo " + testToken + " " + salt); got != "echo [redacted] [redacted]" {
		t.Errorf("Client.Scrub = %q", got)
	}
}

func TestSessionErrorIsScrubbedOfItsSalt(t *testing.T) {
	s, err := DecodeSession([]byte(`{"id":"a","salt":"pepper-123456","error":{"code":"c","message":"salt pepper-123456 and https://h/x?sig=zz"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Error.Message; got != "salt [redacted] and https://h/x?[redacted]" {
		t.Errorf("message = %q", got)
	}
	if s.Salt != "pepper-123456" {
		t.Errorf("the salt itself must stay (the UI masks it): %q", s.Salt)
	}
	// Error texts are interned once scrubbed, never before: the table
	// lives as long as the process.
	interned.Lock()
	defer interned.Unlock()
	for text := range interned.strings {
		if strings.Contains(text, "pepper-123456") || strings.Contains(text, "sig=zz") {
			t.Errorf("a secret is in the intern table: %q", text)
		}
	}
}

// The plain checks that skip a pattern never skip one that would match:
// Scrub removes what the four patterns alone remove.
func FuzzScrubChecksSkipOnlyNonMatches(f *testing.F) {
	for _, s := range []string{"BeArEr abcdefghijklmnop", "x eyJhbGciOi.eyJzdWIi.sig y", "see https://h/p?sig=abc#f", "sig=abc&sp=w",
		"Block 3 could not be read.", "ftp://a.b/c?d", "PASSWORD=hunter2", "nothing here",
		"salt=abc", `{"SaLt": 'v'}`, "\u017falt=abc", "salt: \"q\" and salt: p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s
		for _, p := range scrubPatterns {
			want = p.re.ReplaceAllString(want, p.with)
		}
		if got := Scrub(s); got != want {
			t.Errorf("Scrub(%q) = %q, the patterns alone give %q", s, got, want)
		}
	})
}
