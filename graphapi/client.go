// Package graphapi is the Microsoft Graph beta client for Exact Data Match
// upload sessions. It is built on an azcore pipeline (retries, bearer tokens,
// redacted logging) and never imports UI code.
package graphapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/uuid"
)

// DefaultEndpoint is the Graph beta root for the global cloud.
const DefaultEndpoint = "https://graph.microsoft.com/beta"

// Defaults for Options.
const (
	DefaultMaxPages = 5000
	DefaultPageSize = 999
)

// Options tune the client. The zero value gives sensible defaults.
type Options struct {
	// Transport sends requests; defaults to an http.Client built for Graph.
	// Tests pass a server's client here.
	Transport policy.Transporter
	// Scope for tokens; defaults to "<scheme>://<host>/.default" of the endpoint.
	Scope string
	// MaxRetries is how many times a retriable request is retried (default 3, <0 none).
	MaxRetries int32
	// RetryDelay is the first backoff step (default 1s); it doubles per try.
	RetryDelay time.Duration
	// MaxRetryDelay caps one wait (default 60s). A Retry-After above it is not
	// waited for: the call fails with Error.RetryAfter set.
	MaxRetryDelay time.Duration
	// TryTimeout bounds one HTTP attempt including the body (default 30s).
	TryTimeout time.Duration
	// CallTimeout bounds one request with all its retries (default 3m).
	CallTimeout time.Duration
	// MaxBodyBytes caps a response body (default 16 MiB).
	MaxBodyBytes int64
	// MaxPages caps how many pages one listing follows (default 5000: half
	// a million sessions at Graph's default page of 100, five million at
	// the page asked for). A listing that reaches it fails and says so.
	MaxPages int
	// PageSize is how many sessions a listing page is asked to hold
	// ($top; default 999): fewer requests and less per-page work for a
	// large store. A service that pages smaller anyway is followed as it
	// pages; one that refuses $top (400) is asked without it, and not
	// asked again by this client. Negative: never ask.
	PageSize int
	// Logging controls azcore's request logging (headers are redacted
	// unless allowed; the Authorization header never is).
	Logging policy.LogOptions
}

func (o *Options) withDefaults() Options {
	out := Options{}
	if o != nil {
		out = *o
	}
	if out.MaxRetries == 0 {
		out.MaxRetries = 3
	}
	if out.RetryDelay == 0 {
		out.RetryDelay = time.Second
	}
	if out.MaxRetryDelay == 0 {
		out.MaxRetryDelay = 60 * time.Second
	}
	if out.TryTimeout == 0 {
		out.TryTimeout = 30 * time.Second
	}
	if out.CallTimeout == 0 {
		out.CallTimeout = 3 * time.Minute
	}
	if out.MaxBodyBytes == 0 {
		out.MaxBodyBytes = 16 << 20
	}
	if out.MaxPages == 0 {
		out.MaxPages = DefaultMaxPages
	}
	if out.PageSize == 0 {
		out.PageSize = DefaultPageSize
	}
	return out
}

// Client talks to the EDM endpoints of one Graph endpoint.
type Client struct {
	base     *url.URL // e.g. https://graph.microsoft.com/beta, no trailing slash
	pipeline runtime.Pipeline
	opts     Options
	secrets  *secrets // tokens sent and salts read, kept out of error text
	// topRefused: the service answered a listing that asked $top with 400
	// and the same listing without it: do not ask again.
	topRefused atomic.Bool
}

// CheckEndpoint parses and validates a Graph endpoint: https, or plain http
// only to a loopback host (tests, the simulator), never with user info,
// query or fragment.
func CheckEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL such as %s", RedactURLString(endpoint), DefaultEndpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("endpoint %s must not carry user info, a query or a fragment", redactURL(u))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("endpoint %s uses plain http: only https is allowed, except to a loopback host (127.0.0.1, ::1, localhost)", redactURL(u))
		}
	default:
		return nil, fmt.Errorf("endpoint %s must use https", redactURL(u))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New builds a client for endpoint (for example DefaultEndpoint) that signs
// requests with cred.
func New(endpoint string, cred azcore.TokenCredential, opts *Options) (*Client, error) {
	if cred == nil {
		return nil, errors.New("no credential")
	}
	base, err := CheckEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	for _, h := range o.Logging.AllowedHeaders {
		// azcore would log the header in the clear: the token, in a file.
		if strings.EqualFold(h, "Authorization") || strings.EqualFold(h, "Proxy-Authorization") {
			return nil, fmt.Errorf("Options.Logging.AllowedHeaders must not contain %s: it carries the token", h)
		}
	}
	scope := o.Scope
	if scope == "" {
		scope = base.Scheme + "://" + base.Host + "/.default"
	}
	transport := o.Transport
	if transport == nil {
		transport = newHTTPClient(base)
	}
	keep := &secrets{}
	bearer := runtime.NewBearerTokenPolicy(taggedCredential{cred, keep}, []string{scope}, &policy.BearerTokenOptions{
		InsecureAllowCredentialWithHTTP: base.Scheme == "http",
	})
	pl := runtime.NewPipeline("edmtop", Version, runtime.PipelineOptions{
		AllowedHeaders: []string{"request-id", "client-request-id", "Retry-After", "Date"},
		PerRetry:       []policy.Policy{policyFunc(noteAnswer), policyFunc(countTries), policyFunc(readPage), policyFunc(reauthOnce), bearer},
	}, &policy.ClientOptions{
		Logging:   o.Logging,
		Retry:     getRetryOptions(o),
		Transport: &limitedTransport{next: transport, max: o.MaxBodyBytes},
	})
	return &Client{base: base, pipeline: pl, opts: o, secrets: keep}, nil
}

// Endpoint returns the validated endpoint URL.
func (c *Client) Endpoint() string { return c.base.String() }

const headerClientRequestID = "client-request-id"

type policyFunc func(*policy.Request) (*http.Response, error)

func (f policyFunc) Do(req *policy.Request) (*http.Response, error) { return f(req) }

// pageBufferKey holds the *bytes.Buffer a listing reads its pages into.
type pageBufferKey struct{}

// withPageBuffer has the calls made with ctx read a successful answer's
// body into buf, replacing what it held: a listing reuses one buffer page
// after page. The body returned is valid until the next call's.
func withPageBuffer(ctx context.Context, buf *bytes.Buffer) context.Context {
	return context.WithValue(ctx, pageBufferKey{}, buf)
}

// readPage reads a successful answer's body into the call's page buffer,
// when it has one, instead of azcore's download: its io.ReadAll grows a
// slice from 512 bytes, copying a 1.5 MB page a dozen times for the
// collector (a tenth of the dashboard's CPU at 10,000 sessions). It runs
// inside each try, as the download did: a read that fails is the try's
// error, retried as before; an error answer is left to azcore.
func readPage(req *policy.Request) (*http.Response, error) {
	buf, ok := req.Raw().Context().Value(pageBufferKey{}).(*bytes.Buffer)
	if !ok {
		return req.Next()
	}
	runtime.SkipBodyDownload(req)
	resp, err := req.Next()
	if err != nil || resp.StatusCode >= http.StatusBadRequest {
		return resp, err
	}
	buf.Reset()
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = http.NoBody
	return resp, nil
}

// payload is the answer's body: the page buffer's, when readPage read it
// there, else azcore's download.
func payload(ctx context.Context, resp *http.Response) ([]byte, error) {
	buf, ok := ctx.Value(pageBufferKey{}).(*bytes.Buffer)
	if !ok || resp.StatusCode >= http.StatusBadRequest {
		return runtime.Payload(resp)
	}
	resp.Body.Close() // ends the try (azcore holds its context open until the body is closed)
	return buf.Bytes(), nil
}

// reauthOnce sends a request refused with 401 once more. The bearer policy
// below it drops its token on a 401, so the second try carries a fresh one
// (an expired or revoked token); a second 401 is returned as it is. A 401
// means the service did not act, so resending an action is safe.
func reauthOnce(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if err := req.RewindBody(); err != nil {
		return resp, nil
	}
	runtime.Drain(resp)
	return req.Next()
}

func getRetryOptions(o Options) policy.RetryOptions {
	r := policy.RetryOptions{
		MaxRetries:    o.MaxRetries,
		TryTimeout:    o.TryTimeout,
		RetryDelay:    o.RetryDelay,
		MaxRetryDelay: o.MaxRetryDelay,
		StatusCodes:   []int{408, 429, 500, 502, 503, 504},
	}
	r.ShouldRetry = func(resp *http.Response, err error) bool {
		if err != nil {
			// Errors that must not be retried say so (NonRetriable) and
			// never reach here.
			return true
		}
		return slices.Contains(r.StatusCodes, resp.StatusCode) && !waitsTooLong(resp, o.MaxRetryDelay)
	}
	return r
}

// waitsTooLong reports a Retry-After beyond the cap. azcore reads an
// overflowing value as absent and would retry at once; ParseRetryAfter
// reads it as very long, so the call fails with RetryAfter set instead.
func waitsTooLong(resp *http.Response, limit time.Duration) bool {
	return ParseRetryAfter(resp.Header, time.Now()) > limit
}

// postRetryOptions retry an action only when the service refused it (429,
// 503) or the connection was never made. After a timeout or a dropped
// connection the action may have run: resending could repeat it.
func postRetryOptions(o Options) policy.RetryOptions {
	r := getRetryOptions(o)
	r.ShouldRetry = func(resp *http.Response, err error) bool {
		if err != nil {
			return neverSent(err)
		}
		refused := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable
		return refused && !waitsTooLong(resp, o.MaxRetryDelay)
	}
	return r
}

// neverSent reports errors that happen before any byte reaches the server.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// do sends one request and returns the response with its body read. Any
// failure comes back as *Error.
func (c *Client) do(ctx context.Context, op, method, rawURL string, want ...int) (*http.Response, []byte, error) {
	return c.doHeader(ctx, op, method, rawURL, nil, want...)
}

// doHeader is do with extra request headers (they replace the defaults).
func (c *Client) doHeader(ctx context.Context, op, method, rawURL string, header http.Header, want ...int) (*http.Response, []byte, error) {
	caller := ctx
	last := &lastAnswer{}
	ctx = context.WithValue(ctx, lastAnswerKey{}, last)
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	if method != http.MethodGet {
		ctx = policy.WithRetryOptions(ctx, postRetryOptions(c.opts))
	}
	req, err := runtime.NewRequest(ctx, method, rawURL)
	if err != nil {
		return nil, nil, &Error{Op: op, Message: "cannot build request: " + describeTransportError(err), Err: err}
	}
	req.Raw().Header.Set("Accept", "application/json")
	if method == http.MethodPost {
		req.Raw().Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Raw().Header[http.CanonicalHeaderKey(k)] = v
	}
	// A fresh GUID per call; retries of the call keep it so the service can
	// correlate them.
	clientRequestID := uuid.NewString()
	req.Raw().Header.Set(headerClientRequestID, clientRequestID)

	resp, err := c.pipeline.Do(req)
	if err != nil {
		return nil, nil, c.callError(ctx, caller, last, op, method, clientRequestID, err)
	}
	body, err := payload(ctx, resp)
	if err != nil {
		return nil, nil, c.callError(ctx, caller, last, op, method, clientRequestID, err)
	}
	for _, code := range want {
		if resp.StatusCode == code {
			return resp, body, nil
		}
	}
	e := responseError(op, resp, bytes.Clone(body), clientRequestID)
	e.scrub(c.secrets.scrub)
	return nil, nil, e
}

// callError is transportError, naming the call's own bound when it was
// that (not the caller's deadline, nor one try's) which ended the call:
// "no answer within 30s", or, when a try was answered (a 503 retried
// until the bound ran out), that answer's status and Retry-After. bound
// is the call's context; many timeouts match DeadlineExceeded, so it is
// asked, not the error.
func (c *Client) callError(bound, caller context.Context, last *lastAnswer, op, method, clientRequestID string, err error) *Error {
	e := c.transportError(op, method, clientRequestID, err)
	switch {
	case caller.Err() != nil:
		return e
	case bound.Err() == nil:
		if errors.Is(err, context.DeadlineExceeded) {
			// Each try was cut by its own bound, the retries spent first.
			e.Message = "no answer within " + roundDuration(c.opts.TryTimeout) + " to any try"
		}
		return e
	}
	within := roundDuration(c.opts.CallTimeout)
	switch {
	case last.status == 0 && last.err != nil:
		// Each try failed at once (a connection closed or refused):
		// the service was not reached, not silent.
		e = c.transportError(op, method, clientRequestID, last.err)
		e.Message += " (retried until the request's " + within + " ran out)"
		return e
	case last.status == 0:
		e.Message = "no answer within " + within
		return e
	}
	e.StatusCode, e.RetryAfter, e.RequestID = last.status, last.retryAfter, last.requestID
	e.Message = "retried until the request's " + within + " ran out"
	return e
}

// lastAnswer is what the last try of a call was answered, for an error
// when the call's bound runs out while retrying; err is the last try's
// transport error when it failed without an answer or a timeout.
type lastAnswer struct {
	status     int
	retryAfter time.Duration
	requestID  string
	err        error
}

type lastAnswerKey struct{}

// noteAnswer records each try's answer in the call's lastAnswer.
func noteAnswer(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	last, ok := req.Raw().Context().Value(lastAnswerKey{}).(*lastAnswer)
	switch {
	case !ok:
	case resp != nil:
		*last = lastAnswer{status: resp.StatusCode, retryAfter: ParseRetryAfter(resp.Header, time.Now()), requestID: resp.Header.Get("request-id")}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		last.err = nil // this try got no answer in time: the service is silent now
	default:
		last.err = err
	}
	return resp, err
}

func (c *Client) transportError(op, method, clientRequestID string, err error) *Error {
	e := &Error{Op: op, ClientRequestID: clientRequestID, Err: err}
	var tooLarge *bodyTooLargeError
	var credErr *credentialError
	switch {
	case errors.As(err, &credErr):
		// No request left the machine without a token.
		e.Code = "signInFailed"
		e.Message = "could not get a token: " + credErr.Err.Error()
		return e
	case errors.As(err, &tooLarge):
		e.Message = tooLarge.Error()
		return e
	case errors.Is(err, context.Canceled):
		e.Message = "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		e.Message = "timed out waiting for the service"
	default:
		e.Message = describeTransportError(err)
	}
	e.OutcomeUnknown = method != http.MethodGet && !neverSent(err)
	return e
}

// roundDuration is d to the second, without a trailing "0s" ("3s", "2m");
// under a second as it is ("200ms").
func roundDuration(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	return s
}

// url builds an absolute URL under the endpoint from escaped segments.
func (c *Client) url(segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base.String())
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

func (c *Client) storeURL(storeID string, more ...string) (string, error) {
	if err := ValidateID("data store", storeID); err != nil {
		return "", err
	}
	segs := append([]string{"dataClassification", "exactMatchDataStores", escapeSegment(storeID)}, more...)
	return c.url(segs...), nil
}

func (c *Client) sessionURL(storeID, sessionID string, more ...string) (string, error) {
	if err := ValidateID("session", sessionID); err != nil {
		return "", err
	}
	return c.storeURL(storeID, append([]string{"sessions", escapeSegment(sessionID)}, more...)...)
}

// ListDataStores returns every EDM data store the caller can see.
func (c *Client) ListDataStores(ctx context.Context) ([]DataStore, error) {
	l, err := listAll(ctx, c, "list data stores", c.url("dataClassification", "exactMatchDataStores"), decodePage[DataStore])
	return l.items, err
}

// GetDataStore returns one data store.
func (c *Client) GetDataStore(ctx context.Context, storeID string) (DataStore, error) {
	const op = "get data store"
	u, err := c.storeURL(storeID)
	if err != nil {
		return DataStore{}, opError(op, err)
	}
	resp, body, err := c.do(ctx, op, http.MethodGet, u, http.StatusOK)
	if err != nil {
		return DataStore{}, err
	}
	var d DataStore
	if err := decodeJSON(body, &d); err != nil {
		return DataStore{}, answerError(op, resp, "", err)
	}
	if !d.object {
		return DataStore{}, answerError(op, resp, "", errors.New("response is not a data store object"))
	}
	return d, nil
}
