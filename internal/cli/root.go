// Package cli is edmtop's command line: one file per command family, all
// reached through Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/internal/cli/quietstart"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// Bubble Tea's package init has run by now, without asking the terminal
// anything (see quietstart): the real TERM is back before any command runs.
func init() { quietstart.Restore() }

// Main runs the command line and returns the process exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, stdin, stdout, stderr)
}

// run executes the command line and returns the process exit status:
// 0 success, 1 failure, 2 usage error, or the status an *exitError carries.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if xe, ok := errors.AsType[*exitError](err); ok {
		return xe.report(stderr)
	}
	if errors.Is(err, errReported) {
		return 1
	}
	// Errors can quote server text: sanitize line by line.
	fmt.Fprintln(stderr, "edmtop: "+strings.Join(termtext.Lines(err.Error()), "\n"))
	var ue *usageError
	if errors.As(err, &ue) {
		// Point at the help of the command that was run, not the root's.
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return 2
	}
	return 1
}

// usageError marks bad flags or arguments (exit status 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// noArgs refuses arguments as a usage error, suggesting the command a typo
// was probably meant to be.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, set lazily
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &usageError{errors.New(msg)}
}

// newRootCmd builds the command tree: the dashboard at the root, the
// scripting commands, auth, config and simulate.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var demo bool
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "edmtop",
		Short: "A live terminal dashboard for Microsoft Purview Exact Data Match upload sessions",
		Long: `edmtop watches Exact Data Match upload sessions live. It opens on the fleet:
every data store with its health (failed, stalled, stale or ok), its last index
and the session under way; enter opens a store's sessions, with an upload bar
(blocks) and a processing bar (jobs) per session, renews a session with one key
and shows the service's error details. For pipelines and monitoring: wait,
check and exporter.

Sign-in uses the Azure CLI, a device code, a browser, a managed identity,
environment credentials or a ready token in EDMTOP_TOKEN (see --auth). Try it
without signing in against the built-in simulator: edmtop --demo`,
		Example: `  edmtop --demo
  edmtop --auth cli
  edmtop --auth cli --datastore "Patient records"
  edmtop --auth device --cloud usgov --tenant contoso.onmicrosoft.us`,
		// One version for --version and the User-Agent: releases stamp
		// graphapi.Version, other builds read it from the build info.
		Version:       graphapi.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd.Context(), demo, g, stdin, stdout, stderr)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	// Every command but simulate reads the settings before it runs.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := refuseGlobals(cmd); err != nil {
			return err
		}
		r, err := loadSettings(cmd, g.config, os.Getenv)
		g.settings = r
		return err
	}
	root.SetUsageFunc(usage)
	g.persistentFlags(root)
	addSettingFlags(root, "datastore", "refresh", "mouse", "bell", "theme")
	root.Flags().BoolVar(&demo, "demo", false, "run against the built-in simulator (no sign-in needed)")
	root.AddCommand(newSimulateCmd(), newAuthCmd(g), newConfigCmd(g), newStoresCmd(g), newListCmd(g), newGetCmd(g),
		newRenewCmd(g), newCancelCmd(g), newCommitCmd(g), newWaitCmd(g), newCheckCmd(g), newExporterCmd(g), newDoctorCmd(g))
	strictCompletion(root)
	return root
}

// exactArgs wants n arguments, named in the command's use line
// ("get SESSION_ID") so the error can say which is missing.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < n:
			return usageErrorf("missing %s (usage: %s)", argNames(cmd), cmd.UseLine())
		case len(args) > n:
			return usageErrorf("%s takes %d %s, got %d arguments", cmd.CommandPath(), n, argNames(cmd), len(args))
		}
		return nil
	}
}

// maxArgs takes at most n arguments; a first one that is not a command's
// name gets no "unknown command" (it is the command's own argument).
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageErrorf("%s takes at most %d %s, got %d arguments (usage: %s)", cmd.CommandPath(), n, argNames(cmd), len(args), cmd.UseLine())
		}
		return nil
	}
}

// minArgs wants at least n arguments.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("missing %s: give at least %d (usage: %s)", argNames(cmd), n, cmd.UseLine())
		}
		return nil
	}
}

// argNames is the arguments part of a use line: "SESSION_ID".
func argNames(cmd *cobra.Command) string {
	_, names, _ := strings.Cut(cmd.Use, " ")
	return strings.Trim(strings.TrimSuffix(names, "..."), "[]")
}

// strictCompletion makes `completion SHELL` refuse an unknown shell with
// exit 2; cobra's own prints the help and exits 0.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		// It writes a script: no settings, so a broken config file
		// cannot stop it.
		readsGlobals(c)
		c.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return refuseGlobals(cmd) }
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usageErrorf("unknown shell %q: use bash, zsh, fish or powershell", args[0])
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// fixedCompletions completes a flag from a fixed list of values.
func fixedCompletions(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
