// The store list: the data stores visible to the account, shown when no
// store is open (and on d). Choosing one sends openStoreMsg to the root.

package ui

import (
	"fmt"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
	"github.com/edmtop/edmtop/termtext"
)

// openStoreMsg asks the root to open a store's sessions.
type openStoreMsg struct{ store graphapi.DataStore }

// backToStoreMsg asks the root to return to the store that is open.
type backToStoreMsg struct{}

type storeList struct {
	sh      *shared
	stores  []graphapi.DataStore
	cursor  int
	err     error // the last listing's failure, shown while there are no stores
	loaded  bool  // a listing has arrived
	loading bool
	// current is the open store, "" when none: the cursor starts on it and
	// esc goes back to it.
	current string
	width   int
	height  int // rows of stores visible
}

func newStoreList(sh *shared) *storeList { return &storeList{sh: sh} }

func (s *storeList) SetSize(w, h int) { s.width, s.height = w, max(h, 1) }

// SetCurrent tells the list which store is open.
func (s *storeList) SetCurrent(id string) { s.current = id }

// SetLoading says a listing is in flight.
func (s *storeList) SetLoading(on bool) { s.loading = on }

// SetStores takes a listing (or its failure), keeping the cursor on the open
// store when it is listed.
func (s *storeList) SetStores(stores []graphapi.DataStore, err error) {
	s.loading = false
	if err != nil {
		s.err = err
		return
	}
	s.err, s.stores, s.loaded = nil, stores, true
	if i := slices.IndexFunc(stores, func(d graphapi.DataStore) bool { return d.ID == s.current }); i >= 0 {
		s.cursor = i
	}
	s.cursor = min(s.cursor, max(len(stores)-1, 0))
}

// Summary is the header's count: "3 stores".
func (s *storeList) Summary() string {
	return fmt.Sprintf("%d store%s", len(s.stores), pick(len(s.stores) == 1, "", "s"))
}

// top is the first store shown: the window follows the cursor. The one
// scroll computation, for drawing and for clicks.
func (s *storeList) top() int { return max(0, s.cursor-s.height+1) }

// Update moves the cursor (keys, wheel, click; y counts from the column
// header) and opens the store under it.
func (s *storeList) Update(msg tea.Msg) tea.Cmd {
	last := max(len(s.stores)-1, 0)
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := s.sh.keys
		switch {
		case key.Matches(msg, k.Up):
			s.cursor = max(s.cursor-1, 0)
		case key.Matches(msg, k.Down):
			s.cursor = min(s.cursor+1, last)
		case key.Matches(msg, k.Home):
			s.cursor = 0
		case key.Matches(msg, k.End):
			s.cursor = last
		case key.Matches(msg, k.Open) && len(s.stores) > 0:
			store := s.stores[s.cursor]
			return func() tea.Msg { return openStoreMsg{store: store} }
		case key.Matches(msg, k.Close) && s.current != "":
			return func() tea.Msg { return backToStoreMsg{} }
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			s.cursor = max(s.cursor-1, 0)
		case tea.MouseButtonWheelDown:
			s.cursor = min(s.cursor+1, last)
		case tea.MouseButtonLeft:
			if i := s.top() + msg.Y - 1; msg.Y >= 1 && i < len(s.stores) {
				s.cursor = i
			}
		}
	}
	return nil
}

// View is the column header and the stores that fit, or why there are none.
func (s *storeList) View() string { return joinLines(s.lines()) }

func (s *storeList) lines() []string {
	st := s.sh.styles
	lines := []string{st.Header.Render(" " + fit("DATA STORE", 28) + " " + fit("ID", 36) + " " + fit("UPDATED", 9) + " DESCRIPTION")}
	switch {
	case len(s.stores) == 0 && s.err != nil:
		return append(lines, loadFailure(st, s.width, "Could not list the data stores.", s.err)...)
	case len(s.stores) == 0 && (s.loading || !s.loaded):
		return append(lines, " "+s.sh.frame()+" Loading data stores…")
	case len(s.stores) == 0:
		return append(lines, st.Muted.Render(" No EDM data stores are visible to this account."),
			st.Muted.Render(" Uploading and reading EDM sessions needs membership of the EDM_DataUploaders group."))
	}
	top := s.top()
	for i := top; i < min(len(s.stores), top+s.height); i++ {
		d := s.stores[i]
		name := termtext.OneLine(d.DisplayName)
		if name == "" {
			name = "(unnamed)"
		}
		text := fit(name, 28) + " " + fit(termtext.OneLine(d.ID), 36) + " " +
			fitRight(present.Ago(d.DataLastUpdatedDateTime.Time, s.sh.clock), 9) + " " + termtext.OneLine(d.Description)
		if i == s.cursor {
			lines = append(lines, st.selectedP.around(">"+padLine(text, s.width-1)))
		} else {
			lines = append(lines, " "+text)
		}
	}
	return lines
}

// ShortHelp is the list's keys; esc goes back when a store is open.
func (s *storeList) ShortHelp() []key.Binding {
	keys := s.sh.keys.PickerHelp()
	if s.current != "" {
		back := s.sh.keys.Close
		back.SetHelp(back.Help().Key, "back to the store")
		keys = append(keys, back)
	}
	return keys
}

// FullHelp is the list's own keys for the help screen (not the table's).
func (s *storeList) FullHelp() [][]key.Binding {
	k := s.sh.keys
	return [][]key.Binding{{k.Up, k.Down, k.Home, k.End}, append(s.ShortHelp()[2:], k.Help)}
}
