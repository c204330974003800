package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// Bounds on check's output: Nagios keeps the first 4 KB of a plugin's
// first line (8 KB in all), and a service could send a name of pages.
const (
	maxFirstLine = 4096 // bytes of the status line, perfdata included
	maxSummary   = 1000 // runes of an error quoted on the status line
	// maxSummaryList: stop naming stores in the summary past this many bytes.
	maxSummaryList = 1024
	// maxSessionError bounds a failed session's error text on a store line.
	maxSessionError = 300
)

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

// checkText is the plugin output: the status line with the perfdata that
// fits in it, then a line per store; perfdata that did not fit follows the
// last line after " | ", one figure a line (the Nagios long-output form).
func checkText(res checkResult) string {
	// A long message (a list of stores, advice) goes on the further lines.
	summary := termtext.Lines(checkSummary(res))
	var perf []string
	for i := range res.stores {
		perf = append(perf, perfData(&res.stores[i], res)...)
	}
	first, more := statusLine(res.status, pluginText(summary[0]), perf)
	lines := []string{first}
	for _, line := range summary[1:] {
		lines = append(lines, pluginText(line))
	}
	for i := range res.stores {
		lines = append(lines, pluginText(storeLine(&res.stores[i], res)))
	}
	if len(more) > 0 {
		lines[len(lines)-1] += " | " + more[0]
		lines = append(lines, more[1:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// statusLine is "EDM STATUS - summary | perfdata", at most maxFirstLine
// bytes; the figures that do not fit are returned.
func statusLine(status pluginStatus, summary string, perf []string) (string, []string) {
	line := cutBytes("EDM "+status.String()+" - "+summary, maxFirstLine)
	sep, i := " | ", 0
	for ; i < len(perf) && len(line)+len(sep)+len(perf[i]) <= maxFirstLine; i++ {
		line += sep + perf[i]
		sep = " "
	}
	return line, perf[i:]
}

// cutBytes cuts s to at most n bytes, on a rune boundary, ending in "…".
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n - len("…")
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…"
}

// pluginText is one line safe for a plugin's output: sanitized, and without
// '|', which would start the performance data.
func pluginText(s string) string {
	return strings.ReplaceAll(clauses(termtext.Lines(s)), "|", "/")
}

// checkSummary names the stores that are not ok, worst first, as many as
// fit in maxSummaryList bytes.
func checkSummary(res checkResult) string {
	if res.summary != "" {
		return res.summary
	}
	var b strings.Builder
	if res.cut != nil {
		b.WriteString(res.cut.Error() + ": ")
	}
	bad, named := 0, 0
	for i := range res.stores {
		c := &res.stores[i]
		if c.status() == pluginOK {
			continue
		}
		if bad++; b.Len() < maxSummaryList {
			if named > 0 {
				b.WriteString(", ")
			}
			b.WriteString(listedName(c.store) + " " + verdictWord(c))
			named++
		}
	}
	n := len(res.stores)
	if bad == 0 {
		fmt.Fprintf(&b, "%d %s ok", n, plural(n, "store", "stores"))
		return b.String()
	}
	if named < bad {
		fmt.Fprintf(&b, ", and %d more", bad-named)
	}
	fmt.Fprintf(&b, " (%d of %d %s ok)", n-bad, n, plural(n, "store", "stores"))
	return b.String()
}

func verdictWord(c *storeCheck) string {
	switch {
	case c.err != nil:
		return "unknown"
	case c.health.Verdict == health.OK && len(c.warnings) > 0:
		return c.warnings[0]
	}
	return c.health.Verdict.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// perfData is a store's figures, with thresholds in the monitoring-plugins
// range syntax that agree with the result ("N" alerts above N) and a
// minimum of 0: the index age in seconds (warning above --warning-age,
// critical above --max-age), and the uploads in 24h (warning above
// limit-1, i.e. once no upload is left). 'U' marks a figure not known.
func perfData(c *storeCheck, res checkResult) []string {
	age, uploads := "U", "U"
	if c.err == nil {
		uploads = strconv.Itoa(c.health.Uploads24h)
		if !c.health.LastIndex.IsZero() {
			age = strconv.FormatInt(ceilSeconds(c.health.IndexAge(res.at)), 10) + "s"
		}
	}
	uploadWarn := ""
	if res.rules.UploadLimit > 0 {
		uploadWarn = strconv.Itoa(res.rules.UploadLimit - 1)
	}
	return []string{
		fmt.Sprintf("'%s_index_age'=%s;%s;%s;0", c.label, age, secondsThreshold(res.warningAge), secondsThreshold(res.rules.MaxAge)),
		fmt.Sprintf("'%s_uploads_24h'=%s;%s;;0", c.label, uploads, uploadWarn),
	}
}

// secondsThreshold is a threshold in whole seconds; none for a rule that is
// off (0), since "0" would alert on any age above 0.
func secondsThreshold(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(d/time.Second), 10)
}

// ceilSeconds rounds an age up, so a figure above a whole-second threshold
// shows above it exactly when the rule says so.
func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// perfLabel makes a name safe as a perfdata label: letters, digits, '.',
// '-' and '_' are kept; anything else (quotes, spaces, '=') becomes '_'.
// A label is cut to maxNameWidth runes, as names are.
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
	label := []rune(strings.TrimRight(b.String(), "_"))
	if len(label) > maxNameWidth {
		return string(label[:maxNameWidth-1]) + "…"
	}
	return string(label)
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
			id := []rune(perfLabel(c.store.ID))
			c.label = strings.TrimPrefix(c.label+"_"+string(id[:min(len(id), 8)]), "_")
		}
	}
}

// storeLine is a store's line: status, name, verdict and why, last index,
// uploads. Server text in it is folded to one line and bounded.
func storeLine(c *storeCheck, res checkResult) string {
	name := listedName(c.store)
	if c.err != nil {
		return fmt.Sprintf("%s %s: cannot read its sessions: %s", c.status(), name, boundedText(c.err.Error(), maxSessionError))
	}
	h := &c.health
	head := h.Verdict.String()
	if h.Verdict == health.OK && len(c.warnings) > 0 {
		head = strings.Join(c.warnings, "; ")
	}
	parts := []string{fmt.Sprintf("%s %s: %s", c.status(), name, head)}
	if why := verdictReason(h, res.rules); why != "" {
		parts = append(parts, why)
	}
	if h.Verdict != health.OK {
		parts = append(parts, c.warnings...)
	}
	parts = append(parts, lastIndexText(h, res.rules, res.at), fmt.Sprintf("%d/%d uploads in 24h", h.Uploads24h, h.UploadLimit))
	return clauses(parts)
}

// clauses joins parts with "; ", each but the last without the full stop
// a message may end with ("…another salt.; last index" reads badly).
func clauses(parts []string) string {
	for i, p := range parts[:max(len(parts)-1, 0)] {
		if strings.HasSuffix(p, ".") && !strings.HasSuffix(p, "..") {
			parts[i] = strings.TrimSuffix(p, ".")
		}
	}
	return strings.Join(parts, "; ")
}

// lastIndexText is "last index 3h ago", with the threshold it passed when
// stale, or "never indexed".
func lastIndexText(h *health.Store, rules health.Rules, now time.Time) string {
	if h.LastIndex.IsZero() {
		return "never indexed"
	}
	text := "last index " + present.Elapsed(h.IndexAge(now)) + " ago"
	if h.Verdict == health.Stale {
		text += " (over " + present.Elapsed(rules.MaxAge) + ")"
	}
	return text
}

// verdictReason says why a store has its verdict (a stale one's last index
// says it), or what runs in an ok one.
func verdictReason(h *health.Store, rules health.Rules) string {
	switch h.Verdict {
	case health.Failed:
		return "newest session " + fileName(h.Newest) + " failed: " + boundedText(sessionErrorText(h.Newest), maxSessionError)
	case health.Stalled:
		return fmt.Sprintf("%d %s without an update for over %s (longest %s)", h.StalledCount,
			plural(h.StalledCount, "session", "sessions"), present.Elapsed(rules.StallAfter), present.Elapsed(h.LongestIdle))
	case health.Stale:
		return "" // the last index says why
	}
	if h.Current != nil {
		return "running: " + fileName(h.Current) + " " + boundedText(h.Current.State, maxNameWidth)
	}
	return ""
}

// fileName is a session's file name for a line: safe, bounded, "-" if none.
func fileName(s *graphapi.Session) string {
	return boundedText(orDash(s.FileName), maxNameWidth)
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
	WarningAgeSeconds int64 `json:"warningAgeSeconds"`
	StallAfterSeconds int64 `json:"stallAfterSeconds"`
	UploadLimit       int   `json:"uploadLimit"`
}

type jsonStoreCheck struct {
	ID             string        `json:"id"`
	DisplayName    string        `json:"displayName"`
	Status         string        `json:"status"`
	Verdict        *string       `json:"verdict"`
	Warnings       []string      `json:"warnings"`
	Error          *string       `json:"error"`
	APIError       *jsonAPIError `json:"apiError,omitempty"` // the service's error in full
	SkippedEntries int           `json:"skippedEntries"`
	jsonHealthFigures
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
		Rules: jsonCheckRules{MaxAgeSeconds: int64(res.rules.MaxAge.Seconds()), WarningAgeSeconds: int64(res.warningAge.Seconds()),
			StallAfterSeconds: int64(res.rules.StallAfter.Seconds()), UploadLimit: res.rules.UploadLimit},
		Stores: []jsonStoreCheck{},
	}
	for i := range res.stores {
		out.Stores = append(out.Stores, jsonStoreOf(&res.stores[i], res))
	}
	return out
}

func jsonStoreOf(c *storeCheck, res checkResult) jsonStoreCheck {
	j := jsonStoreCheck{ID: c.store.ID, DisplayName: c.store.DisplayName, Status: c.status().String(),
		SkippedEntries: c.skipped, Warnings: append([]string{}, c.warnings...)}
	j.UploadLimit = res.rules.UploadLimit
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
	verdict := h.Verdict.String()
	j.Verdict = &verdict
	j.fill(h, res.at)
	j.LongestIdleSeconds = int64(h.LongestIdle.Seconds())
	j.NewestSession, j.CurrentSession, j.NewestCompletedSession = jsonCheckSessionOf(h.Newest), jsonCheckSessionOf(h.Current), jsonCheckSessionOf(h.NewestCompleted)
	return j
}

// jsonHealthFigures are the figures behind a store's verdict, the same in
// check -o json and stores -o json (embedded, so their keys stay in place).
type jsonHealthFigures struct {
	LastIndexDateTime  *string `json:"lastIndexDateTime"`
	IndexAgeSeconds    *int64  `json:"indexAgeSeconds"`
	Uploads24h         *int    `json:"uploads24h"`
	UploadLimit        int     `json:"uploadLimit"`
	LimitReached       bool    `json:"limitReached"`
	NextUploadDateTime *string `json:"nextUploadDateTime"`
	StalledSessions    int     `json:"stalledSessions"`
}

// fill takes the figures of a store whose sessions were read; UploadLimit
// is the rules', set whether or not they were.
func (j *jsonHealthFigures) fill(h *health.Store, now time.Time) {
	uploads := h.Uploads24h
	j.Uploads24h = &uploads
	if !h.LastIndex.IsZero() {
		j.LastIndexDateTime = jsonTime(graphapi.Time{Time: h.LastIndex})
		age := ceilSeconds(h.IndexAge(now))
		j.IndexAgeSeconds = &age
	}
	if h.LimitReached {
		j.LimitReached, j.NextUploadDateTime = true, jsonTime(graphapi.Time{Time: h.NextUpload})
	}
	j.StalledSessions = h.StalledCount
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
