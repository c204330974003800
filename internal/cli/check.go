package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
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

type checkFlags struct {
	output string
	stores []string
	rules  health.Rules
}

// checkService is what check needs; *graphapi.Client satisfies it.
type checkService interface {
	storeLister
	ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error)
}

var _ checkService = (*graphapi.Client)(nil)

func newCheckCmd(g *globalFlags) *cobra.Command {
	f := checkFlags{rules: health.DefaultRules()}
	cmd := &cobra.Command{
		Use:   "check [--datastore STORE]...",
		Short: "Judge the data stores' health as a monitoring plugin (Nagios, Icinga)",
		Long: `Check judges each data store (all of them unless --datastore is given) by the
health rules the dashboard uses, and reports as a monitoring plugin does: one
line "EDM OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata", then a line per
store. Each store gives two performance figures: the age of its last index
(critical above --max-age) and its uploads in the last 24 hours (critical at
--upload-limit).

Exit status:
  0  OK        every store is ok
  1  WARNING   a store has a stalled session (no update for --stall-after)
  2  CRITICAL  a store's newest session failed, or its last index is older
               than --max-age (or it has none)
  3  UNKNOWN   sign-in, network or service failure, a store that could not
               be read, or a usage error

A critical store outranks one that could not be read: the result is CRITICAL
when any store is, else UNKNOWN when any could not be read. With -o json the
verdicts and figures come as JSON, with the same exit status.`,
		Example: `  # A monitoring command line (a service principal signs in from the environment)
  edmtop check --auth env --datastore PatientRecords --max-age 26h

  # Nagios command definition
  define command {
      command_name  check_edm
      command_line  /usr/local/bin/edmtop check --auth env --datastore '$ARG1$'
  }

  # Every store, for another system
  edmtop check -o json`,
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
			return runCheck(cmd, g, &f)
		},
	}
	cmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return checkUsage(cmd, &f, err) })
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table (plugin lines) or json")
	fl.StringArrayVar(&f.stores, "datastore", nil, "data store id or display name to check; repeat for several (default: all, unless EDMTOP_DATASTORE or the config file names one)")
	g.signInFlags(cmd)
	addSettingFlags(cmd, "max-age", "stall-after", "upload-limit")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g))
	return cmd
}

func (f *checkFlags) check() error {
	switch {
	case f.output != "table" && f.output != "json":
		return fmt.Errorf("--output %q: use table or json", f.output)
	case f.rules.MaxAge < 0:
		return fmt.Errorf("--max-age %s: use 0 (never) or a positive duration", f.rules.MaxAge)
	case f.rules.StallAfter < 0:
		return fmt.Errorf("--stall-after %s: use 0 (never) or a positive duration", f.rules.StallAfter)
	case f.rules.UploadLimit < 0:
		return fmt.Errorf("--upload-limit %d: use 0 (none) or more", f.rules.UploadLimit)
	}
	return nil
}

func runCheck(cmd *cobra.Command, g *globalFlags, f *checkFlags) error {
	f.rules = g.settings.healthRules()
	if len(f.stores) == 0 && g.settings.str("datastore") != "" {
		f.stores = []string{g.settings.str("datastore")}
	}
	if err := f.check(); err != nil {
		return checkUsage(cmd, f, err)
	}
	var res checkResult
	err := withClient(cmd, g, func(client *graphapi.Client) error {
		var err error
		res, err = collectCheck(cmd.Context(), client, f)
		return err
	})
	if err != nil {
		if cmd.Context().Err() != nil {
			err = errors.New("interrupted")
		}
		return checkFailed(cmd, f, err)
	}
	return writeCheck(cmd.OutOrStdout(), f, res)
}

// checkUsage and checkFailed report a check that could not judge: UNKNOWN.
func checkUsage(cmd *cobra.Command, f *checkFlags, err error) error {
	return checkFailed(cmd, f, fmt.Errorf("usage: %w (see edmtop check --help)", err))
}

func checkFailed(cmd *cobra.Command, f *checkFlags, err error) error {
	text := strings.Join(termtext.Lines(err.Error()), "\n")
	if advice := graphapi.Advice(err); advice != "" {
		text += "\n" + advice
	}
	res := checkResult{status: pluginUnknown, summary: text, at: pollClock.now(), rules: f.rules}
	return writeCheck(cmd.OutOrStdout(), f, res)
}

// checkResult is a whole check: the overall result and each store's.
type checkResult struct {
	status  pluginStatus
	summary string // set only when the check could not judge at all
	at      time.Time
	rules   health.Rules
	stores  []storeCheck
}

// storeCheck is one store's result; err is set when its sessions could not
// be read, health otherwise.
type storeCheck struct {
	store    graphapi.DataStore
	sessions []*graphapi.Session
	health   health.Store
	err      error
	label    string // perfdata label prefix, unique in the result
}

func (c *storeCheck) status() pluginStatus {
	if c.err != nil {
		return pluginUnknown
	}
	return statusOf(c.health.Verdict)
}

// collectCheck lists the stores, picks the ones asked for, reads their
// sessions a few at a time and judges them. A failed listing of the stores
// (or a name that matches none) fails the check; a failed store does not.
func collectCheck(ctx context.Context, svc checkService, f *checkFlags) (checkResult, error) {
	all, err := svc.ListDataStores(ctx)
	if err != nil {
		return checkResult{}, err
	}
	selected, err := selectStores(all, f.stores)
	if err != nil {
		return checkResult{}, err
	}
	if len(selected) == 0 {
		return checkResult{}, errors.New("the account sees no data stores (check --tenant and the account's EDM access)")
	}
	checks := make([]storeCheck, len(selected))
	sem := make(chan struct{}, checkConcurrency)
	var wg sync.WaitGroup
	for i, d := range selected {
		checks[i].store = d
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			checks[i].sessions, checks[i].err = svc.ListSessions(ctx, d.ID)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return checkResult{}, err
	}
	res := checkResult{at: pollClock.now(), rules: f.rules, stores: checks}
	for i := range checks {
		c := &checks[i]
		if c.err == nil {
			c.health = f.rules.Assess(&c.store, c.sessions, res.at)
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

func overall(checks []storeCheck) pluginStatus {
	worst := pluginOK
	for i := range checks {
		if s := checks[i].status(); s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}

// perfLabel makes a name safe as a perfdata label: letters, digits, '.',
// '-' and '_' are kept; anything else (quotes, spaces, '=') becomes '_'.
func perfLabel(name string) string {
	var b strings.Builder
	under := false
	for _, r := range termtext.OneLine(name) {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-'
		if !ok {
			if !under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = true
			continue
		}
		b.WriteRune(r)
		under = false
	}
	return strings.TrimRight(b.String(), "_")
}

// assignLabels gives each store a perfdata label from its name, adding the
// start of its id when two names would give the same label, ignoring case
// (some graphing back ends store each label in a file).
func assignLabels(checks []storeCheck) {
	count := map[string]int{}
	for i := range checks {
		checks[i].label = perfLabel(checks[i].store.DisplayName)
		count[strings.ToLower(checks[i].label)]++
	}
	for i := range checks {
		c := &checks[i]
		if c.label == "" || count[strings.ToLower(c.label)] > 1 {
			id := perfLabel(c.store.ID)
			c.label = strings.TrimPrefix(c.label+"_"+id[:min(len(id), 8)], "_")
		}
	}
}

// writeCheck prints the result and returns the exit status as an error
// (nil for OK).
func writeCheck(w io.Writer, f *checkFlags, res checkResult) error {
	var err error
	if f.output == "json" {
		err = writeJSON(w, checkJSON(res))
	} else {
		_, err = io.WriteString(w, checkText(res))
	}
	if err != nil {
		return &exitError{code: int(pluginUnknown), err: err}
	}
	if res.status == pluginOK {
		return nil
	}
	return &exitError{code: int(res.status)}
}

// checkText is the plugin output: the status line with perfdata, then a
// line per store.
func checkText(res checkResult) string {
	var b strings.Builder
	// A long message (a list of stores, advice) goes on the further lines.
	summary := termtext.Lines(checkSummary(res))
	b.WriteString("EDM " + res.status.String() + " - " + pluginText(summary[0]))
	var perf []string
	for i := range res.stores {
		perf = append(perf, perfData(&res.stores[i], res))
	}
	if len(perf) > 0 {
		b.WriteString(" | " + strings.Join(perf, " "))
	}
	b.WriteByte('\n')
	for _, line := range summary[1:] {
		b.WriteString(pluginText(line) + "\n")
	}
	for i := range res.stores {
		b.WriteString(pluginText(storeLine(&res.stores[i], res)) + "\n")
	}
	return b.String()
}

// pluginText is one line safe for a plugin's output: sanitized, and without
// '|', which would start the performance data.
func pluginText(s string) string {
	lines := termtext.Lines(s)
	return strings.ReplaceAll(strings.Join(lines, "; "), "|", "/")
}

// checkSummary names the stores that are not ok, worst first.
func checkSummary(res checkResult) string {
	if res.summary != "" {
		return res.summary
	}
	var bad []string
	for i := range res.stores {
		c := &res.stores[i]
		if c.status() != pluginOK {
			bad = append(bad, termtext.OneLine(orDash(c.store.DisplayName))+" "+verdictWord(c))
		}
	}
	n := len(res.stores)
	if len(bad) == 0 {
		return fmt.Sprintf("%d %s ok", n, plural(n, "store", "stores"))
	}
	return fmt.Sprintf("%s (%d of %d %s ok)", strings.Join(bad, ", "), n-len(bad), n, plural(n, "store", "stores"))
}

func verdictWord(c *storeCheck) string {
	if c.err != nil {
		return "unknown"
	}
	return c.health.Verdict.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// perfData is a store's figures: index age (critical above MaxAge) and
// uploads in 24h (critical at the limit). 'U' marks a figure not known.
func perfData(c *storeCheck, res checkResult) string {
	age, uploads := "U", "U"
	if c.err == nil {
		uploads = fmt.Sprint(c.health.Uploads24h)
		if !c.health.LastIndex.IsZero() {
			age = fmt.Sprintf("%ds", int64(c.health.IndexAge(res.at).Seconds()))
		}
	}
	crit := func(v int64) string {
		if v <= 0 {
			return ""
		}
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("'%s_index_age'=%s;;%s '%s_uploads_24h'=%s;;%s", c.label, age, crit(int64(res.rules.MaxAge.Seconds())),
		c.label, uploads, crit(int64(res.rules.UploadLimit)))
}

// storeLine is a store's line: status, name, verdict and why, last index,
// uploads.
func storeLine(c *storeCheck, res checkResult) string {
	name := termtext.OneLine(orDash(c.store.DisplayName))
	if c.err != nil {
		return fmt.Sprintf("%s %s: cannot read its sessions: %s", c.status(), name, termtext.OneLine(c.err.Error()))
	}
	h := &c.health
	parts := []string{fmt.Sprintf("%s %s: %s", c.status(), name, h.Verdict)}
	if why := verdictReason(c, res); why != "" {
		parts = append(parts, why)
	}
	last := "never indexed"
	if !h.LastIndex.IsZero() {
		last = "last index " + ago(h.IndexAge(res.at))
		if h.Verdict == health.Stale {
			last += " (over " + shortDuration(res.rules.MaxAge) + ")"
		}
	}
	parts = append(parts, last, fmt.Sprintf("%d/%d uploads in 24h", h.Uploads24h, h.UploadLimit))
	return strings.Join(parts, "; ")
}

func verdictReason(c *storeCheck, res checkResult) string {
	h := &c.health
	switch h.Verdict {
	case health.Failed:
		return "newest session " + termtext.OneLine(orDash(h.Newest.FileName)) + " failed: " + sessionErrorText(h.Newest)
	case health.Stalled:
		return fmt.Sprintf("%d %s without an update for over %s (longest %s)", h.StalledCount,
			plural(h.StalledCount, "session", "sessions"), shortDuration(res.rules.StallAfter), shortDuration(h.LongestIdle))
	case health.Stale:
		return "" // the last index says why
	}
	if h.Current != nil {
		return "running: " + termtext.OneLine(orDash(h.Current.FileName)) + " " + termtext.OneLine(h.Current.State)
	}
	return ""
}

func ago(d time.Duration) string { return shortDuration(d) + " ago" }

// shortDuration rounds a duration for people: 45s, 12m, 5h30m, 3d4h.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	return fmt.Sprintf("%dd%dh", days, h)
}

// JSON output: the result, the rules applied and each store's verdict and
// figures. Unknown figures are null.

type jsonCheck struct {
	Status    string           `json:"status"`
	ExitCode  int              `json:"exitCode"`
	Summary   string           `json:"summary"`
	CheckedAt string           `json:"checkedAt"`
	Rules     jsonCheckRules   `json:"rules"`
	Stores    []jsonStoreCheck `json:"stores"`
}

type jsonCheckRules struct {
	MaxAgeSeconds     int64 `json:"maxAgeSeconds"`
	StallAfterSeconds int64 `json:"stallAfterSeconds"`
	UploadLimit       int   `json:"uploadLimit"`
}

type jsonStoreCheck struct {
	ID                     string            `json:"id"`
	DisplayName            string            `json:"displayName"`
	Status                 string            `json:"status"`
	Verdict                *string           `json:"verdict"`
	Error                  *string           `json:"error"`
	APIError               *jsonAPIError     `json:"apiError,omitempty"` // the service's error in full
	LastIndexDateTime      *string           `json:"lastIndexDateTime"`
	IndexAgeSeconds        *int64            `json:"indexAgeSeconds"`
	Uploads24h             *int              `json:"uploads24h"`
	UploadLimit            int               `json:"uploadLimit"`
	StalledSessions        int               `json:"stalledSessions"`
	LongestIdleSeconds     int64             `json:"longestIdleSeconds"`
	NewestSession          *jsonCheckSession `json:"newestSession"`
	CurrentSession         *jsonCheckSession `json:"currentSession"`
	NewestCompletedSession *jsonCheckSession `json:"newestCompletedSession"`
}

type jsonCheckSession struct {
	ID                  string  `json:"id"`
	FileName            string  `json:"fileName"`
	State               string  `json:"state"`
	LastUpdatedDateTime *string `json:"lastUpdatedDateTime"`
	ErrorCode           *string `json:"errorCode"`
	ErrorMessage        *string `json:"errorMessage"`
}

func checkJSON(res checkResult) jsonCheck {
	out := jsonCheck{
		Status: res.status.String(), ExitCode: int(res.status), Summary: checkSummary(res),
		CheckedAt: res.at.UTC().Format(time.RFC3339),
		Rules: jsonCheckRules{MaxAgeSeconds: int64(res.rules.MaxAge.Seconds()), StallAfterSeconds: int64(res.rules.StallAfter.Seconds()),
			UploadLimit: res.rules.UploadLimit},
		Stores: []jsonStoreCheck{},
	}
	for i := range res.stores {
		out.Stores = append(out.Stores, jsonStoreOf(&res.stores[i], res))
	}
	return out
}

func jsonStoreOf(c *storeCheck, res checkResult) jsonStoreCheck {
	j := jsonStoreCheck{ID: c.store.ID, DisplayName: c.store.DisplayName, Status: c.status().String(), UploadLimit: res.rules.UploadLimit}
	if c.err != nil {
		msg := c.err.Error()
		j.Error = &msg
		if _, ok := graphapi.AsError(c.err); ok {
			apiErr := toJSONAPIError(c.err)
			j.APIError = &apiErr
		}
		return j
	}
	h := &c.health
	verdict, uploads := h.Verdict.String(), h.Uploads24h
	j.Verdict, j.Uploads24h = &verdict, &uploads
	if !h.LastIndex.IsZero() {
		j.LastIndexDateTime = jsonTime(graphapi.Time{Time: h.LastIndex})
		age := int64(h.IndexAge(res.at).Seconds())
		j.IndexAgeSeconds = &age
	}
	j.StalledSessions, j.LongestIdleSeconds = h.StalledCount, int64(h.LongestIdle.Seconds())
	j.NewestSession, j.CurrentSession, j.NewestCompletedSession = jsonCheckSessionOf(h.Newest), jsonCheckSessionOf(h.Current), jsonCheckSessionOf(h.NewestCompleted)
	return j
}

func jsonCheckSessionOf(s *graphapi.Session) *jsonCheckSession {
	if s == nil {
		return nil
	}
	j := &jsonCheckSession{ID: s.ID, FileName: s.FileName, State: s.State, LastUpdatedDateTime: jsonTime(s.LastUpdatedDateTime)}
	if e := s.Error; !e.IsEmpty() {
		j.ErrorCode, j.ErrorMessage = &e.Code, &e.Message
	}
	return j
}
