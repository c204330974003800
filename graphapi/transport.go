package graphapi

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// newHTTPClient returns an http.Client with connection-level timeouts and a
// redirect rule that never leaves the endpoint's scheme and host (Go drops
// Authorization on cross-host redirects, but a downgrade to http on the same
// host would keep it).
func newHTTPClient(base *url.URL) *http.Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: sameOriginRedirects(base),
	}
}

func sameOriginRedirects(base *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return &redirectRefusedError{"too many redirects"}
		}
		if !sameOrigin(base, req.URL) {
			return &redirectRefusedError{fmt.Sprintf("refused a redirect to %s: it leaves %s", redactURL(req.URL), base.Scheme+"://"+base.Host)}
		}
		return nil
	}
}

// redirectRefusedError is final: asking again gets the same redirect.
type redirectRefusedError struct{ msg string }

func (e *redirectRefusedError) Error() string { return e.msg }

// NonRetriable tells azcore's retry policy not to send the request again.
func (e *redirectRefusedError) NonRetriable() {}

func sameOrigin(base, u *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// limitedTransport caps response bodies so a broken or hostile server cannot
// make us buffer without bound (azcore reads whole bodies into memory).
type limitedTransport struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	max int64
}

func (t *limitedTransport) Do(req *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, &bodyTooLargeError{max: t.max}
	}
	resp.Body = &limitedBody{body: resp.Body, remaining: t.max, max: t.max}
	return resp, nil
}

type limitedBody struct {
	body      io.ReadCloser
	remaining int64
	max       int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.remaining < 0 {
		return 0, &bodyTooLargeError{max: b.max}
	}
	// Read one byte past the limit to tell "exactly max" from "more".
	if int64(len(p)) > b.remaining+1 {
		p = p[:b.remaining+1]
	}
	n, err := b.body.Read(p)
	b.remaining -= int64(n)
	if b.remaining < 0 {
		return n, &bodyTooLargeError{max: b.max}
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }

type bodyTooLargeError struct{ max int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("response body is larger than %d bytes", e.max)
}

// NonRetriable tells azcore's retry policy not to fetch it again.
func (e *bodyTooLargeError) NonRetriable() {}
