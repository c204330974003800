package graphapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TokenEnvVar names the environment variable holding a ready-made token.
const TokenEnvVar = "EDMTOP_TOKEN"

// StaticTokenCredential hands out one bearer token as-is. Its String and
// GoString methods redact the token so that printing it leaks nothing.
type StaticTokenCredential struct {
	token string
}

var _ azcore.TokenCredential = (*StaticTokenCredential)(nil)

// NewStaticTokenCredential wraps a raw bearer token. A leading "Bearer " is
// dropped; empty tokens and tokens with spaces or control characters are refused.
func NewStaticTokenCredential(token string) (*StaticTokenCredential, error) {
	token = strings.TrimSpace(token)
	if len(token) >= 6 && strings.EqualFold(token[:6], "bearer") && (len(token) == 6 || token[6] == ' ') {
		token = strings.TrimSpace(token[6:])
	}
	if token == "" {
		return nil, errors.New("the token is empty")
	}
	for _, r := range token {
		if r <= ' ' || r == 0x7f {
			return nil, errors.New("the token contains spaces or control characters")
		}
	}
	return &StaticTokenCredential{token: token}, nil
}

// GetToken implements azcore.TokenCredential. The expiry is unknown, so it is
// reported far enough ahead that azcore never asks again.
func (c *StaticTokenCredential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// String and GoString are on the value so that printing either a pointer or
// a copy is redacted.
func (c StaticTokenCredential) String() string   { return "StaticTokenCredential(REDACTED)" }
func (c StaticTokenCredential) GoString() string { return c.String() }

// credentialError marks a failure to get a token, so callers can tell it
// from a network failure (no request was sent).
type credentialError struct{ Err error }

func (e *credentialError) Error() string { return "sign-in: " + e.Err.Error() }
func (e *credentialError) Unwrap() error { return e.Err }

// taggedCredential wraps a credential so that its failures are recognisable
// after azcore's pipeline has wrapped them.
// It also remembers each token handed out, so error text can be scrubbed of it.
type taggedCredential struct {
	cred azcore.TokenCredential
	keep *secrets
}

func (t taggedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := t.cred.GetToken(ctx, opts)
	if err != nil {
		return tok, &credentialError{Err: err}
	}
	t.keep.addToken(tok.Token)
	return tok, nil
}
