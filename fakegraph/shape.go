package fakegraph

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Shape is the outline of a tenant: what `edmtop doctor` records of a real
// one (its stores, how many sessions each holds in which states, how the
// service pages, counts and answers), so that its report reproduces the
// tenant on any machine (NewShaped).
type Shape struct {
	Stores []ShapeStore
	// PageSize is the service's page length (0: the simulator's default).
	PageSize int
	// NoCount makes sessions/$count answer 400, as a service that does
	// not count.
	NoCount bool
	// Latency holds every answer back this long: the typical response time.
	Latency time.Duration
	// ListForbidden refuses every request with 403, as Graph refuses an
	// account outside EDM_DataUploaders.
	ListForbidden bool
}

// ShapeStore is one data store of a Shape.
type ShapeStore struct {
	Name string
	// Sessions counts the store's sessions by state, in the order to list
	// the states.
	Sessions []StateCount
	// Forbidden refuses the store's routes with 403 (the store listing
	// still names it).
	Forbidden bool
}

// StateCount is how many sessions are in one state.
type StateCount struct {
	State string
	Count int
}

// Bounds on a shape: a report is edited by hand or comes from elsewhere,
// and a simulator must not be made to hold millions of sessions.
const (
	maxShapeStores   = 500
	maxShapeSessions = 20000 // per store
	maxShapeLatency  = time.Minute
)

// NewShaped returns a simulator serving a tenant of the shape sh. Sessions
// in the states the simulator knows (UploadInProgress, UploadCompleted,
// ProcessingInProgress, Completed, Failed, Cancelled) follow its lifecycle
// slowly enough to stay in their state for days; any other state name is
// shown as it is (SessionSpec.State). NoCount, Latency and the forbidden
// stores are standing conditions: SetConditions replaces them.
func NewShaped(opts Options, sh Shape) (*Server, error) {
	if err := sh.check(); err != nil {
		return nil, err
	}
	opts.PageSize = sh.PageSize
	s := New(opts)
	now := s.opts.Clock.Now()
	var conds []Condition
	for i, st := range sh.Stores {
		id := deriveGUID("shape", strconv.Itoa(i), st.Name)
		s.AddStore(Store{ID: id, DisplayName: st.Name, DataLastUpdated: now.Add(-time.Duration(i+1) * time.Hour),
			Columns: []Column{{Name: "Id", Searchable: true}, {Name: "Name", CaseInsensitive: true}}})
		n := 0
		for _, sc := range st.Sessions {
			for j := range sc.Count {
				spec := shapedSpec(sc.State, j, now)
				n++
				spec.FileName = fmt.Sprintf("upload-%04d.EdmHash", n)
				spec.ID = deriveGUID("shape", id, sc.State, strconv.Itoa(j))
				if _, err := s.AddSession(id, spec); err != nil {
					return nil, err
				}
			}
		}
		if st.Forbidden {
			conds = append(conds, Condition{Kind: Forbidden, StoreID: id})
		}
	}
	if sh.ListForbidden {
		conds = append(conds, Condition{Kind: Forbidden})
	}
	if sh.NoCount {
		conds = append(conds, Condition{Kind: NoCount})
	}
	if sh.Latency > 0 {
		conds = append(conds, Condition{Kind: Slow, Delay: sh.Latency})
	}
	if len(conds) > 0 {
		s.SetConditions(conds...)
	}
	return s, nil
}

func (sh Shape) check() error {
	switch {
	case len(sh.Stores) > maxShapeStores:
		return fmt.Errorf("%d data stores: the simulator serves at most %d", len(sh.Stores), maxShapeStores)
	case sh.PageSize < 0 || sh.PageSize > 1000:
		return fmt.Errorf("page size %d: use 1 to 1000 (0 for the default)", sh.PageSize)
	case sh.Latency < 0 || sh.Latency > maxShapeLatency:
		return fmt.Errorf("latency %s: use 0 to %s", sh.Latency, maxShapeLatency)
	}
	for i, st := range sh.Stores {
		total := 0
		for _, sc := range st.Sessions {
			if sc.State == "" {
				return fmt.Errorf("data store %d: a state without a name", i+1)
			}
			if sc.Count < 0 || sc.Count > maxShapeSessions {
				return fmt.Errorf("data store %d: %d sessions %s: use 0 to %d", i+1, sc.Count, sc.State, maxShapeSessions)
			}
			total += sc.Count
		}
		if total > maxShapeSessions {
			return errors.New("data store " + strconv.Itoa(i+1) + ": more than " + strconv.Itoa(maxShapeSessions) + " sessions")
		}
	}
	return nil
}

// shapedSpec is the i-th session of a store in state, as of now: slow
// enough to stay in that state for days.
func shapedSpec(state string, i int, now time.Time) SessionSpec {
	step := time.Duration(i + 1)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	// Ten blocks uploaded in the first minute, ten jobs processed in the next.
	done := SessionSpec{TotalBlocks: 10, BlocksPerMinute: 10, TotalJobs: 10, JobsPerMinute: 10, AutoCommit: true}
	switch state {
	case StateUploading:
		return SessionSpec{Created: ago(step * time.Minute), TotalBlocks: 100000, BlocksPerMinute: 1, TotalJobs: 10, JobsPerMinute: 1, AutoCommit: true}
	case StateUploadCompleted:
		done.Created, done.AutoCommit = ago(step*time.Hour), false
	case StateProcessing:
		done.Created, done.TotalJobs, done.JobsPerMinute = ago(step*time.Minute+time.Minute), 100000, 1
	case StateCompleted:
		done.Created = ago(step * 24 * time.Hour)
	case StateFailed:
		done.Created, done.FailAfterJobs = ago(step*6*time.Hour), 5
	case StateCancelled:
		created := ago(step * 2 * time.Hour)
		return SessionSpec{Created: created, TotalBlocks: 100, BlocksPerMinute: 1, TotalJobs: 10, JobsPerMinute: 1, AutoCommit: true, CancelledAt: created.Add(time.Minute)}
	default:
		done.Created, done.State = ago(step*time.Hour), state
	}
	return done
}
