package auth

import (
	"errors"

	"github.com/edmtop/edmtop/termtext"
)

// ErrNoPersistentCache is NewPersistentCache's answer on a build that has no
// persistent token cache: macOS without cgo (the keychain needs cgo), or an
// OS azidentity/cache does not support. Tokens then live in memory only.
var ErrNoPersistentCache = errors.New("no persistent token cache in this build")

// cacheName isolates edmtop's tokens from other applications' caches.
const cacheName = "edmtop"

// tokenCacheText describes the token cache an interactive credential got,
// for `auth status`: err is NewCache's error, or nil when it made one.
func tokenCacheText(goos string, haveCache bool, err error) string {
	switch {
	case haveCache:
		return "persistent (" + persistentStore(goos) + ")"
	case errors.Is(err, ErrNoPersistentCache) && goos == "darwin":
		return "memory only (built without cgo)"
	case errors.Is(err, ErrNoPersistentCache):
		return "memory only (no persistent cache on " + goos + ")"
	case err != nil:
		return "memory only (" + termtext.OneLine(firstLines(err.Error(), 1)) + ")"
	}
	return "memory only"
}

// persistentStore names where azidentity/cache keeps tokens on goos.
func persistentStore(goos string) string {
	switch goos {
	case "darwin":
		return "macOS keychain"
	case "windows":
		return "DPAPI-encrypted file"
	case "linux":
		return "encrypted file, key in the kernel user keyring"
	}
	return goos
}
