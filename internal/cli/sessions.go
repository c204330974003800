package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
	use, short, example string
	args                cobra.PositionalArgs
	// store: the command acts on a data store and requires --datastore (an
	// id or a name); its arguments name sessions (sessionname.go).
	store bool
	// storeArg: the store may be given as the first argument instead.
	storeArg bool
	// sessionsOut: it prints sessions, so --reveal applies.
	sessionsOut bool
	// datastoreUsage is --datastore's help on this command.
	datastoreUsage string
	// precheck runs after the shared checks, before sign-in.
	precheck func(cmd *cobra.Command) error
	run      func(c *scriptCall) error
}

// scriptCall is one run of a scripting command, signed in.
type scriptCall struct {
	cmd    *cobra.Command
	g      *globalFlags
	client *graphapi.Client
	out    scriptFlags
	// store is the store named (its name is unknown when given by id).
	store graphapi.DataStore
	args  []string
}

func newScriptCmd(g *globalFlags, spec scriptCmd) *cobra.Command {
	var out scriptFlags
	cmd := &cobra.Command{
		Use:     spec.use,
		Short:   spec.short,
		Example: spec.example,
		Args:    spec.args,
		RunE: func(cmd *cobra.Command, args []string) error {
			store, rest, err := storeNamed(cmd, g, spec, args)
			if err != nil {
				return err
			}
			if err := checkScript(out, spec.store, store, rest); err != nil {
				return err
			}
			if spec.precheck != nil {
				if err := spec.precheck(cmd); err != nil {
					return err
				}
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				d, err := storeGiven(cmd.Context(), g, client, store, len(rest) < len(args))
				if _, usage := errors.AsType[*usageError](err); err != nil && !usage {
					reportError(cmd.ErrOrStderr(), out, "", err)
					return errReported
				}
				if err != nil {
					return err
				}
				return spec.run(&scriptCall{cmd: cmd, g: g, client: client, out: out, store: d, args: rest})
			})
		},
	}
	registerOutputFlags(cmd, &out, spec.sessionsOut)
	if spec.store {
		addSettingFlags(cmd, "datastore")
		if spec.datastoreUsage != "" {
			cmd.Flags().Lookup("datastore").Usage = spec.datastoreUsage
		}
		_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g, false))
		cmd.ValidArgsFunction = completeSessions(g, false)
	}
	if spec.storeArg {
		cmd.ValidArgsFunction = completeStores(g, true)
	}
	return cmd
}

// storeNamed is the store the run names, and the arguments left: with
// storeArg, a first argument names the store, and a --datastore on the
// same command line must not name another. A command on no store names
// none, whatever the datastore setting says (it is not looked up).
func storeNamed(cmd *cobra.Command, g *globalFlags, spec scriptCmd, args []string) (string, []string, error) {
	if !spec.store {
		return "", args, nil
	}
	store := g.settings.str("datastore")
	if !spec.storeArg || len(args) == 0 {
		return store, args, nil
	}
	if cmd.Flags().Changed("datastore") && store != args[0] {
		return "", nil, usageErrorf("the data store is named twice, %q and --datastore %q: give one", args[0], store)
	}
	return args[0], args[1:], nil
}

// storeGiven is the store a command names: one that looks like an id is
// used as given (no request; its name is looked up only for an error),
// anything else is found by matchStore within a bounded wait. A usage
// error names the flag and where its value came from, unless the store
// was an argument.
func storeGiven(ctx context.Context, g *globalFlags, svc storeLister, arg string, positional bool) (graphapi.DataStore, error) {
	if arg == "" || looksLikeGUID(arg) {
		return graphapi.DataStore{ID: arg}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if positional {
		return resolveStore(ctx, svc, arg)
	}
	return resolveStoreFlag(ctx, g, svc, arg)
}

// registerOutputFlags gives cmd --output, and --reveal when it prints
// sessions (the only output with secrets to hide).
func registerOutputFlags(cmd *cobra.Command, out *scriptFlags, sessions bool) {
	cmd.Flags().StringVarP(&out.output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	if sessions {
		cmd.Flags().BoolVar(&out.reveal, "reveal", false, "show the salt and the upload URL's query (SAS signature) in JSON output")
	}
}

// checkScript checks what the registry does not: the output format, that a
// store is given, and the session names.
func checkScript(out scriptFlags, needStore bool, store string, names []string) error {
	if out.output != "table" && out.output != "json" {
		return usageErrorf("--output %q: use table or json", out.output)
	}
	if !needStore {
		return nil
	}
	if store == "" {
		return usageErrorf("--datastore is required (or set EDMTOP_DATASTORE, or datastore: in the config file); 'edmtop stores' lists the data stores")
	}
	for _, name := range names {
		if err := graphapi.ValidateID("session", name); err != nil {
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

// namer names the sessions of the call's store, judging a file name's
// ambiguity by the stall rule in effect.
func (c *scriptCall) namer() *sessionNamer {
	return &sessionNamer{svc: c.client, store: c.store, rules: c.g.settings.healthRules(), now: pollClock.now}
}

// sessions resolves every argument before anything is done, so a typo in
// the third name does not leave two sessions renewed: an unknown or
// ambiguous name ends the run (exit 2) before any session is touched. A
// failed call is reported for its argument, which is left out: the others
// go on, and failed makes the command exit 1.
func (c *scriptCall) sessions() (found []graphapi.Session, failed bool, err error) {
	n := c.namer()
	for _, arg := range c.args {
		s, err := n.resolve(c.cmd.Context(), arg)
		if _, usage := errors.AsType[*usageError](err); usage {
			return nil, false, err
		}
		if err != nil {
			reportError(c.cmd.ErrOrStderr(), c.out, arg, err)
			failed = true
			continue
		}
		found = append(found, s)
	}
	return found, failed, nil
}

func newListCmd(g *globalFlags) *cobra.Command {
	var f listFilter
	cmd := newScriptCmd(g, scriptCmd{use: "list [STORE]", short: "List the upload sessions of a data store, newest first (all pages)",
		args: maxArgs(1), store: true, storeArg: true, sessionsOut: true,
		datastoreUsage: "the data store: its id or name (or give it as the argument)",
		example: `  edmtop list "Employee records"
  edmtop list employee --state failed --since 24h
  edmtop list --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11 --state running -o json
  edmtop list "Patient records" --state stalled`,
		precheck: func(*cobra.Command) error { return f.check() },
		run: func(c *scriptCall) error {
			listing, err := c.client.ListSessionsReport(c.cmd.Context(), c.store.ID)
			if err != nil {
				return c.failed("", err)
			}
			f.warnUnknown(c.cmd.ErrOrStderr())
			if listing.Skipped > 0 {
				fmt.Fprintf(c.cmd.ErrOrStderr(), "edmtop: note: the service listed %s; they are left out\n", skippedText(listing.Skipped))
			}
			kept := f.apply(newestFirst(listing.Sessions), c.g.settings.healthRules(), pollClock.now())
			if len(kept) == 0 && len(listing.Sessions) > 0 && c.out.output == "table" {
				fmt.Fprintf(c.cmd.ErrOrStderr(), "edmtop: none of the %d sessions of data store %s %s\n",
					len(listing.Sessions), storeTitle(c.store), f.describe())
			}
			return writeSessions(c.cmd.OutOrStdout(), c.out, kept, true)
		}})
	fl := cmd.Flags()
	fl.StringArrayVar(&f.states, "state", nil, "only sessions in this state (repeatable; any case): a state such as UploadCompleted; running, final, completed or failed; "+
		"or a verdict of the health rules: stalled (no update for --stall-after) or awaiting-commit")
	fl.DurationVar(&f.since, "since", 0, "only sessions created within this long before now, e.g. 24h")
	addSettingFlags(cmd, "stall-after")
	_ = cmd.RegisterFlagCompletionFunc("state", fixedCompletions(append(append([]string{}, stateClasses...), health.KnownStates()...)...))
	return cmd
}

func newGetCmd(g *globalFlags) *cobra.Command {
	return newScriptCmd(g, scriptCmd{use: "get SESSION", short: "Show one session in full (its error included)", args: exactArgs(1), store: true, sessionsOut: true,
		datastoreUsage: "the data store of the session: its id or name",
		example: `  edmtop get --datastore "Patient records" patients.EdmHash
  edmtop get --datastore patient-records 0d9c3f6e-5b1a-4c2d-8e7f-1a2b3c4d5e6f -o json`,
		run: func(c *scriptCall) error {
			sessions, failed, err := c.sessions()
			if err != nil || failed {
				return cmp.Or(err, errReported)
			}
			return writeSession(c.cmd.OutOrStdout(), c.out, sessions[0], c.g.settings.healthRules())
		}})
}

func newRenewCmd(g *globalFlags) *cobra.Command {
	return newScriptCmd(g, scriptCmd{use: "renew SESSION...", short: "Renew sessions (each is reported; any failure exits 1)", args: minArgs(1), store: true, sessionsOut: true,
		datastoreUsage: "the data store of the sessions: its id or name",
		example:        `  edmtop renew --datastore "Employee records" employees-delta.EdmHash`,
		run: func(c *scriptCall) error {
			sessions, failed, err := c.sessions()
			if err != nil {
				return err
			}
			var renewed []*graphapi.Session
			failed = c.forEach(sessions, func(s graphapi.Session) error {
				session, err := c.client.RenewSession(c.cmd.Context(), c.store.ID, s.ID)
				if err == nil {
					err = sameSession(s.ID, session)
				}
				if err == nil {
					renewed = append(renewed, &session)
				}
				return err
			}) || failed
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

// forEach runs do for every session, reporting each failure on stderr,
// and says whether any failed (or had failed before: failed so far).
func (c *scriptCall) forEach(sessions []graphapi.Session, do func(s graphapi.Session) error) (failed bool) {
	for _, s := range sessions {
		if err := do(s); err != nil {
			reportError(c.cmd.ErrOrStderr(), c.out, s.ID, err)
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
