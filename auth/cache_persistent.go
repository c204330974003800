//go:build (darwin && cgo) || linux || windows

// azidentity/cache supports these platforms; on macOS its keychain accessor
// needs cgo. cache_memory.go covers the rest.

package auth

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity/cache"
)

// NewPersistentCache is the platform's persistent token cache for
// Options.NewCache: the macOS keychain, a DPAPI-encrypted file on Windows,
// an encrypted file keyed from the kernel keyring on Linux. It returns
// ErrNoPersistentCache on a build without one (macOS without cgo), and
// azidentity's error when the store is unusable (a locked keychain, no
// keyring in a container).
func NewPersistentCache() (azidentity.Cache, error) {
	return cache.New(&cache.Options{Name: cacheName})
}
