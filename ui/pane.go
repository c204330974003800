// The detail and error panes: one session's properties, or its errors and
// the last failed call on it, under the table. One scroll offset, clamped
// in one place.

package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/keymap"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

type paneKind int

const (
	paneNone paneKind = iota
	paneDetails
	paneErrors
)

func (p paneKind) title() string {
	switch p {
	case paneDetails:
		return "details"
	case paneErrors:
		return "errors"
	}
	return ""
}

type detailPane struct {
	sh     *shared
	kind   paneKind // paneNone when closed
	focus  bool     // keys scroll the pane, not the table
	offset int
	row    *row
	rowID  string
	// content is the pane's text for row, wrapped to the width.
	content       []string
	width, height int // height counts content lines, without the title rule

	// What the details add beyond the session, all for the open store:
	// its schema, its recent runs, and upload agents looked up so far (one
	// lookup in flight at a time, so scrolling past rows fetches nothing).
	store    graphapi.DataStore
	history  string
	agents   map[string]agentLookup
	fetching string // the session whose agent is being fetched
}

// agentLookup is one session's upload agent as far as it is known.
type agentLookup struct {
	done  bool
	agent graphapi.UploadAgent
	err   error
}

func newDetailPane(sh *shared) *detailPane {
	return &detailPane{sh: sh, agents: map[string]agentLookup{}, history: historyStrip(nil)}
}

// SetStore tells the pane which store is open; another store's agents and
// runs are forgotten.
func (p *detailPane) SetStore(ds graphapi.DataStore) {
	if ds.ID != p.store.ID {
		p.agents, p.fetching, p.history = map[string]agentLookup{}, "", historyStrip(nil)
	}
	p.store = ds
}

// SetHistory takes the open store's recent runs from a listing.
func (p *detailPane) SetHistory(runs []health.Run) { p.history = historyStrip(runs) }

// WantAgent names the session whose upload agent the details pane shows
// but does not know yet, when no lookup is in flight.
func (p *detailPane) WantAgent() (string, bool) {
	if p.kind != paneDetails || p.row == nil || p.fetching != "" {
		return "", false
	}
	_, known := p.agents[p.rowID]
	return p.rowID, !known
}

// FetchingAgent records that the root started the lookup for id.
func (p *detailPane) FetchingAgent(id string) {
	p.fetching = id
	p.agents[id] = agentLookup{}
	p.refresh()
}

// SetAgent takes a lookup's answer; one for a store left is dropped.
func (p *detailPane) SetAgent(msg uploadAgentMsg) {
	if msg.storeID != p.store.ID {
		return
	}
	if msg.sessionID == p.fetching {
		p.fetching = ""
	}
	p.agents[msg.sessionID] = agentLookup{done: true, agent: msg.agent, err: msg.err}
	p.refresh()
}

func (p *detailPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.clamp()
}

// Open reports whether a pane shows; Focused whether it takes the keys.
func (p *detailPane) Open() bool    { return p.kind != paneNone }
func (p *detailPane) Focused() bool { return p.kind != paneNone && p.focus }

// Toggle opens kind, or closes it when it is open.
func (p *detailPane) Toggle(kind paneKind) {
	if p.kind == kind {
		p.Close()
		return
	}
	p.kind, p.offset = kind, 0
	for id, a := range p.agents {
		if a.err != nil {
			delete(p.agents, id) // reopening the pane tries again
		}
	}
	p.refresh()
}

func (p *detailPane) Close() { p.kind, p.focus = paneNone, false }

// OpenKind opens kind, or leaves it open.
func (p *detailPane) OpenKind(kind paneKind) {
	if p.kind != kind {
		p.Toggle(kind)
	}
}

// ToggleFocus moves the keys between the pane and the table.
func (p *detailPane) ToggleFocus() {
	if p.Open() {
		p.focus = !p.focus
	}
}

// Show points the pane at the selected row (nil for none); another row
// starts at the top.
func (p *detailPane) Show(r *row) {
	id := ""
	if r != nil {
		id = r.s.ID
	}
	if id != p.rowID {
		p.offset = 0
	}
	p.row, p.rowID = r, id
	p.refresh()
}

func (p *detailPane) refresh() {
	if !p.Open() {
		p.content = nil
		return
	}
	p.content = p.render()
	p.clamp()
}

// clamp keeps the offset inside the content: the one place it is bounded.
func (p *detailPane) clamp() {
	p.offset = max(min(p.offset, len(p.content)-p.height), 0)
}

// Update scrolls: keys while focused, the wheel always.
func (p *detailPane) Update(msg tea.Msg) tea.Cmd {
	k := p.sh.keys
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			p.offset--
		case key.Matches(msg, k.Down):
			p.offset++
		case key.Matches(msg, k.PageUp):
			p.offset -= p.height - 1
		case key.Matches(msg, k.PageDown):
			p.offset += p.height - 1
		case key.Matches(msg, k.Home):
			p.offset = 0
		case key.Matches(msg, k.End):
			p.offset = len(p.content)
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			p.offset--
		case tea.MouseButtonWheelDown:
			p.offset++
		}
	}
	p.clamp()
	return nil
}

// render is the selected session's pane, wrapped to the width.
func (p *detailPane) render() []string {
	r := p.row
	if r == nil {
		return []string{p.sh.styles.Muted.Render(" No session selected.")}
	}
	var fields []present.Field
	if p.kind == paneErrors {
		fields = errorFields(r, p.sh.clock)
	} else {
		fields = detailsFields(r, p.sh.clock, p.sh.rules)
		fields = append(fields, p.storeFields(r)...)
	}
	return renderFields(fields, p.width-2, p.sh.styles)
}

// View is the title rule and the visible content.
func (p *detailPane) View() string { return strings.Join(p.lines(), "\n") }

func (p *detailPane) lines() []string {
	ph, off, n := p.height, p.offset, len(p.content)
	title := "─ " + p.kind.title() + " "
	if p.row != nil {
		title += "· " + p.row.name + " "
	}
	if n > ph {
		title += fmt.Sprintf("· %d–%d of %d ", off+1, min(off+ph, n), n)
	}
	if p.focus {
		title += "· scrolling (tab: table) "
	} else if n > ph {
		title += "· tab to scroll "
	}
	if ansi.StringWidth(title) > p.width-1 {
		title = ansi.Truncate(title, p.width-2, "…") + " "
	}
	rule := title + strings.Repeat("─", max(p.width-ansi.StringWidth(title), 0))
	lines := []string{p.sh.styles.Rule.Render(rule)}
	return append(lines, p.content[off:min(off+ph, n)]...)
}

// ShortHelp: the pane's own keys, shown before the table's (q and esc,
// which close it, are the root's).
func (p *detailPane) ShortHelp() []key.Binding {
	return []key.Binding{keymap.Brief(p.sh.keys.Focus, pick(p.focus, "scroll table", "scroll pane"))}
}

// detailsFields is the session's text as present writes it, with what the
// dashboard adds between its groups: a stall by the rules, the error in one
// line (e shows it whole), the pace and ETA of the running phase and its
// progress seen.
func detailsFields(r *row, now time.Time, rules health.Rules) []present.Field {
	s := r.s
	text := present.Session(s, present.Clock{Now: now, Local: true, Rules: rules})
	fields := append([]present.Field(nil), text.Head...) // with a stall by the rules
	switch {
	case !s.Error.IsEmpty():
		fields = append(fields, present.Field{Label: "error", Value: s.Error.Code + ": " + s.Error.Message + "  (press e)"})
	case r.lastErr != nil:
		fields = append(fields, present.Field{Label: "last call failed", Value: r.lastErrOp.String() + "  (press e)"})
	}
	fields = append(fields, text.Progress...)
	up, proc := s.UploadProgress(), s.ProcessingProgress()
	fields = append(fields, []present.Field{
		{Label: "upload rate", Value: phaseRate(r, now, up, false)},
		{Label: "processing rate", Value: phaseRate(r, now, proc, true)},
		{Label: "ETA (this phase)", Value: r.eta(now)},
		{Label: "upload history", Value: history(r, false)},
		{Label: "processing history", Value: history(r, true)},
	}...)
	fields = append(fields, text.Times...)
	return append(fields, text.Upload...)
}

// storeFields are what the details add from beyond the session: its upload
// agent, the store's schema against its fields, the store's recent runs.
func (p *detailPane) storeFields(r *row) []present.Field {
	fields := agentFields(p.agents[r.s.ID], p.sh.clock)
	fields = append(fields, schemaFields(&p.store, r.s)...)
	return append(fields, present.Field{Label: "recent runs", Value: p.history})
}

// agentFields is the upload agent as far as its lookup has got.
func agentFields(a agentLookup, now time.Time) []present.Field {
	switch {
	case a.err != nil:
		return []present.Field{{Label: "upload agent", Value: "could not load: " + errorSummary(a.err)}}
	case !a.done:
		return []present.Field{{Label: "upload agent", Value: "loading…"}}
	}
	return []present.Field{
		{Label: "upload agent", Value: present.OrDash(a.agent.Description)},
		{Label: "agent created", Value: present.Absolute(a.agent.CreationDateTime, now)},
	}
}

// phaseRate is a phase's pace, or where the phase stands when it has none.
func phaseRate(r *row, now time.Time, p graphapi.Progress, jobs bool) string {
	switch {
	case p.Known && p.Done >= p.Total:
		return "finished"
	case jobs && r.uploading():
		return "not started (the upload is still running)"
	case r.class != graphapi.StateInProgress:
		return present.Dash
	}
	rate, ok := ratePerMinute(r.samples, now, jobs)
	return rateText(rate, ok, pick(jobs, "jobs", "blocks"))
}

// minHistory is the number of samples from which a sparkline says more
// than a straight line.
const minHistory = 3

// history is a sparkline of the running phase's progress over the
// refreshes seen: blocks while uploading, jobs after.
func history(r *row, jobs bool) string {
	switch {
	case r.class != graphapi.StateInProgress || r.uploading() == jobs:
		return present.Dash + " (shown while this phase runs)"
	case len(r.samples) < minHistory:
		return present.Dash + " (builds up as refreshes see progress)"
	}
	values := make([]float64, len(r.samples))
	for i, s := range r.samples {
		values[i] = s.up
		if jobs {
			values[i] = s.proc
		}
	}
	return sparkline(values, 40) + fmt.Sprintf("  (%d changes seen)", len(r.samples))
}

// errorFields lists the session's own error in full, as present writes
// it, and the last failed call made on its row.
func errorFields(r *row, now time.Time) []present.Field {
	var fields []present.Field
	if e := r.s.Error; !e.IsEmpty() {
		fields = append(fields, present.Field{Label: "SESSION ERROR", Value: "reported by the service for " + r.name})
		fields = append(fields, present.ErrorFields(e, present.Clock{Now: now, Local: true})...)
	}
	if r.lastErr != nil {
		if len(fields) > 0 {
			fields = append(fields, present.Field{})
		}
		fields = append(fields, present.Field{Label: "LAST FAILED CALL",
			Value: r.lastErrOp.String() + " at " + r.lastErrAt.In(now.Location()).Format("15:04:05") + " (" + present.Ago(r.lastErrAt, now) + ")"})
		fields = append(fields, callErrorFields(r.lastErr)...)
	}
	if len(fields) == 0 {
		fields = append(fields, present.Field{Value: "No errors: the service reports none for this session and no call on it has failed."})
	}
	return fields
}

// callErrorFields describes a failed call for a support ticket.
func callErrorFields(err error) []present.Field {
	ge, ok := graphapi.AsError(err)
	if !ok {
		return []present.Field{{Label: "error", Value: err.Error()}}
	}
	status := "no response"
	if ge.StatusCode != 0 {
		status = fmt.Sprint(ge.StatusCode)
	}
	fields := []present.Field{
		{Label: "HTTP status", Value: status},
		{Label: "code", Value: present.OrDash(ge.Code)},
		{Label: "message", Value: present.OrDash(ge.Message)},
	}
	if ge.Target != "" {
		fields = append(fields, present.Field{Label: "target", Value: ge.Target})
	}
	if len(ge.InnerCodes) > 0 {
		fields = append(fields, present.Field{Label: "inner codes", Value: strings.Join(ge.InnerCodes, " > ")})
	}
	for i, d := range ge.Details {
		fields = append(fields, present.Field{Label: fmt.Sprintf("detail %d", i+1), Value: present.OrDash(d.Code) + ": " +
			present.OrDash(d.Message) + present.Aside("target", d.Target) + present.Aside("inner", strings.Join(d.InnerCodes, " > "))})
	}
	fields = append(fields,
		present.Field{Label: "request-id", Value: present.OrDash(ge.RequestID)},
		present.Field{Label: "client-request-id", Value: present.OrDash(ge.ClientRequestID)},
	)
	if !ge.Date.IsZero() {
		fields = append(fields, present.Field{Label: "date", Value: ge.Date.UTC().Format("2006-01-02 15:04:05Z")})
	}
	if ge.RetryAfter > 0 {
		fields = append(fields, present.Field{Label: "retry after", Value: present.Countdown(ge.RetryAfter)})
	}
	if advice := graphapi.Advice(err); advice != "" {
		fields = append(fields, present.Field{Label: "what to do", Value: advice})
	}
	if ge.OutcomeUnknown {
		fields = append(fields, present.Field{Label: "outcome", Value: "unknown: the request may have reached the service; the list was re-read"})
	}
	return fields
}

// renderFields lays fields out as aligned, wrapped lines of width cells.
// Every value is sanitized here, the one place a pane's text passes.
func renderFields(fields []present.Field, width int, st Styles) []string {
	labelW := 0
	for _, f := range fields {
		labelW = max(labelW, ansi.StringWidth(f.Label))
	}
	labelW = min(labelW, max(width/3, 8))
	valueW := max(width-labelW-3, 10)
	var lines []string
	for _, f := range fields {
		if f.Label == "" && f.Value == "" {
			lines = append(lines, "")
			continue
		}
		wrapped := strings.Split(ansi.Wrap(termtext.OneLine(f.Value), valueW, " /-"), "\n")
		for i, w := range wrapped {
			label := ""
			if i == 0 {
				label = f.Label
			}
			lines = append(lines, " "+st.Label.Render(fit(label, labelW))+"  "+w)
		}
	}
	return lines
}
