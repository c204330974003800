package graphapi

import (
	"strings"
	"time"
)

// Time is a Graph timestamp decoded leniently: null or unparsable text gives
// the zero time; Raw keeps unparsable text so odd values can still be shown.
type Time struct {
	time.Time
	Raw string
}

// Count is a nullable Graph int32 decoded leniently: Valid is false for null,
// missing or non-numeric values.
type Count struct {
	Value int64
	Valid bool
}

// DataStore is an exactMatchDataStore.
type DataStore struct {
	ID                      string
	DisplayName             string
	Description             string
	DataLastUpdatedDateTime Time
	Columns                 []Column

	object bool // decoded from a JSON object (pages drop anything else)
}

// Column is one column of a data store's schema. The two flags are
// nullable on the wire: nil means the service did not say.
type Column struct {
	Name              string
	IsSearchable      *bool
	IsCaseInsensitive *bool
	IgnoredDelimiters []string
}

// UploadAgent is an exactMatchUploadAgent: the machine and account that
// hashed and uploaded a session.
type UploadAgent struct {
	ID               string
	Description      string
	CreationDateTime Time
}

// Session is an exactMatchSession. Every property is nullable on the wire;
// absent values decode to zero values (Count.Valid false, Time zero).
type Session struct {
	ID                           string
	DataStoreID                  string
	State                        string
	FileName                     string
	CreationDateTime             Time
	StartDateTime                Time
	LastUpdatedDateTime          Time
	CompletionDateTime           Time
	UploadCompletionDateTime     Time
	ProcessingCompletionDateTime Time
	TotalBlockCount              Count
	RemainingBlockCount          Count
	TotalJobCount                Count
	RemainingJobCount            Count
	RowsPerBlock                 Count
	Checksum                     string
	DataUploadURI                string
	Fields                       []string
	Salt                         string
	UploadAgentID                string
	Error                        *ClassificationError
}

// ClassificationError is a session's error.
type ClassificationError struct {
	Code       string
	Message    string
	Target     string
	InnerError *ClassificationInnerError
	Details    []ClassificationErrorDetail
}

// ClassificationInnerError is the innerError of a ClassificationError.
type ClassificationInnerError struct {
	Code            string
	ActivityID      string
	ClientRequestID string
	ErrorDateTime   Time
}

// ClassificationErrorDetail is one entry of ClassificationError.Details.
type ClassificationErrorDetail struct {
	Code       string
	Message    string
	Target     string
	InnerError *ClassificationInnerError
}

func (e *ClassificationError) scrub(f func(string) string) {
	e.Code, e.Message, e.Target = f(e.Code), f(e.Message), f(e.Target)
	if e.InnerError != nil {
		e.InnerError.Code = f(e.InnerError.Code)
	}
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Message, d.Target = f(d.Code), f(d.Message), f(d.Target)
		if d.InnerError != nil {
			d.InnerError.Code = f(d.InnerError.Code)
		}
	}
}

// IsEmpty reports whether the error carries nothing to show (the service
// sometimes sends an object with only "@odata.type").
func (e *ClassificationError) IsEmpty() bool {
	return e == nil || (e.Code == "" && e.Message == "" && e.Target == "" && e.InnerError == nil && len(e.Details) == 0)
}

// Progress is the completed share of blocks or jobs.
type Progress struct {
	Done, Total int64
	// Fraction is Done/Total in [0, 1]; meaningful only when Known.
	Fraction float64
	// Known is false when the total is missing or zero.
	Known bool
}

// Percent is the integer percentage, rounded down so 100% means finished.
func (p Progress) Percent() int {
	if !p.Known {
		return 0
	}
	return int(p.Fraction * 100)
}

// Remaining is what is left, clamped to [0, Total]: the service's own
// remaining count can be negative or above the total. 0 when not Known.
func (p Progress) Remaining() int64 {
	if !p.Known {
		return 0
	}
	return p.Total - p.Done
}

func progress(total, remaining Count) Progress {
	if !total.Valid || total.Value <= 0 {
		return Progress{}
	}
	rem := remaining.Value
	if !remaining.Valid {
		// Without a remaining count nothing is known to be done.
		rem = total.Value
	}
	rem = min(max(rem, 0), total.Value)
	done := total.Value - rem
	return Progress{Done: done, Total: total.Value, Fraction: float64(done) / float64(total.Value), Known: true}
}

// UploadProgress is the share of blocks uploaded.
func (s *Session) UploadProgress() Progress {
	return progress(s.TotalBlockCount, s.RemainingBlockCount)
}

// ProcessingProgress is the share of processing jobs finished.
func (s *Session) ProcessingProgress() Progress {
	return progress(s.TotalJobCount, s.RemainingJobCount)
}

// StateClass groups free-text states into the few kinds the UI styles.
type StateClass int

const (
	StateInProgress StateClass = iota
	StateDone
	StateFailed
	StateCancelled
)

func (c StateClass) String() string {
	switch c {
	case StateDone:
		return "done"
	case StateFailed:
		return "failed"
	case StateCancelled:
		return "cancelled"
	default:
		return "in progress"
	}
}

// ClassifyState maps a state string to its class. The service documents no
// enum, so unknown text is classified by the words it contains.
func ClassifyState(state string) StateClass {
	s := strings.ToLower(state)
	switch {
	case strings.Contains(s, "fail") || strings.Contains(s, "error"):
		return StateFailed
	case strings.Contains(s, "cancel"):
		return StateCancelled
	case strings.Contains(s, "complete") && !strings.Contains(s, "upload"):
		// "UploadCompleted" means the upload phase ended, not the session.
		return StateDone
	default:
		return StateInProgress
	}
}

// StateClass classifies the session's state.
func (s *Session) StateClass() StateClass { return ClassifyState(s.State) }

// NewerThan reports whether s is a strictly newer copy of the same session
// than other, judged by lastUpdatedDateTime. A copy without a timestamp is
// never newer than one with a timestamp.
func (s *Session) NewerThan(other *Session) bool {
	if s.LastUpdatedDateTime.IsZero() {
		return false
	}
	return s.LastUpdatedDateTime.After(other.LastUpdatedDateTime.Time)
}
