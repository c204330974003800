package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// scriptFlags are the flags of the scripting commands.
type scriptFlags struct {
	output    string
	reveal    bool
	datastore string
	yes       bool
}

func (s *scriptFlags) registerOutput(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&s.output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	cmd.Flags().BoolVar(&s.reveal, "reveal", false, "show the salt and the upload URL's query (SAS signature) in JSON output")
}

func (s *scriptFlags) registerStore(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.datastore, "datastore", "", "data store id (default: from EDMTOP_DATASTORE or the config file)")
}

func (s *scriptFlags) check(g *globalFlags, needStore bool, ids []string) error {
	if s.output != "table" && s.output != "json" {
		return usageErrorf("--output %q: use table or json", s.output)
	}
	if needStore {
		if s.datastore == "" {
			return usageErrorf("--datastore is required (or set EDMTOP_DATASTORE, or datastore: in the config file)")
		}
		if err := graphapi.ValidateID("data store", s.datastore); err != nil {
			return usageErrorf("--datastore%s: %v", g.settings.from("datastore"), err)
		}
	}
	for _, id := range ids {
		if err := graphapi.ValidateID("session", id); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

// withSignIn checks the global flags, signs in and runs do with what it
// got; the log is closed after.
func withSignIn(cmd *cobra.Command, g *globalFlags, do func(t target, a *app, cred *auth.Credential, tok azcore.AccessToken) error) error {
	t, err := g.resolveTarget()
	if err != nil {
		return err
	}
	a, err := newApp(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer a.close()
	cred, err := a.credential(t)
	if err != nil {
		return err
	}
	tok, err := a.signIn(cmd.Context(), t, cred)
	if err != nil {
		return err
	}
	return do(t, a, cred, tok)
}

// withClient signs in and runs do with a Graph client.
func withClient(cmd *cobra.Command, g *globalFlags, do func(*graphapi.Client) error) error {
	return withSignIn(cmd, g, func(t target, a *app, cred *auth.Credential, _ azcore.AccessToken) error {
		client, err := a.client(t, cred)
		if err != nil {
			return err
		}
		return do(client)
	})
}

// reported is the error for "some ids failed, each already reported".
func reported(failed bool) error {
	if failed {
		return errReported
	}
	return nil
}

// forEachID runs do for every id, reporting each failure on stderr, and
// says whether any failed.
func forEachID(cmd *cobra.Command, ids []string, do func(id string) error) (failed bool) {
	for _, id := range ids {
		if err := do(id); err != nil {
			apiError(cmd.ErrOrStderr(), id, err)
			failed = true
		}
	}
	return failed
}

// apiError reports a failed call on stderr with what a ticket needs, and
// advice when there is some.
func apiError(w io.Writer, sessionID string, err error) {
	text := err.Error()
	if sessionID != "" {
		text = "session " + sessionID + ": " + text
	}
	fmt.Fprintln(w, "edmtop: "+termtext.OneLine(text))
	if advice := graphapi.Advice(err); advice != "" {
		fmt.Fprintln(w, "  "+advice)
	}
}

// errReported means the failures were already printed: exit 1, say no more.
var errReported = errors.New("failures reported above")

func newStoresCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "stores",
		Short: "List the EDM data stores",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.check(g, false, nil); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				stores, err := client.ListDataStores(cmd.Context())
				if err != nil {
					apiError(cmd.ErrOrStderr(), "", err)
					return errReported
				}
				return writeStores(cmd.OutOrStdout(), s, stores)
			})
		},
	}
	s.registerOutput(cmd)
	return cmd
}

func writeStores(w io.Writer, s scriptFlags, stores []graphapi.DataStore) error {
	if s.output == "json" {
		out := make([]jsonStore, 0, len(stores))
		for _, d := range stores {
			out = append(out, toJSONStore(d))
		}
		return writeJSON(w, out)
	}
	rows := make([][]string, 0, len(stores))
	for _, d := range stores {
		rows = append(rows, []string{d.ID, orDash(d.DisplayName), timeCell(d.DataLastUpdatedDateTime), fmt.Sprint(len(d.Columns)), orDash(d.Description)})
	}
	return writeTable(w, []string{"ID", "NAME", "DATA UPDATED", "COLUMNS", "DESCRIPTION"}, rows)
}

func newListCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the upload sessions of a data store (all pages)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.check(g, true, nil); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				sessions, err := client.ListSessions(cmd.Context(), s.datastore)
				if err != nil {
					apiError(cmd.ErrOrStderr(), "", err)
					return errReported
				}
				return writeSessions(cmd.OutOrStdout(), s, sessions, true)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

func writeSessions(w io.Writer, s scriptFlags, sessions []graphapi.Session, asArray bool) error {
	if s.output == "json" {
		out := make([]jsonSession, 0, len(sessions))
		for _, x := range sessions {
			out = append(out, toJSONSession(x, s.reveal))
		}
		if !asArray && len(out) == 1 {
			return writeJSON(w, out[0])
		}
		return writeJSON(w, out)
	}
	return writeTable(w, sessionHeader, sessionRows(sessions))
}

func newGetCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "get SESSION_ID",
		Short: "Show one session",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := s.check(g, true, args); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				session, err := client.GetSession(cmd.Context(), s.datastore, args[0])
				if err != nil {
					apiError(cmd.ErrOrStderr(), args[0], err)
					return errReported
				}
				return writeSessions(cmd.OutOrStdout(), s, []graphapi.Session{session}, false)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

func newRenewCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "renew SESSION_ID...",
		Short: "Renew sessions (each is reported; any failure exits 1)",
		Args:  minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := s.check(g, true, args); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				var renewed []graphapi.Session
				failed := forEachID(cmd, args, func(id string) error {
					session, err := client.RenewSession(cmd.Context(), s.datastore, id)
					if err == nil {
						renewed = append(renewed, session)
					}
					return err
				})
				if s.output == "json" || len(renewed) > 0 {
					if err := writeSessions(cmd.OutOrStdout(), s, renewed, true); err != nil {
						return err
					}
				}
				return reported(failed)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

type actionResult struct {
	ID     string `json:"id"`
	Result string `json:"result"`
}

// newActionCmd builds cancel and commit: both change a session for good,
// so they ask first on a terminal and refuse without one unless --yes.
func newActionCmd(g *globalFlags, name, done, short string, act func(context.Context, *graphapi.Client, string, string) error) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   name + " SESSION_ID...",
		Short: short,
		Args:  minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := s.check(g, true, args); err != nil {
				return err
			}
			interactive := isTerminal(cmd.InOrStdin())
			if !s.yes && !interactive {
				return usageErrorf("%s changes sessions for good: confirm with --yes when not on a terminal", name)
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				if !s.yes && !confirm(cmd, client, s.datastore, name, args) {
					fmt.Fprintln(cmd.ErrOrStderr(), "edmtop: nothing done")
					return errReported
				}
				var results []actionResult
				failed := forEachID(cmd, args, func(id string) error {
					err := act(cmd.Context(), client, s.datastore, id)
					if err == nil {
						results = append(results, actionResult{ID: id, Result: done})
					}
					return err
				})
				if err := writeResults(cmd.OutOrStdout(), s, results); err != nil {
					return err
				}
				return reported(failed)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	cmd.Flags().BoolVarP(&s.yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func writeResults(w io.Writer, s scriptFlags, results []actionResult) error {
	if s.output == "json" {
		if results == nil {
			results = []actionResult{}
		}
		return writeJSON(w, results)
	}
	for _, r := range results {
		if _, err := fmt.Fprintf(w, "%s %s\n", r.Result, termtext.OneLine(r.ID)); err != nil {
			return err
		}
	}
	return nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// confirm names each session (by file when the service tells it) and asks.
func confirm(cmd *cobra.Command, client *graphapi.Client, storeID, action string, ids []string) bool {
	w := cmd.ErrOrStderr()
	fmt.Fprintf(w, "About to %s %d session(s) of data store %s:\n", action, len(ids), termtext.OneLine(storeID))
	for _, id := range ids {
		name := "(file name unknown)"
		if s, err := client.GetSession(cmd.Context(), storeID, id); err == nil && s.FileName != "" {
			name = s.FileName + " (" + s.State + ")"
		}
		fmt.Fprintf(w, "  %s  %s\n", termtext.OneLine(id), termtext.OneLine(name))
	}
	fmt.Fprintf(w, "%s them? [y/N] ", strings.ToUpper(action[:1])+action[1:])
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

func newCancelCmd(g *globalFlags) *cobra.Command {
	return newActionCmd(g, "cancel", "cancelled", "Cancel sessions (asks first; --yes to skip)",
		func(ctx context.Context, c *graphapi.Client, store, id string) error {
			return c.CancelSession(ctx, store, id)
		})
}

func newCommitCmd(g *globalFlags) *cobra.Command {
	return newActionCmd(g, "commit", "committed", "Commit sessions whose upload has finished (asks first; --yes to skip)",
		func(ctx context.Context, c *graphapi.Client, store, id string) error {
			return c.CommitSession(ctx, store, id)
		})
}
