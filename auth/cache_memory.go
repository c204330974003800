//go:build !((darwin && cgo) || linux || windows)

// The complement of cache_persistent.go: no persistent token cache, so
// `GOOS=darwin CGO_ENABLED=0 go build` (release cross-builds, a Mac without
// Xcode's tools) still works, with tokens kept in memory.

package auth

import "github.com/Azure/azure-sdk-for-go/sdk/azidentity"

// NewPersistentCache is the platform's persistent token cache for
// Options.NewCache. This build has none: it returns ErrNoPersistentCache.
func NewPersistentCache() (azidentity.Cache, error) {
	return azidentity.Cache{}, ErrNoPersistentCache
}
