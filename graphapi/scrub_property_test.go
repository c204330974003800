package graphapi

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Scrub never leaves a token: whatever text surrounds it, a secret passed
// to Scrub, a JWT, a Bearer credential and a SAS signature are gone from
// the result.

// base64url is the alphabet of tokens, salts and JWT parts. A credential
// drawn from it, at least 12 long, cannot be part of Redacted or of
// "Bearer [redacted]" (their longest run of it is "redacted", 8 long).
const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func credential(min, max int) *rapid.Generator[string] {
	return rapid.StringOfN(rapid.RuneFrom([]rune(base64url)), min, max, -1)
}

// surrounding is text a server may put around a secret: words, URLs,
// query strings, JSON punctuation, other credentials' prefixes, controls
// and non-ASCII.
func surrounding() *rapid.Generator[string] {
	piece := rapid.OneOf(
		rapid.SampledFrom([]string{
			" ", "\n", "\t", "error: ", "token ", "Bearer ", "bearer\t", "Authorization: ", "eyJ", ".", "=", "&",
			"?", "://", "https://x.blob.core.windows.net/c/f", "?sv=2024&sig=", "sig=", "access_token=", `"`, "'",
			"<", ">", "[", "]", "(", ")", "{", "}", ",", ";", "é", "\u202e", "\x1b[31m", "%3D", "+", "/",
		}),
		rapid.StringN(0, 8, -1),
		credential(1, 8),
	)
	return rapid.Custom(func(t *rapid.T) string {
		return strings.Join(rapid.SliceOfN(piece, 0, 8).Draw(t, "pieces"), "")
	})
}

func TestScrubRemovesAGivenSecretProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		secret := credential(12, 64).Draw(t, "secret")
		before, between, after := surrounding().Draw(t, "before"), surrounding().Draw(t, "between"), surrounding().Draw(t, "after")
		text := before + secret + between + secret + after
		if got := Scrub(text, "", "short", secret); strings.Contains(got, secret) {
			t.Fatalf("Scrub(%q) = %q: the secret is still there", text, got)
		}
	})
}

// A secret of 6 to 11 characters is removed too (salts can be short).
func TestScrubRemovesAShortSecretProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		secret := credential(minSecretLen, 11).Draw(t, "secret")
		if strings.Contains("Bearer "+Redacted, secret) {
			t.Skip("the secret is part of the marker")
		}
		text := surrounding().Draw(t, "before") + secret + surrounding().Draw(t, "after")
		if got := Scrub(text, secret); strings.Contains(got, secret) {
			t.Fatalf("Scrub(%q) = %q: the secret is still there", text, got)
		}
	})
}

func TestScrubRemovesAJWTProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		header := "eyJ" + credential(4, 40).Draw(t, "header")
		payload := credential(4, 200).Draw(t, "payload")
		jwt := header + "." + payload + "." + credential(0, 80).Draw(t, "signature")
		text := surrounding().Draw(t, "before") + jwt + surrounding().Draw(t, "after")
		if got := Scrub(text); strings.Contains(got, header+"."+payload) {
			t.Fatalf("Scrub(%q) = %q: the token is still there", text, got)
		}
	})
}

// A Bearer credential is removed wherever "Bearer" stands: after a space,
// a colon, a quote, and glued to a word or an escape sequence.
func TestScrubRemovesABearerCredentialProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cred := credential(12, 120).Draw(t, "credential") + rapid.SampledFrom([]string{"", "=", "=="}).Draw(t, "padding")
		scheme := rapid.SampledFrom([]string{"Bearer", "bearer", "BEARER"}).Draw(t, "scheme")
		space := rapid.SampledFrom([]string{" ", "  ", "\t"}).Draw(t, "space")
		lead := rapid.SampledFrom([]string{" ", ": ", `"`, "\n", "(", "\x1b[0m ", "x", "_", "\x1b[0m"}).Draw(t, "lead")
		text := surrounding().Draw(t, "before") + lead + scheme + space + cred + rapid.SampledFrom([]string{"", " ", `"`, ",", "\n"}).Draw(t, "end")
		if got := Scrub(text); strings.Contains(got, cred) {
			t.Fatalf("Scrub(%q) = %q: the credential is still there", text, got)
		}
	})
}

// A URL's query (a SAS signature) is removed whatever it holds, also when
// its scheme is glued to a word ("0https://…").
func TestScrubRemovesASASSignatureProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sig := credential(12, 60).Draw(t, "signature") + rapid.SampledFrom([]string{"", "%3D", "%2B%3D"}).Draw(t, "escaped")
		url := rapid.SampledFrom([]string{"https://x.blob.core.windows.net/c/f.csv", "http://host/p", "HTTPS://X.Y/z"}).Draw(t, "url")
		query := rapid.SampledFrom([]string{"?sig=", "?sv=2024-01-01&se=2026&sig=", "?a=b&signature=", "?"}).Draw(t, "query")
		lead := rapid.SampledFrom([]string{" ", `"`, "(", "uri: ", "\n", "=", "0", "x_"}).Draw(t, "lead")
		text := surrounding().Draw(t, "before") + lead + url + query + sig + rapid.SampledFrom([]string{"", " ", `"`, "#frag", "\n"}).Draw(t, "end")
		if got := Scrub(text); strings.Contains(got, sig) {
			t.Fatalf("Scrub(%q) = %q: the signature is still there", text, got)
		}
	})
}
