package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/spf13/cobra"
)

// The root's help and a command's, as a newcomer reads them: own flags,
// then the global ones once; boolean flags bare (issue 26, item 6).
func TestHelpGolden(t *testing.T) {
	for name, args := range map[string][]string{
		"root":     {"--help"},
		"wait":     {"wait", "--help"},
		"simulate": {"simulate", "--help"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := runCLI(t, nil, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// Every command's help: no "[=true|false]", each global flag once and
// only under "Global Flags", none where the command does not read it.
func TestEveryCommandsHelp(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), nil, nil)
	root.InitDefaultHelpCmd()
	var walk func(c *cobra.Command)
	var paths [][]string
	walk = func(c *cobra.Command) {
		paths = append(paths, strings.Fields(c.CommandPath())[1:])
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// flagLines counts the lines of a flag section that define f.
	flagLines := func(section, f string) int {
		n := 0
		for _, l := range strings.Split(section, "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, " "), f) || strings.Contains(l, ", "+f) {
				n++
			}
		}
		return n
	}
	for _, path := range paths {
		name := strings.Join(path, " ")
		code, out, stderr := runCLI(t, nil, append(path, "--help")...)
		if code != 0 {
			t.Errorf("%q --help: exit %d: %s", name, code, stderr)
			continue
		}
		if strings.Contains(out, "[=") {
			t.Errorf("%q --help shows a flag's optional value:\n%s", name, out)
		}
		_, flags, _ := strings.Cut(out, "\nFlags:\n")
		own, global, _ := strings.Cut(flags, "\nGlobal Flags:\n")
		reads := !strings.HasPrefix(name, "completion") && name != "simulate" && name != "config path" && name != "auth logout"
		for _, f := range []string{"--auth ", "--endpoint ", "--request-timeout ", "--log-file "} {
			if n := flagLines(own, f); n > 0 {
				t.Errorf("%q --help lists %s among its own flags", name, f)
			}
			if n := flagLines(global, f); n != map[bool]int{true: 1}[reads] {
				t.Errorf("%q --help lists %s %d times under Global Flags", name, f, n)
			}
		}
	}
}

// A global flag a command does not read is refused, not ignored.
func TestGlobalFlagsACommandDoesNotRead(t *testing.T) {
	for _, args := range [][]string{
		{"simulate", "--auth", "cli", "--listen", "nowhere"}, // a bad address: never serves, refused or not
		{"completion", "bash", "--endpoint", "https://graph.microsoft.com/beta"},
		{"config", "path", "--tenant", "contoso.onmicrosoft.com"},
	} {
		code, out, stderr := runCLI(t, nil, args...)
		if code != 2 || out != "" || !strings.Contains(stderr, "does not apply to 'edmtop "+args[0]) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
	// --config is config path's own business.
	file := filepath.Join(t.TempDir(), "edmtop.yaml")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, nil, "config", "path", "--config", file); code != 0 {
		t.Errorf("config path --config: exit %d: %s", code, stderr)
	}
}

func TestFlagUsagesShowBooleansBare(t *testing.T) {
	cmd := &cobra.Command{Use: "x"}
	cmd.Flags().Bool("bell", false, "ring")
	cmd.Flags().Bool("on", true, "on by default")
	cmd.Flags().BoolP("yes", "y", false, "do not ask")
	cmd.Flags().String("name", "", "a name")
	got := flagUsages(cmd.Flags(), nil)
	want := "      --bell          ring\n" +
		"      --name string   a name\n" +
		"      --on            on by default (default true)\n" +
		"  -y, --yes           do not ask"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The flags themselves still parse as booleans.
	if err := cmd.ParseFlags([]string{"--bell", "-y", "--on=false"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := cmd.Flags().GetBool("bell"); !b {
		t.Error("--bell did not set the flag")
	}
}
