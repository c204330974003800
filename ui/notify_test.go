package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
)

func TestCopyUsesOSC52(t *testing.T) {
	var term bytes.Buffer
	svc := newFake()
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow }, Terminal: &term})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	run(m, m.Init())
	t.Setenv("TMUX", "")
	t.Setenv("TERM", "xterm-256color")
	press(m, "y")
	if got := term.String(); got != "\x1b]52;c;cy1wcm9jZXNzaW5n\x07" {
		t.Errorf("OSC 52 = %q", got)
	}
	if v := m.View(); !strings.Contains(v, "sent session id s-processing to the terminal's clipboard") || strings.Contains(v, "copied") {
		t.Error("no word of what was sent, or a claim of success")
	}
	// Issue 18 item 1: tmux takes a plain OSC 52 (passthrough is off by
	// default in tmux 3.3+); only screen gets the wrapped form.
	for _, tc := range []struct{ tmux, term, prefix string }{
		{"/tmp/tmux-0/default,1,0", "tmux-256color", "\x1b]52;"},
		{"/tmp/tmux-0/default,1,0", "screen-256color", "\x1b]52;"},
		{"", "screen", "\x1bP\x1b]52;"},
	} {
		term.Reset()
		t.Setenv("TMUX", tc.tmux)
		t.Setenv("TERM", tc.term)
		press(m, "y")
		if !strings.HasPrefix(term.String(), tc.prefix) {
			t.Errorf("TMUX=%q TERM=%q: %q", tc.tmux, tc.term, term.String())
		}
	}
}

func TestNoticesAndBell(t *testing.T) {
	var term bytes.Buffer
	svc := newFake()
	svc.sessions[testStore] = sampleSessions()
	m := New(Options{Service: svc, StoreID: testStore, Renderer: asciiRenderer(), Now: func() time.Time { return testNow },
		Terminal: &term, Bell: true, Refresh: 10 * time.Second})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	run(m, m.Init())
	if term.Len() != 0 {
		t.Error("bell on the first load")
	}
	next := sampleSessions()
	next[0].State, next[0].RemainingJobCount = "Completed", cnt(0)
	next[0].LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
	next[1].State = "Failed"
	next[1].Error = &graphapi.ClassificationError{Code: "UploadAgentTimeout"}
	next[1].LastUpdatedDateTime = at("2026-11-28T09:04:30Z")
	svc.sessions[testStore] = next
	press(m, "ctrl+r")
	v := m.View()
	if !strings.Contains(v, "✓ employees-2026-11-28.EdmHash completed") || !strings.Contains(v, "✗ employees-delta.EdmHash failed (UploadAgentTimeout)") {
		t.Errorf("no notice:\n%s", v)
	}
	if term.String() != "\a" {
		t.Errorf("bell = %q", term.String())
	}
	// Already finished sessions do not ring again.
	term.Reset()
	press(m, "ctrl+r")
	if term.Len() != 0 {
		t.Error("rang again")
	}
}
