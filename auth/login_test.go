package auth

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A login signs in even with a record, saves it marked as a login, and
// --auth auto then uses it (after EDMTOP_TOKEN); a record an interactive
// start saved does not change what auto uses.
func TestLoginIsWhatAutoUses(t *testing.T) {
	global, _ := LookupCloud("global")
	state := t.TempDir()
	o := Options{Mode: ModeBrowser, Cloud: global, StateDir: state, Getenv: env(nil)}

	// An interactive start's record: auto stays the chain.
	start, err := New(Options{Mode: ModeDevice, Cloud: global, StateDir: state, Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	start.TokenCredential = &fakeInteractive{}
	if _, err := start.SignIn(context.Background(), global.Scope(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if c, _ := New(Options{Mode: ModeAuto, Cloud: global, StateDir: state, Getenv: env(nil)}); c.Mode != ModeAuto || c.Saved {
		t.Fatalf("a start's record made auto %s (saved %v)", c.Mode, c.Saved)
	}

	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeInteractive{}
	c.TokenCredential = fake
	acct, err := c.Login(context.Background(), global.Scope(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if fake.authenticated != 1 || acct.Username != "admin@contoso.com" || acct.RecordPath != filepath.Join(state, "auth-record-global-organizations-default-client.json") {
		t.Errorf("authenticated %d times, account %+v", fake.authenticated, acct)
	}
	b, _ := os.ReadFile(acct.RecordPath)
	if !strings.Contains(string(b), `"edmtopLogin": "browser"`) || !strings.Contains(string(b), `"username": "admin@contoso.com"`) {
		t.Errorf("record:\n%s", b)
	}
	auto, err := New(Options{Mode: ModeAuto, Cloud: global, StateDir: state, Getenv: env(nil)})
	if err != nil || auto.Mode != ModeBrowser || !auto.Saved || auto.fresh {
		t.Fatalf("auto after a login: %+v, %v", auto, err)
	}
	// The token wins, as ever; another tenant has no login.
	if c, _ := New(Options{Mode: ModeAuto, Cloud: global, StateDir: state, Getenv: env(map[string]string{"EDMTOP_TOKEN": secretToken})}); c.Mode != ModeToken {
		t.Errorf("EDMTOP_TOKEN: %s", c.Mode)
	}
	if c, _ := New(Options{Mode: ModeAuto, Cloud: global, TenantID: "fabrikam.com", StateDir: state, Getenv: env(nil)}); c.Mode != ModeAuto {
		t.Errorf("another tenant: %s", c.Mode)
	}
	// A start that has to sign in again keeps the mark.
	again := &expiringInteractive{}
	auto.TokenCredential = again
	if _, err := auto.SignIn(context.Background(), global.Scope(), time.Minute); err != nil || again.authenticated != 1 {
		t.Fatalf("sign-in again: %v, %d", err, again.authenticated)
	}
	if c, _ := New(Options{Mode: ModeAuto, Cloud: global, StateDir: state, Getenv: env(nil)}); c.Mode != ModeBrowser {
		t.Errorf("the login's mark was lost: auto is %s", c.Mode)
	}
}

func TestLoginRefusesOtherModes(t *testing.T) {
	c, err := New(Options{Mode: ModeToken, Getenv: env(map[string]string{"EDMTOP_TOKEN": secretToken})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), "s", time.Minute); err == nil || !strings.Contains(err.Error(), "use device or browser") {
		t.Errorf("got %v", err)
	}
}

func TestLogOut(t *testing.T) {
	global, _ := LookupCloud("global")
	usgov, _ := LookupCloud("usgov")
	setup := func(t *testing.T, records ...string) (Options, string, []string) {
		state, cache := t.TempDir(), t.TempDir()
		for _, r := range records {
			if err := os.WriteFile(filepath.Join(state, r), []byte(`{"username":"u@`+r+`"}`), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var files []string
		for _, f := range []string{"edmtop", "edmtop.lockfile", "edmtop.cae", "other-app"} {
			files = append(files, filepath.Join(cache, ".IdentityService", f))
			_ = os.MkdirAll(filepath.Dir(files[len(files)-1]), 0o700)
			_ = os.WriteFile(files[len(files)-1], []byte("x"), 0o600)
		}
		return Options{Cloud: global, StateDir: state, Getenv: env(map[string]string{"XDG_CACHE_HOME": cache})}, state, files
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	mine, theirs := "auth-record-global-organizations-default-client.json", "auth-record-usgov-organizations-default-client.json"
	if recordName(Options{Cloud: usgov}) != theirs {
		t.Fatal(recordName(Options{Cloud: usgov}))
	}

	t.Run("the last sign-in: record and cache", func(t *testing.T) {
		o, state, files := setup(t, mine)
		l, err := LogOut(o, false)
		if err != nil || len(l.Records) != 1 || l.Records[0] != filepath.Join(state, mine) || l.Accounts[0] != "u@"+mine {
			t.Fatalf("%+v, %v", l, err)
		}
		if runtimeHasCacheFiles() && (len(l.Cache) != 3 || exists(files[0]) || exists(files[2]) || !exists(files[3])) {
			t.Errorf("cache: %v", l.Cache)
		}
		if exists(filepath.Join(state, mine)) || l.Nothing() {
			t.Error("record kept")
		}
	})
	t.Run("another sign-in keeps the cache", func(t *testing.T) {
		o, state, files := setup(t, mine, theirs)
		l, err := LogOut(o, false)
		if err != nil || len(l.Records) != 1 || len(l.Cache) != 0 || !strings.Contains(l.CacheKept, "1 other saved sign-in uses it ("+theirs+")") {
			t.Fatalf("%+v, %v", l, err)
		}
		if !exists(filepath.Join(state, theirs)) || !exists(files[0]) {
			t.Error("removed what another sign-in needs")
		}
	})
	t.Run("all", func(t *testing.T) {
		o, state, _ := setup(t, mine, theirs)
		l, err := LogOut(o, true)
		if err != nil || len(l.Records) != 2 || l.CacheKept != "" && runtimeHasCacheFiles() {
			t.Fatalf("%+v, %v", l, err)
		}
		if left, _ := filepath.Glob(filepath.Join(state, "*")); len(left) != 0 {
			t.Errorf("left %v", left)
		}
	})
	t.Run("nothing there", func(t *testing.T) {
		o, _, _ := setup(t)
		o.Getenv = env(map[string]string{"XDG_CACHE_HOME": t.TempDir()})
		l, err := LogOut(o, false)
		if err != nil || !l.Nothing() {
			t.Errorf("%+v, %v", l, err)
		}
	})
}

// runtimeHasCacheFiles: the platforms whose token cache is a file
// (tokenCacheDir) under $XDG_CACHE_HOME; these tests run on Linux in CI.
func runtimeHasCacheFiles() bool { return runtime.GOOS == "linux" }

func TestTokenCacheDir(t *testing.T) {
	e := env(map[string]string{"XDG_CACHE_HOME": "/c", "LOCALAPPDATA": `C:\Users\u\AppData\Local`})
	if got := tokenCacheDir("linux", e); got != filepath.Join("/c", ".IdentityService") {
		t.Errorf("linux: %s", got)
	}
	if got := tokenCacheDir("windows", e); got != filepath.Join(`C:\Users\u\AppData\Local`, ".IdentityService") {
		t.Errorf("windows: %s", got)
	}
	if got := tokenCacheDir("plan9", e); got != "" {
		t.Errorf("plan9: %s", got)
	}
	t.Setenv("HOME", t.TempDir()) // macOS's lock files are under the home directory
	if _, kept, _ := removeTokenCache("darwin", e); !strings.Contains(kept, "keychain") {
		t.Errorf("darwin: %q", kept)
	}
}
