package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pluginStatus is a monitoring plugin's result (monitoring-plugins, Nagios,
// Icinga): its value is the exit status.
type pluginStatus int

const (
	pluginOK pluginStatus = iota
	pluginWarning
	pluginCritical
	pluginUnknown
)

func (s pluginStatus) String() string {
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[s]
}

// severity orders results for the overall one: a critical store outranks a
// store that could not be read (it is certain news), which outranks a
// warning.
func (s pluginStatus) severity() int {
	return [...]int{0, 1, 3, 2}[s]
}

// statusOf maps a store's verdict to the plugin result: failed or stale is
// critical (the index is wrong or old), stalled a warning (it may recover).
func statusOf(v health.Verdict) pluginStatus {
	switch v {
	case health.Failed, health.Stale:
		return pluginCritical
	case health.Stalled:
		return pluginWarning
	}
	return pluginOK
}

// checkConcurrency bounds the session listings in flight.
const checkConcurrency = 4

// defaultCheckTimeout bounds a check: under the 60 s after which Nagios and
// Icinga kill a plugin, so the monitor shows our UNKNOWN, not its timeout.
const defaultCheckTimeout = 50 * time.Second

type checkFlags struct {
	output string
	stores []string
	rules  health.Rules
	// timeout bounds the whole run (-t).
	timeout pluginSeconds
	// warningAge: an index older than this is a warning (0: never);
	// warningSet says it was given, else it follows --max-age.
	warningAge time.Duration
	warningSet bool
}

// checkService is what check needs; *graphapi.Client satisfies it.
type checkService interface {
	storeLister
	ListSessionsReport(ctx context.Context, storeID string) (graphapi.SessionListing, error)
}

var _ checkService = (*graphapi.Client)(nil)

// checkLong is check's help: what it reports, its bounds and exit statuses.
const checkLong = `Check judges each data store (all of them unless --datastore is given) by the
health rules the dashboard uses, and reports as a monitoring plugin does: one
line "EDM OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata", then a line per
store. Each store gives two performance figures, with thresholds that agree
with the result (monitoring-plugins ranges, minimum 0): the age of its last
index in seconds (warning above --warning-age, critical above --max-age) and
its uploads in the last 24 hours (warning from --upload-limit on: no upload
is left). Names are cut to 60 characters and the first line to 4 KB; any
further figures follow the store lines.

Exit status:
  0  OK        every store is ok
  1  WARNING   a store has a stalled session (no update for --stall-after),
               has used its uploads for 24 hours (--upload-limit), or its
               last index is older than --warning-age
  2  CRITICAL  a store's newest session failed, or its last index is older
               than --max-age (or it has none)
  3  UNKNOWN   sign-in, network or service failure, no answer within
               --timeout, a store that could not be read or whose listing
               had entries that are not usable sessions, or a usage error

A critical store outranks one that could not be read: the result is CRITICAL
when any store is, else UNKNOWN when any could not be read. With -o json the
verdicts and figures come as JSON, with the same exit status.

-t/--timeout (default 50s, under the 60s after which Nagios and Icinga kill a
check) bounds the whole run, sign-in included: at the deadline the result is
"EDM UNKNOWN - Graph did not answer within 50s", or, when the stores were
listed, the stores read by then are judged and the others are unknown.

--critical-age is another name for --max-age. --warning-age defaults to an
hour less than --max-age (25h with the default 26h); 0 turns it off.`

const checkExample = `  # A monitoring command line (a service principal signs in from the environment)
  edmtop check --auth env --datastore PatientRecords --max-age 26h

  # Nagios command definition
  define command {
      command_name  check_edm
      command_line  /usr/local/bin/edmtop check --auth env --datastore '$ARG1$' -t 50
  }

  # Every store, for another system
  edmtop check -o json`

func newCheckCmd(g *globalFlags) *cobra.Command {
	f := checkFlags{rules: health.DefaultRules(), timeout: pluginSeconds(defaultCheckTimeout)}
	cmd := &cobra.Command{
		Use:     "check [--datastore STORE]...",
		Short:   "Judge the data stores' health as a monitoring plugin (Nagios, Icinga)",
		Long:    checkLong,
		Example: checkExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return checkUsage(cmd, &f, noArgs(cmd, args))
			}
			return nil
		},
		// Usage errors exit 3 here, and say so on stdout, where a monitoring
		// system reads the result.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// This hook replaces the root's (cobra runs the nearest one), which
			// loads the settings: run it and report its errors our way.
			if pre := cmd.Root().PersistentPreRunE; pre != nil {
				if err := pre(cmd, args); err != nil {
					return checkUsage(cmd, &f, err)
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.warningSet = cmd.Flags().Changed("warning-age")
			return runCheck(cmd, g, &f)
		},
	}
	cmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return checkUsage(cmd, &f, err) })
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table (plugin lines) or json")
	fl.StringArrayVar(&f.stores, "datastore", nil, "a data store to check, by id or name; repeat for several (default: all, unless EDMTOP_DATASTORE or the config file names one)")
	fl.VarP(&f.timeout, "timeout", "t", "give up after this long (a duration, or seconds as in -t 50): UNKNOWN, exit status 3")
	fl.DurationVar(&f.warningAge, "warning-age", 0, "a store whose last index is older than this is a warning (default: an hour less than --max-age; 0: never)")
	addSettingFlags(cmd, "max-age", "stall-after", "upload-limit")
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "critical-age" {
			name = "max-age"
		}
		return pflag.NormalizedName(name)
	})
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g, false))
	return cmd
}

// pluginSeconds is a duration flag that also takes whole seconds, as a
// monitoring plugin's -t does ("-t 50").
type pluginSeconds time.Duration

func (d *pluginSeconds) Set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt64/int64(time.Second) {
			return fmt.Errorf("%d seconds is out of range", n)
		}
		*d = pluginSeconds(time.Duration(n) * time.Second)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("use a duration such as 50s, or whole seconds")
	}
	*d = pluginSeconds(v)
	return nil
}

func (d *pluginSeconds) String() string { return time.Duration(*d).String() }
func (d *pluginSeconds) Type() string   { return "duration" }

func (f *checkFlags) check() error {
	switch {
	case f.output != "table" && f.output != "json":
		return fmt.Errorf("--output %q: use table or json", f.output)
	case f.timeout <= 0:
		return fmt.Errorf("--timeout %s: use a positive duration", f.timeout.String())
	case f.warningAge < 0:
		return fmt.Errorf("--warning-age %s: use 0 (never) or a positive duration", f.warningAge)
	case f.warningAge > 0 && f.rules.MaxAge > 0 && f.warningAge >= f.rules.MaxAge:
		return fmt.Errorf("--warning-age %s: use less than --max-age (%s), or 0 (never)", f.warningAge, f.rules.MaxAge)
	}
	return nil
}

// warningAgeDefault is an hour before an index turns stale; none when the
// age is never critical or an hour leaves nothing.
func warningAgeDefault(maxAge time.Duration) time.Duration {
	if maxAge <= time.Hour {
		return 0
	}
	return maxAge - time.Hour
}

func runCheck(cmd *cobra.Command, g *globalFlags, f *checkFlags) error {
	f.rules = g.settings.healthRules()
	if !f.warningSet {
		f.warningAge = warningAgeDefault(f.rules.MaxAge)
	}
	if len(f.stores) == 0 && g.settings.str("datastore") != "" {
		f.stores = []string{g.settings.str("datastore")}
	}
	if err := f.check(); err != nil {
		return checkUsage(cmd, f, err)
	}
	parent := cmd.Context()
	ctx, cancel := context.WithTimeout(parent, time.Duration(f.timeout))
	defer cancel()
	cmd.SetContext(ctx) // sign-in too
	var res checkResult
	err := withClient(cmd, g, func(client *graphapi.Client) error {
		var err error
		res, err = collectCheck(ctx, client, f)
		return err
	})
	switch {
	case parent.Err() != nil:
		return checkFailed(cmd, f, errors.New("interrupted"))
	case err != nil && ctx.Err() != nil:
		return checkFailed(cmd, f, f.noAnswer())
	case err != nil:
		return checkFailed(cmd, f, err)
	}
	return writeCheck(cmd.OutOrStdout(), f, res)
}

func (f *checkFlags) noAnswer() error {
	//lint:ignore ST1005 Graph is a name
	return fmt.Errorf("Graph did not answer within %s", f.timeout.String())
}

// checkUsage and checkFailed report a check that could not judge: UNKNOWN.
// A usage error keeps its lines (a list of stores, each made safe); any
// other error is folded onto one line, as it may quote the server.
func checkUsage(cmd *cobra.Command, f *checkFlags, err error) error {
	text := fmt.Sprintf("usage: %v (see edmtop check --help)", err)
	return writeUnknown(cmd, f, termtext.Lines(text))
}

func checkFailed(cmd *cobra.Command, f *checkFlags, err error) error {
	if _, usage := errors.AsType[*usageError](err); usage {
		return writeUnknown(cmd, f, termtext.Lines(err.Error()))
	}
	lines := []string{boundedText(err.Error(), maxSummary)}
	if advice := graphapi.Advice(err); advice != "" {
		lines = append(lines, advice)
	}
	return writeUnknown(cmd, f, lines)
}

func writeUnknown(cmd *cobra.Command, f *checkFlags, lines []string) error {
	res := checkResult{status: pluginUnknown, summary: strings.Join(lines, "\n"), at: pollClock.now(), rules: f.rules, warningAge: f.warningAge}
	return writeCheck(cmd.OutOrStdout(), f, res)
}

// checkResult is a whole check: the overall result and each store's.
type checkResult struct {
	status     pluginStatus
	summary    string // set only when the check could not judge at all
	at         time.Time
	rules      health.Rules
	warningAge time.Duration
	stores     []storeCheck
	// cut: --timeout passed before every store answered.
	cut error
}

// storeCheck is one store's result; err is set when its sessions could not
// be read (or not all of them), health otherwise.
type storeCheck struct {
	store    graphapi.DataStore
	sessions []*graphapi.Session
	health   health.Store
	err      error
	skipped  int      // listed entries that are not usable sessions
	warnings []string // why an otherwise ok store is a warning
	label    string   // perfdata label prefix, unique in the result
}

func (c *storeCheck) status() pluginStatus {
	if c.err != nil {
		return pluginUnknown
	}
	s := statusOf(c.health.Verdict)
	if s == pluginOK && len(c.warnings) > 0 {
		s = pluginWarning
	}
	return s
}

// skippedError: a store's listing had entries that are not sessions; any
// of them could be the failed or newest one, so the store is not judged.
type skippedError struct{ n int }

func (e *skippedError) Error() string { return "the service listed " + skippedText(e.n) }

// collectCheck lists the stores, picks the ones asked for, reads their
// sessions a few at a time and judges them. A failed listing of the stores
// (or a name that matches none) fails the check; a failed store does not.
// When ctx's deadline passes, the stores read by then are judged and the
// others are unknown.
func collectCheck(ctx context.Context, svc checkService, f *checkFlags) (checkResult, error) {
	all, err := svc.ListDataStores(ctx)
	if err != nil {
		return checkResult{}, err
	}
	selected, err := selectStores(uniqueStores(all), f.stores)
	if err != nil {
		return checkResult{}, err
	}
	if len(selected) == 0 {
		return checkResult{}, errors.New("the account sees no data stores (check --tenant and the account's EDM access)")
	}
	checks := readStores(ctx, svc, selected)
	if errors.Is(ctx.Err(), context.Canceled) {
		return checkResult{}, ctx.Err()
	}
	res := checkResult{at: pollClock.now(), rules: f.rules, warningAge: f.warningAge, stores: checks}
	for i := range checks {
		if c := &checks[i]; c.err != nil && ctx.Err() != nil && !answered(c.err) {
			c.err, res.cut = f.noAnswer(), f.noAnswer()
		}
	}
	judge(checks, f.rules, res.at)
	for i := range checks {
		if c := &checks[i]; c.err == nil {
			c.warnings = storeWarnings(&c.health, res)
		}
	}
	assignLabels(checks)
	res.status = overall(checks)
	// Worst first, then by name, so the lines read as the summary does.
	slices.SortStableFunc(res.stores, func(a, b storeCheck) int {
		if d := b.status().severity() - a.status().severity(); d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.store.DisplayName), strings.ToLower(b.store.DisplayName))
	})
	return res, nil
}

// readStores lists each store's sessions, checkConcurrency at a time.
func readStores(ctx context.Context, svc checkService, selected []graphapi.DataStore) []storeCheck {
	checks := make([]storeCheck, len(selected))
	sem := make(chan struct{}, checkConcurrency)
	var wg sync.WaitGroup
	for i, d := range selected {
		checks[i].store = d
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			l, err := svc.ListSessionsReport(ctx, d.ID)
			checks[i].sessions, checks[i].skipped, checks[i].err = l.Sessions, l.Skipped, err
		})
	}
	wg.Wait()
	return checks
}

// answered reports an error that is the service's answer (it has a status).
func answered(err error) bool {
	ge, ok := graphapi.AsError(err)
	return ok && ge.StatusCode != 0
}

// storeWarnings are the reasons an ok store is a warning: its uploads are
// used up for now, or its index is older than --warning-age.
func storeWarnings(h *health.Store, res checkResult) []string {
	var w []string
	if h.LimitReached {
		w = append(w, "no upload left until "+present.Until(h.NextUpload, res.at))
	}
	if h.Verdict != health.Stale && res.warningAge > 0 && h.IndexAge(res.at) > res.warningAge {
		w = append(w, "index older than "+present.Elapsed(res.warningAge))
	}
	return w
}

func overall(checks []storeCheck) pluginStatus {
	worst := pluginOK
	for i := range checks {
		if s := checks[i].status(); s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}
