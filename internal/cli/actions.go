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
	var yes bool
	cmd := newScriptCmd(g, scriptCmd{use: name + " SESSION_ID...", short: short, args: minArgs(1), store: true,
		precheck: func(cmd *cobra.Command) error {
			if !yes && !isTerminal(cmd.InOrStdin()) {
				return usageErrorf("%s changes sessions for good: confirm with --yes when not on a terminal", name)
			}
			return nil
		},
		run: func(c *scriptCall) error {
			if !yes && !confirm(c.cmd, c.client, c.store, name, c.args) {
				fmt.Fprintln(c.cmd.ErrOrStderr(), "edmtop: nothing done")
				return errReported
			}
			var results []actionResult
			failed := c.forEachID(func(id string) error {
				err := act(c.cmd.Context(), c.client, c.store, id)
				if err == nil {
					results = append(results, actionResult{ID: id, Result: done})
				}
				return err
			})
			if err := writeResults(c.cmd.OutOrStdout(), c.out, results); err != nil {
				return err
			}
			return reported(failed)
		}})
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
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
