package graphapi

import (
	"regexp"
	"strings"
	"sync"
)

// Redacted replaces every secret Scrub removes.
const Redacted = "[redacted]"

var (
	// A credential is long; "the bearer token is invalid" stays readable.
	// No word boundary before "bearer": hostile text glues it to a word or
	// an escape sequence ("\x1b[0mBearer …").
	bearerPattern = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/]{12,}=*`)
	// A JWT is three base64url parts; the header always starts {" = eyJ.
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	// Any URL's query: SAS signatures, skip tokens and codes live there.
	// The scheme may be glued to a word ("0https://…"): no word boundary.
	urlQueryPattern = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^\s?#"'<>]+)\?[^\s#"'<>]*`)
	// Credential parameters outside a URL (a query string quoted on its own).
	paramPattern = regexp.MustCompile(`(?i)\b(sig|signature|access_token|refresh_token|id_token|client_secret|password)=[^&\s"'<>]+`)
	// A salt named in text, also of a session never read: salt=v, SALT = "v",
	// "salt": v (JSON, escaped or not), salt: 'v'. After "salt =" a bare
	// value must follow at once ("salt= and" is prose). "salt" is spelled
	// in ASCII classes, not (?i), so the plain check below is exact (under
	// (?i) the long s, U+017F, would match s and slip past it).
	saltPattern = regexp.MustCompile(`(\b[sS][aA][lL][tT]\s*=|\\?["'][sS][aA][lL][tT]\\?["']\s*:\s*)(?:(\s*)` + saltQuoted + `|[^\s"'&,;<>\\]+)`)
	// Prose "salt: the hash…" keeps its words: after "salt:" only a quoted
	// value is taken for a secret.
	saltQuotedPattern = regexp.MustCompile(`(\b[sS][aA][lL][tT]\s*:\s*)` + saltQuoted)
	saltQuoted        = `(?:\\?"[^"]*"|'[^']*')`
)

// minSecretLen keeps a short or empty "secret" from erasing ordinary text.
const minSecretLen = 6

// Scrub removes secrets from text a server sent before it is shown or
// logged: "Bearer …" credentials, JWT-shaped tokens, URL query strings (SAS
// signatures), sig=/access_token=-style parameters, a salt named as one
// (salt=…, "salt": "…", any case), and every occurrence of
// each given secret (the current token, a session's salt) at least six
// bytes long. Each becomes Redacted.
func Scrub(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= minSecretLen && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	// Each pattern runs only where the text has what it cannot match
	// without (a plain check, far cheaper than the pattern), and replaces
	// only on a match: ReplaceAllString copies even clean text.
	for _, p := range scrubPatterns {
		if p.needs(s) && p.re.MatchString(s) {
			s = p.re.ReplaceAllString(s, p.with)
		}
	}
	return s
}

var scrubPatterns = []struct {
	re    *regexp.Regexp
	with  string
	needs func(string) bool
}{
	{bearerPattern, "Bearer " + Redacted, func(s string) bool { return containsFold(s, "bearer") }},
	{jwtPattern, Redacted, func(s string) bool { return strings.Contains(s, "eyJ") }},
	{urlQueryPattern, "${1}?" + Redacted, func(s string) bool { return strings.Contains(s, "://") && strings.Contains(s, "?") }},
	{paramPattern, "${1}=" + Redacted, func(s string) bool { return strings.Contains(s, "=") }},
	{saltPattern, "${1}${2}" + Redacted, func(s string) bool { return containsFold(s, "salt") }},
	{saltQuotedPattern, "${1}" + Redacted, func(s string) bool { return containsFold(s, "salt") }},
}

// containsFold reports whether s contains the lower-case ASCII word,
// in any case. It folds only where the first letter is: Scrub runs it on
// every server text, most of which holds no secret.
func containsFold(s, word string) bool {
	lower, upper := word[0], word[0]-'a'+'A'
	for i := 0; i+len(word) <= len(s); i++ {
		if c := s[i]; (c == lower || c == upper) && strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

// secrets remembers what a client must keep out of error text: the tokens
// it sent (a few, as they rotate) and the salts of the sessions it read.
type secrets struct {
	mu     sync.Mutex
	tokens []string
	salts  map[string]struct{}
}

const (
	maxTokens = 4
	// maxSalts bounds memory; beyond it new salts are not remembered (a
	// caller that knows the session can still pass its salt to Scrub).
	maxSalts = 1 << 14
)

func (k *secrets) addToken(tok string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, t := range k.tokens {
		if t == tok {
			return
		}
	}
	k.tokens = append(k.tokens, tok)
	if len(k.tokens) > maxTokens {
		k.tokens = k.tokens[1:]
	}
}

func (k *secrets) addSalts(sessions []*Session) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.salts == nil {
		k.salts = map[string]struct{}{}
	}
	for i := range sessions {
		salt := sessions[i].Salt
		if len(salt) < minSecretLen || len(k.salts) >= maxSalts {
			continue
		}
		if _, ok := k.salts[salt]; !ok {
			k.salts[salt] = struct{}{}
		}
	}
}

// scrub applies Scrub with the remembered tokens and any remembered salt
// that occurs in s. Past a few hundred salts it looks up the text's
// alphanumeric runs instead, so the cost follows the text, not the salts.
func (k *secrets) scrub(s string) string {
	k.mu.Lock()
	found := append([]string(nil), k.tokens...)
	if len(k.salts) <= 256 {
		for salt := range k.salts {
			if strings.Contains(s, salt) {
				found = append(found, salt)
			}
		}
	} else {
		for _, run := range alnumRuns(s) {
			if _, ok := k.salts[run]; ok {
				found = append(found, run)
			}
		}
	}
	k.mu.Unlock()
	return Scrub(s, found...)
}

func alnumRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
}

// Scrub removes from s the tokens this client sent, the salts of sessions
// it has read, and everything the package-level Scrub removes. Use it on any
// server text shown or logged outside an *Error (those are scrubbed already).
func (c *Client) Scrub(s string) string { return c.secrets.scrub(s) }
