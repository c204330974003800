package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// docsUploaders is Microsoft's page on the EDM_DataUploaders group.
const docsUploaders = "https://learn.microsoft.com/purview/sit-get-started-exact-data-match-hash-upload"

// groupFix is the fix of a 403.
const groupFix = "add the account to the EDM_DataUploaders security group, then sign in again: " + docsUploaders

const (
	// storeConcurrency bounds the stores read at once.
	storeConcurrency = 4
	// maxPages bounds the pages read of one store.
	maxPages = 20
	// maxStates bounds the distinct state names kept; more become "(other)".
	maxStates = 50
)

// sessionProperties are the session properties edmtop reads, for the
// count of nulls.
var sessionProperties = []string{"dataStoreId", "state", "fileName", "creationDateTime", "startDateTime",
	"lastUpdatedDateTime", "completionDateTime", "uploadCompletionDateTime", "processingCompletionDateTime",
	"totalBlockCount", "remainingBlockCount", "totalJobCount", "remainingJobCount", "rowsPerBlock",
	"checksum", "dataUploadURI", "fields", "salt", "uploadAgentId", "error"}

func (r *runner) access(ctx context.Context) {
	r.noStores = "the data stores could not be listed"
	if r.noToken == "" && r.client == nil {
		client, err := graphapi.New(r.o.Target.Endpoint, r.cred, &graphapi.Options{
			Scope: r.o.Target.Scope, Transport: r.obs, CallTimeout: r.o.RequestTimeout, TryTimeout: min(r.o.RequestTimeout, 30*time.Second),
		})
		if err != nil {
			r.noToken = "no Graph client: " + err.Error()
		}
		r.client = client
	}
	r.listStores(ctx)
	r.readStores(ctx)
	r.agentCheck(ctx)
}

func (r *runner) listStores(ctx context.Context) {
	if !r.ready(ctx, SectionAccess, "access.stores", "data stores", r.noConfig, r.noGraph, r.noToken) {
		return
	}
	a := &r.rep.Access
	c := Check{ID: "access.stores", Section: SectionAccess, Title: "data stores", Verdict: OK}
	stores, err := r.client.ListDataStores(ctx)
	if err != nil {
		a.ListStatus, a.ListError = statusOf(err), r.errText(ctx, err)
		c.Verdict, c.Detail, c.Fix = Fail, a.ListError, r.accessFix(ctx, a.ListStatus)
		r.emit(c)
		return
	}
	n := len(stores)
	a.StoresListed = &n
	r.stores, c.Detail = distinct(stores), plural(n, "data store")+" listed"
	for _, st := range r.stores {
		r.rep.names.store(st.DisplayName, st.ID)
	}
	switch {
	case n == 0:
		r.noStores = "the account sees no data store"
		c.Verdict, c.Detail = Warn, "the account sees no data store"
		c.Fix = "is this the tenant that holds them? pass --tenant with the one where EDM schemas are set up"
	case len(r.stores) < n:
		r.noStores = ""
		c.Verdict = Warn
		c.Detail += fmt.Sprintf(", %s listed more than once", plural(n-len(r.stores), "entry"))
		c.Fix = "nothing to do: edmtop shows and reads each store once"
	default:
		r.noStores = ""
	}
	r.emit(c)
}

// distinct keeps the first listing of each store id.
func distinct(stores []graphapi.DataStore) []graphapi.DataStore {
	seen := map[string]bool{}
	var out []graphapi.DataStore
	for _, st := range stores {
		if !seen[st.ID] {
			seen[st.ID] = true
			out = append(out, st)
		}
	}
	return out
}

// statusOf is an error's HTTP status, 0 when no answer came.
func statusOf(err error) int {
	if ge, ok := graphapi.AsError(err); ok {
		return ge.StatusCode
	}
	return 0
}

// errText is an error for the report: scrubbed, one line, and saying so
// when the deadline cut it short (while throttled, if it was).
func (r *runner) errText(ctx context.Context, err error) string {
	if r.cut(ctx) != "" && statusOf(err) == 0 {
		switch t := r.obs.throttling(); {
		case r.rep.Summary.Interrupted:
		case t.Status429 > 0:
			return "throttled (HTTP 429) until the " + r.rep.Timeout + " timeout passed"
		case t.Status503 > 0:
			return "unavailable (HTTP 503) until the " + r.rep.Timeout + " timeout passed"
		}
		return r.noAnswer()
	}
	return termtext.OneLine(r.client.Scrub(err.Error()))
}

// accessFix is what to do about a refused or failed read.
func (r *runner) accessFix(ctx context.Context, status int) string {
	app := r.rep.SignIn.Token != nil && r.rep.SignIn.Token.Kind == "app"
	switch {
	case status == http.StatusForbidden && app:
		return "EDM may not accept app-only tokens: sign in as a user in the EDM_DataUploaders group (" + docsUploaders + ")"
	case status == http.StatusForbidden:
		return groupFix
	case status == http.StatusUnauthorized:
		return "the service refused the token: it may have expired or be for another cloud (check --cloud); sign in again"
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return "the service is throttling or unavailable: try again in a few minutes"
	case ctx.Err() != nil && r.obs.throttling().Status429+r.obs.throttling().Status503 > 0:
		return "the service is throttling or unavailable: try again in a few minutes, or with a longer --timeout"
	case ctx.Err() != nil:
		return "the service did not answer in time: run again with a longer --timeout, or check the reach checks above"
	case status >= 500:
		return "the service is failing: try again later"
	}
	return "run again with --log-file to see the requests"
}

func (r *runner) readStores(ctx context.Context) {
	if !r.ready(ctx, SectionAccess, "access.sessions", "store sessions", r.noConfig, r.noToken, r.noStores) {
		return
	}
	facts := make([]StoreFacts, len(r.stores))
	sem := make(chan struct{}, storeConcurrency)
	var wg sync.WaitGroup
	for i, st := range r.stores {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			facts[i] = r.readStore(ctx, st)
		})
	}
	wg.Wait()
	r.rep.Access.Stores = facts
	for _, f := range facts {
		r.emit(r.storeCheck(ctx, f))
	}
}

// readStore reads a store's first page of sessions and follows its next
// links (at most maxPages pages), then asks for its $count.
func (r *runner) readStore(ctx context.Context, st graphapi.DataStore) StoreFacts {
	f := StoreFacts{Name: st.DisplayName, ID: st.ID, States: map[string]int{}, nulls: map[string]int{}}
	p, err := r.client.ProbeSessions(ctx, st.ID, 0)
	if err != nil {
		f.Status, f.Error = statusOf(err), r.errText(ctx, err)
		return f
	}
	f.Status, f.FirstPage, f.firstHadNext = p.Status, len(p.Entries), p.NextLink != ""
	seen := map[string]bool{}
	for {
		f.Pages++
		f.absorb(p, r.client.Scrub)
		if p.NextLink == "" {
			f.Complete = true
			break
		}
		f.nextLinks++
		if p.NextErr != nil {
			f.nextRefused = termtext.OneLine(p.NextErr.Error())
			break
		}
		if seen[p.NextLink] {
			f.nextRefused = "the service sent a next link to a page already read (a loop)"
			break
		}
		if f.Pages >= maxPages {
			break
		}
		seen[p.NextLink] = true
		if p, err = r.client.ProbeNext(ctx, p); err != nil {
			f.PageError = r.errText(ctx, err)
			break
		}
	}
	r.countStore(ctx, &f)
	return f
}

func (r *runner) countStore(ctx context.Context, f *StoreFacts) {
	n, err := r.client.CountSessions(ctx, f.ID)
	if err == nil {
		f.Count = &n
		return
	}
	f.CountStatus, f.CountError = statusOf(err), r.errText(ctx, err)
	if errors.Is(err, graphapi.ErrUnsupported) {
		f.CountError = "unsupported: " + f.CountError
	}
}

// absorb counts a page's sessions by state and their null properties, and
// remembers their ids and file names (for the report's placeholders).
func (f *StoreFacts) absorb(p graphapi.RawPage, scrub func(string) string) {
	for _, e := range p.Entries {
		var m map[string]json.RawMessage
		if json.Unmarshal(e, &m) != nil || m == nil {
			f.Skipped++
			continue
		}
		id := rawString(m["id"])
		if id == "" {
			f.Skipped++
			continue
		}
		f.Sessions++
		f.sessionIDs = append(f.sessionIDs, id)
		if name := rawString(m["fileName"]); name != "" {
			f.fileNames = append(f.fileNames, name)
		}
		if agent := rawString(m["uploadAgentId"]); agent != "" {
			f.agentIDs = append(f.agentIDs, agent)
			if f.agentSession == "" {
				f.agentSession = id
			}
		}
		f.States[f.stateKey(rawString(m["state"]), scrub)]++
		for _, prop := range sessionProperties {
			if absent(m, prop) {
				f.nulls[prop]++
			}
		}
	}
}

// stateKey is a state as the report keeps it: one line, scrubbed, short.
func (f *StoreFacts) stateKey(state string, scrub func(string) string) string {
	if state == "" {
		return "(null)"
	}
	s := termtext.OneLine(scrub(state))
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	if _, known := f.States[s]; !known && len(f.States) >= maxStates {
		return "(other)"
	}
	return s
}

// absent reports a property null or missing; dataStoreId has an older
// spelling.
func absent(m map[string]json.RawMessage, prop string) bool {
	null := func(k string) bool { v, ok := m[k]; return !ok || string(v) == "null" }
	if prop == "dataStoreId" {
		return null("dataStoreId") && null("datastoreId")
	}
	return null(prop)
}

// rawString is a JSON string's value, "" for anything else.
func rawString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

func (r *runner) storeCheck(ctx context.Context, f StoreFacts) Check {
	title := f.Name
	if title == "" {
		title = f.ID
	}
	c := Check{ID: "access.store", Section: SectionAccess, Title: title, Store: title, Verdict: OK}
	switch {
	case f.Status == http.StatusForbidden:
		c.Verdict, c.Detail, c.Fix = Fail, f.Error, "the account sees this store but may not read it: "+groupFix
	case f.Error != "":
		c.Verdict, c.Detail, c.Fix = Fail, f.Error, r.accessFix(ctx, f.Status)
	default:
		c.Detail = plural(f.Sessions, "session")
		if f.Pages > 1 {
			c.Detail += fmt.Sprintf(" in %d pages", f.Pages)
		}
		if !f.Complete && f.PageError == "" && f.nextRefused == "" {
			c.Detail += fmt.Sprintf(" (stopped after %d pages)", maxPages)
		}
		if f.Skipped > 0 {
			c.Verdict = Warn
			c.Detail += fmt.Sprintf("; %s not usable (no object or no id)", plural(f.Skipped, "entry"))
			c.Fix = "edmtop skips them and says how many; a --report of this run helps find out why"
		}
		if f.PageError != "" {
			c.Verdict, c.Detail, c.Fix = Warn, c.Detail+"; a later page failed: "+f.PageError, r.accessFix(ctx, 0)
		}
	}
	return c
}

func (r *runner) agentCheck(ctx context.Context) {
	if !r.ready(ctx, SectionAccess, "access.agent", "upload agent", r.noConfig, r.noToken, r.noStores) {
		return
	}
	c := Check{ID: "access.agent", Section: SectionAccess, Title: "upload agent", Verdict: OK}
	store, session := "", ""
	for _, f := range r.rep.Access.Stores {
		if f.agentSession != "" {
			store, session = f.ID, f.agentSession
			break
		}
	}
	if session == "" {
		c.Verdict, c.Detail = Skip, "no session to look one up for"
		r.emit(c)
		return
	}
	l := &Layer{}
	r.rep.Access.UploadAgent = l
	elapsed := r.o.Stopwatch()
	a, err := r.client.GetUploadAgent(ctx, store, session)
	l.Ms = millis(elapsed())
	if err != nil {
		l.Status, l.Error = statusOf(err), r.errText(ctx, err)
		c.Verdict, c.Detail, c.Fix = Warn, l.Error, "only the details pane shows the upload agent; nothing else needs it"
	} else {
		l.OK, l.Status = true, http.StatusOK
		c.Detail = "looked up for one session"
		if !a.CreationDateTime.IsZero() {
			c.Detail += "; the agent was registered " + a.CreationDateTime.UTC().Format("2006-01-02")
		}
	}
	r.emit(c)
}
