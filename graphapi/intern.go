package graphapi

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// interned holds one copy of each short string that repeats across
// sessions (store id, state, agent id, column names, error codes and
// texts), so 10,000 sessions hold one copy instead of 10,000. The table
// holds its strings strongly (a weak one, like package unique's, forgets
// them at each collection, when the next page makes its own copies) and
// is bounded: past maxInterned strings, new ones are no longer added.
var interned struct {
	sync.Mutex
	strings  map[string]string
	lists    map[string][]string
	lastList []string // the list last shared, tried first
}

const (
	maxInterned        = 1 << 12
	maxInternedLen     = 256
	maxInternedListLen = 4096
)

func intern(s string) string {
	if s == "" || len(s) > maxInternedLen {
		return s
	}
	interned.Lock()
	defer interned.Unlock()
	if c, ok := interned.strings[s]; ok {
		return c
	}
	return internLocked(s)
}

// internBytes is intern(string(b)) that copies b only when its text is
// not interned yet.
func internBytes(b []byte) string {
	if len(b) == 0 || len(b) > maxInternedLen {
		return string(b)
	}
	interned.Lock()
	defer interned.Unlock()
	if c, ok := interned.strings[string(b)]; ok { // no copy: a lookup
		return c
	}
	return internLocked(string(b))
}

func internLocked(s string) string {
	if interned.strings == nil {
		interned.strings = map[string]string{}
	}
	if len(interned.strings) < maxInterned {
		interned.strings[s] = s
	}
	return s
}

// internList is intern for a list (a session's fields, the same for every
// upload to a store): sessions share one slice, which must not be written.
// A list too long to key is shared name by name instead.
func internList(list []string) []string {
	if len(list) == 0 {
		return list
	}
	interned.Lock()
	last := interned.lastList
	interned.Unlock()
	if slices.Equal(list, last) { // a store's uploads mostly share their fields
		return last
	}
	var key strings.Builder
	for _, name := range list {
		key.WriteString(strconv.Itoa(len(name))) // length-prefixed: no two lists share a key
		key.WriteByte(':')
		key.WriteString(name)
	}
	if key.Len() > maxInternedListLen {
		for i, name := range list {
			list[i] = intern(name)
		}
		return list
	}
	interned.Lock()
	defer interned.Unlock()
	if c, ok := interned.lists[key.String()]; ok {
		interned.lastList = c
		return c
	}
	if interned.lists == nil {
		interned.lists = map[string][]string{}
	}
	if len(interned.lists) < maxInterned {
		list = slices.Clip(list)
		interned.lists[key.String()], interned.lastList = list, list
	}
	return list
}
