package exporter

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/termtext"
)

// storeView is what one store exports, fixed at the poll that computed it.
// A store the last poll could not read keeps the figures of its last good
// read (their age is lastSuccess) but has no verdict: judging old data at a
// later time would raise false stalls, and presenting the old verdict as
// current would hide that nobody can see the store.
type storeView struct {
	id, name string
	// readable: the last poll read the store; else err says why not.
	readable    bool
	reason, err string
	// lastSuccess is the start of the last poll that read the store; zero
	// when none has (nothing below is known then).
	lastSuccess time.Time
	verdict     health.Verdict
	lastIndex   time.Time
	uploads24h  int
	uploadLimit int
	sessions    []sessionView
}

// sessionView is what one session exports. Only these fields leave the
// process: never the salt, the upload URI or anything else of the session.
type sessionView struct {
	id, fileName, state string
	blocks, blocksLeft  graphapi.Count
	jobs, jobsLeft      graphapi.Count
	updated             time.Time
}

// maxLabel bounds a label value: a file name is free text from the service.
const maxLabel = 128

// label makes server text safe as a label value: valid UTF-8, one line, no
// control or invisible characters, bounded.
func label(s string) string {
	s = termtext.OneLine(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) > maxLabel {
		r := []rune(s)
		s = string(r[:maxLabel-1]) + "…"
	}
	return s
}

// assess judges one store with the shared rules and picks the sessions it
// exports: running ones (newest first, at most maxRunning) and the newest
// final one, so a store's history never grows the series count.
func assess(st *monitor.Store, rules health.Rules, now time.Time, maxRunning int) storeView {
	h := rules.Assess(&st.DataStore, st.Sessions, now)
	v := storeView{
		id: label(st.DataStore.ID), name: label(st.DataStore.DisplayName), verdict: h.Verdict,
		lastIndex: h.LastIndex, uploads24h: h.Uploads24h, uploadLimit: h.UploadLimit,
	}
	var running []*graphapi.Session
	var newestFinal *graphapi.Session
	for _, s := range st.Sessions {
		if !health.Final(s) {
			running = append(running, s)
		} else if newestFinal == nil || health.NewerCreated(s, newestFinal) {
			newestFinal = s
		}
	}
	slices.SortFunc(running, func(a, b *graphapi.Session) int {
		if health.NewerCreated(a, b) {
			return -1
		}
		return 1
	})
	running = running[:min(len(running), maxRunning)]
	if newestFinal != nil {
		running = append(running, newestFinal)
	}
	seen := make(map[string]bool, len(running))
	for _, s := range running {
		if s.ID == "" || seen[s.ID] {
			continue // a series needs an id of its own to be told apart
		}
		seen[s.ID] = true
		v.sessions = append(v.sessions, sessionView{
			id: label(s.ID), fileName: label(s.FileName), state: label(s.State),
			blocks: s.TotalBlockCount, blocksLeft: s.RemainingBlockCount,
			jobs: s.TotalJobCount, jobsLeft: s.RemainingJobCount,
			updated: s.LastUpdatedDateTime.Time,
		})
	}
	return v
}
