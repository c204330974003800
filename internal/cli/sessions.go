package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// scriptFlags are the output flags of the scripting commands.
type scriptFlags struct {
	output string
	reveal bool
}

// scriptCmd declares a scripting command; newScriptCmd builds it with what
// they all share: sign-in and output flags, --datastore when it acts on a
// store, argument and flag checks before sign-in, and a Graph client.
type scriptCmd struct {
	use, short string
	args       cobra.PositionalArgs
	// store: the command acts on a data store and requires --datastore (an
	// id or a display name); its arguments are session ids.
	store bool
	// precheck runs after the shared checks, before sign-in.
	precheck func(cmd *cobra.Command) error
	run      func(c *scriptCall) error
}

// scriptCall is one run of a scripting command, signed in.
type scriptCall struct {
	cmd    *cobra.Command
	client *graphapi.Client
	out    scriptFlags
	store  string
	args   []string
}

func newScriptCmd(g *globalFlags, spec scriptCmd) *cobra.Command {
	var out scriptFlags
	cmd := &cobra.Command{
		Use:   spec.use,
		Short: spec.short,
		Args:  spec.args,
		RunE: func(cmd *cobra.Command, args []string) error {
			store := g.settings.str("datastore")
			if err := checkScript(out, spec.store, store, args); err != nil {
				return err
			}
			if spec.precheck != nil {
				if err := spec.precheck(cmd); err != nil {
					return err
				}
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				id, err := storeIDFlag(cmd.Context(), g, client, store)
				if _, usage := errors.AsType[*usageError](err); err != nil && !usage {
					reportError(cmd.ErrOrStderr(), out, "", err)
					return errReported
				}
				if err != nil {
					return err
				}
				return spec.run(&scriptCall{cmd: cmd, client: client, out: out, store: id, args: args})
			})
		},
	}
	g.signInFlags(cmd)
	registerOutputFlags(cmd, &out)
	if spec.store {
		addSettingFlags(cmd, "datastore")
		_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g))
		cmd.ValidArgsFunction = completeSessions(g, false)
	}
	return cmd
}

// registerOutputFlags gives cmd --output and --reveal.
func registerOutputFlags(cmd *cobra.Command, out *scriptFlags) {
	cmd.Flags().StringVarP(&out.output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	cmd.Flags().BoolVar(&out.reveal, "reveal", false, "show the salt and the upload URL's query (SAS signature) in JSON output")
}

// checkScript checks what the registry does not: the output format, that a
// store is given, and the session ids.
func checkScript(out scriptFlags, needStore bool, store string, ids []string) error {
	if out.output != "table" && out.output != "json" {
		return usageErrorf("--output %q: use table or json", out.output)
	}
	if !needStore {
		return nil
	}
	if store == "" {
		return usageErrorf("--datastore is required (or set EDMTOP_DATASTORE, or datastore: in the config file); 'edmtop stores' lists the data stores")
	}
	for _, id := range ids {
		if err := graphapi.ValidateID("session", id); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

// failed reports a failed call and makes the command exit 1.
func (c *scriptCall) failed(sessionID string, err error) error {
	reportError(c.cmd.ErrOrStderr(), c.out, sessionID, err)
	return errReported
}

func newStoresCmd(g *globalFlags) *cobra.Command {
	return newScriptCmd(g, scriptCmd{use: "stores", short: "List the EDM data stores", args: noArgs,
		run: func(c *scriptCall) error {
			stores, err := c.client.ListDataStores(c.cmd.Context())
			if err != nil {
				return c.failed("", err)
			}
			return writeStores(c.cmd.OutOrStdout(), c.out, uniqueStores(stores))
		}})
}

func newListCmd(g *globalFlags) *cobra.Command {
	var f listFilter
	cmd := newScriptCmd(g, scriptCmd{use: "list", short: "List the upload sessions of a data store, newest first (all pages)", args: noArgs, store: true,
		precheck: func(*cobra.Command) error { return f.check() },
		run: func(c *scriptCall) error {
			listing, err := c.client.ListSessionsReport(c.cmd.Context(), c.store)
			if err != nil {
				return c.failed("", err)
			}
			f.warnUnknown(c.cmd.ErrOrStderr())
			if listing.Skipped > 0 {
				fmt.Fprintf(c.cmd.ErrOrStderr(), "edmtop: note: the service listed %s; they are left out\n", skippedText(listing.Skipped))
			}
			return writeSessions(c.cmd.OutOrStdout(), c.out, f.apply(newestFirst(listing.Sessions), pollClock.now()), true)
		}})
	cmd.Example = `  edmtop list --datastore "Employee records"
  edmtop list --datastore "Employee records" --state failed --since 24h
  edmtop list --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11 --state running -o json`
	fl := cmd.Flags()
	fl.StringArrayVar(&f.states, "state", nil, "only sessions in this state (repeatable; any case): a state such as UploadCompleted, or running, final, completed or failed")
	fl.DurationVar(&f.since, "since", 0, "only sessions created within this long before now, e.g. 24h")
	_ = cmd.RegisterFlagCompletionFunc("state", fixedCompletions(append(append([]string{}, stateClasses...), health.KnownStates()...)...))
	return cmd
}

func newGetCmd(g *globalFlags) *cobra.Command {
	return newScriptCmd(g, scriptCmd{use: "get SESSION_ID", short: "Show one session in full (its error included)", args: exactArgs(1), store: true,
		run: func(c *scriptCall) error {
			session, err := c.client.GetSession(c.cmd.Context(), c.store, c.args[0])
			if err != nil {
				return c.failed(c.args[0], err)
			}
			return writeSession(c.cmd.OutOrStdout(), c.out, session)
		}})
}

func newRenewCmd(g *globalFlags) *cobra.Command {
	return newScriptCmd(g, scriptCmd{use: "renew SESSION_ID...", short: "Renew sessions (each is reported; any failure exits 1)", args: minArgs(1), store: true,
		run: func(c *scriptCall) error {
			var renewed []*graphapi.Session
			failed := c.forEachID(func(id string) error {
				session, err := c.client.RenewSession(c.cmd.Context(), c.store, id)
				if err == nil {
					err = sameSession(id, session)
				}
				if err == nil {
					renewed = append(renewed, &session)
				}
				return err
			})
			if c.out.output == "json" || len(renewed) > 0 {
				if err := writeSessions(c.cmd.OutOrStdout(), c.out, renewed, true); err != nil {
					return err
				}
			}
			return reported(failed)
		}})
}

// sameSession refuses an answer about another session than the one asked
// for: printing it would report the wrong session as renewed, and exit 0.
func sameSession(requested string, s graphapi.Session) error {
	if err := graphapi.SameSession(requested, s.ID); err != nil {
		return fmt.Errorf("%w: this renew is not confirmed", err)
	}
	return nil
}

// reported is the error for "some ids failed, each already reported".
func reported(failed bool) error {
	if failed {
		return errReported
	}
	return nil
}

// forEachID runs do for every argument, reporting each failure on
// stderr, and says whether any failed.
func (c *scriptCall) forEachID(do func(id string) error) (failed bool) {
	for _, id := range c.args {
		if err := do(id); err != nil {
			reportError(c.cmd.ErrOrStderr(), c.out, id, err)
			failed = true
		}
	}
	return failed
}

// apiError reports a failed call on stderr with what a ticket needs, and
// advice when there is some. A Graph error's target, inner codes and
// details get a line each under the headline.
func apiError(w io.Writer, sessionID string, err error) {
	prefix := "edmtop: "
	if sessionID != "" {
		prefix += "session " + termtext.OneLine(sessionID) + ": "
	}
	ge, direct := err.(*graphapi.Error)
	if !direct {
		fmt.Fprintln(w, prefix+termtext.OneLine(err.Error()))
	} else {
		head := *ge
		head.Target, head.InnerCodes, head.Details = "", nil, nil
		fmt.Fprintln(w, prefix+termtext.OneLine(head.Error()))
		for _, line := range graphErrorLines(ge) {
			fmt.Fprintln(w, "  "+termtext.OneLine(line))
		}
	}
	if advice := graphapi.Advice(err); advice != "" {
		fmt.Fprintln(w, "  "+advice)
	}
}

// graphErrorLines are what a Graph error says beyond its code and message.
func graphErrorLines(e *graphapi.Error) []string {
	var lines []string
	if e.Target != "" {
		lines = append(lines, "target: "+e.Target)
	}
	if len(e.InnerCodes) > 0 {
		lines = append(lines, "inner codes: "+strings.Join(e.InnerCodes, " > "))
	}
	for _, d := range e.Details {
		line := "detail: " + present.OrDash(d.Code) + ": " + d.Message
		if d.Target != "" {
			line += " (target: " + d.Target + ")"
		}
		if len(d.InnerCodes) > 0 {
			line += " (inner codes: " + strings.Join(d.InnerCodes, " > ") + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// reportError reports a failure as apiError does, or with -o json as one
// JSON object per line (stdout keeps only the results).
func reportError(w io.Writer, out scriptFlags, sessionID string, err error) {
	if out.output != "json" {
		apiError(w, sessionID, err)
		return
	}
	_ = writeJSONLine(w, jsonFailure{SessionID: sessionID, Error: toJSONAPIError(err), Advice: graphapi.Advice(err)})
}

// errReported means the failures were already printed: exit 1, say no more.
var errReported = errors.New("failures reported above")
