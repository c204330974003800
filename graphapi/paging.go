package graphapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// listing is what listAll gathered: the items, how many it dropped and
// how many pages it read.
type listing[T any] struct {
	items   []T
	skipped int
	omitted int
	pages   int
}

// listAll fetches a collection and follows @odata.nextLink as given, but only
// under the endpoint's own scheme, host and path (the token goes nowhere
// else), never to a page already seen, and at most MaxPages times (the
// error then says how much was read: a store too large to list is not
// taken for a smaller one). A failure found in a page the service did
// send carries that page's status and ids.
func listAll[T any](ctx context.Context, c *Client, op, first string, decode func([]byte) (page[T], error)) (listing[T], error) {
	var out listing[T]
	seen := map[string]bool{first: true}
	next := first
	// Pages are read into one buffer: decode copies what it keeps.
	ctx = withPageBuffer(ctx, new(bytes.Buffer))
	for pages := 1; ; pages++ {
		resp, body, err := c.do(ctx, op, http.MethodGet, next, http.StatusOK)
		if err != nil {
			return listing[T]{pages: out.pages}, err // the pages read say whether the first was refused
		}
		p, err := decode(body)
		if err != nil {
			return listing[T]{}, answerError(op, resp, "", err)
		}
		out.items = append(out.items, p.Value...)
		out.skipped += p.Skipped
		out.omitted += p.Omitted
		out.pages = pages
		if p.NextLink == "" {
			return out, nil
		}
		link, err := c.checkNextLink(p.NextLink)
		switch {
		case err != nil:
			return listing[T]{}, answerError(op, resp, "unsafeNextLink", err)
		case seen[link]:
			return listing[T]{}, answerError(op, resp, "nextLinkLoop", fmt.Errorf("the service sent a next link to a page already read"))
		case pages >= c.opts.MaxPages:
			return listing[T]{}, answerError(op, resp, "tooManyPages", fmt.Errorf(
				"stopped after %d pages (%d entries): the service keeps sending next links, so the listing is not complete",
				c.opts.MaxPages, len(out.items)))
		}
		seen[link] = true
		next = link
	}
}

// checkNextLink accepts a next link only under the endpoint: same scheme and
// host, and a path inside the endpoint's own (no other API version, no
// other service behind the same host, no ".." climbing out).
func (c *Client) checkNextLink(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("the service sent a malformed next link")
	}
	if !sameOrigin(c.base, u) {
		return "", fmt.Errorf("refused a next link to %s: it leaves %s", u.Scheme+"://"+u.Host, c.base.Scheme+"://"+c.base.Host)
	}
	if !underPath(c.base.Path, u) {
		return "", fmt.Errorf("refused a next link to %s: it leaves the endpoint's path %s", redactURL(u), c.base.Path+"/")
	}
	return link, nil
}

// underPath reports whether u's path lies below prefix once dot segments
// are resolved. Escaped dots and backslashes are refused: a server may
// decode them into a climb after we checked.
func underPath(prefix string, u *url.URL) bool {
	raw := strings.ToLower(u.EscapedPath())
	if strings.Contains(raw, "%2e") || strings.Contains(raw, "%5c") {
		return false
	}
	p := u.Path
	if p != path.Clean(p) && p != path.Clean(p)+"/" {
		return false
	}
	return strings.HasPrefix(p, prefix+"/")
}
