package graphapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// graphErrorEnvelope is Graph's error body: {"error":{"code","message",
// "target","details":[{"code","message","target","innerError"}],
// "innerError":{"code","date","request-id","client-request-id","innerError":{…}}}}.
type graphErrorEnvelope struct {
	Error *struct {
		Code       json.RawMessage `json:"code"`
		Message    json.RawMessage `json:"message"`
		Target     json.RawMessage `json:"target"`
		Details    json.RawMessage `json:"details"`
		InnerError json.RawMessage `json:"innerError"`
	} `json:"error"`
}

type graphInnerError struct {
	Code            json.RawMessage `json:"code"`
	Date            json.RawMessage `json:"date"`
	RequestID       json.RawMessage `json:"request-id"`
	ClientRequestID json.RawMessage `json:"client-request-id"`
	InnerError      json.RawMessage `json:"innerError"`
}

type graphErrorDetail struct {
	Code       json.RawMessage `json:"code"`
	Message    json.RawMessage `json:"message"`
	Target     json.RawMessage `json:"target"`
	InnerError json.RawMessage `json:"innerError"`
}

// Bounds on what a hostile error body can make us keep.
const (
	maxInnerDepth   = 8
	maxErrorDetails = 50
)

// innerErrors decodes an innerError and those nested in it, outermost
// first. Entries that are not objects end the chain.
func innerErrors(data json.RawMessage) []graphInnerError {
	var chain []graphInnerError
	for len(chain) < maxInnerDepth && isObject(data) {
		var ie graphInnerError
		if json.Unmarshal(data, &ie) != nil {
			break
		}
		chain = append(chain, ie)
		data = ie.InnerError
	}
	return chain
}

func innerCodes(chain []graphInnerError) []string {
	var codes []string
	for _, ie := range chain {
		if c := looseString(ie.Code); c != "" {
			codes = append(codes, c)
		}
	}
	return codes
}

// errorDetails decodes error.details; anything but an array of objects
// gives nothing rather than failing the whole envelope.
func errorDetails(data json.RawMessage) []ErrorDetail {
	var raw []json.RawMessage
	if isNull(data) || json.Unmarshal(data, &raw) != nil {
		return nil
	}
	var out []ErrorDetail
	for _, r := range raw[:min(len(raw), maxErrorDetails)] {
		var d graphErrorDetail
		if !isObject(r) || json.Unmarshal(r, &d) != nil {
			continue
		}
		out = append(out, ErrorDetail{
			Code:       looseString(d.Code),
			Message:    looseString(d.Message),
			Target:     looseString(d.Target),
			InnerCodes: innerCodes(innerErrors(d.InnerError)),
		})
	}
	return out
}

// responseError turns a non-success response into *Error, using Graph's
// envelope when the body has one and the response headers otherwise.
func responseError(op string, resp *http.Response, body []byte, sentClientRequestID string) *Error {
	e := &Error{
		Op:              op,
		StatusCode:      resp.StatusCode,
		RequestID:       resp.Header.Get("request-id"),
		ClientRequestID: resp.Header.Get(headerClientRequestID),
	}
	if e.ClientRequestID == "" {
		e.ClientRequestID = sentClientRequestID
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		e.Date = d.UTC()
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = ParseRetryAfter(resp.Header, time.Now())
	}

	var env graphErrorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code = looseString(env.Error.Code)
		e.Message = looseString(env.Error.Message)
		e.Target = looseString(env.Error.Target)
		e.Details = errorDetails(env.Error.Details)
		chain := innerErrors(env.Error.InnerError)
		e.InnerCodes = innerCodes(chain)
		if len(chain) > 0 {
			ie := chain[0]
			if id := looseString(ie.RequestID); id != "" {
				e.RequestID = id
			}
			if id := looseString(ie.ClientRequestID); id != "" {
				e.ClientRequestID = id
			}
			if t, ok := ParseTime(looseString(ie.Date)); ok {
				e.Date = t.UTC()
			}
		}
	}
	if e.Message == "" {
		e.Message = describeBody(resp, body)
	}
	return e
}

// answerError is a failure to use an answer the service did send (a 200
// with malformed JSON, a wrong shape, a bad next link): it carries the
// answer's status and request ids, so a support ticket can name it.
func answerError(op string, resp *http.Response, code string, err error) *Error {
	e := &Error{
		Op:              op,
		StatusCode:      resp.StatusCode,
		Code:            code,
		Message:         err.Error(),
		RequestID:       resp.Header.Get("request-id"),
		ClientRequestID: resp.Header.Get(headerClientRequestID),
		Err:             err,
	}
	if e.ClientRequestID == "" && resp.Request != nil {
		e.ClientRequestID = resp.Request.Header.Get(headerClientRequestID)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		e.Date = d.UTC()
	}
	return e
}

// describeBody says what came back when it is not a Graph error, without
// echoing the body (a proxy's HTML page is noise, and could be hostile).
func describeBody(resp *http.Response, body []byte) string {
	status := http.StatusText(resp.StatusCode)
	if status == "" {
		status = "unexpected status"
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return status + " (empty body)"
	case mt == "" || mt == "application/json":
		return status
	default:
		return fmt.Sprintf("%s (a %s body instead of Graph JSON: a proxy or gateway may have answered)", status, mt)
	}
}

// ParseRetryAfter reads retry-after-ms, x-ms-retry-after-ms or Retry-After
// (seconds or an HTTP date). It returns 0 when absent or unreadable.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	for _, name := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, ok := parseWait(h.Get(name)); ok && ms > 0 {
			return time.Duration(min(ms, maxRetryAfterSecs*1000)) * time.Millisecond
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, ok := parseWait(v); ok {
		if secs <= 0 {
			return 0
		}
		// Cap absurd values before converting, so the multiply cannot overflow.
		return time.Duration(min(secs, maxRetryAfterSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// maxRetryAfterSecs caps a Retry-After: a week is "longer than anyone waits".
const maxRetryAfterSecs = 7 * 24 * 3600

// parseWait reads a decimal wait. A number too big for int64 is a very
// long wait, not an absent one.
func parseWait(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	n, err := strconv.ParseInt(v, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return n, true // ParseInt saturates: MaxInt64 or MinInt64
	}
	return n, err == nil
}

func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("response body is empty")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return describeJSONError(err)
	}
	return nil
}
