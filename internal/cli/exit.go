// Package cli is edmtop's command line: one file per command family, all
// reached through Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// version is set at build time with
// -ldflags "-X github.com/edmtop/edmtop/internal/cli.version=...".
var version = "dev"

// Main runs the command line and returns the process exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, stdin, stdout, stderr)
}

// run executes the command line and returns the process exit status:
// 0 success, 1 failure, 2 usage error, or the status an *exitError carries.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
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
	text := strings.Join(termtext.Lines(err.Error()), "\n")
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "edmtop: "+text)
		fmt.Fprintln(stderr, "Run 'edmtop --help' for usage.")
		return 2
	}
	fmt.Fprintln(stderr, "edmtop: "+text)
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

func exactArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("expected %d argument(s), got %d", n, len(args))
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("give at least %d session id", n)
		}
		return nil
	}
}
