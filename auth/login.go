package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// `edmtop auth login` and `auth logout`, as gh has them. A login is an
// interactive sign-in (device code or browser) whose record is saved as
// an interactive start saves it, marked as a login: --auth auto then uses
// it before the default chain (after EDMTOP_TOKEN). A logout removes the
// record and, when no other saved sign-in needs it, the token cache.

// Account is who a login signed in as, and where the record is.
type Account struct {
	Username, TenantID string
	RecordPath         string
}

// Login signs in interactively whatever is cached (another account, say),
// within timeout, and saves the record as a login for the next start.
func (c *Credential) Login(ctx context.Context, scope string, timeout time.Duration) (Account, error) {
	a, ok := c.TokenCredential.(authenticator)
	if !ok || (c.Mode != ModeDevice && c.Mode != ModeBrowser) {
		return Account{}, fmt.Errorf("--auth %s has no interactive sign-in: use device or browser", c.Mode)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	record, err := a.Authenticate(ctx, &policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return Account{}, Explain(c.Mode, err)
	}
	if c.recordPath != "" {
		if err := saveRecord(c.recordPath, record, c.Mode); err != nil {
			return Account{}, fmt.Errorf("signed in, but could not save the sign-in record: %w", err)
		}
	}
	c.fresh, c.login, c.Saved = false, c.Mode, true
	return Account{Username: record.Username, TenantID: record.TenantID, RecordPath: c.recordPath}, nil
}

// Logout is what a logout removed, or why it kept something.
type Logout struct {
	// Records are the sign-in records removed, and Accounts who each was
	// for ("" when its record could not be read).
	Records, Accounts []string
	// Cache lists the token cache's files removed.
	Cache []string
	// CacheKept says why the token cache stays, when it does.
	CacheKept string
}

// Nothing says whether the logout found nothing to remove.
func (l Logout) Nothing() bool { return len(l.Records) == 0 && len(l.Cache) == 0 }

// LogOut removes the sign-in record of o's cloud, tenant and client (all
// of edmtop's records with all), then the token cache unless another
// record remains (the cache is one per user: it holds every sign-in's
// tokens). It contacts nothing.
func LogOut(o Options, all bool) (Logout, error) {
	var out Logout
	if o.StateDir == "" {
		return out, errors.New("no state directory: set XDG_STATE_HOME or HOME")
	}
	records, err := filepath.Glob(filepath.Join(o.StateDir, "auth-record-*.json"))
	if err != nil {
		return out, err
	}
	remove := []string{filepath.Join(o.StateDir, recordName(o))}
	if all {
		remove = slices.Clone(records)
	}
	for _, path := range remove {
		r, _, _ := loadRecord(path)
		if err := os.Remove(path); errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return out, err
		}
		records = slices.DeleteFunc(records, func(p string) bool { return p == path })
		out.Records, out.Accounts = append(out.Records, path), append(out.Accounts, r.Username)
	}
	if len(records) > 0 {
		out.CacheKept = fmt.Sprintf("%d other saved %s %s it (%s)", len(records), plural(len(records), "sign-in", "sign-ins"),
			plural(len(records), "uses", "use"), strings.Join(baseNames(records), ", "))
		return out, nil
	}
	out.Cache, out.CacheKept, err = removeTokenCache(runtime.GOOS, o.getenv())
	return out, err
}

func (o Options) getenv() func(string) string {
	if o.Getenv != nil {
		return o.Getenv
	}
	return os.Getenv
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// removeTokenCache removes the files of edmtop's persistent token cache
// (cache_persistent.go: azidentity/cache named "edmtop", and its ".cae"
// twin, with their lock files). On macOS the tokens are in the keychain,
// which only the keychain's own tools remove: kept says so.
func removeTokenCache(goos string, getenv func(string) string) (removed []string, kept string, err error) {
	dir := tokenCacheDir(goos, getenv)
	if dir == "" {
		return nil, "", nil
	}
	for _, name := range []string{cacheName, cacheName + ".cae"} {
		for _, file := range []string{name, name + ".lockfile"} {
			path := filepath.Join(dir, file)
			if err := os.Remove(path); err == nil {
				removed = append(removed, path)
			} else if !errors.Is(err, os.ErrNotExist) {
				return removed, "", err
			}
		}
	}
	if goos == "darwin" {
		kept = "on macOS the tokens are in the login keychain (items named " + cacheName + "): Keychain Access removes them"
	}
	return removed, kept, nil
}

// tokenCacheDir is where azidentity/cache keeps the cache's files on goos:
// $XDG_CACHE_HOME or ~/.cache on Linux, %LOCALAPPDATA% on Windows, the
// home directory on macOS (lock files only), each under .IdentityService.
func tokenCacheDir(goos string, getenv func(string) string) string {
	var base string
	switch goos {
	case "linux":
		if base = getenv("XDG_CACHE_HOME"); base == "" {
			if home, err := os.UserHomeDir(); err == nil {
				base = filepath.Join(home, ".cache")
			}
		}
	case "windows":
		base = getenv("LOCALAPPDATA")
	case "darwin":
		base, _ = os.UserHomeDir()
	}
	if base == "" {
		return ""
	}
	return filepath.Join(base, ".IdentityService")
}
