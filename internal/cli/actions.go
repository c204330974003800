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
func newActionCmd(g *globalFlags, name, done, short, example string, act func(context.Context, *graphapi.Client, string, string) error) *cobra.Command {
	var yes bool
	cmd := newScriptCmd(g, scriptCmd{use: name + " SESSION...", short: short, example: example, args: minArgs(1), store: true,
		datastoreUsage: "the data store of the sessions: its id or name",
		precheck: func(cmd *cobra.Command) error {
			if !yes && !isTerminal(cmd.InOrStdin()) {
				return usageErrorf("%s changes sessions for good: confirm with --yes when not on a terminal", name)
			}
			return nil
		},
		run: func(c *scriptCall) error {
			sessions, failed, err := c.sessions()
			if err != nil {
				return err
			}
			if len(sessions) == 0 {
				return errReported
			}
			if !yes && !confirm(c, name, sessions) {
				fmt.Fprintln(c.cmd.ErrOrStderr(), "edmtop: nothing done")
				return errReported
			}
			var results []actionResult
			failed = c.forEach(sessions, func(s graphapi.Session) error {
				err := act(c.cmd.Context(), c.client, c.store.ID, s.ID)
				if err == nil {
					results = append(results, actionResult{ID: s.ID, Result: done})
				}
				return err
			}) || failed
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

// confirm names the store by name and id and each session by id, file
// and state, and asks.
func confirm(c *scriptCall, action string, sessions []graphapi.Session) bool {
	w := c.cmd.ErrOrStderr()
	fmt.Fprintf(w, "About to %s %d session(s) of data store %s:\n", action, len(sessions), c.namer().title(c.cmd.Context()))
	for _, s := range sessions {
		fmt.Fprintf(w, "  %s  %s (%s)\n", termtext.OneLine(s.ID), termtext.OneLine(orDash(s.FileName)), termtext.OneLine(orDash(s.State)))
	}
	fmt.Fprintf(w, "%s them? [y/N] ", strings.ToUpper(action[:1])+action[1:])
	line, err := bufio.NewReader(c.cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

func newCancelCmd(g *globalFlags) *cobra.Command {
	return newActionCmd(g, "cancel", "cancelled", "Cancel sessions (asks first; --yes to skip)",
		`  edmtop cancel --datastore "Employee records" employees-delta.EdmHash`,
		func(ctx context.Context, c *graphapi.Client, store, id string) error {
			return c.CancelSession(ctx, store, id)
		})
}

func newCommitCmd(g *globalFlags) *cobra.Command {
	return newActionCmd(g, "commit", "committed", "Commit sessions whose upload has finished (asks first; --yes to skip)",
		`  edmtop commit --datastore "Employee records" terminations-q4.EdmHash --yes`,
		func(ctx context.Context, c *graphapi.Client, store, id string) error {
			return c.CommitSession(ctx, store, id)
		})
}
