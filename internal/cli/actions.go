package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

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
