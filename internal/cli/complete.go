package cli

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// Shell completion asks the service, so it must be quick and must never
// prompt: a sign-in that needs the user gives no completions. It offers
// exactly what the commands accept: each candidate, given back, names one
// store or one session by the matchers the commands use (matchStore,
// matchSession); a name two stores share, a file name two running
// sessions share, or text that sanitizing would change is left out (its
// id is offered).

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

// completeStores offers store names and ids, each with the other as its
// description: for --datastore, and for list's argument (positional: only
// the first argument).
func completeStores(g *globalFlags, positional bool) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if positional && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		out := withCompletionClient(cmd, g, func(ctx context.Context, c *graphapi.Client) []string {
			stores, err := c.ListDataStores(ctx)
			if err != nil {
				return nil
			}
			return storeCompletions(uniqueStores(stores), toComplete)
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// storeCompletions are the names and ids of stores starting with prefix
// (any case) that name their store.
func storeCompletions(stores []graphapi.DataStore, prefix string) []string {
	var out []string
	for _, d := range stores {
		name, id := completionText(d.DisplayName), completionText(d.ID)
		if name != "" && hasPrefixFold(name, prefix) && names(stores, name, d.ID) {
			out = append(out, name+"\t"+id)
		}
		if id != "" && hasPrefixFold(id, prefix) && names(stores, id, d.ID) {
			out = append(out, id+"\t"+orDash(name))
		}
	}
	return out
}

// names says whether arg names the store with id among stores.
func names(stores []graphapi.DataStore, arg, id string) bool {
	d, err := matchStore(stores, arg)
	return err == nil && d.ID == id
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
			listing, err := c.ListSessionsReport(ctx, d.ID)
			if err != nil {
				return nil
			}
			return sessionCompletions(listing.Sessions, g.settings.healthRules(), pollClock.now(), toComplete)
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// sessionCompletions are the ids and file names of the newest sessions
// starting with prefix (any case) that matchSession takes: a file name
// stands for the newest session from that file, as the commands read it.
func sessionCompletions(sessions []*graphapi.Session, rules health.Rules, now time.Time, prefix string) []string {
	var out []string
	files := map[string]bool{}
	for _, s := range newestFirst(sessions)[:min(len(sessions), maxCompletions)] {
		id, file, state := completionText(s.ID), completionText(s.FileName), completionText(s.State)
		if id != "" && id == s.ID && hasPrefixFold(id, prefix) {
			out = append(out, id+"\t"+orDash(file)+" "+orDash(state))
		}
		if file == "" || file != s.FileName || files[file] || !hasPrefixFold(file, prefix) {
			continue
		}
		files[file] = true
		if newest, _ := matchSession(sessions, file, rules, now); newest != nil {
			out = append(out, file+"\tnewest: "+orDash(completionText(newest.State))+" "+timeCell(newest.CreationDateTime))
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
