package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// JSON output keeps Graph's property names in a stable order. Secrets are
// redacted unless --reveal: the salt, and the query (SAS signature) of
// dataUploadURI.

type jsonSession struct {
	ID                           string     `json:"id"`
	DataStoreID                  string     `json:"dataStoreId"`
	FileName                     string     `json:"fileName"`
	State                        string     `json:"state"`
	CreationDateTime             *string    `json:"creationDateTime"`
	StartDateTime                *string    `json:"startDateTime"`
	LastUpdatedDateTime          *string    `json:"lastUpdatedDateTime"`
	CompletionDateTime           *string    `json:"completionDateTime"`
	UploadCompletionDateTime     *string    `json:"uploadCompletionDateTime"`
	ProcessingCompletionDateTime *string    `json:"processingCompletionDateTime"`
	TotalBlockCount              *int64     `json:"totalBlockCount"`
	RemainingBlockCount          *int64     `json:"remainingBlockCount"`
	TotalJobCount                *int64     `json:"totalJobCount"`
	RemainingJobCount            *int64     `json:"remainingJobCount"`
	RowsPerBlock                 *int64     `json:"rowsPerBlock"`
	Checksum                     string     `json:"checksum"`
	DataUploadURI                string     `json:"dataUploadURI"`
	Fields                       []string   `json:"fields"`
	Salt                         string     `json:"salt"`
	UploadAgentID                string     `json:"uploadAgentId"`
	Error                        *jsonError `json:"error"`
}

// jsonError is a detail plus the list of details (Graph's
// classificationError); the embedded fields are written inline, first.
type jsonError struct {
	jsonErrorDetail
	Details []jsonErrorDetail `json:"details"`
}

type jsonInnerError struct {
	Code            string  `json:"code"`
	ActivityID      string  `json:"activityId"`
	ClientRequestID string  `json:"clientRequestId"`
	ErrorDateTime   *string `json:"errorDateTime"`
}

type jsonErrorDetail struct {
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	Target     string          `json:"target"`
	InnerError *jsonInnerError `json:"innerError"`
}

// jsonFailure is a failed call as -o json reports it on stderr.
type jsonFailure struct {
	SessionID string       `json:"sessionId,omitempty"`
	Error     jsonAPIError `json:"error"`
	Advice    string       `json:"advice,omitempty"`
}

// jsonAPIError is a failed call: Graph's error in full when the service
// answered, else only the message.
type jsonAPIError struct {
	Op                string               `json:"op,omitempty"`
	Status            int                  `json:"status,omitempty"`
	Code              string               `json:"code,omitempty"`
	Message           string               `json:"message"`
	Target            string               `json:"target,omitempty"`
	InnerCodes        []string             `json:"innerCodes,omitempty"`
	Details           []jsonAPIErrorDetail `json:"details,omitempty"`
	RequestID         string               `json:"requestId,omitempty"`
	ClientRequestID   string               `json:"clientRequestId,omitempty"`
	Date              *string              `json:"date,omitempty"`
	RetryAfterSeconds int64                `json:"retryAfterSeconds,omitempty"`
	OutcomeUnknown    bool                 `json:"outcomeUnknown,omitempty"`
}

type jsonAPIErrorDetail struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Target     string   `json:"target,omitempty"`
	InnerCodes []string `json:"innerCodes,omitempty"`
}

func toJSONAPIError(err error) jsonAPIError {
	ge, ok := graphapi.AsError(err)
	if !ok {
		return jsonAPIError{Message: err.Error()}
	}
	j := jsonAPIError{Op: ge.Op, Status: ge.StatusCode, Code: ge.Code, Message: ge.Message, Target: ge.Target,
		InnerCodes: ge.InnerCodes, RequestID: ge.RequestID, ClientRequestID: ge.ClientRequestID,
		Date: jsonTime(graphapi.Time{Time: ge.Date}), RetryAfterSeconds: int64(ge.RetryAfter.Seconds()), OutcomeUnknown: ge.OutcomeUnknown}
	if ge != err {
		// Wrapped: the wrapping says which call or session failed.
		j.Message = err.Error()
	}
	for _, d := range ge.Details {
		j.Details = append(j.Details, jsonAPIErrorDetail{d.Code, d.Message, d.Target, d.InnerCodes})
	}
	return j
}

type jsonStore struct {
	ID                      string       `json:"id"`
	DisplayName             string       `json:"displayName"`
	Description             string       `json:"description"`
	DataLastUpdatedDateTime *string      `json:"dataLastUpdatedDateTime"`
	Columns                 []jsonColumn `json:"columns"`
}

type jsonColumn struct {
	Name              string   `json:"name"`
	IsSearchable      *bool    `json:"isSearchable"` // null when the service did not say
	IsCaseInsensitive *bool    `json:"isCaseInsensitive"`
	IgnoredDelimiters []string `json:"ignoredDelimiters"`
}

func jsonTime(t graphapi.Time) *string {
	switch {
	case !t.IsZero():
		s := t.UTC().Format(time.RFC3339Nano)
		return &s
	case t.Raw != "":
		s := t.Raw
		return &s
	}
	return nil
}

func jsonCount(c graphapi.Count) *int64 {
	if !c.Valid {
		return nil
	}
	v := c.Value
	return &v
}

func toJSONSession(s *graphapi.Session, reveal bool) jsonSession {
	j := jsonSession{
		ID: s.ID, DataStoreID: s.DataStoreID, FileName: s.FileName, State: s.State,
		CreationDateTime: jsonTime(s.CreationDateTime), StartDateTime: jsonTime(s.StartDateTime),
		LastUpdatedDateTime: jsonTime(s.LastUpdatedDateTime), CompletionDateTime: jsonTime(s.CompletionDateTime),
		UploadCompletionDateTime: jsonTime(s.UploadCompletionDateTime), ProcessingCompletionDateTime: jsonTime(s.ProcessingCompletionDateTime),
		TotalBlockCount: jsonCount(s.TotalBlockCount), RemainingBlockCount: jsonCount(s.RemainingBlockCount),
		TotalJobCount: jsonCount(s.TotalJobCount), RemainingJobCount: jsonCount(s.RemainingJobCount), RowsPerBlock: jsonCount(s.RowsPerBlock),
		Checksum: s.Checksum, DataUploadURI: s.DataUploadURI, Fields: s.Fields, Salt: s.Salt, UploadAgentID: s.UploadAgentID,
	}
	if j.Fields == nil {
		j.Fields = []string{}
	}
	if !reveal {
		if j.Salt != "" {
			j.Salt = present.Redacted
		}
		if j.DataUploadURI != "" {
			j.DataUploadURI = redactQuery(j.DataUploadURI)
		}
	}
	if e := s.Error; !e.IsEmpty() {
		j.Error = &jsonError{jsonErrorDetail{e.Code, e.Message, e.Target, toJSONInner(e.InnerError)}, []jsonErrorDetail{}}
		for _, d := range e.Details {
			j.Error.Details = append(j.Error.Details, jsonErrorDetail{d.Code, d.Message, d.Target, toJSONInner(d.InnerError)})
		}
	}
	return j
}

// redactQuery keeps a URL's address and replaces its query with REDACTED.
func redactQuery(raw string) string {
	base, hadQuery := present.RedactURI(raw)
	if hadQuery {
		return base + "?" + present.Redacted
	}
	return base
}

func toJSONInner(ie *graphapi.ClassificationInnerError) *jsonInnerError {
	if ie == nil {
		return nil
	}
	return &jsonInnerError{ie.Code, ie.ActivityID, ie.ClientRequestID, jsonTime(ie.ErrorDateTime)}
}

func toJSONStore(d graphapi.DataStore) jsonStore {
	j := jsonStore{ID: d.ID, DisplayName: d.DisplayName, Description: d.Description,
		DataLastUpdatedDateTime: jsonTime(d.DataLastUpdatedDateTime), Columns: []jsonColumn{}}
	for _, c := range d.Columns {
		delims := c.IgnoredDelimiters
		if delims == nil {
			delims = []string{}
		}
		j.Columns = append(j.Columns, jsonColumn{c.Name, c.IsSearchable, c.IsCaseInsensitive, delims})
	}
	return j
}

func writeSessions(w io.Writer, s scriptFlags, sessions []*graphapi.Session, asArray bool) error {
	if s.output == "json" {
		out := make([]jsonSession, 0, len(sessions))
		for _, x := range sessions {
			out = append(out, toJSONSession(x, s.reveal))
		}
		if !asArray && len(out) == 1 {
			return writeJSON(w, out[0])
		}
		return writeJSON(w, out)
	}
	return writeTable(w, sessionHeader, sessionRows(sessions))
}

func writeResults(w io.Writer, s scriptFlags, results []actionResult) error {
	if s.output == "json" {
		if results == nil {
			results = []actionResult{}
		}
		return writeJSON(w, results)
	}
	for _, r := range results {
		if _, err := fmt.Fprintf(w, "%s %s\n", r.Result, termtext.OneLine(r.ID)); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes v indented. Characters a terminal could act on that JSON
// leaves raw (C1 controls, bidi and other format characters) are written as
// \u escapes: the data is unchanged for a parser and inert on a screen.
func writeJSON(w io.Writer, v any) error { return encodeJSON(w, v, "  ") }

// writeJSONLine writes v on one line (JSON Lines), escaped as writeJSON.
func writeJSONLine(w io.Writer, v any) error { return encodeJSON(w, v, "") }

func encodeJSON(w io.Writer, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out strings.Builder
	for _, r := range buf.String() {
		if (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// writeTable writes aligned columns; every cell is sanitized.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	widths := make([]int, len(header))
	clean := make([][]string, 0, len(rows)+1)
	for _, r := range append([][]string{header}, rows...) {
		c := make([]string, len(r))
		for i, cell := range r {
			c[i] = termtext.OneLine(cell)
			widths[i] = max(widths[i], ansi.StringWidth(c[i]))
		}
		clean = append(clean, c)
	}
	var b strings.Builder
	for _, r := range clean {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sessionRows(sessions []*graphapi.Session) [][]string {
	rows := make([][]string, 0, len(sessions))
	for _, s := range sessions {
		rows = append(rows, []string{s.ID, orDash(s.FileName), orDash(s.State), present.Percent(s.UploadProgress()),
			present.Percent(s.ProcessingProgress()), timeCell(s.LastUpdatedDateTime), timeCell(s.CreationDateTime)})
	}
	return rows
}

var sessionHeader = []string{"ID", "FILE", "STATE", "UPLOAD", "PROCESSING", "UPDATED", "CREATED"}

// Cells are present's text, as in the dashboard; the short names are kept
// for the other command files.
var (
	orDash   = present.OrDash
	timeCell = present.UTC
)
