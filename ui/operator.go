package ui

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/keymap"
)

// maxConcurrentRenews bounds "renew marked": the service throttles bursts.
const maxConcurrentRenews = 4

// Sorting.

type sortKey int

const (
	sortCreated sortKey = iota
	sortUpdated
	sortState
	sortUpload
	sortProcessing
	sortFile
	sortKeys
)

func (k sortKey) String() string {
	return [...]string{"created", "updated", "state", "upload %", "processing %", "file name"}[k]
}

// classOrder puts what needs attention first.
var classOrder = map[graphapi.StateClass]int{graphapi.StateFailed: 0, graphapi.StateInProgress: 1, graphapi.StateCancelled: 2, graphapi.StateDone: 3}

// compare orders two rows by the key: newest, most advanced or A first.
func (k sortKey) compare(a, b *row) int {
	switch k {
	case sortUpdated:
		return b.s.LastUpdatedDateTime.Compare(a.s.LastUpdatedDateTime.Time)
	case sortState:
		if c := classOrder[a.class] - classOrder[b.class]; c != 0 {
			return c
		}
		return strings.Compare(a.state, b.state)
	case sortUpload:
		return compareProgress(b.s.UploadProgress(), a.s.UploadProgress())
	case sortProcessing:
		return compareProgress(b.s.ProcessingProgress(), a.s.ProcessingProgress())
	case sortFile:
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	}
	return b.s.CreationDateTime.Compare(a.s.CreationDateTime.Time)
}

func compareProgress(a, b graphapi.Progress) int {
	switch {
	case a.Known != b.Known:
		if a.Known {
			return 1
		}
		return -1
	case a.Fraction < b.Fraction:
		return -1
	case a.Fraction > b.Fraction:
		return 1
	}
	return 0
}

// Filtering matches file name, state or id, case-insensitively.
func (r *row) matches(filter string) bool {
	if filter == "" {
		return true
	}
	f := strings.ToLower(filter)
	return strings.Contains(strings.ToLower(r.name), f) || strings.Contains(strings.ToLower(r.state), f) ||
		strings.Contains(strings.ToLower(r.s.ID), f)
}

// Which actions apply to a session. An empty reason means it applies.

func (r *row) cannot(action string) string {
	if r.gone {
		return "session no longer exists"
	}
	if r.class != graphapi.StateInProgress {
		return "session is " + r.state
	}
	if action != "commit" {
		return ""
	}
	up := r.s.UploadProgress()
	switch {
	case !up.Known:
		return "no block count"
	case up.Done < up.Total:
		return fmt.Sprintf("upload at %d%%", up.Percent())
	case strings.Contains(strings.ToLower(r.state), "processing"):
		return "processing started"
	}
	return ""
}

// contextKeys is the keymap with help that says why an action does not
// apply to the selected session.
func (m *Model) contextKeys() keymap.KeyMap {
	k := m.keys
	r := m.selectedRow()
	if r == nil {
		return k
	}
	explain := func(b *key.Binding, action string) {
		if why := r.cannot(action); why != "" {
			b.SetHelp(b.Help().Key, b.Help().Desc+" (n/a: "+why+")")
		}
	}
	explain(&k.Renew, "renew")
	explain(&k.Cancel, "cancel")
	explain(&k.Commit, "commit")
	return k
}

// Notices: a session seen running that finishes gets a flash, and the
// bell when asked for.

type notice struct {
	name   string
	failed bool
	code   string
}

func finished(before graphapi.StateClass, r *row) (notice, bool) {
	if before != graphapi.StateInProgress || (r.class != graphapi.StateDone && r.class != graphapi.StateFailed) {
		return notice{}, false
	}
	n := notice{name: r.name, failed: r.class == graphapi.StateFailed}
	if r.s.Error != nil {
		n.code = r.s.Error.Code
	}
	return n, true
}

func (m *Model) announce(notices []notice) tea.Cmd {
	if len(notices) == 0 {
		return nil
	}
	var parts []string
	level := flashSuccess
	for _, n := range notices {
		if n.failed {
			level = flashError
			text := "✗ " + n.name + " failed"
			if n.code != "" {
				text += " (" + n.code + ")"
			}
			parts = append(parts, text)
		} else {
			parts = append(parts, "✓ "+n.name+" completed")
		}
	}
	cmds := []tea.Cmd{m.setFlash(level, strings.Join(parts, " · "))}
	if m.bell {
		cmds = append(cmds, m.writeTerminal("\a"))
	}
	return tea.Batch(cmds...)
}

// writeTerminal sends bytes that change no cell (bell, OSC 52) to the
// terminal, from a command.
func (m *Model) writeTerminal(seq string) tea.Cmd {
	w := m.terminal
	if w == nil {
		return nil
	}
	return func() tea.Msg {
		_, _ = io.WriteString(w, seq)
		return nil
	}
}

// copySelected puts the session id on the clipboard with OSC 52, which
// reaches the local clipboard over SSH; inside tmux or screen the sequence
// is wrapped so it passes through.
func (m *Model) copySelected() tea.Cmd {
	r := m.selectedRow()
	if r == nil {
		return nil
	}
	if m.terminal == nil {
		return m.setFlash(flashWarn, "no terminal to copy to")
	}
	w, id := m.terminal, r.s.ID
	write := func() tea.Msg {
		// The environment is read here, in the command, not in Update.
		seq := osc52.New(id)
		switch {
		case os.Getenv("TMUX") != "":
			seq = seq.Tmux()
		case strings.HasPrefix(os.Getenv("TERM"), "screen"):
			seq = seq.Screen()
		}
		_, _ = io.WriteString(w, seq.String())
		return nil
	}
	return tea.Batch(write, m.setFlash(flashSuccess, "copied session id "+shortID(id, 13)+" (OSC 52)"))
}

// Marks and renew-all.

func (m *Model) toggleMark() tea.Cmd {
	r := m.selectedRow()
	if r == nil {
		return nil
	}
	m.setMarked(r, !r.marked)
	m.moveSelection(1)
	return nil
}

func (m *Model) markedCount() int { return m.marked }

func (m *Model) setMarked(r *row, on bool) {
	if r.marked != on {
		r.marked = on
		m.marked += map[bool]int{true: 1, false: -1}[on]
	}
}

// renewMarked queues every marked session that can be renewed; at most
// maxConcurrentRenews run at once, each row showing its own result.
func (m *Model) renewMarked() tea.Cmd {
	var queued, skipped []string
	for _, id := range m.order {
		r := m.rows[id]
		if !r.marked {
			continue
		}
		if r.pending != "" || r.cannot("renew") != "" {
			skipped = append(skipped, r.name)
			m.setMarked(r, false)
			continue
		}
		queued = append(queued, id)
	}
	if len(queued) == 0 && len(skipped) == 0 {
		return m.setFlash(flashInfo, "no marked sessions: space marks one")
	}
	m.renewQueue = append(m.renewQueue, queued...)
	msg := fmt.Sprintf("renewing %d marked session(s)", len(queued))
	if len(skipped) > 0 {
		msg += fmt.Sprintf("; skipped %d that cannot be renewed", len(skipped))
	}
	return tea.Batch(m.setFlash(flashInfo, msg), m.pumpRenews())
}

func (m *Model) pumpRenews() tea.Cmd {
	inFlight := 0
	for _, r := range m.rows {
		if r.pending == "renew" {
			inFlight++
		}
	}
	var cmds []tea.Cmd
	for inFlight < maxConcurrentRenews && len(m.renewQueue) > 0 {
		id := m.renewQueue[0]
		m.renewQueue = m.renewQueue[1:]
		r, ok := m.rows[id]
		if !ok || r.pending != "" {
			continue
		}
		cmds = append(cmds, m.startRenew(r))
		inFlight++
	}
	return tea.Batch(cmds...)
}

// Cancel and commit ask first, naming the file.

type confirmation struct {
	action, sessionID, name string
}

func (m *Model) askConfirm(action string) tea.Cmd {
	r, refusal := m.actionable(action)
	if r == nil {
		return refusal
	}
	m.confirm = &confirmation{action: action, sessionID: r.s.ID, name: r.name}
	return nil
}

// actionable returns the selected row when action may start on it, or the
// status-bar message that says why not: an action already in flight on the
// session, or one that does not apply to its state.
func (m *Model) actionable(action string) (*row, tea.Cmd) {
	r := m.selectedRow()
	switch {
	case r == nil:
		return nil, nil
	case r.pending != "":
		return nil, m.setFlash(flashInfo, "already "+r.pending+"ing "+r.name+": wait for its answer")
	}
	if why := r.cannot(action); why != "" {
		return nil, m.setFlash(flashWarn, "cannot "+action+" "+r.name+": "+why)
	}
	return r, nil
}

func (m *Model) answerConfirm(msg tea.KeyMsg) tea.Cmd {
	c := m.confirm
	m.confirm = nil
	if !key.Matches(msg, m.keys.Confirm) {
		return m.setFlash(flashInfo, c.action+" "+c.name+": not done")
	}
	r, ok := m.rows[c.sessionID]
	if !ok {
		return m.setFlash(flashWarn, c.name+" is no longer listed")
	}
	r.pending = c.action
	m.log.Info("session action", "op", c.action, "session", c.sessionID)
	return tea.Batch(actionCmd(m.ctx, m.svc, c.action, m.store.ID, c.sessionID, m.timeout), m.startSpinner())
}

func (m *Model) handleActionDone(msg actionDoneMsg) tea.Cmd {
	if msg.storeID != m.store.ID {
		return nil
	}
	name := shortID(msg.sessionID, 13)
	if r, ok := m.rows[msg.sessionID]; ok {
		r.pending = ""
		r.lastErr = nil
		name = r.name
	}
	verb := map[string]string{"cancel": "cancelled", "commit": "committed"}[msg.op]
	// These actions answer 204 without the session: read the new state.
	return tea.Batch(m.setFlash(flashSuccess, verb+" "+name+" ✓"), m.reread())
}

// Filter input.

func (m *Model) startFilter() tea.Cmd {
	m.filtering = true
	m.filterInput.SetValue(m.filter)
	m.filterInput.CursorEnd()
	return m.filterInput.Focus()
}

func (m *Model) handleFilterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		m.filtering = false
		m.filterInput.Blur()
		return nil
	case tea.KeyEsc:
		m.filtering = false
		m.filterInput.Blur()
		m.filter = ""
		m.resort()
		return nil
	}
	var cmd tea.Cmd
	m.filterInput, cmd = m.filterInput.Update(msg)
	if v := m.filterInput.Value(); v != m.filter {
		m.filter = v
		m.resort()
	}
	return cmd
}

// Per-store selection is remembered across store switches.

func (m *Model) rememberSelection() {
	if m.store.ID != "" && m.selectedID != "" {
		m.storeSelection[m.store.ID] = m.selectedID
	}
}
