package keymap

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
)

// Every binding needs keys and help text, and no two table actions may share
// a key (enter is shared by Details and Open, which never apply together).
func TestBindingsAreDistinctAndDocumented(t *testing.T) {
	k := Default()
	seen := map[string]string{}
	for _, group := range k.FullHelp() {
		for _, b := range group {
			h := b.Help()
			if len(b.Keys()) == 0 || h.Key == "" || h.Desc == "" {
				t.Errorf("binding %+v lacks keys or help", h)
			}
			for _, name := range b.Keys() {
				if other, dup := seen[name]; dup {
					t.Errorf("key %q bound to both %q and %q", name, other, h.Desc)
				}
				seen[name] = h.Desc
			}
		}
	}
	for _, b := range append(k.ShortHelp(), k.FleetHelp()...) {
		if !containsBinding(k, b) {
			t.Errorf("short help lists %q, which is not in the full help", b.Help().Desc)
		}
	}
}

// containsBinding: a footer's hint is a binding of the full help (or the
// fleet's open), perhaps in brief.
func containsBinding(k KeyMap, b key.Binding) bool {
	if slices.Equal(b.Keys(), k.Open.Keys()) {
		return true
	}
	for _, g := range k.FullHelp() {
		for _, x := range g {
			if slices.Equal(x.Keys(), b.Keys()) {
				return true
			}
		}
	}
	return false
}

// A footer shows a binding's first key and a shorter word; the help keeps
// every key.
func TestBrief(t *testing.T) {
	k := Default()
	for _, tc := range []struct {
		b         key.Binding
		desc, key string
	}{
		{k.Open, "open", "enter"},
		{k.Up, "up", "↑"},
		{k.Filter, "filter", "/"},
		{k.Refresh, "refresh", "ctrl+r"},
	} {
		b := Brief(tc.b, tc.desc)
		if h := b.Help(); h.Key != tc.key || h.Desc != tc.desc || !slices.Equal(b.Keys(), tc.b.Keys()) {
			t.Errorf("Brief(%q) = %+v %v, want key %q", tc.b.Help().Key, h, b.Keys(), tc.key)
		}
	}
	if h := k.Open.Help(); h.Key != "enter/l/→" {
		t.Errorf("the help lost open's keys: %+v", h)
	}
}

// On a store, enter toggles the details and open's other keys (l, →) open
// them; rebinding open keeps that split.
func TestOpenDetails(t *testing.T) {
	k := Default()
	if b := k.OpenDetails(); !slices.Equal(b.Keys(), []string{"l", "right"}) || b.Help().Key != "l/→" {
		t.Errorf("open details: %v %+v", b.Keys(), b.Help())
	}
	if err := k.Apply(map[string][]string{"open": {"enter", "o"}}); err != nil {
		t.Fatal(err)
	}
	if b := k.OpenDetails(); !slices.Equal(b.Keys(), []string{"o"}) || b.Help().Key != "o" {
		t.Errorf("open details after a rebinding: %v %+v", b.Keys(), b.Help())
	}
}

// ":" (a command mode, elsewhere) says there is none, unless an action
// takes the key.
func TestCommandGivesWayToAnAction(t *testing.T) {
	k := Default()
	if !k.Command.Enabled() {
		t.Fatal("the command hint is off by default")
	}
	if err := k.Apply(map[string][]string{"filter": {":"}}); err != nil {
		t.Fatal(err)
	}
	if k.Command.Enabled() {
		t.Error("the command hint still takes \":\", bound to filter")
	}
}

// h/← go back and l/→ open: a key bound elsewhere to one of them clashes.
func TestNavigationKeysClash(t *testing.T) {
	for _, tc := range []struct {
		o    map[string][]string
		want string
	}{
		{map[string][]string{"renew": {"h"}}, `key "h" is bound to both close and renew`},
		{map[string][]string{"errors": {"l"}}, `key "l" is bound to both errors and open`},
		{map[string][]string{"filter": {"right"}}, `key "right" is bound to both filter and open`},
	} {
		k := Default()
		if err := k.Apply(tc.o); err == nil || err.Error() != tc.want {
			t.Errorf("%v: got %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	k := Default()
	if err := k.Apply(map[string][]string{"renew": {"n"}, "quit": {"q", "ctrl+q"}}); err != nil {
		t.Fatal(err)
	}
	if got := k.Renew.Keys(); len(got) != 1 || got[0] != "n" || k.Renew.Help().Key != "n" || k.Renew.Help().Desc != "renew" {
		t.Errorf("renew: %v %+v", got, k.Renew.Help())
	}
	if k.Quit.Help().Key != "q/ctrl+q" {
		t.Errorf("quit help: %+v", k.Quit.Help())
	}
	cases := map[string]struct {
		o    map[string][]string
		want string
	}{
		"conflict":       {map[string][]string{"renew": {"p"}}, `key "p" is bound to both pause and renew`},
		"conflict moved": {map[string][]string{"refresh": {"j"}}, `key "j" is bound to both down and refresh`},
		"unknown action": {map[string][]string{"explode": {"x"}}, `unknown action "explode"`},
		"empty":          {map[string][]string{"renew": {}}, "no keys"},
		"blank key":      {map[string][]string{"renew": {" "}}, "empty key"},
	}
	for name, tc := range cases {
		k := Default()
		if err := k.Apply(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	// enter is shared by details (table) and open (fleet): not a conflict.
	k = Default()
	if err := k.Apply(map[string][]string{"open": {"enter", "o"}}); err != nil {
		t.Errorf("open+enter: %v", err)
	}
}

// The fleet screen's key was the "stores" action: a config file written
// then still rebinds it, and only the new name is listed.
func TestFormerActionNameStillApplies(t *testing.T) {
	for _, name := range []string{"fleet", "stores"} {
		k := Default()
		if err := k.Apply(map[string][]string{name: {"F"}}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := k.Fleet.Keys(); len(got) != 1 || got[0] != "F" || k.Fleet.Help().Desc != "fleet" {
			t.Errorf("%s: keys %v, help %+v", name, got, k.Fleet.Help())
		}
	}
	names := strings.Join(Default().ActionNames(), ",")
	if !strings.Contains(names, "fleet") || strings.Contains(names, "stores") {
		t.Errorf("actions listed: %s", names)
	}
}
