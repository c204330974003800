package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
)

// Naming a session: every session command (get, renew, cancel, commit,
// wait) takes the same words, read by one matcher, matchSession, which
// completion uses too, so it offers only what the commands accept:
//
//  1. the session's id;
//  2. a file name: the newest session uploaded from that file (the exact
//     name first, then in another case, as Windows file names are);
//  3. a path: its base name, as in 2.
//
// A file name is ambiguous when two or more of its sessions are still
// running and none of them has stalled (no update for --stall-after):
// two live uploads of one file, and acting on the wrong one would do
// harm. Those are listed with their created times (exit 2); an old
// session stuck in a running state does not count.

// sessionFinder is what naming a session needs.
type sessionFinder interface {
	GetSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	ListSessionsReport(ctx context.Context, storeID string) (graphapi.SessionListing, error)
}

// storeGetter reads one store: a namer that knows only the store's id uses
// it to name the store in an error.
type storeGetter interface {
	GetDataStore(ctx context.Context, storeID string) (graphapi.DataStore, error)
}

var (
	_ sessionFinder = (*graphapi.Client)(nil)
	_ storeGetter   = (*graphapi.Client)(nil)
)

// sessionNamer names the sessions of one store; it lists the store at most
// once a run, however many arguments name sessions by file.
type sessionNamer struct {
	svc   sessionFinder
	store graphapi.DataStore // the name may be unknown (a store given by id)
	rules health.Rules       // the stall rule, for a name's ambiguity
	now   func() time.Time
	// listed is the store's listing, once read.
	listed *graphapi.SessionListing
}

// resolveSession finds the session arg names in a store (see matchSession).
// An id is read by a GET, and only a 404 (a file may be named like an id)
// leads to the listing. An unknown or ambiguous name is a usage error; a
// failed call is returned as it is.
func (n *sessionNamer) resolve(ctx context.Context, arg string) (graphapi.Session, error) {
	if err := graphapi.ValidateID("session", arg); err != nil {
		return graphapi.Session{}, &usageError{err}
	}
	if looksLikeGUID(arg) {
		s, err := n.svc.GetSession(ctx, n.store.ID, arg)
		if !errors.Is(err, graphapi.ErrNotFound) {
			return s, err
		}
	}
	listing, err := n.listing(ctx)
	if err != nil {
		return graphapi.Session{}, err
	}
	s, ambiguous := matchSession(listing.Sessions, arg, n.rules, n.now())
	switch {
	case s != nil:
		return *s, nil
	case len(ambiguous) > 1:
		return graphapi.Session{}, usageErrorf("%d sessions of data store %s from %q are running: give the id of one:\n%s",
			len(ambiguous), n.title(ctx), arg, sessionLines(ambiguous))
	case listing.Skipped > 0:
		// It may be one of those: not knowing is not "no such session".
		return graphapi.Session{}, &unreadableListingError{skipped: listing.Skipped}
	case len(listing.Sessions) == 0:
		return graphapi.Session{}, usageErrorf("no session of data store %s has the id or file name %q: the store has no sessions", n.title(ctx), arg)
	}
	return graphapi.Session{}, usageErrorf("no session of data store %s has the id or file name %q; the newest are:\n%s",
		n.title(ctx), arg, sessionLines(newestFirst(listing.Sessions)[:min(len(listing.Sessions), 5)]))
}

func (n *sessionNamer) listing(ctx context.Context) (*graphapi.SessionListing, error) {
	if n.listed == nil {
		l, err := n.svc.ListSessionsReport(ctx, n.store.ID)
		if err != nil {
			return nil, err
		}
		n.listed = &l
	}
	return n.listed, nil
}

// title names the store by name and id; a store given by id is looked up
// for its name (an error is no reason to hide the first one).
func (n *sessionNamer) title(ctx context.Context) string {
	if g, ok := n.svc.(storeGetter); ok && n.store.DisplayName == "" {
		if d, err := g.GetDataStore(ctx, n.store.ID); err == nil && d.ID == n.store.ID {
			n.store = d
		}
	}
	return storeTitle(n.store)
}

// matchSession picks the session arg names (the rules above): the
// session, or nil with the running sessions a file name cannot choose
// between, or nil and nil when nothing matches.
func matchSession(sessions []*graphapi.Session, arg string, rules health.Rules, now time.Time) (*graphapi.Session, []*graphapi.Session) {
	if i := slices.IndexFunc(sessions, func(s *graphapi.Session) bool { return s.ID == arg }); i >= 0 {
		return sessions[i], nil
	}
	names := []string{arg}
	// A pipeline may pass the hash file's path: try its base name.
	if i := strings.LastIndexAny(arg, `/\`); i >= 0 && i < len(arg)-1 {
		names = append(names, arg[i+1:])
	}
	for _, name := range names {
		for _, same := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
			var newest *graphapi.Session
			var live []*graphapi.Session
			for _, s := range sessions {
				if !same(s.FileName, name) {
					continue
				}
				if newest == nil || health.NewerCreated(s, newest) {
					newest = s
				}
				if !health.Final(s) && !rules.Stalled(s, now) {
					live = append(live, s)
				}
			}
			switch {
			case len(live) > 1:
				return nil, newestFirst(live)
			case newest != nil:
				return newest, nil
			}
		}
	}
	return nil, nil
}

// sessionLines lists sessions in aligned columns under a header: file,
// state, created, id; each cell sanitized and bounded.
func sessionLines(sessions []*graphapi.Session) string {
	rows := [][]string{{"FILE", "STATE", "CREATED", "ID"}}
	for _, s := range sessions[:min(len(sessions), maxListed)] {
		rows = append(rows, []string{boundedText(orDash(s.FileName), maxNameWidth), boundedText(orDash(s.State), maxNameWidth),
			timeCell(s.CreationDateTime), termtext.OneLine(s.ID)})
	}
	var b strings.Builder
	_ = writeTable(&b, rows[0], rows[1:])
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i := range lines {
		lines[i] = "  " + strings.TrimRight(lines[i], " ")
	}
	if len(sessions) > maxListed {
		lines = append(lines, fmt.Sprintf("  … and %d more ('edmtop list' lists them all)", len(sessions)-maxListed))
	}
	return strings.Join(lines, "\n")
}

// errUnreadableListing matches an *unreadableListingError.
var errUnreadableListing = errors.New("the listing has entries that are not usable sessions")

// unreadableListingError: the session asked for is not among those listed,
// but the listing had entries that could not be read, so it may be one.
type unreadableListingError struct{ skipped int }

func (e *unreadableListingError) Error() string {
	return "the session is not among those listed, but the service also listed " + skippedText(e.skipped)
}

func (e *unreadableListingError) Is(target error) bool { return target == errUnreadableListing }

// skippedText says how many listed entries were not usable sessions.
func skippedText(n int) string {
	return fmt.Sprintf("%d %s that %s not usable sessions (not an object, or without an id)", n,
		plural(n, "entry", "entries"), plural(n, "is", "are"))
}

// newestFirst returns a copy of sessions, newest created first.
func newestFirst(sessions []*graphapi.Session) []*graphapi.Session {
	sorted := slices.Clone(sessions)
	slices.SortStableFunc(sorted, health.NewestFirst)
	return sorted
}
