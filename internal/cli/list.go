package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// stateClasses are the words --state takes besides state names: the health
// rules' kinds of session and their verdicts on one (stalled: running with
// no update for --stall-after; awaiting-commit: uploaded, not committed),
// so a script need not know every state name.
var stateClasses = []string{"running", "final", "completed", "failed", "stalled", "awaiting-commit"}

// listFilter is list's --state and --since.
type listFilter struct {
	states []string
	since  time.Duration
}

func (f *listFilter) check() error {
	if f.since < 0 {
		return usageErrorf("--since %s: use a positive duration, e.g. 24h", f.since)
	}
	for _, s := range f.states {
		if strings.TrimSpace(s) == "" {
			return usageErrorf("--state: empty; use a state name or one of %s", strings.Join(stateClasses, ", "))
		}
	}
	return nil
}

// warnUnknown notes a --state word that is neither a class nor a known
// state: the service documents no list, so it is matched as given, but a
// typo would otherwise give an empty list without a word.
func (f *listFilter) warnUnknown(w io.Writer) {
	for _, s := range f.states {
		if !slices.Contains(stateClasses, strings.ToLower(s)) && !health.KnownState(s) {
			fmt.Fprintf(w, "edmtop: note: --state %q is no known state (%s) nor one of %s; matching it as given\n",
				termtext.OneLine(s), strings.Join(health.KnownStates(), ", "), strings.Join(stateClasses, ", "))
		}
	}
}

// describe says what the filter asks, for "none of the sessions …":
// "is stalled or failed, created within 24h".
func (f *listFilter) describe() string {
	var parts []string
	if len(f.states) > 0 {
		parts = append(parts, "is "+termtext.OneLine(strings.Join(f.states, " or ")))
	}
	if f.since > 0 {
		parts = append(parts, "was created within "+present.Elapsed(f.since))
	}
	return strings.Join(parts, " and ")
}

// apply keeps the sessions the filter selects, in their order; rules
// judge a stall.
func (f *listFilter) apply(sessions []*graphapi.Session, rules health.Rules, now time.Time) []*graphapi.Session {
	kept := sessions[:0:0]
	for _, s := range sessions {
		if f.wantState(s, rules, now) && f.recent(s, now) {
			kept = append(kept, s)
		}
	}
	return kept
}

func (f *listFilter) wantState(s *graphapi.Session, rules health.Rules, now time.Time) bool {
	if len(f.states) == 0 {
		return true
	}
	return slices.ContainsFunc(f.states, func(want string) bool { return stateMatches(s, want, rules, now) })
}

// stateMatches says whether s is in the state or class want names.
func stateMatches(s *graphapi.Session, want string, rules health.Rules, now time.Time) bool {
	switch strings.ToLower(want) {
	case "stalled":
		return rules.Stalled(s, now)
	case "awaiting-commit":
		return health.AwaitingCommit(s)
	case "running":
		return !health.Final(s)
	case "final":
		return health.Final(s)
	case "completed":
		return s.StateClass() == graphapi.StateDone
	case "failed":
		return s.StateClass() == graphapi.StateFailed
	}
	return strings.EqualFold(s.State, want)
}

// recent says whether s was created within --since; a session without a
// creation time cannot be said to be, and is left out.
func (f *listFilter) recent(s *graphapi.Session, now time.Time) bool {
	if f.since == 0 {
		return true
	}
	return !s.CreationDateTime.IsZero() && now.Sub(s.CreationDateTime.Time) <= f.since
}
