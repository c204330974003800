package graphapi

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// Repeated strings are one copy, across collections too (a weak table
// would make the next page copy them again), and the table stays bounded.
func TestInternKeepsOneCopy(t *testing.T) {
	first := intern(strings.Clone("ProcessingInProgress"))
	runtime.GC()
	again := intern(strings.Clone("ProcessingInProgress"))
	if unsafe.StringData(first) != unsafe.StringData(again) {
		t.Error("the same state decoded twice is two copies")
	}
	a := internList([]string{"Id", "Email"})
	b := internList([]string{"Id", "Email"})
	if &a[0] != &b[0] {
		t.Error("the same fields decoded twice are two lists")
	}
	if c := internList([]string{"Id\x00Email"}); len(c) != 1 {
		t.Errorf("one field with a NUL got the list %q", c)
	}
	wide := make([]string, 300) // a schema too wide to key: shared name by name
	for i := range wide {
		wide[i] = fmt.Sprint("Column", i%3, "-", strings.Repeat("x", 20))
	}
	if got := internList(slices.Clone(wide)); unsafe.StringData(got[3]) != unsafe.StringData(internList(slices.Clone(wide))[0]) {
		t.Error("the names of a wide schema are not shared")
	}
	if long := strings.Repeat("x", maxInternedLen+1); unsafe.StringData(intern(long)) != unsafe.StringData(long) {
		t.Error("a long text was interned")
	}
	t.Cleanup(func() {
		interned.Lock()
		interned.strings, interned.lists, interned.lastList = nil, nil, nil
		interned.Unlock()
	})
	for i := range maxInterned + 10 {
		intern(fmt.Sprint("unique-", i))
	}
	if n := len(interned.strings); n > maxInterned {
		t.Errorf("%d strings interned, the bound is %d", n, maxInterned)
	}
}
