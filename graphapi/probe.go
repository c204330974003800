package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// RawPage is one page of a collection as the service sent it, for
// `edmtop doctor`, which reports what the service does rather than what
// edmtop makes of it. It comes through the client's pipeline (token,
// retries, size limit) like any other read.
type RawPage struct {
	// Status is the answer's HTTP status (200).
	Status int
	// Header holds the answer's headers: Date, Retry-After, throttling.
	Header http.Header
	// Entries are the page's "value" entries, raw. They hold secrets
	// (salts, upload URLs): read facts from them, never show them.
	Entries []json.RawMessage
	// Count is the page's @odata.count, when it carries one.
	Count *int64
	// NextLink is @odata.nextLink verbatim ("" on the last page). It may
	// carry a skip token: show it only through RedactURLString.
	NextLink string
	// NextErr says why the client would not follow NextLink (another
	// host, outside the endpoint's path), nil when it would.
	NextErr error
}

// ProbeSessions reads the first page of a store's sessions; top > 0 asks
// for at most that many with $top. The salts it sees are kept out of the
// client's error text, as a listing's are.
func (c *Client) ProbeSessions(ctx context.Context, storeID string, top int) (RawPage, error) {
	const op = "list sessions"
	u, err := c.storeURL(storeID, "sessions")
	if err != nil {
		return RawPage{}, opError(op, err)
	}
	if top > 0 {
		u += "?$top=" + strconv.Itoa(top)
	}
	return c.probePage(ctx, op, u)
}

// ProbeNext reads the page a RawPage's NextLink names. It refuses a link
// the client would refuse (NextErr), so the token goes nowhere a listing
// would not send it.
func (c *Client) ProbeNext(ctx context.Context, p RawPage) (RawPage, error) {
	const op = "list sessions"
	if p.NextLink == "" {
		return RawPage{}, opError(op, errors.New("the page has no next link"))
	}
	link, err := c.checkNextLink(p.NextLink)
	if err != nil {
		return RawPage{}, opError(op, err)
	}
	return c.probePage(ctx, op, link)
}

func (c *Client) probePage(ctx context.Context, op, u string) (RawPage, error) {
	resp, body, err := c.do(ctx, op, http.MethodGet, u, http.StatusOK)
	if err != nil {
		return RawPage{}, err
	}
	var raw struct {
		Value    *[]json.RawMessage `json:"value"`
		Count    json.RawMessage    `json:"@odata.count"`
		NextLink json.RawMessage    `json:"@odata.nextLink"`
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return RawPage{}, answerError(op, resp, "", errors.New("response body is empty"))
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return RawPage{}, answerError(op, resp, "", describeJSONError(err))
	}
	if raw.Value == nil {
		return RawPage{}, answerError(op, resp, "", errors.New(`response is not a collection (no "value" array)`))
	}
	// Remember the salts, so an error text quoting one is scrubbed.
	if p, err := decodeSessionPage(body, nil); err == nil {
		c.secrets.addSalts(p.Value)
	}
	page := RawPage{Status: resp.StatusCode, Header: resp.Header.Clone(), Entries: *raw.Value, NextLink: looseString(raw.NextLink)}
	if n, err := strconv.ParseInt(string(bytes.TrimSpace(raw.Count)), 10, 64); err == nil {
		page.Count = &n
	}
	if page.NextLink != "" {
		_, page.NextErr = c.checkNextLink(page.NextLink)
	}
	return page, nil
}

// NewTransport is the HTTP transport a client for endpoint uses when
// Options.Transport is nil: the proxy from the environment, connection
// timeouts, and redirects only within the endpoint's scheme and host.
// A caller that wraps the transport (to watch it) starts from this one.
func NewTransport(endpoint string) (policy.Transporter, error) {
	base, err := CheckEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	return newHTTPClient(base), nil
}
