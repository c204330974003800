package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
)

// Naming a store: one matcher, matchStore, for every place a store is named
// (--datastore on every command, list's argument, EDMTOP_DATASTORE and the
// config file's datastore:, check's and the exporter's --datastore, and
// completion, which offers only what it accepts). The rules, in order, the
// first that matches wins:
//
//  1. the id (a GUID in any case);
//  2. the display name, exactly;
//  3. the display name ignoring case, spaces, hyphens, underscores and
//     punctuation: PatientRecords, patient-records, "patient records";
//  4. the start of that normalized name, when one store has it: Employee.
//
// Two stores matching at the first rule that matches is an ambiguity: a
// usage error listing them, by name and id. No match says which name is
// closest ("did you mean") and lists the stores.

// storeLister is what naming a store needs; *graphapi.Client satisfies it
// (so does ui.Service).
type storeLister interface {
	ListDataStores(ctx context.Context) ([]graphapi.DataStore, error)
}

var _ storeLister = (*graphapi.Client)(nil)

var guidPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// looksLikeGUID reports whether s has the shape of a Graph id.
func looksLikeGUID(s string) bool { return guidPattern.MatchString(s) }

// maxListed bounds the stores or sessions an error message lists.
const maxListed = 20

// resolveStore finds the store arg names (see matchStore). An unknown or
// ambiguous name is a usage error that lists the candidates; a failed
// listing is returned as it is.
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

// storeRule is one of matchStore's rules: whether a store matches arg.
type storeRule struct {
	matches func(d graphapi.DataStore, arg, norm string) bool
	// ambiguous says what several stores matching have in common.
	ambiguous string
}

var storeRules = []storeRule{
	{func(d graphapi.DataStore, arg, _ string) bool {
		return d.ID == arg || (looksLikeGUID(arg) && strings.EqualFold(d.ID, arg))
	}, "have the id"},
	{func(d graphapi.DataStore, arg, _ string) bool { return d.DisplayName == arg }, "are named"},
	{func(d graphapi.DataStore, _, norm string) bool {
		return norm != "" && normalizedName(d.DisplayName) == norm
	}, "have names like"},
	{func(d graphapi.DataStore, _, norm string) bool {
		return norm != "" && strings.HasPrefix(normalizedName(d.DisplayName), norm)
	}, "have names starting with"},
}

// matchStore picks the store arg names from stores by the rules above.
func matchStore(stores []graphapi.DataStore, arg string) (graphapi.DataStore, error) {
	norm := normalizedName(arg)
	for _, rule := range storeRules {
		var matches []graphapi.DataStore
		for _, d := range stores {
			if rule.matches(d, arg, norm) {
				matches = append(matches, d)
			}
		}
		switch len(matches) {
		case 0:
			continue
		case 1:
			return matches[0], nil
		}
		return graphapi.DataStore{}, usageErrorf("%d data stores %s %q: give the id of one:\n%s",
			len(matches), rule.ambiguous, arg, storeLines(matches))
	}
	if len(stores) == 0 {
		return graphapi.DataStore{}, usageErrorf("no data store is named %q: the account sees no data stores", arg)
	}
	return graphapi.DataStore{}, usageErrorf("no data store has the id or name %q; %s:\n%s",
		arg, didYouMean(stores, norm), storeLines(stores))
}

// normalizedName is a name as people may type it: lower case, letters and
// digits only ("Patient records", "patient-records" → "patientrecords").
func normalizedName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// didYouMean introduces the list of stores, first naming those whose
// names are nearest to norm (edit distance between normalized names, or
// between norm and the start of a name as long as it) when one is near
// enough to be a typo: a third of norm's letters, at most 3. Short or
// far-off names get no suggestion.
func didYouMean(stores []graphapi.DataStore, norm string) string {
	n := len([]rune(norm))
	if n < 3 {
		return "the stores are"
	}
	limit := min(3, max(1, n/3))
	best, names := limit+1, []string(nil)
	for _, d := range sortedByName(stores) {
		name := []rune(normalizedName(d.DisplayName))
		dist := min(editDistance(norm, string(name)), editDistance(norm, string(name[:min(n, len(name))])))
		if dist > best {
			continue
		}
		if dist < best {
			best, names = dist, nil
		}
		names = append(names, fmt.Sprintf("%q", listedName(d)))
	}
	if len(names) == 0 || len(names) > 3 {
		return "the stores are"
	}
	return "did you mean " + strings.Join(names, " or ") + "? The stores are"
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// sortedByName is a copy of stores sorted by name, any case.
func sortedByName(stores []graphapi.DataStore) []graphapi.DataStore {
	sorted := slices.Clone(stores)
	slices.SortStableFunc(sorted, func(a, b graphapi.DataStore) int {
		return strings.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName))
	})
	return sorted
}

// storeLines lists stores as "name  id" lines, sorted by name, sanitized.
func storeLines(stores []graphapi.DataStore) string {
	sorted := sortedByName(stores)
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
	return boundedText(orDash(d.DisplayName), maxNameWidth)
}

// storeTitle names a store in a sentence by name and id: "Patient records"
// (9a4d7e21-…); the id alone when the name is unknown.
func storeTitle(d graphapi.DataStore) string {
	id := termtext.OneLine(d.ID)
	if d.DisplayName == "" {
		return id
	}
	return fmt.Sprintf("%q (%s)", listedName(d), id)
}
