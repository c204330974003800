package cli

import (
	"strings"
	"testing"

	"github.com/edmtop/edmtop/graphapi"
)

// The rough edges of issue 18, item 14, and the dumb terminal of item 9.
func TestUsageErrorsPointAtTheCommand(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "t", "EDMTOP_ENDPOINT": "http://127.0.0.1:9/beta"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"unknown shell", nil, []string{"completion", "nosh"}, 2, []string{`unknown shell "nosh"`, "Run 'edmtop completion --help'"}},
		{"subcommand's help", token, []string{"list", "--datastore", "s", "-o", "yaml"}, 2, []string{"Run 'edmtop list --help' for usage."}},
		{"flag error in a subcommand", token, []string{"stores", "--nope"}, 2, []string{"unknown flag: --nope", "Run 'edmtop stores --help'"}},
		{"root keeps the root's help", token, []string{"--nope"}, 2, []string{"Run 'edmtop --help'"}},
		{"get without its id", token, []string{"get", "--datastore", "s"}, 2, []string{"missing SESSION", "edmtop get SESSION"}},
		{"get with two ids", token, []string{"get", "--datastore", "s", "a", "b"}, 2, []string{"edmtop get takes 1 SESSION, got 2"}},
		{"renew without ids", token, []string{"renew", "--datastore", "s"}, 2, []string{"missing SESSION: give at least 1"}},
		{"list without a store", token, []string{"list"}, 2, []string{"--datastore is required", "'edmtop stores' lists the data stores"}},
		{"dumb terminal", map[string]string{"EDMTOP_TOKEN": "t", "TERM": "dumb"}, nil, 1, []string{"TERM=dumb", "'edmtop list'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code || out != "" {
				t.Errorf("exit %d (want %d), stdout %q", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %q", w, stderr)
				}
			}
		})
	}
}

func TestOnlySigningInCommandsListSignInFlags(t *testing.T) {
	signIn := []string{"--auth", "--cloud", "--endpoint", "--tenant", "--client-id", "--log-file"}
	for _, c := range []struct {
		args []string
		has  bool
	}{
		{[]string{"simulate", "--help"}, false},
		{[]string{"config", "path", "--help"}, false},
		{[]string{"list", "--help"}, true},
		{[]string{"renew", "--help"}, true},
		{[]string{"auth", "status", "--help"}, true},
		{[]string{"--help"}, true},
	} {
		code, out, _ := runCLI(t, nil, c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d", c.args, code)
		}
		for _, f := range signIn {
			if strings.Contains(out, f+" ") != c.has {
				t.Errorf("%v: lists %s: %v, want %v", c.args, f, !c.has, c.has)
			}
		}
	}
}

func TestAuthCLIWithoutTheAzureCLINamesTheFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no az anywhere
	code, out, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": ""}, "auth", "status", "--auth", "cli")
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"install it", "az login", "--auth device"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, stderr)
		}
	}
}

// --version says what the User-Agent says (issue 19): one variable.
func TestVersionIsTheClientsVersion(t *testing.T) {
	old := graphapi.Version
	graphapi.Version = "v9.8.7-test"
	t.Cleanup(func() { graphapi.Version = old })
	code, out, _ := runCLI(t, nil, "--version")
	if code != 0 || strings.TrimSpace(out) != "edmtop version v9.8.7-test" {
		t.Errorf("--version: %d %q", code, out)
	}
}

// The help of wait and check names each exit status by its value, as
// docs/commands.md does (issue 29: documented codes are asserted as literals).
func TestWaitAndCheckHelpNameTheirExitStatuses(t *testing.T) {
	for cmd, want := range map[string][]string{
		"wait": {"  0    the session completed", "  1    it failed or was cancelled", "(404)", "(401)", "(403)",
			"  2    usage error", "  3    --timeout passed", "  4    stalled", "  130  interrupted", "hard deadline", "retrying"},
		"check": {"  0  OK ", "  1  WARNING ", "  2  CRITICAL ", "  3  UNKNOWN ", "Graph did not answer within 50s", "--critical-age", "--warning-age"},
	} {
		code, out, _ := runCLI(t, nil, cmd, "--help")
		for _, w := range want {
			if code != 0 || !strings.Contains(out, w) {
				t.Errorf("%s --help lacks %q", cmd, w)
			}
		}
	}
}
