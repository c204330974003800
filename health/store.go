package health

import (
	"slices"
	"time"

	"github.com/edmtop/edmtop/graphapi"
)

// Verdict is a store's health, worst last in value order.
type Verdict int

const (
	OK Verdict = iota
	Stale
	Stalled
	Failed
)

// Verdicts lists every verdict, best first (the exporter emits one series each).
var Verdicts = []Verdict{OK, Stale, Stalled, Failed}

func (v Verdict) String() string {
	switch v {
	case Stale:
		return "stale"
	case Stalled:
		return "stalled"
	case Failed:
		return "failed"
	default:
		return "ok"
	}
}

// Store is a store's verdict and the figures behind it.
type Store struct {
	Verdict Verdict
	// LastIndex is the newest Completed session's finish, else the store's
	// dataLastUpdatedDateTime; zero when neither is known.
	LastIndex time.Time
	// Uploads24h counts sessions created in the 24 hours before now.
	Uploads24h  int
	UploadLimit int
	// LimitReached: the store has used every upload the service allows in
	// 24 hours (UploadLimit > 0); NextUpload is when the oldest of them
	// leaves the window and an upload is allowed again (zero otherwise).
	LimitReached bool
	NextUpload   time.Time
	// Newest is the newest session by creation; Current the newest running
	// one; NewestCompleted the newest Completed one. Nil when there is none.
	Newest, Current, NewestCompleted *graphapi.Session
	// StalledCount counts running sessions judged stalled; LongestIdle is the
	// longest any of them has gone without an update, and Stalled that one.
	StalledCount int
	LongestIdle  time.Duration
	Stalled      *graphapi.Session
}

// IndexAge is how old the last index is at now (zero when unknown or in the
// future).
func (s Store) IndexAge(now time.Time) time.Duration {
	if s.LastIndex.IsZero() {
		return 0
	}
	return max(now.Sub(s.LastIndex), 0)
}

// Assess judges one store from its sessions at now. sessions is not modified;
// the pointers in the result are its sessions.
func (r Rules) Assess(ds *graphapi.DataStore, sessions []*graphapi.Session, now time.Time) Store {
	st := Store{UploadLimit: r.UploadLimit}
	since := now.Add(-24 * time.Hour)
	var recent []time.Time
	for _, s := range sessions {
		if s.CreationDateTime.After(since) {
			st.Uploads24h++
			recent = append(recent, s.CreationDateTime.Time)
		}
		if st.Newest == nil || NewerCreated(s, st.Newest) {
			st.Newest = s
		}
		if !Final(s) { // ifs, not a switch: see verdict
			if st.Current == nil || NewerCreated(s, st.Current) {
				st.Current = s
			}
			if r.Stalled(s, now) {
				st.StalledCount++
				if idle := Idle(s, now); idle > st.LongestIdle {
					st.LongestIdle, st.Stalled = idle, s
				}
			}
		} else if s.StateClass() == graphapi.StateDone {
			if st.NewestCompleted == nil || Finished(s).After(Finished(st.NewestCompleted)) {
				st.NewestCompleted = s
			}
		}
	}
	if st.NewestCompleted != nil {
		st.LastIndex = Finished(st.NewestCompleted)
	}
	if st.LastIndex.IsZero() && ds != nil {
		st.LastIndex = ds.DataLastUpdatedDateTime.Time
	}
	st.LimitReached, st.NextUpload = r.uploadLimit(recent)
	st.Verdict = r.verdict(&st, now)
	return st
}

// uploadLimit says whether the uploads created in the window (their
// creation times) use up the limit, and when the next upload is allowed:
// once enough of the oldest have left the 24-hour window that fewer than
// the limit remain.
func (r Rules) uploadLimit(recent []time.Time) (bool, time.Time) {
	if r.UploadLimit <= 0 || len(recent) < r.UploadLimit {
		return false, time.Time{}
	}
	slices.SortFunc(recent, time.Time.Compare)
	return true, recent[len(recent)-r.UploadLimit].Add(24 * time.Hour)
}

// verdict is written as ifs, not the cases of a switch: CI's mutation test
// (gremlins) never counts a case's condition as covered, so it would not
// test these rules (docs/reliability.md, "Mutation testing").
func (r Rules) verdict(st *Store, now time.Time) Verdict {
	if st.Newest != nil && st.Newest.StateClass() == graphapi.StateFailed {
		return Failed
	}
	if st.StalledCount > 0 {
		return Stalled
	}
	// A store never indexed has no fresh index either.
	if st.LastIndex.IsZero() || (r.MaxAge > 0 && now.Sub(st.LastIndex) > r.MaxAge) {
		return Stale
	}
	return OK
}

// Worse orders verdicts for display: worst first.
func Worse(a, b Verdict) bool { return a > b }
