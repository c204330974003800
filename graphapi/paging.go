package graphapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// listAll fetches a collection and follows @odata.nextLink as given, but only
// to the endpoint's own scheme and host (the token goes nowhere else), never
// to a page already seen, and at most MaxPages times.
func listAll[T any](ctx context.Context, c *Client, op, first string, decode func([]byte) (page[T], error)) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	next := first
	for pages := 0; next != ""; pages++ {
		if pages >= c.opts.MaxPages {
			return nil, &Error{Op: op, Code: "tooManyPages", Message: fmt.Sprintf("stopped after %d pages: the service keeps sending next links", c.opts.MaxPages)}
		}
		if seen[next] {
			return nil, &Error{Op: op, Code: "nextLinkLoop", Message: "the service sent a next link to a page already read"}
		}
		seen[next] = true
		_, body, err := c.do(ctx, op, http.MethodGet, next, http.StatusOK)
		if err != nil {
			return nil, err
		}
		p, err := decode(body)
		if err != nil {
			return nil, opError(op, err)
		}
		all = append(all, p.Value...)
		if p.NextLink == "" {
			break
		}
		if next, err = c.checkNextLink(p.NextLink); err != nil {
			return nil, &Error{Op: op, Code: "unsafeNextLink", Message: err.Error(), Err: err}
		}
	}
	return all, nil
}

func (c *Client) checkNextLink(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("the service sent a malformed next link")
	}
	if !sameOrigin(c.base, u) {
		return "", fmt.Errorf("refused a next link to %s: it leaves %s", u.Scheme+"://"+u.Host, c.base.Scheme+"://"+c.base.Host)
	}
	return link, nil
}
