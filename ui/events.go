package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/termtext"
)

// eventKind is what happened; it decides the icon, the colour and the bell.
type eventKind int

const (
	eventInfo eventKind = iota
	eventCompleted
	eventRenewed
	eventCancelled
	eventCommitted
	eventStale
	eventStalled
	eventFailed
	// eventOutage: reads started failing (Graph, or one store); no bell:
	// the header says it for as long as it lasts.
	eventOutage
	// eventRecovered: reads work again.
	eventRecovered
)

func (k eventKind) icon() string {
	switch k {
	case eventCompleted, eventRenewed, eventCommitted, eventRecovered:
		return stateIcon(graphapi.StateDone)
	case eventFailed, eventOutage:
		return verdictIcon(health.Failed)
	case eventStalled:
		return verdictIcon(health.Stalled)
	case eventStale:
		return verdictIcon(health.Stale)
	case eventCancelled:
		return stateIcon(graphapi.StateCancelled)
	default:
		return "·"
	}
}

// rings reports whether the bell (--bell) sounds: only for what needs a
// person, not for every success.
func (k eventKind) rings() bool { return k == eventFailed || k == eventStalled }

// event is one line of the event log.
type event struct {
	at   time.Time
	kind eventKind
	text string // sanitized when added
}

// eventsMsg carries events from a component to the log.
type eventsMsg []event

func emit(events []event) tea.Cmd {
	if len(events) == 0 {
		return nil
	}
	return func() tea.Msg { return eventsMsg(events) }
}

// maxEvents bounds the log: a day of nightly uploads fits many times over.
const maxEvents = 1000

// eventLog is the pane that keeps notices after the status bar has cleared
// them (key L). Newest first; it scrolls.
type eventLog struct {
	sh     *shared
	events []event // oldest first
	open   bool
	offset int // lines scrolled from the newest
	width  int
	height int
}

func newEventLog(sh *shared) *eventLog { return &eventLog{sh: sh} }

// Open reports whether the log is shown.
func (l *eventLog) Open() bool { return l.open }

// Toggle shows or hides the log; it opens on the newest event.
func (l *eventLog) Toggle() {
	l.open = !l.open
	l.offset = 0
}

// Add appends events, dropping the oldest past maxEvents.
func (l *eventLog) Add(events ...event) {
	for _, e := range events {
		e.text = termtext.OneLine(e.text)
		l.events = append(l.events, e)
	}
	if over := len(l.events) - maxEvents; over > 0 {
		l.events = append(l.events[:0], l.events[over:]...)
	}
	l.clamp()
}

// Len is the number of events kept.
func (l *eventLog) Len() int { return len(l.events) }

func (l *eventLog) SetSize(w, h int) {
	l.width, l.height = w, h
	l.clamp()
}

// clamp keeps the scroll inside the events (height counts the title line).
func (l *eventLog) clamp() {
	l.offset = max(min(l.offset, len(l.events)-(l.height-1)), 0)
}

// Update opens the log (L), closes it (L; the root's back keys close it
// too) or scrolls it.
func (l *eventLog) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	keys := l.sh.keys
	if !l.open || key.Matches(k, keys.Events) {
		l.Toggle()
		return nil
	}
	switch {
	case key.Matches(k, keys.Up):
		l.offset--
	case key.Matches(k, keys.Down):
		l.offset++
	case key.Matches(k, keys.PageUp):
		l.offset -= l.height
	case key.Matches(k, keys.PageDown):
		l.offset += l.height
	case key.Matches(k, keys.Home):
		l.offset = 0
	case key.Matches(k, keys.End):
		l.offset = len(l.events)
	}
	l.clamp()
	return nil
}

// View draws a title and the newest events first, with their local time.
func (l *eventLog) View() string {
	now := l.sh.clock
	title := l.sh.styles.Header.Render(fmt.Sprintf(" EVENTS (%d, newest first)", len(l.events)))
	if len(l.events) == 0 {
		return title + "\n" + l.sh.styles.Muted.Render(" No events yet: completions, failures, stalls, verdict changes, outages and your actions are kept here.")
	}
	lines := make([]string, 0, l.height+1)
	lines = append(lines, title)
	for i := len(l.events) - 1 - l.offset; i >= 0 && len(lines) < l.height; i-- {
		e := l.events[i]
		stamp := clockTime(e.at, now)
		lines = append(lines, " "+l.paint(e.kind)(fit(stamp+"  "+e.kind.icon()+" "+e.text, max(l.width-1, 0))))
	}
	return strings.Join(lines, "\n")
}

func (l *eventLog) paint(k eventKind) func(...string) string {
	switch k {
	case eventFailed, eventOutage:
		return l.sh.styles.Error.Render
	case eventStalled, eventStale:
		return l.sh.styles.Warn.Render
	case eventCompleted, eventRenewed, eventCommitted, eventRecovered:
		return l.sh.styles.Success.Render
	}
	return fmtPlain
}

func fmtPlain(s ...string) string { return strings.Join(s, "") }

// ShortHelp is the log's keys (q, which closes it, is the root's).
func (l *eventLog) ShortHelp() []key.Binding {
	k := l.sh.keys
	return []key.Binding{k.Up, k.Down}
}
