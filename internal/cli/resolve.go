package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// storeLister is what naming a store needs; *graphapi.Client satisfies it
// (so does ui.Service).
type storeLister interface {
	ListDataStores(ctx context.Context) ([]graphapi.DataStore, error)
}

// sessionFinder is what naming a session needs.
type sessionFinder interface {
	GetSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	ListSessionsReport(ctx context.Context, storeID string) (graphapi.SessionListing, error)
}

var (
	_ storeLister   = (*graphapi.Client)(nil)
	_ sessionFinder = (*graphapi.Client)(nil)
)

var guidPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// looksLikeGUID reports whether s has the shape of a Graph id.
func looksLikeGUID(s string) bool { return guidPattern.MatchString(s) }

// maxListed bounds the stores or sessions an error message lists.
const maxListed = 20

// resolveStore finds the store arg names: its id, or its display name
// (case-insensitive, exact). An unknown or ambiguous name is a usage error
// that lists the candidates; a failed listing is returned as it is.
func resolveStore(ctx context.Context, svc storeLister, arg string) (graphapi.DataStore, error) {
	if err := graphapi.ValidateID("data store", arg); err != nil {
		return graphapi.DataStore{}, &usageError{err}
	}
	stores, err := svc.ListDataStores(ctx)
	if err != nil {
		return graphapi.DataStore{}, err
	}
	return matchStore(uniqueStores(stores), arg)
}

// uniqueStores keeps the first of stores listed more than once under one
// id: it is one store, judged and named once.
func uniqueStores(stores []graphapi.DataStore) []graphapi.DataStore {
	seen := make(map[string]bool, len(stores))
	out := make([]graphapi.DataStore, 0, len(stores))
	for _, d := range stores {
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, d)
		}
	}
	return out
}

// resolveStoreFlag is resolveStore for the --datastore setting: a usage
// error names the flag and where its value came from.
func resolveStoreFlag(ctx context.Context, g *globalFlags, svc storeLister, arg string) (graphapi.DataStore, error) {
	d, err := resolveStore(ctx, svc, arg)
	if ue, ok := errors.AsType[*usageError](err); ok {
		return d, usageErrorf("--datastore%s: %w", g.settings.from("datastore"), ue.err)
	}
	return d, err
}

// storeIDFlag is the id of the store the --datastore setting names: an id
// that looks like one is used as given (no request), anything else is
// looked up by name with a bounded wait, so a typo exits 2 with the stores.
func storeIDFlag(ctx context.Context, g *globalFlags, svc storeLister, arg string) (string, error) {
	if arg == "" || looksLikeGUID(arg) {
		return arg, nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	d, err := resolveStoreFlag(ctx, g, svc, arg)
	return d.ID, err
}

// selectStores resolves each --datastore value once; none means all.
func selectStores(all []graphapi.DataStore, args []string) ([]graphapi.DataStore, error) {
	if len(args) == 0 {
		return all, nil
	}
	var out []graphapi.DataStore
	for _, arg := range args {
		d, err := matchStore(all, arg)
		if err != nil {
			return nil, fmt.Errorf("--datastore: %w", err)
		}
		if !slices.ContainsFunc(out, func(o graphapi.DataStore) bool { return o.ID == d.ID }) {
			out = append(out, d)
		}
	}
	return out, nil
}

// matchStore picks the store arg names from stores. An id wins over a name:
// ids are unique, display names need not be.
func matchStore(stores []graphapi.DataStore, arg string) (graphapi.DataStore, error) {
	for _, d := range stores {
		if d.ID == arg {
			return d, nil
		}
	}
	if looksLikeGUID(arg) {
		for _, d := range stores {
			if strings.EqualFold(d.ID, arg) {
				return d, nil
			}
		}
	}
	var matches []graphapi.DataStore
	for _, d := range stores {
		if strings.EqualFold(d.DisplayName, arg) {
			matches = append(matches, d)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		if len(stores) == 0 {
			return graphapi.DataStore{}, usageErrorf("no data store is named %q: the account sees no data stores", arg)
		}
		return graphapi.DataStore{}, usageErrorf("no data store has the id or name %q; the stores are:\n%s", arg, storeLines(stores))
	default:
		return graphapi.DataStore{}, usageErrorf("%d data stores are named %q: give the id of one:\n%s", len(matches), arg, storeLines(matches))
	}
}

// storeLines lists stores as "name  id" lines, sorted by name, sanitized.
func storeLines(stores []graphapi.DataStore) string {
	sorted := slices.Clone(stores)
	slices.SortStableFunc(sorted, func(a, b graphapi.DataStore) int {
		return strings.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	})
	width := 0
	for _, d := range sorted[:min(len(sorted), maxListed)] {
		width = max(width, len([]rune(listedName(d))))
	}
	var b strings.Builder
	for i, d := range sorted {
		if i == maxListed {
			fmt.Fprintf(&b, "  … and %d more ('edmtop stores' lists them all)\n", len(sorted)-maxListed)
			break
		}
		name := listedName(d)
		fmt.Fprintf(&b, "  %s%s  %s\n", name, strings.Repeat(" ", max(width-len([]rune(name)), 0)), termtext.OneLine(d.ID))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// maxNameWidth bounds a store name in a list: a service could send pages.
const maxNameWidth = 60

// listedName is a store's name for a list: sanitized, bounded.
func listedName(d graphapi.DataStore) string {
	name := []rune(termtext.OneLine(orDash(d.DisplayName)))
	if len(name) > maxNameWidth {
		return string(name[:maxNameWidth-1]) + "…"
	}
	return string(name)
}

// resolveSession finds the session arg names in a store: its id, or a file
// name, meaning the newest session uploaded from that file (exact name
// first, then case-insensitive, as Windows file names are; a path is
// tried by its base name too).
func resolveSession(ctx context.Context, svc sessionFinder, storeID, arg string) (graphapi.Session, error) {
	if err := graphapi.ValidateID("session", arg); err != nil {
		return graphapi.Session{}, &usageError{err}
	}
	if looksLikeGUID(arg) {
		s, err := svc.GetSession(ctx, storeID, arg)
		if !errors.Is(err, graphapi.ErrNotFound) {
			return s, err
		}
		// Not an id after all: a file may be named like one.
	}
	listing, err := svc.ListSessionsReport(ctx, storeID)
	if err != nil {
		return graphapi.Session{}, err
	}
	sessions := listing.Sessions
	if i := slices.IndexFunc(sessions, func(s *graphapi.Session) bool { return s.ID == arg }); i >= 0 {
		return *sessions[i], nil
	}
	if s, ok := newestFromFile(sessions, arg); ok {
		return s, nil
	}
	// A pipeline may pass the hash file's path: try its base name.
	if i := strings.LastIndexAny(arg, `/\`); i >= 0 && i < len(arg)-1 {
		if s, ok := newestFromFile(sessions, arg[i+1:]); ok {
			return s, nil
		}
	}
	if listing.Skipped > 0 {
		// It may be one of those: not knowing is not "no such session".
		return graphapi.Session{}, &unreadableListingError{skipped: listing.Skipped}
	}
	return graphapi.Session{}, usageErrorf("no session of data store %s has the id or file name %q%s",
		termtext.OneLine(storeID), arg, newestFiles(sessions))
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

// newestFromFile is the newest session uploaded from file: an exact match
// first, then one in another case.
func newestFromFile(sessions []*graphapi.Session, file string) (graphapi.Session, bool) {
	for _, same := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		var newest *graphapi.Session
		for _, s := range sessions {
			if same(s.FileName, file) && (newest == nil || health.NewerCreated(s, newest)) {
				newest = s
			}
		}
		if newest != nil {
			return *newest, true
		}
	}
	return graphapi.Session{}, false
}

// newestFiles names a few recent sessions, to help with a typo.
func newestFiles(sessions []*graphapi.Session) string {
	if len(sessions) == 0 {
		return " (the store has no sessions)"
	}
	sorted := newestFirst(sessions)
	var b strings.Builder
	b.WriteString("; the newest are:")
	for _, s := range sorted[:min(len(sorted), 5)] {
		fmt.Fprintf(&b, "\n  %s  %s  %s", termtext.OneLine(orDash(s.FileName)), termtext.OneLine(orDash(s.State)), termtext.OneLine(s.ID))
	}
	return b.String()
}

// newestFirst returns a copy of sessions, newest created first.
func newestFirst(sessions []*graphapi.Session) []*graphapi.Session {
	sorted := slices.Clone(sessions)
	slices.SortStableFunc(sorted, health.NewestFirst)
	return sorted
}

// Shell completion asks the service, so it must be quick and must never
// prompt: a sign-in that needs the user gives no completions.

// completionTimeout bounds a completion's sign-in and requests.
const completionTimeout = 2 * time.Second

// maxCompletions bounds the sessions offered.
const maxCompletions = 50

type completionFunc = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)

// completionClient signs in as the command would, without prompting: the
// interactive credentials are built with automatic authentication off, so
// without a cached token they fail instead of asking.
func completionClient(cmd *cobra.Command, g *globalFlags) (*graphapi.Client, func(), error) {
	// The settings loaded before completion ran were the __complete
	// command's, which has none of cmd's flags: load them for cmd.
	r, err := loadSettings(cmd, g.config, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	g.settings = r
	t, err := g.resolveTarget()
	if err != nil {
		return nil, nil, err
	}
	a, err := newApp(g, io.Discard)
	if err != nil {
		return nil, nil, err
	}
	cred, err := a.credential(t)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	client, err := a.client(t, cred)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return client, a.close, nil
}

// withCompletionClient runs do with a client and a context bounded by
// completionTimeout; any failure means no completions.
func withCompletionClient(cmd *cobra.Command, g *globalFlags, do func(ctx context.Context, c *graphapi.Client) []string) []string {
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, completionTimeout)
	defer cancel()
	client, closeApp, err := completionClient(cmd, g)
	if err != nil {
		return nil
	}
	defer closeApp()
	return do(ctx, client)
}

// completeStores offers store names and ids for --datastore, each with the
// other as its description.
func completeStores(g *globalFlags) completionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		out := withCompletionClient(cmd, g, func(ctx context.Context, c *graphapi.Client) []string {
			stores, err := c.ListDataStores(ctx)
			if err != nil {
				return nil
			}
			return storeCompletions(stores, toComplete)
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func storeCompletions(stores []graphapi.DataStore, prefix string) []string {
	var out []string
	for _, d := range stores {
		name, id := completionText(d.DisplayName), completionText(d.ID)
		if name != "" && hasPrefixFold(name, prefix) {
			out = append(out, name+"\t"+id)
		}
		if id != "" && hasPrefixFold(id, prefix) {
			out = append(out, id+"\t"+orDash(name))
		}
	}
	return out
}

// completeSessions offers the ids and file names of the sessions of the
// --datastore store, newest first; single limits it to the first argument.
func completeSessions(g *globalFlags, single bool) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if single && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		out := withCompletionClient(cmd, g, func(ctx context.Context, c *graphapi.Client) []string {
			datastore := g.settings.str("datastore")
			if datastore == "" {
				return nil
			}
			d, err := resolveStore(ctx, c, datastore)
			if err != nil {
				return nil
			}
			sessions, err := c.ListSessions(ctx, d.ID)
			if err != nil {
				return nil
			}
			return sessionCompletions(newestFirst(sessions), toComplete)
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func sessionCompletions(sessions []*graphapi.Session, prefix string) []string {
	var out []string
	files := map[string]bool{}
	for _, s := range sessions[:min(len(sessions), maxCompletions)] {
		id, file, state := completionText(s.ID), completionText(s.FileName), completionText(s.State)
		if id != "" && hasPrefixFold(id, prefix) {
			out = append(out, id+"\t"+orDash(file)+" "+orDash(state))
		}
		if file != "" && !files[file] && hasPrefixFold(file, prefix) {
			files[file] = true
			out = append(out, file+"\tnewest: "+orDash(state)+" "+timeCell(s.CreationDateTime))
		}
	}
	return out
}

// completionText is server text made safe for a shell's completion list:
// sanitized, on one line, without the tab that separates a description.
func completionText(s string) string {
	return strings.TrimSpace(termtext.OneLine(s))
}

func hasPrefixFold(s, prefix string) bool {
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}
