package graphapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// The service's JSON is decoded leniently, field by field: a wrong type or an
// odd value in one property must not cost the admin a whole page of sessions.
// Every property is first captured raw, then converted with forgiving helpers.

// rawValue is a JSON value as it sits in the body being decoded. Unlike
// json.RawMessage it is not copied (encoding/json hands Unmarshalers a
// slice of its input), so it must not outlive that body: the helpers below
// copy what they keep.
type rawValue []byte

func (r *rawValue) UnmarshalJSON(data []byte) error {
	*r = data
	return nil
}

type rawSession struct {
	ID                           rawValue `json:"id"`
	DataStoreID                  rawValue `json:"dataStoreId"`
	DatastoreIDLegacy            rawValue `json:"datastoreId"`
	State                        rawValue `json:"state"`
	FileName                     rawValue `json:"fileName"`
	CreationDateTime             rawValue `json:"creationDateTime"`
	StartDateTime                rawValue `json:"startDateTime"`
	LastUpdatedDateTime          rawValue `json:"lastUpdatedDateTime"`
	CompletionDateTime           rawValue `json:"completionDateTime"`
	UploadCompletionDateTime     rawValue `json:"uploadCompletionDateTime"`
	ProcessingCompletionDateTime rawValue `json:"processingCompletionDateTime"`
	TotalBlockCount              rawValue `json:"totalBlockCount"`
	RemainingBlockCount          rawValue `json:"remainingBlockCount"`
	TotalJobCount                rawValue `json:"totalJobCount"`
	RemainingJobCount            rawValue `json:"remainingJobCount"`
	RowsPerBlock                 rawValue `json:"rowsPerBlock"`
	Checksum                     rawValue `json:"checksum"`
	DataUploadURI                rawValue `json:"dataUploadURI"`
	Fields                       rawValue `json:"fields"`
	Salt                         rawValue `json:"salt"`
	UploadAgentID                rawValue `json:"uploadAgentId"`
	Error                        rawValue `json:"error"`
}

// UnmarshalJSON decodes an exactMatchSession, accepting both the current
// dataStoreId and the older datastoreId spelling.
func (s *Session) UnmarshalJSON(data []byte) error {
	if !isObject(data) {
		// null, or not an object at all: no session here (pages skip it).
		*s = Session{}
		return nil
	}
	var r rawSession
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	*s = r.session()
	return nil
}

// session converts the captured properties with the forgiving helpers.
func (r *rawSession) session() Session {
	s := Session{
		ID:                           looseString(r.ID),
		DataStoreID:                  looseInterned(r.DataStoreID),
		State:                        looseInterned(r.State),
		FileName:                     looseString(r.FileName),
		CreationDateTime:             looseTime(r.CreationDateTime),
		StartDateTime:                looseTime(r.StartDateTime),
		LastUpdatedDateTime:          looseTime(r.LastUpdatedDateTime),
		CompletionDateTime:           looseTime(r.CompletionDateTime),
		UploadCompletionDateTime:     looseTime(r.UploadCompletionDateTime),
		ProcessingCompletionDateTime: looseTime(r.ProcessingCompletionDateTime),
		TotalBlockCount:              looseCount(r.TotalBlockCount),
		RemainingBlockCount:          looseCount(r.RemainingBlockCount),
		TotalJobCount:                looseCount(r.TotalJobCount),
		RemainingJobCount:            looseCount(r.RemainingJobCount),
		RowsPerBlock:                 looseCount(r.RowsPerBlock),
		Checksum:                     looseString(r.Checksum),
		DataUploadURI:                looseString(r.DataUploadURI),
		Fields:                       internList(looseStrings(r.Fields)),
		Salt:                         looseString(r.Salt),
		UploadAgentID:                looseInterned(r.UploadAgentID),
		Error:                        looseClassificationError(r.Error),
	}
	if s.DataStoreID == "" {
		s.DataStoreID = looseInterned(r.DatastoreIDLegacy)
	}
	if s.Error != nil {
		// The service's own text may echo the salt or the upload URL.
		s.Error.scrub(func(t string) string { return intern(Scrub(t, s.Salt)) })
	}
	return s
}

// probe fills s with what keep decides on, the id, state and last update,
// converting nothing else: a session keep finds unchanged costs no copy of
// its strings. The id may point into the page being decoded.
func (r *rawSession) probe(s *Session) {
	id, escaped := looseText(r.ID)
	*s = Session{State: looseInterned(r.State), LastUpdatedDateTime: looseTime(r.LastUpdatedDateTime)}
	if escaped {
		s.ID = string(id)
	} else {
		s.ID = unsafe.String(unsafe.SliceData(id), len(id))
	}
}

// empty reports a rawSession that decoded nothing (a non-object element).
func (r *rawSession) empty() bool {
	return reflect.ValueOf(*r).IsZero()
}

type rawDataStore struct {
	ID                      json.RawMessage `json:"id"`
	DisplayName             json.RawMessage `json:"displayName"`
	Description             json.RawMessage `json:"description"`
	DataLastUpdatedDateTime json.RawMessage `json:"dataLastUpdatedDateTime"`
	RawColumns              json.RawMessage `json:"columns"`
}

type rawColumn struct {
	Name              json.RawMessage `json:"name"`
	IsSearchable      json.RawMessage `json:"isSearchable"`
	IsCaseInsensitive json.RawMessage `json:"isCaseInsensitive"`
	IgnoredDelimiters json.RawMessage `json:"ignoredDelimiters"`
}

// UnmarshalJSON decodes an exactMatchDataStore leniently.
func (d *DataStore) UnmarshalJSON(data []byte) error {
	if !isObject(data) {
		*d = DataStore{}
		return nil
	}
	var r rawDataStore
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	*d = DataStore{
		object:                  true,
		ID:                      looseString(r.ID),
		DisplayName:             looseString(r.DisplayName),
		Description:             looseString(r.Description),
		DataLastUpdatedDateTime: looseTime(r.DataLastUpdatedDateTime),
	}
	var cols []json.RawMessage
	if json.Unmarshal(r.RawColumns, &cols) == nil {
		for _, c := range cols {
			var rc rawColumn
			if json.Unmarshal(c, &rc) != nil {
				continue
			}
			d.Columns = append(d.Columns, Column{
				Name:              looseString(rc.Name),
				IsSearchable:      nullableBool(rc.IsSearchable),
				IsCaseInsensitive: nullableBool(rc.IsCaseInsensitive),
				IgnoredDelimiters: looseStrings(rc.IgnoredDelimiters),
			})
		}
	}
	return nil
}

type rawClassificationError struct {
	Code       rawValue `json:"code"`
	Message    rawValue `json:"message"`
	Target     rawValue `json:"target"`
	InnerError rawValue `json:"innerError"`
	RawDetails rawValue `json:"details"`
}

type rawInnerError struct {
	Code            rawValue `json:"code"`
	ActivityID      rawValue `json:"activityId"`
	ClientRequestID rawValue `json:"clientRequestId"`
	ErrorDateTime   rawValue `json:"errorDateTime"`
}

func looseClassificationError(data []byte) *ClassificationError {
	var r rawClassificationError
	if isNull(data) || json.Unmarshal(data, &r) != nil {
		return nil
	}
	// Codes and texts repeat across sessions (a store's failures share a
	// few): they are interned once scrubbed (Session's decoding scrubs
	// them), never before, so no secret is kept in the intern table.
	e := &ClassificationError{
		Code:       looseString(r.Code),
		Message:    looseString(r.Message),
		Target:     looseString(r.Target),
		InnerError: looseInnerError(r.InnerError),
	}
	var details []rawValue
	if json.Unmarshal(r.RawDetails, &details) == nil {
		for _, d := range details {
			var rd rawClassificationError
			if json.Unmarshal(d, &rd) != nil {
				continue
			}
			e.Details = append(e.Details, ClassificationErrorDetail{
				Code:       looseString(rd.Code),
				Message:    looseString(rd.Message),
				Target:     looseString(rd.Target),
				InnerError: looseInnerError(rd.InnerError),
			})
		}
	}
	if e.IsEmpty() {
		// {"@odata.type": "..."} alone means "no error".
		return nil
	}
	return e
}

func looseInnerError(data []byte) *ClassificationInnerError {
	var r rawInnerError
	if isNull(data) || json.Unmarshal(data, &r) != nil {
		return nil
	}
	ie := &ClassificationInnerError{
		Code:            looseString(r.Code),
		ActivityID:      looseString(r.ActivityID),
		ClientRequestID: looseString(r.ClientRequestID),
		ErrorDateTime:   looseTime(r.ErrorDateTime),
	}
	if *ie == (ClassificationInnerError{}) {
		return nil
	}
	return ie
}

func isObject(data []byte) bool {
	d := bytes.TrimSpace(data)
	return len(d) > 0 && d[0] == '{'
}

func isNull(data []byte) bool {
	d := bytes.TrimSpace(data)
	return len(d) == 0 || string(d) == "null"
}

// looseString returns a JSON string's value; numbers and booleans give their
// literal text; null, objects and arrays give "".
func looseString(data []byte) string {
	text, _ := looseText(data)
	return string(text)
}

// looseText is looseString's text as bytes, without a copy when the JSON
// string has no escapes: it may alias data. escaped reports a copy.
func looseText(data []byte) (text []byte, escaped bool) {
	d := bytes.TrimSpace(data)
	if len(d) == 0 {
		return nil, false
	}
	switch d[0] {
	case '"':
		// Fast path: the raw value is already valid JSON, so a string
		// without escapes is its bytes between the quotes.
		if len(d) >= 2 && bytes.IndexByte(d, '\\') < 0 {
			return d[1 : len(d)-1], false
		}
		var s string
		if json.Unmarshal(d, &s) == nil {
			return []byte(s), true
		}
		return nil, false
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return d, false
	}
	return nil, false
}

// looseInterned is intern(looseString(data)), without the copy when the
// text is already interned (states, codes, ids that repeat).
func looseInterned(data []byte) string {
	text, _ := looseText(data)
	return internBytes(text)
}

func looseStrings(data []byte) []string {
	var items []rawValue
	if isNull(data) || json.Unmarshal(data, &items) != nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if isNull(it) {
			continue
		}
		out = append(out, looseString(it))
	}
	return out
}

// nullableBool reads a boolean leniently ("true" as text too) and keeps
// "not said" (null, missing, or not a boolean) apart from false.
func nullableBool(data []byte) *bool {
	t := strings.TrimSpace(string(data))
	if t == "" || t == "null" {
		return nil
	}
	var b bool
	if json.Unmarshal(data, &b) != nil {
		switch strings.ToLower(looseString(data)) {
		case "true":
			b = true
		case "false":
		default:
			return nil
		}
	}
	return &b
}

// DecodeUploadAgent reads an exactMatchUploadAgent.
func DecodeUploadAgent(data []byte) (UploadAgent, error) {
	var raw struct {
		ID               json.RawMessage `json:"id"`
		Description      json.RawMessage `json:"description"`
		CreationDateTime json.RawMessage `json:"creationDateTime"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return UploadAgent{}, describeJSONError(err)
	}
	return UploadAgent{ID: looseString(raw.ID), Description: looseString(raw.Description), CreationDateTime: looseTime(raw.CreationDateTime)}, nil
}

// looseCount accepts numbers and numeric strings. Fractions are truncated,
// values beyond int32 are clamped (the wire type is int32).
func looseCount(data []byte) Count {
	s := looseString(data)
	if s == "" {
		return Count{}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Count{Value: clampInt32(n), Valid: true}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return Count{}
	}
	switch {
	case f > math.MaxInt32:
		return Count{Value: math.MaxInt32, Valid: true}
	case f < math.MinInt32:
		return Count{Value: math.MinInt32, Valid: true}
	}
	return Count{Value: int64(f), Valid: true}
}

func clampInt32(n int64) int64 {
	return min(max(n, math.MinInt32), math.MaxInt32)
}

// timeLayouts are tried in order. Graph sends RFC 3339 with up to seven
// fractional digits; error envelopes send dates without a zone (UTC).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	time.RFC1123,
}

// ParseTime parses a Graph timestamp, treating zone-less values as UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func looseTime(data []byte) Time {
	text, _ := looseText(data)
	// Parse the page's own bytes: only text that cannot be read is kept.
	t, ok := ParseTime(unsafe.String(unsafe.SliceData(text), len(text)))
	if ok && t.Location() != time.UTC {
		// A named zone (RFC 1123's "MST") keeps its name from the text:
		// parse a copy, which the time may keep.
		t, ok = ParseTime(string(text))
	}
	if ok {
		return Time{Time: t}
	}
	return Time{Raw: string(text)}
}

// DecodeSession decodes one session body, bare or wrapped as {"value": {...}}
// (the renew doc page shows the wrapped form, the SDKs read the bare one).
func DecodeSession(data []byte) (Session, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Session{}, errors.New("response body is empty")
	}
	var probe struct {
		ID    json.RawMessage `json:"id"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Session{}, describeJSONError(err)
	}
	body := data
	if probe.ID == nil && len(bytes.TrimSpace(probe.Value)) > 0 && bytes.TrimSpace(probe.Value)[0] == '{' {
		body = probe.Value
	}
	var s Session
	if err := json.Unmarshal(body, &s); err != nil {
		return Session{}, describeJSONError(err)
	}
	if s.ID == "" {
		return Session{}, errors.New("response has no session id")
	}
	return s, nil
}

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
	// Skipped counts elements dropped for not being objects.
	Skipped int `json:"-"`
	// Omitted counts sessions a keep function left out (Omitted).
	Omitted int `json:"-"`
}

// decodePage decodes a collection page in one pass. Elements that are not
// objects decode to zero values and are dropped rather than failing the page.
func decodePage[T any](data []byte) (page[T], error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return page[T]{}, errors.New("response body is empty")
	}
	var raw struct {
		Value    *[]T            `json:"value"`
		NextLink json.RawMessage `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return page[T]{}, describeJSONError(err)
	}
	if raw.Value == nil {
		return page[T]{}, errors.New(`response is not a collection (no "value" array)`)
	}
	kept := (*raw.Value)[:0]
	for _, v := range *raw.Value {
		if p, ok := any(&v).(interface{ fromObject() bool }); ok && !p.fromObject() {
			continue
		}
		kept = append(kept, v)
	}
	return page[T]{NextLink: looseString(raw.NextLink), Value: kept, Skipped: len(*raw.Value) - len(kept)}, nil
}

func describeJSONError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Error(), "unexpected end") {
			return errors.New("response JSON is truncated")
		}
		return errors.New("response is not valid JSON (" + se.Error() + ")")
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errors.New("response JSON has an unexpected shape (" + te.Error() + ")")
	}
	return err
}

func (d *DataStore) fromObject() bool { return d.object }
