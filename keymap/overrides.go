package keymap

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// actions maps the names used in the config file to bindings.
func (k *KeyMap) actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page-up": &k.PageUp, "page-down": &k.PageDown,
		"home": &k.Home, "end": &k.End, "renew": &k.Renew, "details": &k.Details,
		"errors": &k.Errors, "focus": &k.Focus, "close": &k.Close, "refresh": &k.Refresh,
		"pause": &k.Pause, "fleet": &k.Fleet, "events": &k.Events, "open": &k.Open, "help": &k.Help, "quit": &k.Quit,
		"renew-marked": &k.RenewMarked, "mark": &k.Mark, "cancel": &k.Cancel, "commit": &k.Commit,
		"copy": &k.Copy, "filter": &k.Filter, "sort": &k.Sort, "sort-reverse": &k.SortReverse,
	}
}

// formerNames are actions renamed since a config file may have been
// written: the old name still rebinds the action, and is not listed.
var formerNames = map[string]string{"stores": "fleet"}

// ActionNames lists the actions that can be rebound.
func (k KeyMap) ActionNames() []string {
	names := make([]string, 0, 20)
	for n := range k.actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Apply rebinds actions (action name → keys). Unknown actions, empty key
// lists and one key bound to two actions of the same screen are errors
// naming what clashed.
func (k *KeyMap) Apply(overrides map[string][]string) error {
	acts := k.actions()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := acts[name]
		if !ok && formerNames[name] != "" {
			b, ok = acts[formerNames[name]]
		}
		if !ok {
			return fmt.Errorf("unknown action %q (actions: %s)", name, strings.Join(k.ActionNames(), ", "))
		}
		keys := overrides[name]
		if len(keys) == 0 {
			return fmt.Errorf("action %q has no keys", name)
		}
		for _, key := range keys {
			if strings.TrimSpace(key) == "" {
				return fmt.Errorf("action %q has an empty key", name)
			}
		}
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	for _, b := range acts {
		if slices.Contains(b.Keys(), ":") {
			k.Command.SetEnabled(false) // the hint gives way to an action
		}
	}
	return k.conflicts()
}

// conflicts checks each screen's bindings for a key used twice.
func (k *KeyMap) conflicts() error {
	byName := map[*key.Binding]string{}
	for n, b := range k.actions() {
		byName[b] = n
	}
	// On a store, open has the keys OpenDetails leaves it: enter toggles
	// the details, open's other keys open them.
	openDetails := k.OpenDetails()
	byName[&openDetails] = "open"
	screens := [][]*key.Binding{
		{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Home, &k.End, &k.Renew, &k.RenewMarked, &k.Mark, &k.Cancel, &k.Commit,
			&k.Copy, &k.Filter, &k.Sort, &k.SortReverse, &k.Details, &openDetails, &k.Errors, &k.Focus, &k.Close, &k.Refresh, &k.Pause,
			&k.Fleet, &k.Events, &k.Help, &k.Quit},
		{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Home, &k.End, &k.Open, &k.Filter, &k.Close, &k.Refresh, &k.Pause,
			&k.Events, &k.Help, &k.Quit},
	}
	for _, screen := range screens {
		owner := map[string]string{}
		for _, b := range screen {
			for _, key := range b.Keys() {
				if other, dup := owner[key]; dup && other != byName[b] {
					pair := []string{other, byName[b]}
					slices.Sort(pair)
					return &ConflictError{Key: key, Actions: [2]string{pair[0], pair[1]}}
				}
				owner[key] = byName[b]
			}
		}
	}
	return nil
}

// ConflictError is one key bound to two actions of the same screen.
type ConflictError struct {
	Key     string
	Actions [2]string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("key %q is bound to both %s and %s", e.Key, e.Actions[0], e.Actions[1])
}
