package fakegraph

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a scripted answer for one route. Faults for a route are used in
// the order they were injected; each answers Times requests (0 means once,
// a negative number means every request from then on).
type Fault struct {
	// Status and Header of the answer. A Status of 0 keeps the real answer's
	// status (useful with Delay, Drip or Truncate).
	Status int
	Header http.Header
	// Body of the answer. When nil and Status >= 400, a Graph error envelope
	// with Code and Message is sent; when nil otherwise, the real body.
	Body          []byte
	Code, Message string
	// Target, Details and InnerCode fill the envelope's error.target,
	// error.details and error.innerError.code.
	Target    string
	Details   []FailureDetail
	InnerCode string
	// Delay holds the answer back (a stall, when longer than the client waits).
	Delay time.Duration
	// Drip sends the body one byte at a time with this pause between bytes.
	Drip time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Truncate sends the headers (with the full Content-Length) and half the
	// body, then cuts the connection.
	Truncate bool
	// Apply runs the real handler first, so the action takes effect, and
	// then answers with the fault (e.g. Apply+Drop: a renew that happened
	// but whose answer was lost).
	Apply bool
	Times int
}

// Inject queues faults for route.
func (s *Server) Inject(route Route, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		c := f
		s.faults[route] = append(s.faults[route], &c)
	}
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Route][]*Fault{}
}

func (s *Server) takeFault(route Route) *Fault {
	q := s.faults[route]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if f.Times >= 0 {
		if f.Times <= 1 {
			s.faults[route] = q[1:]
		} else {
			f.Times--
		}
	}
	c := *f
	return &c
}

// serve answers with the fault; real is the route's own handler.
func (f *Fault) serve(w *response, r *http.Request, real func(*response)) {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	needReal := f.Apply || (f.Body == nil && f.Status < 400 && !f.Drop)
	var rec *httptest.ResponseRecorder
	if needReal {
		rec = httptest.NewRecorder()
		real(&response{ResponseWriter: rec, requestID: w.requestID, clientRequestID: w.clientRequestID, now: w.now})
	}
	if f.Drop {
		dropConnection(w)
		return
	}

	status := f.Status
	body := f.Body
	if rec != nil {
		if status == 0 {
			status = rec.Code
		}
		if body == nil && f.Status < 400 {
			body = rec.Body.Bytes()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	if body == nil && status >= 400 {
		w.json(status, f.envelope(w, status))
		return
	}
	w.headers()
	if w.Header().Get("Content-Type") == "" && len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	f.writeBody(w, r, body)
}

// envelope is the Graph error body a fault without a Body sends.
func (f *Fault) envelope(w *response, status int) wireGraphError {
	code, msg := f.Code, f.Message
	if code == "" {
		code = http.StatusText(status)
	}
	if msg == "" {
		msg = "Injected fault."
	}
	env := w.errorBody(code, msg)
	env.Error.Target = f.Target
	env.Error.Details = wireDetails(f.Details)
	env.Error.InnerError.Code = f.InnerCode
	return env
}

// writeBody sends body whole, cut short (Truncate) or a byte at a time (Drip).
func (f *Fault) writeBody(w *response, r *http.Request, body []byte) {
	switch {
	case f.Truncate:
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		// Aborting the handler makes net/http cut the connection, so the
		// client sees a body shorter than Content-Length.
		panic(http.ErrAbortHandler)
	case f.Drip > 0:
		fl, _ := w.ResponseWriter.(http.Flusher)
		for i := range body {
			if _, err := w.Write(body[i : i+1]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-time.After(f.Drip):
			case <-r.Context().Done():
				return
			}
		}
	default:
		_, _ = w.Write(body)
	}
}

// dropConnection closes the client's connection without any answer.
func dropConnection(w *response) {
	if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
