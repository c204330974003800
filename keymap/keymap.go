// Package keymap holds edmtop's key bindings and the help generated from
// them, so what the help says and what the keys do cannot drift apart.
package keymap

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

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
	Command     key.Binding
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
		Cancel:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel")),
		Commit:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "commit")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy id")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		SortReverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Confirm:     key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Details:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Errors:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "errors")),
		Focus:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "scroll pane/table")),
		// Close goes back one step, as q does, but never quits.
		Close:   key.NewBinding(key.WithKeys("esc", "h", "left"), key.WithHelp("esc/h/←", "back")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh now")),
		Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Fleet:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "fleet")),
		Events:  key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "event log")),
		// Open goes in: a store from the fleet; on a store l and → open the
		// details (enter toggles them).
		Open: key.NewBinding(key.WithKeys("enter", "l", "right"), key.WithHelp("enter/l/→", "open store")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		// Quit goes back one step, and quits at the top.
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		// Command is ":", which k9s users try first: there is no command
		// mode, and the key says so rather than doing nothing.
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "commands")),
	}
}

// ShortHelp is a store's footer, in the order its hints give way (from
// the end): the selected row's actions, the panes, the screen's keys. The
// screen leaves out what does not apply; ? and q always show.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Renew, k.Cancel, k.Commit, k.Details, k.Errors, k.Mark, k.Copy, k.RenewMarked,
		k.Fleet, k.Filter, k.Sort, Brief(k.Refresh, "refresh"), Brief(k.Pause, "pause")}
}

// FullHelp is the help screen of a store, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Renew, k.Mark, k.RenewMarked, k.Cancel, k.Commit, k.Copy},
		{k.Details, k.OpenDetails(), k.Errors, k.Focus, k.Filter, k.Sort, k.SortReverse},
		{k.Refresh, k.Pause, k.Fleet, k.Events, k.Help, k.Close, k.Quit},
	}
}

// OpenDetails is Open as a store's help lists it: its keys besides enter
// (which toggles the details) open them.
func (k KeyMap) OpenDetails() key.Binding {
	b := k.Open
	var keys []string
	for _, name := range b.Keys() {
		if !slices.Contains(k.Details.Keys(), name) {
			keys = append(keys, name)
		}
	}
	b.SetKeys(keys...)
	b.SetHelp(strings.TrimPrefix(b.Help().Key, k.Details.Help().Key+"/"), "open details")
	return b
}

// FleetHelp is the fleet's footer; ? and q always show.
func (k KeyMap) FleetHelp() []key.Binding {
	return []key.Binding{Brief(k.Open, "open"), k.Filter, k.Events, Brief(k.Refresh, "refresh"), Brief(k.Pause, "pause")}
}

// Brief is b as a footer shows it: its first key and a shorter word
// ("enter open" for "enter/l/→ open store").
func Brief(b key.Binding, desc string) key.Binding {
	k := b.Help().Key
	if first, _, ok := strings.Cut(k, "/"); ok && first != "" {
		k = first
	}
	b.SetHelp(k, desc)
	return b
}
