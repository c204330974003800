package doctor

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/edmtop/edmtop/present"
)

// slowP50 is a median response time that makes refreshes lag.
const slowP50 = 2 * time.Second

func (r *runner) service(ctx context.Context) {
	read := r.readStoresFacts()
	none := ""
	if len(read) == 0 {
		none = r.noReason(ctx)
	}
	r.countCheck(read, none)
	r.topCheck(ctx, read, none)
	r.pageSizeCheck(read, none)
	r.nextLinkCheck(read, none)
	r.statesCheck(read, none)
	r.nullsCheck(read, none)
	r.listingCheck(read, none)
	r.throttlingCheck()
	r.latencyCheck()
}

// readStoresFacts are the stores whose first page was read.
func (r *runner) readStoresFacts() []StoreFacts {
	var read []StoreFacts
	for _, f := range r.rep.Access.Stores {
		if f.Status == http.StatusOK {
			read = append(read, f)
		}
	}
	return read
}

// noReason says why no store's sessions were read.
func (r *runner) noReason(ctx context.Context) string {
	for _, why := range []string{r.noConfig, r.cut(ctx), r.noGraph, r.noToken, r.noStores} {
		if why != "" {
			return why
		}
	}
	return "no data store's sessions could be read"
}

// factCheck starts a check drawn from what was read: not run when nothing was.
func (r *runner) factCheck(id, title, none string) (Check, bool) {
	c := Check{ID: id, Section: SectionService, Title: title, Verdict: OK}
	if none != "" {
		c.Verdict, c.Detail = NotRun, "not run: "+none
		r.emit(c)
		return c, false
	}
	return c, true
}

func (r *runner) countCheck(read []StoreFacts, none string) {
	svc := &r.rep.Service
	svc.Count = "unknown"
	c, ok := r.factCheck("service.count", "$count", none)
	if !ok {
		return
	}
	var counts, refused, failed []string
	var mismatch string
	for _, f := range read {
		switch {
		case f.Count != nil:
			counts = append(counts, fmt.Sprint(*f.Count))
			if f.Complete && *f.Count != f.Sessions && mismatch == "" {
				mismatch = fmt.Sprintf("%s: $count says %d, the listing has %d", f.Name, *f.Count, f.Sessions)
			}
		case strings.HasPrefix(f.CountError, "unsupported"):
			refused = append(refused, f.Name)
			svc.CountStatus = f.CountStatus
		default:
			failed = append(failed, f.CountError)
		}
	}
	switch {
	case len(refused) > 0:
		svc.Count = "no"
		c.Verdict, c.Detail = Warn, fmt.Sprintf("not answered (HTTP %d): edmtop lists the sessions instead, which costs more on every refresh", svc.CountStatus)
		c.Fix = "nothing to do: edmtop adapts; its refreshes read whole listings"
	case len(counts) == 0:
		c.Verdict, c.Detail, c.Fix = Warn, "could not be read: "+failed[0], "nothing to do: edmtop lists the sessions when it cannot count them"
	default:
		svc.Count = "yes"
		if len(counts) > 6 {
			counts = append(counts[:6], fmt.Sprintf("%d more", len(counts)-6))
		}
		c.Detail = "answered (" + strings.Join(counts, ", ") + ")"
		if mismatch != "" {
			c.Detail += "; " + mismatch
		}
	}
	r.emit(c)
}

// topCheck asks the fullest store for one session with $top=1.
func (r *runner) topCheck(ctx context.Context, read []StoreFacts, none string) {
	svc := &r.rep.Service
	svc.Top = "unknown"
	if !r.ready(ctx, SectionService, "service.top", "$top", none) {
		return
	}
	c := Check{ID: "service.top", Section: SectionService, Title: "$top", Verdict: OK}
	fullest := slices.MaxFunc(read, func(a, b StoreFacts) int { return a.Sessions - b.Sessions })
	if fullest.Sessions < 2 {
		c.Verdict, c.Detail = Skip, "no store has two sessions to tell"
		r.emit(c)
		return
	}
	p, err := r.client.ProbeSessions(ctx, fullest.ID, 1)
	if err != nil {
		c.Verdict, c.Detail, c.Fix = Warn, "could not be read: "+r.errText(ctx, err), "nothing to do: edmtop does not depend on $top"
		r.emit(c)
		return
	}
	got := len(p.Entries)
	svc.TopGot = &got
	if got <= 1 {
		svc.Top = "honoured"
		c.Detail = fmt.Sprintf("honoured: $top=1 gave %s", plural(got, "session"))
	} else {
		svc.Top = "ignored"
		c.Detail = fmt.Sprintf("ignored: $top=1 gave %d sessions; edmtop does not depend on it", got)
	}
	r.emit(c)
}

func (r *runner) pageSizeCheck(read []StoreFacts, none string) {
	svc := &r.rep.Service
	c, ok := r.factCheck("service.pagesize", "page size", none)
	if !ok {
		return
	}
	var sizes []int
	longest := 0
	for _, f := range read {
		longest = max(longest, f.FirstPage)
		if f.firstHadNext && !slices.Contains(sizes, f.FirstPage) {
			sizes = append(sizes, f.FirstPage)
		}
	}
	slices.Sort(sizes)
	switch len(sizes) {
	case 0:
		svc.PageSizeAtLeast = longest
		c.Verdict, c.Detail = Skip, fmt.Sprintf("no store has a second page: a page holds at least %d", longest)
	case 1:
		svc.PageSize = sizes[0]
		c.Detail = plural(sizes[0], "session") + " a page"
	default:
		svc.PageSize = sizes[len(sizes)-1]
		c.Detail = fmt.Sprintf("%d to %d sessions a page", sizes[0], sizes[len(sizes)-1])
	}
	r.emit(c)
}

// slowListing is how rarely a store may be listed in full before new
// sessions take too long to show (the service does not count them).
const slowListing = 5 * time.Minute

// listingCheck says how often the dashboard and the exporter would list
// the largest store in full, by the page size seen and the monitor's
// request budget, and why: a new session shows only with a listing,
// unless the service counts.
func (r *runner) listingCheck(read []StoreFacts, none string) {
	svc := &r.rep.Service
	c, ok := r.factCheck("service.listing", "full listing", none)
	if !ok {
		return
	}
	largest := read[0]
	for _, f := range read {
		if storeSize(f) > storeSize(largest) {
			largest = f
		}
	}
	page := max(svc.PageSize, svc.PageSizeAtLeast, 1)
	pages := (storeSize(largest) + page - 1) / page
	listing := monitor.Cadence{Pages: pages, Budget: monitor.Options{}.Budget(len(r.rep.Access.Stores))}
	every := max(monitor.DefaultListEvery, listing.Wait())
	budget := listing.Budget
	c.Detail = fmt.Sprintf("the largest store (%s) takes %s of %d: listed at most every %s at %.3g requests a minute",
		plural(storeSize(largest), "session"), plural(pages, "page"), page, present.Elapsed(every), budget)
	switch {
	case svc.Count == "yes":
		c.Detail += "; a changed count lists it at once"
	case every > slowListing:
		c.Verdict = Warn
		c.Fix = "new sessions of that store show only after a listing: name fewer stores (--datastore) so each gets more of the budget"
	}
	r.emit(c)
}

// storeSize is a store's sessions: the count when the service gave one.
func storeSize(f StoreFacts) int {
	if f.Count != nil && *f.Count > f.Sessions {
		return *f.Count
	}
	return f.Sessions
}

func (r *runner) nextLinkCheck(read []StoreFacts, none string) {
	nl := &r.rep.Service.NextLinks
	c, ok := r.factCheck("service.nextlinks", "next links", none)
	if !ok {
		return
	}
	for _, f := range read {
		nl.Seen += f.nextLinks
		nl.Followed += f.Pages - 1
		if nl.Refused == "" {
			nl.Refused = f.nextRefused
		}
	}
	switch {
	case nl.Refused != "":
		c.Verdict, c.Detail = Fail, nl.Refused
		c.Fix = "edmtop stops a listing there, so sessions are missing; if a gateway rewrites the links, give its address as --endpoint"
	case nl.Seen == 0:
		c.Verdict, c.Detail = Skip, "no store has a second page"
	default:
		c.Detail = fmt.Sprintf("%s followed, all under the endpoint", plural(nl.Followed, "next link"))
	}
	r.emit(c)
}

func (r *runner) statesCheck(read []StoreFacts, none string) {
	svc := &r.rep.Service
	svc.States = map[string]int{}
	c, ok := r.factCheck("service.states", "states", none)
	if !ok {
		return
	}
	for _, f := range read {
		svc.Sessions += f.Sessions
		for s, n := range f.States {
			svc.States[s] += n
		}
	}
	if svc.Sessions == 0 {
		c.Detail = "no sessions yet"
		r.emit(c)
		return
	}
	var parts, unknown []string
	for _, sc := range byCount(svc.States) {
		parts = append(parts, fmt.Sprintf("%s %d", sc.State, sc.Count))
		if !health.KnownState(sc.State) {
			unknown = append(unknown, sc.State)
		}
	}
	c.Detail = strings.Join(parts, ", ")
	if len(unknown) > 0 {
		c.Verdict = Warn
		c.Detail += "; new to edmtop: " + strings.Join(unknown, ", ")
		c.Fix = "edmtop shows them as they are and judges them by their words; a --report of this run helps teach it the names"
	}
	r.emit(c)
}

// byCount orders state counts from the most common, then by name.
func byCount(m map[string]int) []StateCount {
	out := make([]StateCount, 0, len(m))
	for s, n := range m {
		out = append(out, StateCount{s, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].State < out[j].State
	})
	return out
}

func (r *runner) nullsCheck(read []StoreFacts, none string) {
	svc := &r.rep.Service
	svc.Nulls = map[string]int{}
	c, ok := r.factCheck("service.nulls", "null properties", none)
	if !ok {
		return
	}
	for _, f := range read {
		for p, n := range f.nulls {
			svc.Nulls[p] += n
		}
	}
	if svc.Sessions == 0 {
		c.Verdict, c.Detail = Skip, "no sessions to look at"
		r.emit(c)
		return
	}
	var parts []string
	for i, sc := range byCount(svc.Nulls) {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("%d more", len(svc.Nulls)-6))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d", sc.State, sc.Count, svc.Sessions))
	}
	if len(parts) == 0 {
		c.Detail = "none: every session has every property"
	} else {
		c.Detail = strings.Join(parts, ", ")
	}
	if svc.Nulls["state"] > 0 || svc.Nulls["lastUpdatedDateTime"] > 0 {
		c.Verdict = Warn
		c.Fix = "edmtop cannot judge a session without state or lastUpdatedDateTime: it shows it as unknown"
	}
	r.emit(c)
}

func (r *runner) throttlingCheck() {
	t := r.obs.throttling()
	r.rep.Service.Throttling = t
	c := Check{ID: "service.throttling", Section: SectionService, Title: "throttling", Verdict: OK}
	if r.obs.latency().Requests == 0 {
		c.Verdict, c.Detail = NotRun, "not run: no request was answered"
		r.emit(c)
		return
	}
	var parts []string
	if t.Status429 > 0 {
		parts = append(parts, fmt.Sprintf("429 ×%d", t.Status429))
	}
	if t.Status503 > 0 {
		parts = append(parts, fmt.Sprintf("503 ×%d", t.Status503))
	}
	if len(t.RetryAfter) > 0 {
		parts = append(parts, "Retry-After "+strings.Join(t.RetryAfter, ", "))
	}
	switch {
	case len(parts) > 0:
		c.Verdict, c.Detail = Warn, strings.Join(parts, "; ")
		c.Fix = "edmtop waits as long as the service asks; a longer --refresh spends less of the budget"
	case len(t.Headers) > 0:
		c.Detail = "no 429 or 503; limit headers seen: " + strings.Join(t.Headers, ", ")
	default:
		c.Detail = "no 429 or 503, no Retry-After"
	}
	if len(t.Headers) > 0 && len(parts) > 0 {
		c.Detail += "; headers: " + strings.Join(t.Headers, ", ")
	}
	r.emit(c)
}

func (r *runner) latencyCheck() {
	l := r.obs.latency()
	r.rep.Service.Latency = l
	c := Check{ID: "service.latency", Section: SectionService, Title: "response times", Verdict: OK}
	if l.Requests == 0 {
		c.Verdict, c.Detail = NotRun, "not run: no request was answered"
		r.emit(c)
		return
	}
	c.Detail = fmt.Sprintf("p50 %s, max %s over %s", ms(l.P50Ms), ms(l.MaxMs), plural(l.Requests, "request"))
	if l.P50Ms > millis(slowP50) {
		c.Verdict = Warn
		c.Fix = "refreshes wait for the service: raise --refresh, and --request-timeout if requests time out"
	}
	r.emit(c)
}

// shape is the tenant's outline for `simulate --from-report`.
func (r *runner) shape() Shape {
	svc := r.rep.Service
	sh := Shape{PageSize: svc.PageSize, Count: svc.Count == "yes", LatencyMs: svc.Latency.P50Ms,
		ListForbidden: r.rep.Access.ListStatus == http.StatusForbidden, Stores: []ShapeStore{}}
	for _, f := range r.rep.Access.Stores {
		s := ShapeStore{Name: f.Name, Forbidden: f.Status == http.StatusForbidden, Sessions: f.Sessions, States: []StateCount{}}
		if f.Count != nil && !f.Complete && *f.Count > f.Sessions {
			s.Sessions = *f.Count
		}
		s.States = append(s.States, byCount(f.States)...)
		sort.Slice(s.States, func(i, j int) bool { return s.States[i].State < s.States[j].State })
		sh.Stores = append(sh.Stores, s)
	}
	return sh
}
