// Package keymap holds edmtop's key bindings and the help generated from
// them, so what the help says and what the keys do cannot drift apart.
package keymap

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of the dashboard.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Renew       key.Binding
	RenewMarked key.Binding
	Mark        key.Binding
	Cancel      key.Binding
	Commit      key.Binding
	Copy        key.Binding
	Filter      key.Binding
	Sort        key.Binding
	SortReverse key.Binding
	Confirm     key.Binding
	Details     key.Binding
	Errors      key.Binding
	Focus       key.Binding
	Close       key.Binding
	Refresh     key.Binding
	Pause       key.Binding
	Fleet       key.Binding
	Events      key.Binding
	Open        key.Binding
	Help        key.Binding
	Quit        key.Binding
}

// Default returns the standard bindings.
func Default() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Renew:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "renew")),
		RenewMarked: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "renew marked")),
		Mark:        key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		Cancel:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel session")),
		Commit:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "commit session")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy id")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		SortReverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Confirm:     key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Details:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Errors:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "errors")),
		Focus:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "scroll pane/table")),
		Close:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close pane")),
		Refresh:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh now")),
		Pause:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Fleet:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "fleet")),
		Events:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "event log")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open store")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help of the session table.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Renew, k.Details, k.Errors, k.Filter, k.Sort, k.Refresh, k.Pause, k.Help, k.Quit}
}

// FullHelp is the help screen of the session table, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Renew, k.Mark, k.RenewMarked, k.Cancel, k.Commit, k.Copy},
		{k.Details, k.Errors, k.Focus, k.Close, k.Filter, k.Sort, k.SortReverse},
		{k.Refresh, k.Pause, k.Fleet, k.Events, k.Help, k.Quit},
	}
}

// FleetHelp is the one-line help of the fleet screen.
func (k KeyMap) FleetHelp() []key.Binding {
	return []key.Binding{k.Open, k.Filter, k.Events, k.Refresh, k.Quit}
}
