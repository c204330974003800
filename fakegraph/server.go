// Package fakegraph is a simulated Microsoft Graph EDM service: an
// http.Handler with in-memory data stores and sessions whose progress follows
// a clock, scripted faults and a record of every request. It powers --demo,
// `edmtop simulate` and the tests.
package fakegraph

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Options configure a Server.
type Options struct {
	// Prefix is the version path segment the endpoints live under (default "/beta").
	Prefix string
	// Token, when set, is the only bearer token accepted; otherwise any
	// non-empty bearer token is.
	Token string
	// Clock drives session progress (default RealClock).
	Clock Clock
	// PageSize is the default page length of collections (default 100).
	PageSize int
	// MaxPageSize is the longest page $top may ask for (default PageSize:
	// a larger $top is answered with pages of PageSize, as a service that
	// caps its pages does). Set it up to 1000 for a service that honours
	// large pages. $top outside 1..1000 is refused (400); the NoTop
	// condition refuses every $top.
	MaxPageSize int
	// MaxSessionsPerStore bounds generated sessions: the oldest finished
	// ones are dropped beyond it (default 40).
	MaxSessionsPerStore int
	// UploadHost is the host placed in dataUploadURI values.
	UploadHost string
}

// Server is the simulated service. It is safe for concurrent use.
type Server struct {
	opts Options

	mu         sync.Mutex
	stores     []*Store
	sessions   map[string][]*session // by store id, in creation order
	generators []*generator
	faults     map[Route][]*Fault
	requests   []Request
	// conditions are the standing faults (SetConditions); conditionsChanged
	// is closed when they change, releasing requests held by Hang.
	conditions        []Condition
	conditionsChanged chan struct{}
}

// Request is one request the server received.
type Request struct {
	At     time.Time
	Method string
	// Path is the escaped request path; Query its raw query string.
	Path   string
	Query  string
	Route  Route
	Header http.Header
}

type generator struct {
	storeID string
	every   time.Duration
	start   time.Time
	made    int
	make    func(i int, at time.Time) SessionSpec
}

// New creates an empty simulator.
func New(opts Options) *Server {
	if opts.Prefix == "" {
		opts.Prefix = "/beta"
	}
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/")
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = opts.PageSize
	}
	if opts.MaxSessionsPerStore <= 0 {
		opts.MaxSessionsPerStore = 40
	}
	if opts.UploadHost == "" {
		opts.UploadHost = "edmupload.blob.core.windows.net"
	}
	return &Server{
		opts:              opts,
		sessions:          map[string][]*session{},
		faults:            map[Route][]*Fault{},
		conditionsChanged: make(chan struct{}),
	}
}

// Clock returns the clock the server runs on.
func (s *Server) Clock() Clock { return s.opts.Clock }

// AddStore adds a data store.
func (s *Server) AddStore(st Store) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := st
	s.stores = append(s.stores, &c)
}

// AddSession adds a session to a store. Missing values get defaults: an id,
// a creation time of now, 1 block and 1 job per minute, 100000 rows per block.
func (s *Server) AddSession(storeID string, spec SessionSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSessionLocked(storeID, spec)
}

func (s *Server) addSessionLocked(storeID string, spec SessionSpec) (string, error) {
	st := s.store(storeID)
	if st == nil {
		return "", fmt.Errorf("no data store %q", storeID)
	}
	if spec.ID == "" {
		spec.ID = uuid.NewString()
	}
	if spec.Created.IsZero() {
		spec.Created = s.opts.Clock.Now()
	}
	if spec.BlocksPerMinute == 0 {
		spec.BlocksPerMinute = 1
	}
	if spec.JobsPerMinute == 0 {
		spec.JobsPerMinute = 1
	}
	if spec.RowsPerBlock == 0 {
		spec.RowsPerBlock = 100000
	}
	if spec.FileName == "" {
		spec.FileName = spec.ID + ".EdmHash"
	}
	fields := make([]string, 0, len(st.Columns))
	for _, c := range st.Columns {
		fields = append(fields, c.Name)
	}
	s.sessions[storeID] = append(s.sessions[storeID], &session{
		spec:     spec,
		storeID:  storeID,
		fields:   fields,
		salt:     strings.ReplaceAll(deriveGUID(spec.ID, "salt")+deriveGUID(spec.ID, "pepper"), "-", ""),
		checksum: strings.ReplaceAll(deriveGUID(spec.FileName, "checksum"), "-", ""),
		agentID:  deriveGUID(storeID, "agent"),
		// Cancelling is an event, recorded like one made through the API.
		cancelledAt: spec.CancelledAt,
	})
	return spec.ID, nil
}

// GenerateSessions makes the server add a session to storeID every interval,
// starting one interval from now, built by makeSpec (i counts from 0).
func (s *Server) GenerateSessions(storeID string, every time.Duration, makeSpec func(i int, at time.Time) SessionSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.generators = append(s.generators, &generator{storeID: storeID, every: every, start: s.opts.Clock.Now(), make: makeSpec})
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests that matched route.
func (s *Server) RequestsTo(route Route) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) store(id string) *Store {
	for _, st := range s.stores {
		if st.ID == id {
			return st
		}
	}
	return nil
}

func (s *Server) findSession(storeID, id string) *session {
	for _, se := range s.sessions[storeID] {
		if se.spec.ID == id {
			return se
		}
	}
	return nil
}

// advance runs the generators up to now and prunes old finished sessions.
func (s *Server) advance(now time.Time) {
	for _, g := range s.generators {
		for {
			at := g.start.Add(time.Duration(g.made+1) * g.every)
			if at.After(now) {
				break
			}
			spec := g.make(g.made, at)
			if spec.Created.IsZero() {
				spec.Created = at
			}
			g.made++
			_, _ = s.addSessionLocked(g.storeID, spec)
		}
		s.prune(g.storeID, now)
	}
}

func (s *Server) prune(storeID string, now time.Time) {
	list := s.sessions[storeID]
	for len(list) > s.opts.MaxSessionsPerStore {
		i := slices.IndexFunc(list, func(se *session) bool { return terminal(se.at(now).state) })
		if i < 0 {
			break
		}
		list = slices.Delete(list, i, i+1)
	}
	s.sessions[storeID] = list
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, args, routeErr := s.match(r)
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		At: s.opts.Clock.Now(), Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Route: route, Header: r.Header.Clone(),
	})
	fault := s.takeFault(route)
	s.mu.Unlock()

	rw := newResponse(w, r, s.opts.Clock.Now())
	if s.underCondition(rw, r, route, args) {
		return
	}
	if fault != nil {
		fault.serve(rw, r, func(w *response) { s.serveRoute(w, r, route, args, routeErr) })
		return
	}
	s.serveRoute(rw, r, route, args, routeErr)
}

// underCondition answers the request if a standing fault covers it. A Hang
// holds it until the conditions change, then looks again.
func (s *Server) underCondition(w *response, r *http.Request, route Route, args []string) bool {
	for {
		s.mu.Lock()
		c, changed := s.condition(route, args)
		s.mu.Unlock()
		if c == nil {
			return false
		}
		if s.serveCondition(w, r, c, changed) {
			return true
		}
		if r.Context().Err() != nil {
			return true // the client gave up while held
		}
		if c.Kind != Hang {
			return false
		}
	}
}

func (s *Server) serveRoute(w *response, r *http.Request, route Route, args []string, routeErr *routeError) {
	if !s.authorized(r) {
		w.graphError(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	if routeErr != nil {
		if routeErr.allow != "" {
			w.Header().Set("Allow", routeErr.allow)
		}
		w.graphError(routeErr.status, routeErr.code, routeErr.message)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	s.advance(now)
	if route != RouteListStores && s.store(args[0]) == nil {
		// Every other route is under a data store.
		w.graphError(http.StatusNotFound, "itemNotFound", "The data store does not exist.")
		return
	}
	switch route {
	case RouteListStores:
		s.writeCollection(w, r, "dataClassification/exactMatchDataStores", len(s.stores), func(i int) any { return s.stores[i].wire() })
	case RouteGetStore:
		st := s.store(args[0]).wire()
		st.Context = s.baseURL(r) + "/$metadata#dataClassification/exactMatchDataStores/$entity"
		w.json(http.StatusOK, st)
	case RouteListSessions:
		if s.twisted(GarbageListing, route, args[0]) {
			w.json(http.StatusOK, garbageListing(s.baseURL(r)+"/$metadata#"+sessionsContext(args[0])))
			return
		}
		if s.twisted(NoTop, route, args[0]) && r.URL.Query().Has("$top") {
			w.graphError(http.StatusBadRequest, "BadRequest", "Query option '$top' is not allowed.")
			return
		}
		list := s.sessions[args[0]]
		s.writeCollection(w, r, sessionsContext(args[0]), len(list),
			func(i int) any { return list[i].wire(now, s.opts.UploadHost) })
	case RouteCountSessions:
		w.text(http.StatusOK, strconv.Itoa(len(s.sessions[args[0]])))
	default:
		s.serveSession(w, r, route, args, now)
	}
}

func sessionsContext(storeID string) string {
	return fmt.Sprintf("dataClassification/exactMatchDataStores('%s')/sessions", storeID)
}

func (s *Server) serveSession(w *response, r *http.Request, route Route, args []string, now time.Time) {
	se := s.findSession(args[0], args[1])
	if se == nil {
		w.graphError(http.StatusNotFound, "itemNotFound", "The session does not exist.")
		return
	}
	if s.twisted(OtherSession, route, args[0]) {
		if other := s.otherSession(args[0], args[1]); other != nil {
			se = other
		} else {
			// A store of one session: the same body under another id.
			c := *se
			c.spec.ID = deriveGUID(se.spec.ID, "other")
			se = &c
		}
	}
	state := se.at(now).state
	metadata := s.baseURL(r) + "/$metadata#"
	// A single entity carries @odata.context, as Graph sends it.
	entity := func() wireSession {
		ws := se.wire(now, s.opts.UploadHost)
		ws.Context = metadata + sessionsContext(args[0]) + "/$entity"
		if route == RouteRenew {
			ws.Context = metadata + "microsoft.graph.exactMatchSession"
		}
		return ws
	}
	switch route {
	case RouteGetSession:
		w.json(http.StatusOK, entity())
	case RouteUploadAgent:
		w.json(http.StatusOK, wireUploadAgent{
			Context:          metadata + fmt.Sprintf("%s('%s')/uploadAgent/$entity", sessionsContext(args[0]), args[1]),
			ODataType:        "#microsoft.graph.exactMatchUploadAgent",
			ID:               se.agentID,
			Description:      "EdmUploadAgent on EDM-UPLOAD-01",
			CreationDateTime: graphTime(se.spec.Created.Add(-30 * 24 * time.Hour)),
		})
	case RouteRenew:
		if terminal(state) {
			w.graphError(http.StatusConflict, "InvalidSessionState", fmt.Sprintf("The session is %s and cannot be renewed.", state))
			return
		}
		se.renewedAt = now
		w.json(http.StatusOK, entity())
	case RouteCancel:
		if terminal(state) {
			w.graphError(http.StatusConflict, "InvalidSessionState", fmt.Sprintf("The session is %s and cannot be cancelled.", state))
			return
		}
		se.cancelledAt = now
		w.noContent()
	case RouteCommit:
		if state != StateUploadCompleted {
			w.graphError(http.StatusConflict, "InvalidSessionState", fmt.Sprintf("The session is %s: only a session whose upload has completed can be committed.", state))
			return
		}
		se.committedAt = now
		w.noContent()
	}
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	tok := strings.TrimSpace(h[len(prefix):])
	if s.opts.Token == "" {
		return tok != ""
	}
	return tok == s.opts.Token
}

// writeCollection writes one page of a collection of n items, honouring
// $top (up to MaxPageSize) and $skiptoken, with an absolute
// @odata.nextLink when more remain.
// Only the page's items are built.
func (s *Server) writeCollection(w *response, r *http.Request, contextPath string, n int, item func(int) any) {
	q := r.URL.Query()
	size := s.opts.PageSize
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			w.graphError(http.StatusBadRequest, "BadRequest", "Invalid value for $top: use a number from 1 to 1000.")
			return
		}
		size = min(n, max(s.opts.MaxPageSize, s.opts.PageSize))
	}
	var count *int
	switch q.Get("$count") {
	case "", "false":
	case "true":
		count = &n
	default:
		w.graphError(http.StatusBadRequest, "BadRequest", "Invalid value for $count: use true or false.")
		return
	}
	offset := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		skip, ok := decodeSkipToken(tok)
		if !ok {
			w.graphError(http.StatusBadRequest, "BadRequest", "The $skiptoken is invalid.")
			return
		}
		offset = min(skip, n)
	}
	end := min(offset+size, n)
	page := make([]any, 0, end-offset)
	for i := offset; i < end; i++ {
		page = append(page, item(i))
	}
	out := wireCollection{
		Context: s.baseURL(r) + "/$metadata#" + contextPath,
		Value:   page,
	}
	if offset == 0 {
		// Graph sends the total on the first page.
		out.Count = count
	}
	if end < n {
		next := s.baseURL(r) + strings.TrimPrefix(r.URL.EscapedPath(), s.opts.Prefix) + "?"
		if q.Has("$top") {
			next += "$top=" + strconv.Itoa(size) + "&"
		}
		out.NextLink = next + "$skiptoken=" + encodeSkipToken(end)
	}
	w.json(http.StatusOK, out)
}

func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.opts.Prefix
}

func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeSkipToken(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(b), "offset:") {
		return 0, false
	}
	return n, true
}

// Route names an endpoint, for faults and request records.
type Route string

// The routes of graph-edm-api.md that the simulator serves.
const (
	RouteUnknown      Route = ""
	RouteListStores   Route = "listStores"
	RouteGetStore     Route = "getStore"
	RouteListSessions Route = "listSessions"
	RouteGetSession   Route = "getSession"
	RouteRenew        Route = "renew"
	RouteCancel       Route = "cancel"
	RouteCommit       Route = "commit"
	RouteUploadAgent  Route = "uploadAgent"
	// RouteCountSessions is GET sessions/$count: a text/plain integer.
	RouteCountSessions Route = "countSessions"
)

type routeError struct {
	status        int
	code, message string
	allow         string // the method a 405 names in its Allow header
}

// match maps a request to a route and its path arguments (store id,
// session id), unescaping each segment on its own so "%2F" stays inside it.
func (s *Server) match(r *http.Request) (Route, []string, *routeError) {
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, s.opts.Prefix+"/") {
		return RouteUnknown, nil, &routeError{status: http.StatusNotFound, code: "UnknownVersion", message: "Use the " + s.opts.Prefix + " endpoint."}
	}
	raw := strings.Split(strings.TrimPrefix(path, s.opts.Prefix+"/"), "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			return RouteUnknown, nil, &routeError{status: http.StatusBadRequest, code: "BadRequest", message: "Malformed path."}
		}
		segs[i] = u
	}
	notFound := &routeError{status: http.StatusBadRequest, code: "BadRequest", message: "Resource not found for the segment '" + raw[len(raw)-1] + "'."}
	if len(segs) < 2 || segs[0] != "dataClassification" || segs[1] != "exactMatchDataStores" {
		return RouteUnknown, nil, notFound
	}
	want := func(route Route, method string, args ...string) (Route, []string, *routeError) {
		if r.Method != method {
			// Graph answers a wrong method with 405 and this code.
			return route, args, &routeError{http.StatusMethodNotAllowed, "Request_BadRequest", "Request method '" + r.Method + "' is not supported here.", method}
		}
		return route, args, nil
	}
	switch len(segs) {
	case 2:
		return want(RouteListStores, http.MethodGet)
	case 3:
		return want(RouteGetStore, http.MethodGet, segs[2])
	case 4:
		if segs[3] == "sessions" {
			return want(RouteListSessions, http.MethodGet, segs[2])
		}
	case 5:
		if segs[3] == "sessions" && raw[4] == "$count" {
			return want(RouteCountSessions, http.MethodGet, segs[2])
		}
		if segs[3] == "sessions" {
			return want(RouteGetSession, http.MethodGet, segs[2], segs[4])
		}
	case 6:
		if segs[3] != "sessions" {
			break
		}
		switch strings.TrimPrefix(segs[5], "microsoft.graph.") {
		case "renew":
			return want(RouteRenew, http.MethodPost, segs[2], segs[4])
		case "cancel":
			return want(RouteCancel, http.MethodPost, segs[2], segs[4])
		case "commit":
			return want(RouteCommit, http.MethodPost, segs[2], segs[4])
		case "uploadAgent":
			return want(RouteUploadAgent, http.MethodGet, segs[2], segs[4])
		}
	}
	return RouteUnknown, nil, notFound
}

// response writes Graph-shaped answers with request-id and date headers.
type response struct {
	http.ResponseWriter
	requestID, clientRequestID string
	now                        time.Time
}

func newResponse(w http.ResponseWriter, r *http.Request, now time.Time) *response {
	crid := r.Header.Get("client-request-id")
	if crid == "" {
		crid = uuid.NewString()
	}
	return &response{ResponseWriter: w, requestID: uuid.NewString(), clientRequestID: crid, now: now}
}

func (w *response) headers() {
	h := w.Header()
	h.Set("request-id", w.requestID)
	h.Set("client-request-id", w.clientRequestID)
	h.Set("Cache-Control", "no-cache")
	h.Set("Date", w.now.UTC().Format(http.TimeFormat))
}

func (w *response) json(status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		w.graphError(http.StatusInternalServerError, "InternalServerError", "encoding failed")
		return
	}
	w.headers()
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// text answers a plain-text value, as Graph answers $count.
func (w *response) text(status int, body string) {
	w.headers()
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (w *response) noContent() {
	w.headers()
	w.WriteHeader(http.StatusNoContent)
}

func (w *response) graphError(status int, code, message string) {
	w.json(status, w.errorBody(code, message))
}

func (w *response) errorBody(code, message string) wireGraphError {
	return wireGraphError{Error: wireGraphErrorBody{
		Code:    code,
		Message: message,
		InnerError: wireGraphInnerError{
			// Graph's innerError date has no zone.
			Date:            w.now.UTC().Format("2006-01-02T15:04:05"),
			RequestID:       w.requestID,
			ClientRequestID: w.clientRequestID,
		},
	}}
}
