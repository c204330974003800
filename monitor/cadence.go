package monitor

import (
	"fmt"
	"time"
)

// A full listing is what finds new sessions when the service does not
// count them, and it costs a request per page: at 10,000 sessions a
// listing every fifth poll was most of the dashboard's requests and CPU.
// So a store is listed as often as what is happening in it asks
// (uploads running: often; nothing running: less often the longer its
// listings come back unchanged; a counting service: rarely, a changed
// count lists at once), never more often than its pages allow under a
// budget of requests a minute per store.

// Cadence is how often a store's sessions are listed in full, and why.
type Cadence struct {
	// Every is the time between full listings as things stand; zero
	// before the first listing.
	Every time.Duration
	// Reason says what set Every.
	Reason CadenceReason
	// Pages is how many requests a listing of the store takes: the last
	// listing's, or estimated from the sessions held when the service
	// does not say.
	Pages int
	// Budget is the requests a minute the store's listings may average
	// (Options.ListBudget, or its share of Options.TotalListBudget).
	Budget float64
	// Unchanged counts the listings in a row that found nothing new.
	Unchanged int
}

// CadenceReason is what sets a store's listing cadence.
type CadenceReason int

const (
	// CadenceNotListed: the store has not been listed yet.
	CadenceNotListed CadenceReason = iota
	// CadenceRunning: uploads are running, so a new session is likely:
	// every Options.ListEvery.
	CadenceRunning
	// CadenceQuiet: nothing is running: Options.ListEvery, doubled by
	// each listing in a row that found nothing new, up to FullAfter.
	CadenceQuiet
	// CadenceCounted: the service counts the store's sessions and a
	// changed count lists it at once: every Options.FullAfter.
	CadenceCounted
	// CadenceBudget: the store's pages at its request budget take longer
	// than the others would.
	CadenceBudget
)

func (c Cadence) String() string {
	every := c.Every.Round(time.Second)
	switch c.Reason {
	case CadenceRunning:
		return fmt.Sprintf("listed every %s: uploads running", every)
	case CadenceQuiet:
		return fmt.Sprintf("listed every %s: nothing running, %d listings unchanged", every, c.Unchanged)
	case CadenceCounted:
		return fmt.Sprintf("listed every %s, and when the count of sessions changes", every)
	case CadenceBudget:
		return fmt.Sprintf("listed every %s: %d pages at %.3g requests a minute", every, c.Pages, c.Budget)
	}
	return "not listed yet"
}

// maxDoublings bounds the quiet cadence's doubling (the shift).
const maxDoublings = 16

// cadence is st's listing cadence as things stand (refresh state).
// counted: the service counts st's sessions; budget: the store's
// requests a minute.
func (m *Monitor) cadence(st *store, counted bool, budget float64) Cadence {
	c := Cadence{Pages: m.pages(st), Budget: budget, Unchanged: st.unchanged}
	if st.listed.IsZero() {
		return c
	}
	// Ifs, not a switch: CI's mutation test never counts a case's
	// condition as covered (docs/reliability.md, "Mutation testing").
	c.Every, c.Reason = min(m.opts.ListEvery<<min(st.unchanged, maxDoublings), m.opts.FullAfter), CadenceQuiet
	if len(st.running) > 0 {
		c.Every, c.Reason = m.opts.ListEvery, CadenceRunning
	}
	if counted {
		c.Every, c.Reason = m.opts.FullAfter, CadenceCounted
	}
	if wait := c.Wait(); wait > c.Every {
		c.Every, c.Reason = wait, CadenceBudget
	}
	return c
}

// Wait is how long a listing of Pages must be from the last to keep to
// the budget.
func (c Cadence) Wait() time.Duration {
	return time.Duration(float64(c.Pages) / c.Budget * float64(time.Minute))
}

// budget is each store's requests a minute when n stores are watched:
// ListBudget, or its share of TotalListBudget when that is less.
func (m *Monitor) budget(n int) float64 { return m.opts.Budget(n) }

// Budget is each store's requests a minute when n stores are watched
// under o (its defaults filled in).
func (o Options) Budget(n int) float64 {
	o = o.withDefaults()
	return min(float64(o.ListBudget), float64(o.TotalListBudget)/float64(max(n, 1)))
}

// pages is what listing st costs: what its last listing took, else an
// estimate from the sessions held at Options.PageSize (or Graph's).
func (m *Monitor) pages(st *store) int {
	if st.pages > 0 {
		return st.pages
	}
	size := m.opts.PageSize
	if size <= 0 {
		size = GraphPageSize
	}
	return max(1, (st.total+size-1)/size)
}
