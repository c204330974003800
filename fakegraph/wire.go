package fakegraph

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"
)

// The simulator encodes its own JSON instead of reusing graphapi's types, so a
// wrong property name on either side fails a test instead of hiding.

type wireSession struct {
	// Context is set on single entities only, as Graph does.
	Context                      string     `json:"@odata.context,omitempty"`
	ODataType                    string     `json:"@odata.type"`
	ID                           string     `json:"id"`
	CreationDateTime             *string    `json:"creationDateTime"`
	StartDateTime                *string    `json:"startDateTime"`
	LastUpdatedDateTime          *string    `json:"lastUpdatedDateTime"`
	CompletionDateTime           *string    `json:"completionDateTime"`
	Error                        *wireError `json:"error"`
	DataStoreID                  string     `json:"dataStoreId"`
	State                        string     `json:"state"`
	TotalBlockCount              int        `json:"totalBlockCount"`
	RemainingBlockCount          int        `json:"remainingBlockCount"`
	TotalJobCount                int        `json:"totalJobCount"`
	RemainingJobCount            int        `json:"remainingJobCount"`
	UploadCompletionDateTime     *string    `json:"uploadCompletionDateTime"`
	ProcessingCompletionDateTime *string    `json:"processingCompletionDateTime"`
	Checksum                     string     `json:"checksum"`
	DataUploadURI                string     `json:"dataUploadURI"`
	Fields                       []string   `json:"fields"`
	FileName                     string     `json:"fileName"`
	RowsPerBlock                 int        `json:"rowsPerBlock"`
	Salt                         string     `json:"salt"`
	UploadAgentID                string     `json:"uploadAgentId"`
}

type wireError struct {
	ODataType  string            `json:"@odata.type"`
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Target     string            `json:"target"`
	InnerError *wireInnerError   `json:"innerError"`
	Details    []wireErrorDetail `json:"details"`
}

type wireInnerError struct {
	Code            string `json:"code"`
	ActivityID      string `json:"activityId,omitempty"`
	ClientRequestID string `json:"clientRequestId,omitempty"`
	ErrorDateTime   string `json:"errorDateTime,omitempty"`
}

type wireErrorDetail struct {
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	Target     string          `json:"target"`
	InnerError *wireInnerError `json:"innerError,omitempty"`
}

type wireStore struct {
	Context                 string       `json:"@odata.context,omitempty"`
	ODataType               string       `json:"@odata.type"`
	ID                      string       `json:"id"`
	DisplayName             string       `json:"displayName"`
	Description             *string      `json:"description"`
	DataLastUpdatedDateTime *string      `json:"dataLastUpdatedDateTime"`
	Columns                 []wireColumn `json:"columns"`
}

type wireColumn struct {
	Name              string   `json:"name"`
	IsSearchable      bool     `json:"isSearchable"`
	IsCaseInsensitive bool     `json:"isCaseInsensitive"`
	IgnoredDelimiters []string `json:"ignoredDelimiters"`
}

type wireUploadAgent struct {
	Context          string `json:"@odata.context"`
	ODataType        string `json:"@odata.type"`
	ID               string `json:"id"`
	Description      string `json:"description"`
	CreationDateTime string `json:"creationDateTime"`
}

type wireCollection struct {
	Context  string `json:"@odata.context"`
	Count    *int   `json:"@odata.count,omitempty"`
	Value    any    `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"`
}

type wireGraphError struct {
	Error wireGraphErrorBody `json:"error"`
}

type wireGraphErrorBody struct {
	Code       string              `json:"code"`
	Message    string              `json:"message"`
	Target     string              `json:"target,omitempty"`
	Details    []wireErrorDetail   `json:"details,omitempty"`
	InnerError wireGraphInnerError `json:"innerError"`
}

type wireGraphInnerError struct {
	// Code is a finer reason (e.g. why a request was throttled).
	Code            string `json:"code,omitempty"`
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// graphTime formats as Graph does: UTC with seven fractional digits.
func graphTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := graphTime(t)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deriveGUID makes a stable GUID-shaped id from parts, for ids that must not
// change between requests.
func deriveGUID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	x := hex.EncodeToString(b[:16])
	return fmt.Sprintf("%s-%s-%s-%s-%s", x[0:8], x[8:12], x[12:16], x[16:20], x[20:32])
}

func (s *session) wire(now time.Time, uploadHost string) wireSession {
	v := s.at(now)
	sp := s.spec
	w := wireSession{
		ODataType:                    "#microsoft.graph.exactMatchSession",
		ID:                           sp.ID,
		CreationDateTime:             optTime(sp.Created),
		StartDateTime:                optTime(sp.Created.Add(4 * time.Second)),
		LastUpdatedDateTime:          optTime(v.lastUpdated),
		CompletionDateTime:           optTime(v.completed),
		DataStoreID:                  s.storeID,
		State:                        v.state,
		TotalBlockCount:              sp.TotalBlocks,
		RemainingBlockCount:          v.remainingBlocks,
		TotalJobCount:                sp.TotalJobs,
		RemainingJobCount:            v.remainingJobs,
		UploadCompletionDateTime:     optTime(v.uploadCompleted),
		ProcessingCompletionDateTime: optTime(v.processingCompleted),
		Checksum:                     s.checksum,
		DataUploadURI: fmt.Sprintf("https://%s/sessions/%s?sv=2024-05-04&se=%s&sr=c&sp=w&sig=%s",
			uploadHost, sp.ID, url.QueryEscape(v.uriExpires.UTC().Format(time.RFC3339)), deriveGUID(sp.ID, "sig", v.uriExpires.String())),
		Fields:        s.fields,
		FileName:      sp.FileName,
		RowsPerBlock:  sp.RowsPerBlock,
		Salt:          s.salt,
		UploadAgentID: s.agentID,
	}
	if v.failed {
		f := s.failure(v)
		w.Error = &wireError{
			ODataType: "microsoft.graph.classificationError",
			Code:      f.Code,
			Message:   f.Message,
			Target:    f.Target,
			InnerError: &wireInnerError{
				Code:            f.InnerCode,
				ActivityID:      f.ActivityID,
				ClientRequestID: f.ClientRequestID,
				ErrorDateTime:   graphTime(v.failedAt),
			},
		}
		w.Error.Details = wireDetails(f.Details)
	}
	return w
}

func (st *Store) wire() wireStore {
	w := wireStore{
		ODataType:               "#microsoft.graph.exactMatchDataStore",
		ID:                      st.ID,
		DisplayName:             st.DisplayName,
		Description:             optString(st.Description),
		DataLastUpdatedDateTime: optTime(st.DataLastUpdated),
		Columns:                 []wireColumn{},
	}
	for _, c := range st.Columns {
		d := c.IgnoredDelimiters
		if d == nil {
			d = []string{}
		}
		w.Columns = append(w.Columns, wireColumn{c.Name, c.Searchable, c.CaseInsensitive, d})
	}
	return w
}

func wireDetails(details []FailureDetail) []wireErrorDetail {
	var out []wireErrorDetail
	for _, d := range details {
		w := wireErrorDetail{Code: d.Code, Message: d.Message, Target: d.Target}
		if d.InnerCode != "" {
			w.InnerError = &wireInnerError{Code: d.InnerCode}
		}
		out = append(out, w)
	}
	return out
}
