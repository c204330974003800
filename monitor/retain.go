package monitor

import (
	"encoding/binary"
	"hash/maphash"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
)

// The overview and the exporter judge a store by a few of its sessions
// (health.Assess; the exporter's running and newest finished ones), yet a
// monitor held every session of every store: a fleet of 50 stores of
// 10,000 sessions took 600 MB. With Options.HealthOnly a store holds only
// those sessions; the others are remembered by two 8-byte digests (id;
// state and last update), so a listing leaves them out unconverted
// (graphapi.Omitted), as it keeps a held copy.

// omitted maps the digest of a finished session's id left out of a
// store's sessions to the digest of its state and last update.
type omitted map[uint64]uint64

// digests are the monitor's, seeded per process.
var digestSeed = maphash.MakeSeed()

func digestID(id string) uint64 {
	return maphash.String(digestSeed, id)
}

func digestChange(s *graphapi.Session) uint64 {
	var h maphash.Hash
	h.SetSeed(digestSeed)
	h.WriteString(s.State)
	var at [8]byte
	binary.LittleEndian.PutUint64(at[:], uint64(s.LastUpdatedDateTime.UnixNano()))
	h.Write(at[:])
	h.WriteString(s.LastUpdatedDateTime.Raw)
	return h.Sum64()
}

// healthRelevant returns, in their order, the sessions the health rules
// and the exporter look at from at on: the running ones, those created in
// the 24 hours before at (health's upload count and limit), the newest by
// creation, the newest finished and the newest completed (by finish).
// health.Assess judges them as it judges all of them, at any time after
// at, until new sessions come (which a listing brings).
func healthRelevant(sessions []*graphapi.Session, at time.Time) []*graphapi.Session {
	var newest, newestFinal, newestDone *graphapi.Session
	for _, s := range sessions {
		if newest == nil || health.NewerCreated(s, newest) {
			newest = s
		}
		if !health.Final(s) {
			continue
		}
		if newestFinal == nil || health.NewerCreated(s, newestFinal) {
			newestFinal = s
		}
		if s.StateClass() == graphapi.StateDone && (newestDone == nil || health.Finished(s).After(health.Finished(newestDone))) {
			newestDone = s
		}
	}
	since := at.Add(-24 * time.Hour)
	var out []*graphapi.Session
	for _, s := range sessions {
		if !health.Final(s) || s.CreationDateTime.After(since) || s == newest || s == newestFinal || s == newestDone {
			out = append(out, s)
		}
	}
	return out
}

// retain keeps what health looks at of a listing (HealthOnly) and
// remembers the rest in left, the listing's omitted sessions so far.
func retain(listed []*graphapi.Session, at time.Time, left omitted) []*graphapi.Session {
	kept := healthRelevant(listed, at)
	if len(kept) == len(listed) {
		return listed
	}
	next := 0
	for _, s := range listed {
		if next < len(kept) && kept[next] == s {
			next++
			continue
		}
		left[digestID(s.ID)] = digestChange(s)
	}
	return kept
}
