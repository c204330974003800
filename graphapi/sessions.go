package graphapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// SessionListing is a full listing of a store's sessions.
type SessionListing struct {
	// Sessions have an id each, in the order first listed, newest copy kept.
	// Each is its own allocation, so a caller can keep some of them, or
	// hand them to a later listing, without the whole listing's array.
	Sessions []*Session
	// Skipped counts entries the service listed that cannot be shown or
	// acted on: not a JSON object, or without an id. Report them; they are
	// not silently gone.
	Skipped int
	// Pages is how many requests the listing took: what listing the store
	// again will cost, whatever page size the service chose.
	Pages int
	// Omitted counts the sessions keep left out (Omitted).
	Omitted int
}

// Omitted is what a keep function (ListSessionsKeeping) returns for a
// session the caller wants left out of the listing, unconverted: one it
// remembers without holding it. The listing counts it (Omitted).
var Omitted = &Session{ID: "(omitted)"}

// ListSessions returns every session of a data store that has an id,
// following all pages. A session listed twice (pages can shift while they
// are read) appears once, as its newest copy, in the place it was first
// seen. ListSessionsReport also says how many entries were unusable.
func (c *Client) ListSessions(ctx context.Context, storeID string) ([]*Session, error) {
	l, err := c.ListSessionsReport(ctx, storeID)
	return l.Sessions, err
}

// ListSessionsReport is ListSessions with the count of skipped entries.
func (c *Client) ListSessionsReport(ctx context.Context, storeID string) (SessionListing, error) {
	return c.listSessions(ctx, storeID, nil)
}

// ListSessionsKeeping is ListSessions where keep sees each session as its
// page is decoded, before the rest of it is, and may return a copy the
// caller holds, equal to it, to list in its place, or Omitted to leave it
// out (nil lists the decoded session). keep sees only the session's ID, State and
// LastUpdatedDateTime, in a probe reused for the next session whose ID
// may point into the page: it must keep neither. A listing of a large
// store that mostly did not change then converts and holds nothing of
// those sessions.
func (c *Client) ListSessionsKeeping(ctx context.Context, storeID string, keep func(*Session) *Session) ([]*Session, error) {
	l, err := c.listSessions(ctx, storeID, keep)
	return l.Sessions, err
}

// ListSessionsKeepingReport is ListSessionsKeeping with the count of
// skipped entries, for a caller that must not take a listing it could not
// wholly read as the store's sessions.
func (c *Client) ListSessionsKeepingReport(ctx context.Context, storeID string, keep func(*Session) *Session) (SessionListing, error) {
	return c.listSessions(ctx, storeID, keep)
}

func (c *Client) listSessions(ctx context.Context, storeID string, keep func(*Session) *Session) (SessionListing, error) {
	const op = "list sessions"
	u, err := c.storeURL(storeID, "sessions")
	if err != nil {
		return SessionListing{}, opError(op, err)
	}
	decode := func(data []byte) (page[*Session], error) { return decodeSessionPage(data, keep) }
	top := c.withTop(u)
	l, err := listAll(ctx, c, op, top, decode)
	if top != u && l.pages == 0 && badRequest(err) {
		// Perhaps the service refuses $top (its first page was refused):
		// ask as it pages by default.
		if l, err = listAll(ctx, c, op, u, decode); err == nil {
			c.topRefused.Store(true)
		}
	}
	if err != nil {
		return SessionListing{}, err
	}
	sessions, noID := c.usable(l.items)
	return SessionListing{Sessions: sessions, Skipped: l.skipped + noID, Pages: l.pages, Omitted: l.omitted}, nil
}

// withTop asks a listing for pages of Options.PageSize, unless the
// service refused that before.
func (c *Client) withTop(u string) string {
	if c.opts.PageSize < 0 || c.topRefused.Load() {
		return u
	}
	return u + "?$top=" + strconv.Itoa(c.opts.PageSize)
}

func badRequest(err error) bool {
	ge, ok := AsError(err)
	return ok && ge.StatusCode == http.StatusBadRequest
}

// usable cleans what a listing read, in place: it remembers the salts, drops
// the sessions without an id (noID counts them) and keeps one copy per id.
func (c *Client) usable(sessions []*Session) (kept []*Session, noID int) {
	c.secrets.addSalts(sessions)
	kept = sessions[:0]
	for _, s := range sessions {
		if s.ID == "" {
			noID++
			continue
		}
		kept = append(kept, s)
	}
	clear(sessions[len(kept):]) // the tail holds no session
	return dedupe(kept), noID
}

// FirstSessions returns the first page of a store's sessions, in the
// service's order, cleaned as ListSessions cleans a listing: enough to
// show while ListSessions reads a large store's other pages.
func (c *Client) FirstSessions(ctx context.Context, storeID string) ([]*Session, error) {
	const op = "list sessions"
	u, err := c.storeURL(storeID, "sessions")
	if err != nil {
		return nil, opError(op, err)
	}
	resp, body, err := c.do(ctx, op, http.MethodGet, u, http.StatusOK)
	if err != nil {
		return nil, err
	}
	p, err := decodeSessionPage(body, nil)
	if err != nil {
		return nil, answerError(op, resp, "", err)
	}
	sessions, _ := c.usable(p.Value)
	return sessions, nil
}

// dedupe keeps one copy per id, the newest, where the id was first seen.
// The order's tail that dedupe frees is cleared, so it holds no session.
func dedupe(sessions []*Session) []*Session {
	at := make(map[string]int, len(sessions))
	out := sessions[:0]
	for _, s := range sessions {
		if i, seen := at[s.ID]; seen {
			if s.NewerThan(out[i]) {
				out[i] = s
			}
			continue
		}
		at[s.ID] = len(out)
		out = append(out, s)
	}
	clear(sessions[len(out):])
	return out
}

// GetSession returns one session.
func (c *Client) GetSession(ctx context.Context, storeID, sessionID string) (Session, error) {
	const op = "get session"
	u, err := c.sessionURL(storeID, sessionID)
	if err != nil {
		return Session{}, opError(op, err)
	}
	resp, body, err := c.do(ctx, op, http.MethodGet, u, http.StatusOK)
	if err != nil {
		return Session{}, err
	}
	s, err := DecodeSession(body)
	if err == nil {
		err = SameSession(sessionID, s.ID)
	}
	if err != nil {
		return Session{}, answerError(op, resp, "", err)
	}
	c.secrets.addSalts([]*Session{&s})
	return s, nil
}

// RenewSession renews a session and returns it. A 204 (OData's answer for
// a null result) or a 200 whose body cannot be read means the renew was
// accepted: the session is then read back with GET. If that fails too, the
// error matches ErrUnreadableAnswer: renewed, but the session is unknown.
func (c *Client) RenewSession(ctx context.Context, storeID, sessionID string) (Session, error) {
	const op = "renew session"
	u, err := c.sessionURL(storeID, sessionID, "renew")
	if err != nil {
		return Session{}, opError(op, err)
	}
	resp, body, err := c.do(ctx, op, http.MethodPost, u, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return Session{}, err
	}
	if resp.StatusCode == http.StatusNoContent {
		return c.reread(ctx, op, resp, storeID, sessionID, errors.New("the service answered 204 without the session"))
	}
	s, err := DecodeSession(body)
	if err != nil {
		return c.reread(ctx, op, resp, storeID, sessionID, err)
	}
	c.secrets.addSalts([]*Session{&s})
	return s, nil
}

// reread fetches a session whose action was accepted but whose answer
// could not be used (why).
func (c *Client) reread(ctx context.Context, op string, resp *http.Response, storeID, sessionID string, why error) (Session, error) {
	s, err := c.GetSession(ctx, storeID, sessionID)
	if err == nil {
		return s, nil
	}
	e := answerError(op, resp, "", fmt.Errorf("%w: %w", ErrUnreadableAnswer, why))
	e.Message = fmt.Sprintf("renewed (HTTP %d), but %s, and reading the session back failed: %s", resp.StatusCode, why, err)
	return Session{}, e
}

// CancelSession abandons a session.
func (c *Client) CancelSession(ctx context.Context, storeID, sessionID string) error {
	return c.action(ctx, "cancel session", storeID, sessionID, "cancel")
}

// CommitSession ends a session's upload so processing starts.
func (c *Client) CommitSession(ctx context.Context, storeID, sessionID string) error {
	return c.action(ctx, "commit session", storeID, sessionID, "commit")
}

// action posts cancel or commit. A 409 that follows a refused try (503,
// 429) may mean the earlier try was applied after all: the session is then
// read back, and its state decides between success and the 409.
func (c *Client) action(ctx context.Context, op, storeID, sessionID, name string) error {
	u, err := c.sessionURL(storeID, sessionID, name)
	if err != nil {
		return opError(op, err)
	}
	var tries atomic.Int32
	_, _, err = c.do(context.WithValue(ctx, triesKey{}, &tries), op, http.MethodPost, u, http.StatusNoContent, http.StatusOK, http.StatusAccepted)
	ge, ok := AsError(err)
	if !ok || tries.Load() < 2 || ge.StatusCode != http.StatusConflict {
		return err
	}
	s, gerr := c.GetSession(ctx, storeID, sessionID)
	switch {
	case gerr != nil:
		ge.Message += " (after a retry; reading the session back failed: " + gerr.Error() + ")"
	case applied(name, s.State):
		return nil
	default:
		ge.Message += " (after a retry; the session is now " + c.Scrub(s.State) + ")"
	}
	return ge
}

// applied reports whether a session's state shows the action took effect.
func applied(action, state string) bool {
	switch action {
	case "cancel":
		return ClassifyState(state) == StateCancelled
	case "commit":
		return ClassifyState(state) == StateDone || strings.Contains(strings.ToLower(state), "processing")
	}
	return false
}

// triesKey holds an *atomic.Int32 that counts a call's tries.
type triesKey struct{}

// countTries runs once per try of the retry policy.
func countTries(req *policy.Request) (*http.Response, error) {
	if n, ok := req.Raw().Context().Value(triesKey{}).(*atomic.Int32); ok {
		n.Add(1)
	}
	return req.Next()
}

// CountSessions asks the service how many sessions a store has
// (GET sessions/$count, ConsistencyLevel: eventual). Support by the live
// service is unknown: when it refuses (400, 404, 405, 501) or answers
// something other than a count, the error matches ErrUnsupported and the
// caller should fall back to listing.
func (c *Client) CountSessions(ctx context.Context, storeID string) (int, error) {
	const op = "count sessions"
	u, err := c.storeURL(storeID, "sessions", "$count")
	if err != nil {
		return 0, opError(op, err)
	}
	header := http.Header{"Accept": {"text/plain"}, "ConsistencyLevel": {"eventual"}}
	resp, body, err := c.doHeader(ctx, op, http.MethodGet, u, header, http.StatusOK)
	if ge, ok := AsError(err); ok {
		switch ge.StatusCode {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			ge.Err = ErrUnsupported
		}
		return 0, ge
	}
	if err != nil {
		return 0, err
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(body), "\ufeff")), 10, 32)
	if perr != nil || n < 0 {
		return 0, answerError(op, resp, "", fmt.Errorf("%w: the answer is not a count", ErrUnsupported))
	}
	return int(n), nil
}

// GetUploadAgent reads the upload agent that created a session.
func (c *Client) GetUploadAgent(ctx context.Context, storeID, sessionID string) (UploadAgent, error) {
	const op = "get upload agent"
	u, err := c.sessionURL(storeID, sessionID, "uploadAgent")
	if err != nil {
		return UploadAgent{}, opError(op, err)
	}
	resp, body, err := c.do(ctx, op, http.MethodGet, u, http.StatusOK)
	if err != nil {
		return UploadAgent{}, err
	}
	a, err := DecodeUploadAgent(body)
	if err != nil {
		return UploadAgent{}, answerError(op, resp, "", err)
	}
	return a, nil
}
