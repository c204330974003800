package fakegraph

import (
	"fmt"
	"math"
	"time"
)

// Session states the simulator uses. Graph documents no enum; these follow
// EdmUploadAgent's output and the fixtures.
const (
	StateUploading       = "UploadInProgress"
	StateUploadCompleted = "UploadCompleted"
	StateProcessing      = "ProcessingInProgress"
	StateCompleted       = "Completed"
	StateFailed          = "Failed"
	StateCancelled       = "Cancelled"
)

// Store describes a data store to serve.
type Store struct {
	ID          string
	DisplayName string
	Description string
	// DataLastUpdated is the zero time for "null".
	DataLastUpdated time.Time
	Columns         []Column
}

// Column is one column of a store's schema.
type Column struct {
	Name              string
	Searchable        bool
	CaseInsensitive   bool
	IgnoredDelimiters []string
}

// SessionSpec describes how a simulated session behaves over time.
type SessionSpec struct {
	ID       string
	FileName string
	// Created is when the session was created and its upload began.
	Created time.Time
	// TotalBlocks and BlocksPerMinute drive the upload phase.
	TotalBlocks     int
	BlocksPerMinute float64
	// TotalJobs and JobsPerMinute drive the processing phase.
	TotalJobs     int
	JobsPerMinute float64
	// AutoCommit commits as soon as the last block is uploaded, as
	// EdmUploadAgent does; otherwise the session waits for POST commit.
	AutoCommit bool
	// FailAfterJobs, when > 0, fails processing once that many jobs are done.
	FailAfterJobs int
	// Failure overrides the error a failing session reports.
	Failure *Failure
	// RowsPerBlock defaults to 100000.
	RowsPerBlock int
	// CancelledAt, when set, cancels the session at that time.
	CancelledAt time.Time
	// StallAfterBlocks, when > 0, stops the upload after that many blocks
	// without failing: the session stays UploadInProgress and its last
	// update stays at that block, as when an upload agent dies.
	StallAfterBlocks int
	// State, when set, is the state the session shows whatever its
	// progress: a state name seen on a real tenant that the simulator's
	// lifecycle does not produce (see NewShaped).
	State string
}

// Failure is the classificationError a failed session reports.
type Failure struct {
	Code, Message, Target string
	InnerCode             string
	ActivityID            string
	ClientRequestID       string
	Details               []FailureDetail
}

// FailureDetail is one entry of a failure's details; InnerCode, when set,
// is sent as the detail's innerError.code.
type FailureDetail struct{ Code, Message, Target, InnerCode string }

type session struct {
	spec        SessionSpec
	storeID     string
	fields      []string
	salt        string
	checksum    string
	agentID     string
	committedAt time.Time
	cancelledAt time.Time
	renewedAt   time.Time
}

// view is a session as seen at one instant.
type view struct {
	state                          string
	remainingBlocks, remainingJobs int
	lastUpdated                    time.Time
	uploadCompleted                time.Time
	processingCompleted            time.Time
	completed                      time.Time
	failed                         bool
	failedAt                       time.Time
	uriExpires                     time.Time
}

func perMinute(n int, rate float64) time.Duration {
	if rate <= 0 {
		return time.Duration(math.MaxInt64 / 4)
	}
	return time.Duration(float64(n) / rate * float64(time.Minute))
}

func countDone(elapsed time.Duration, rate float64, total int) int {
	if elapsed <= 0 || rate <= 0 {
		return 0
	}
	done := int(elapsed.Minutes() * rate)
	return min(done, total)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// at computes the session's observable state at now. Progress is a pure
// function of time and the few events recorded (commit, cancel, renew).
func (s *session) at(now time.Time) view {
	sp := s.spec
	if !s.cancelledAt.IsZero() && s.cancelledAt.Before(now) {
		now = s.cancelledAt
	}
	v := view{uriExpires: later(sp.Created, s.renewedAt).Add(24 * time.Hour)}

	uploaded := countDone(now.Sub(sp.Created), sp.BlocksPerMinute, sp.TotalBlocks)
	if sp.StallAfterBlocks > 0 {
		uploaded = min(uploaded, sp.StallAfterBlocks)
	}
	v.remainingBlocks = sp.TotalBlocks - uploaded
	uploadDone := sp.Created.Add(perMinute(sp.TotalBlocks, sp.BlocksPerMinute))
	v.remainingJobs = sp.TotalJobs
	switch {
	case uploaded < sp.TotalBlocks:
		v.state = StateUploading
		v.lastUpdated = sp.Created.Add(perMinute(uploaded, sp.BlocksPerMinute))
	default:
		v.uploadCompleted = uploadDone
		commit := s.committedAt
		if sp.AutoCommit {
			commit = uploadDone
		}
		if commit.IsZero() {
			v.state = StateUploadCompleted
			v.lastUpdated = uploadDone
			break
		}
		jobs := countDone(now.Sub(commit), sp.JobsPerMinute, sp.TotalJobs)
		v.remainingJobs = sp.TotalJobs - jobs
		switch {
		case sp.FailAfterJobs > 0 && jobs >= sp.FailAfterJobs:
			v.state = StateFailed
			v.failed = true
			v.remainingJobs = sp.TotalJobs - sp.FailAfterJobs
			v.failedAt = commit.Add(perMinute(sp.FailAfterJobs, sp.JobsPerMinute))
			v.lastUpdated = v.failedAt
		case jobs >= sp.TotalJobs:
			v.state = StateCompleted
			v.processingCompleted = commit.Add(perMinute(sp.TotalJobs, sp.JobsPerMinute))
			v.completed = v.processingCompleted
			v.lastUpdated = v.completed
		default:
			v.state = StateProcessing
			v.lastUpdated = later(commit, commit.Add(perMinute(jobs, sp.JobsPerMinute)))
		}
	}
	if !s.cancelledAt.IsZero() && !now.Before(s.cancelledAt) && !terminal(v.state) {
		v.state = StateCancelled
		v.completed = s.cancelledAt
		v.lastUpdated = s.cancelledAt
	}
	if !terminal(v.state) {
		v.lastUpdated = later(v.lastUpdated, s.renewedAt)
	}
	if sp.State != "" {
		v.state = sp.State
	}
	return v
}

func terminal(state string) bool {
	return state == StateCompleted || state == StateFailed || state == StateCancelled
}

func (s *session) failure(v view) Failure {
	if f := s.spec.Failure; f != nil {
		return *f
	}
	return Failure{
		Code:            "InvalidHashFormat",
		Message:         fmt.Sprintf("Block %d could not be read: the hash file does not match the data store schema.", s.spec.FailAfterJobs+1),
		Target:          s.spec.FileName,
		InnerCode:       "SchemaColumnMismatch",
		ActivityID:      deriveGUID(s.spec.ID, "activity"),
		ClientRequestID: deriveGUID(s.spec.ID, "client"),
		Details: []FailureDetail{{
			Code:    "ColumnCount",
			Message: fmt.Sprintf("Expected %d columns, found %d", len(s.fields), len(s.fields)+1),
			Target:  fmt.Sprintf("block %d", s.spec.FailAfterJobs+1),
		}},
	}
}
