package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// storesLong is stores' help: what each column says, and the exit status.
const storesLong = `List the data stores with their health, as the dashboard's fleet shows them:
HEALTH is the verdict of the health rules (failed: the newest session failed;
stalled: a session has had no update for --stall-after; stale: the last index
is older than --max-age, or there is none; ok), LAST INDEX when the last
upload was indexed, CURRENT the session under way (or the one that failed),
and 24H the uploads created in the last 24 hours against --upload-limit.

Each store's sessions are read (four stores at a time) to judge it. A store
whose sessions cannot be read shows "unknown" and stderr says why; with
-o json its health has the verdict, the reasons for it and the figures.

Exit status: 0 when the stores were listed (a store whose health is unknown
included), 1 when they could not be, 2 on a usage error.`

func newStoresCmd(g *globalFlags) *cobra.Command {
	cmd := newScriptCmd(g, scriptCmd{use: "stores", short: "List the EDM data stores with their health", args: noArgs,
		example: `  edmtop stores
  edmtop stores -o json | jq '.[] | select(.health.verdict != "ok") | .displayName'`,
		run: func(c *scriptCall) error {
			stores, err := c.client.ListDataStores(c.cmd.Context())
			if err != nil {
				return c.failed("", err)
			}
			rules, now := c.g.settings.healthRules(), pollClock.now()
			checks := judgeStores(c.cmd.Context(), c.client, uniqueStores(stores), rules, now)
			for i := range checks {
				if checks[i].err != nil {
					fmt.Fprintf(c.cmd.ErrOrStderr(), "edmtop: data store %s: health unknown: %s\n",
						storeTitle(checks[i].store), boundedText(checks[i].err.Error(), maxSessionError))
				}
			}
			return writeStores(c.cmd.OutOrStdout(), c.out, checks, rules, now)
		}})
	cmd.Long = storesLong
	addSettingFlags(cmd, "stall-after", "max-age", "upload-limit")
	return cmd
}

// judgeStores reads each store's sessions and judges it by rules at now,
// in the listing's order; a store not read keeps its error.
func judgeStores(ctx context.Context, svc checkService, stores []graphapi.DataStore, rules health.Rules, now time.Time) []storeCheck {
	checks := readStores(ctx, svc, stores)
	judge(checks, rules, now)
	return checks
}

// judge judges each store read; one not read keeps its error.
func judge(checks []storeCheck, rules health.Rules, now time.Time) {
	for i := range checks {
		c := &checks[i]
		switch {
		case c.err != nil:
		case c.skipped > 0:
			c.err = &skippedError{c.skipped}
		default:
			c.health = rules.Assess(&c.store, c.sessions, now)
		}
	}
}

// jsonStoreHealth is a store's health in stores -o json: the verdict
// ("unknown" when its sessions could not be read, error says why), the
// reasons for it and the figures behind it.
type jsonStoreHealth struct {
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Error   *string  `json:"error"`
	jsonHealthFigures
	CurrentSession *jsonCheckSession `json:"currentSession"`
	NewestSession  *jsonCheckSession `json:"newestSession"`
}

type jsonStoreWithHealth struct {
	jsonStore
	Health jsonStoreHealth `json:"health"`
}

func writeStores(w io.Writer, s scriptFlags, checks []storeCheck, rules health.Rules, now time.Time) error {
	if s.output == "json" {
		out := make([]jsonStoreWithHealth, 0, len(checks))
		for i := range checks {
			out = append(out, jsonStoreWithHealth{toJSONStore(checks[i].store), storeHealthJSON(&checks[i], rules, now)})
		}
		return writeJSON(w, out)
	}
	rows := make([][]string, 0, len(checks))
	for i := range checks {
		c := &checks[i]
		if c.err != nil {
			rows = append(rows, []string{listedName(c.store), "unknown", "-", "-", "-", c.store.ID})
			continue
		}
		h := &c.health
		rows = append(rows, []string{listedName(c.store), h.Verdict.String(), lastIndexCell(h, now), currentCell(h, rules, now),
			fmt.Sprintf("%d/%d", h.Uploads24h, h.UploadLimit), c.store.ID})
	}
	return writeTable(w, []string{"NAME", "HEALTH", "LAST INDEX", "CURRENT", "24H", "ID"}, rows)
}

func lastIndexCell(h *health.Store, now time.Time) string {
	if h.LastIndex.IsZero() {
		return "never"
	}
	return present.Ago(h.LastIndex, now)
}

// currentCell is the session a store's row is about, as the fleet shows
// it: the newest one when it failed, the longest silent when stalled (with
// how long), else the one under way (its phase's progress), else idle.
func currentCell(h *health.Store, rules health.Rules, now time.Time) string {
	if n := h.Newest; h.Verdict == health.Failed && n != nil {
		text := "Failed"
		if n.Error != nil && n.Error.Code != "" {
			text += " " + boundedText(n.Error.Code, maxNameWidth)
		}
		return text + " (" + present.Ago(n.LastUpdatedDateTime.Time, now) + ")"
	}
	c := h.Current
	if h.Verdict == health.Stalled && h.Stalled != nil {
		c = h.Stalled // the one the verdict is about, not a newer upload
	}
	if c == nil {
		return "idle"
	}
	text := boundedText(c.State, maxNameWidth)
	if progress := present.PhaseProgress(c); progress.Known {
		text += " " + present.Percent(progress)
	}
	if rules.Stalled(c, now) {
		text += ", no update for " + present.Elapsed(health.Idle(c, now))
	}
	return text
}

func storeHealthJSON(c *storeCheck, rules health.Rules, now time.Time) jsonStoreHealth {
	j := jsonStoreHealth{Verdict: "unknown", Reasons: []string{}}
	j.UploadLimit = rules.UploadLimit
	if c.err != nil {
		msg := termtext.OneLine(c.err.Error())
		j.Error = &msg
		return j
	}
	h := &c.health
	j.Verdict, j.Reasons = h.Verdict.String(), storeReasons(h, rules, now)
	j.fill(h, now)
	j.CurrentSession, j.NewestSession = jsonCheckSessionOf(h.Current), jsonCheckSessionOf(h.Newest)
	return j
}

// storeReasons say why a store has its verdict, as check's lines do; an
// ok store has none, unless its uploads are used up.
func storeReasons(h *health.Store, rules health.Rules, now time.Time) []string {
	reasons := []string{}
	if why := verdictReason(h, rules); why != "" && h.Verdict != health.OK {
		reasons = append(reasons, why)
	}
	if h.Verdict == health.Stale {
		reasons = append(reasons, lastIndexText(h, rules, now))
	}
	if h.LimitReached {
		reasons = append(reasons, "no upload left until "+timeCell(graphapi.Time{Time: h.NextUpload}))
	}
	return reasons
}
