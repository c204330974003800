//go:build unix

package auth

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const fileSecret = "Zq8~app-SECRET-from-file.4Rt"

func TestReadSecretFile(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns the path
		want    string
		wantErr string
	}{
		{"one line with its newline", writeSecret(fileSecret+"\n", 0o600), fileSecret, ""},
		{"CRLF, as Windows editors write", writeSecret(fileSecret+"\r\n", 0o400), fileSecret, ""},
		{"readable by others, as a Kubernetes Secret mounts", writeSecret(fileSecret, 0o644), fileSecret, ""},
		{"through a symlink", func(t *testing.T, dir string) string {
			target := writeSecret(fileSecret, 0o600)(t, dir)
			link := filepath.Join(dir, "link")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, fileSecret, ""},
		{"group-writable", writeSecret(fileSecret, 0o620), "", "chmod go-w"},
		{"other-writable", writeSecret(fileSecret, 0o602), "", "writable by group or others"},
		{"in a directory others can write", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "shared")
			if err := os.Mkdir(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			_ = os.Chmod(sub, 0o777) // past the umask
			return writeSecret(fileSecret, 0o600)(t, sub)
		}, "", "its directory"},
		{"below a directory others can write", func(t *testing.T, dir string) string {
			shared := filepath.Join(dir, "shared")
			sub := filepath.Join(shared, "secrets")
			if err := os.MkdirAll(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			_ = os.Chmod(shared, 0o777) // anyone could rename secrets/ and put their own
			return writeSecret(fileSecret, 0o600)(t, sub)
		}, "", "a directory above it,"},
		{"in a sticky directory", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "tmp")
			if err := os.Mkdir(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			_ = os.Chmod(sub, 0o777|os.ModeSticky)
			return writeSecret(fileSecret, 0o600)(t, sub)
		}, fileSecret, ""},
		{"owned by another user", func(t *testing.T, dir string) string {
			path := writeSecret(fileSecret, 0o600)(t, dir)
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file away")
			}
			if err := os.Chown(path, 12345, 12345); err != nil {
				t.Fatal(err)
			}
			return path
		}, "", "owned by another user"},
		{"empty", writeSecret("\n", 0o600), "", "empty"},
		{"two lines", writeSecret(fileSecret+"\nsecond\n", 0o600), "", "more than one line"},
		{"too large", writeSecret(strings.Repeat("x", maxSecretSize+1), 0o600), "", "larger than"},
		{"a directory", func(t *testing.T, dir string) string { return dir }, "", "not a regular file"},
		{"a FIFO", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip(err)
			}
			return path
		}, "", "not a regular file"},
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") }, "", "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t, t.TempDir())
			got, err := readSecretFile(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("the error quotes the secret: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func writeSecret(content string, mode os.FileMode) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		t.Helper()
		path := filepath.Join(dir, "client-secret")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

func TestClientSecretFileCredential(t *testing.T) {
	global, _ := LookupCloud("global")
	path := writeSecret(fileSecret+"\n", 0o600)(t, t.TempDir())
	ids := map[string]string{"AZURE_TENANT_ID": "contoso.onmicrosoft.com", "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001"}
	cases := []struct {
		name     string
		o        Options
		env      map[string]string
		wantKind string
		wantErr  string
	}{
		{"env mode, ids from the environment", Options{Mode: ModeEnv, ClientSecretFile: path}, ids, "ClientSecretCredential", ""},
		{"auto, ids from flags", Options{ClientSecretFile: path, TenantID: "contoso.onmicrosoft.com", ClientID: "00000000-0000-0000-0000-000000000002"},
			nil, "ClientSecretCredential", ""},
		{"auto with EDMTOP_TOKEN set: the file still wins", Options{Mode: ModeAuto, ClientSecretFile: path},
			map[string]string{"EDMTOP_TOKEN": secretToken, "AZURE_TENANT_ID": "t.example", "AZURE_CLIENT_ID": "c1"}, "ClientSecretCredential", ""},
		{"no tenant", Options{Mode: ModeEnv, ClientSecretFile: path, ClientID: "c1"}, nil, "", "tenant and client id"},
		{"another mode", Options{Mode: ModeManagedIdentity, ClientSecretFile: path}, ids, "", "use it with --auth env"},
		{"a bad file", Options{Mode: ModeEnv, ClientSecretFile: filepath.Join(t.TempDir(), "none")}, ids, "", "--client-secret-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Cloud, o.Getenv = global, env(tc.env)
			c, err := New(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error with %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil || c.Kind != tc.wantKind || c.Mode != ModeEnv {
				t.Fatalf("got %+v, %v; want a %s", c, err, tc.wantKind)
			}
		})
	}
}
