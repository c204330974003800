// Package keymap holds edmtop's key bindings and the help generated from
// them, so what the help says and what the keys do cannot drift apart.
package keymap

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of the dashboard.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Renew   key.Binding
	Details key.Binding
	Errors  key.Binding
	Focus   key.Binding
	Close   key.Binding
	Refresh key.Binding
	Pause   key.Binding
	Stores  key.Binding
	Open    key.Binding
	Help    key.Binding
	Quit    key.Binding
}

// Default returns the standard bindings.
func Default() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Renew:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "renew")),
		Details:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Errors:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "errors")),
		Focus:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "scroll pane/table")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close pane")),
		Refresh:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh now")),
		Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Stores:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "data stores")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open store")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help of the session table.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Renew, k.Details, k.Errors, k.Refresh, k.Pause, k.Help, k.Quit}
}

// FullHelp is the help screen of the session table, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Renew, k.Details, k.Errors, k.Focus, k.Close},
		{k.Refresh, k.Pause, k.Stores, k.Help, k.Quit},
	}
}

// PickerHelp is the one-line help of the data store picker.
func (k KeyMap) PickerHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Refresh, k.Quit}
}
