package auth

import (
	"errors"
	"go/build"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The persistent cache must be left out exactly where azidentity/cache does
// not build (macOS without cgo, OSes it does not support), and kept
// everywhere else: GOOS=darwin CGO_ENABLED=0 go build failed inside it.
func TestPersistentCacheBuildConstraints(t *testing.T) {
	const cachePkg = "github.com/Azure/azure-sdk-for-go/sdk/azidentity/cache"
	cases := []struct {
		goos       string
		cgo        bool
		persistent bool
	}{
		{"darwin", false, false},
		{"darwin", true, true},
		{"linux", false, true},
		{"linux", true, true},
		{"windows", false, true},
		{"freebsd", false, false},
	}
	for _, tc := range cases {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = tc.goos, "arm64", tc.cgo
		p, err := ctx.ImportDir(".", 0)
		if err != nil {
			t.Fatalf("%s cgo=%v: %v", tc.goos, tc.cgo, err)
		}
		hasPersistent := slices.Contains(p.GoFiles, "cache_persistent.go")
		hasMemory := slices.Contains(p.GoFiles, "cache_memory.go")
		if hasPersistent != tc.persistent || hasMemory == tc.persistent {
			t.Errorf("%s cgo=%v: files %v, want persistent=%v", tc.goos, tc.cgo, p.GoFiles, tc.persistent)
		}
		if got := slices.Contains(p.Imports, cachePkg); got != tc.persistent {
			t.Errorf("%s cgo=%v: imports azidentity/cache = %v", tc.goos, tc.cgo, got)
		}
	}
}

func TestTokenCacheText(t *testing.T) {
	cases := []struct {
		goos string
		have bool
		err  error
		want string
	}{
		{"darwin", true, nil, "persistent (macOS keychain)"},
		{"windows", true, nil, "persistent (DPAPI-encrypted file)"},
		{"darwin", false, ErrNoPersistentCache, "memory only (built without cgo)"},
		{"freebsd", false, ErrNoPersistentCache, "memory only (no persistent cache on freebsd)"},
		{"linux", false, errors.New("persistent storage isn't available\x1b[2J\nsecond line"), "memory only (persistent storage isn't available"},
		{"linux", false, nil, "memory only"},
	}
	for _, tc := range cases {
		got := tokenCacheText(tc.goos, tc.have, tc.err)
		if !strings.HasPrefix(got, tc.want) || strings.ContainsAny(got, "\x1b\n") || strings.Contains(got, "second") {
			t.Errorf("%s %v %v: %q, want %q", tc.goos, tc.have, tc.err, got, tc.want)
		}
	}
}

func TestCredentialSaysWhereTokensAreKept(t *testing.T) {
	global, _ := LookupCloud("global")
	none := func() (azidentity.Cache, error) { return azidentity.Cache{}, ErrNoPersistentCache }
	made := func() (azidentity.Cache, error) { return azidentity.Cache{}, nil }
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"device without a cache", Options{Mode: ModeDevice, NewCache: none}, "memory only ("},
		{"browser with a cache", Options{Mode: ModeBrowser, NewCache: made}, "persistent ("},
		{"device, no NewCache", Options{Mode: ModeDevice}, "memory only"},
		{"cli", Options{Mode: ModeCLI, NewCache: made}, "kept by the Azure CLI"},
		{"managed identity", Options{Mode: ModeManagedIdentity, NewCache: made}, "memory only"},
	}
	for _, tc := range cases {
		tc.o.Cloud = global
		c, err := New(tc.o)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.HasPrefix(c.TokenCache, tc.want) {
			t.Errorf("%s: TokenCache = %q, want %q…", tc.name, c.TokenCache, tc.want)
		}
	}
}
