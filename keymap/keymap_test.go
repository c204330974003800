package keymap

import (
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
	for _, b := range append(k.ShortHelp(), k.PickerHelp()...) {
		if !containsBinding(k, b) {
			t.Errorf("short help lists %q, which is not in the full help", b.Help().Desc)
		}
	}
}

func containsBinding(k KeyMap, b key.Binding) bool {
	if b.Help() == k.Details.Help() || b.Help() == k.Open.Help() {
		return true
	}
	for _, g := range k.FullHelp() {
		for _, x := range g {
			if x.Help() == b.Help() {
				return true
			}
		}
	}
	return false
}
