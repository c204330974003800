package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/golang-jwt/jwt/v5"
)

// isolate keeps the developer's own configuration, state and EDMTOP_*
// variables out of a test.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("EDMTOP_CONFIG", "")
	t.Setenv("EDMTOP_TOKEN", "")
	t.Setenv("TERM", "xterm-256color") // not the developer's dumb Emacs shell
	for _, s := range settings {
		t.Setenv(s.env, "")
	}
}

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	isolate(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBadInvocationsExitBeforeTheScreen(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "tok-PRIVATE-123"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"negative refresh", token, []string{"--refresh", "-1s"}, 2, "--refresh"},
		{"too fast refresh", token, []string{"--refresh", "100ms"}, 2, "at least 2s"},
		{"unparsable refresh", token, []string{"--refresh", "soon"}, 2, "invalid argument"},
		{"unknown flag", token, []string{"--nope"}, 2, "unknown flag"},
		{"stray argument", token, []string{"extra"}, 2, "unknown command"},
		{"mistyped command", token, []string{"lsit"}, 2, "did you mean list"},
		{"stray argument to a command", token, []string{"config", "path", "x"}, 2, "unknown command"},
		{"bad datastore", token, []string{"--datastore", "a\x1b[2Jb"}, 2, "control character"},
		{"http endpoint", token, []string{"--endpoint", "http://graph.example.com/beta"}, 2, "only https"},
		{"token mode without a token", map[string]string{"EDMTOP_TOKEN": ""}, []string{"--auth", "token"}, 2, "EDMTOP_TOKEN"},
		{"bad token", map[string]string{"EDMTOP_TOKEN": "two words"}, nil, 2, "spaces"},
		{"unknown cloud", token, []string{"--cloud", "moon"}, 2, "usgovdod"},
		{"unknown auth", token, []string{"--auth", "kerberos"}, 2, "managed-identity"},
		{"bad tenant", token, []string{"--auth", "device", "--tenant", "a b"}, 2, "--tenant"},
		{"env auth without variables", map[string]string{"AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": "", "EDMTOP_TOKEN": ""}, []string{"--auth", "env"}, 2, "AZURE_CLIENT_SECRET"},
		{"not a terminal", token, nil, 1, "needs a terminal"},
		{"bad log file", token, []string{"--log-file", "/nonexistent-dir/x.log"}, 2, "--log-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q", code, tc.code, stderr)
			}
			if strings.Contains(stdout+stderr, "PRIVATE") || strings.ContainsRune(stderr, '\x1b') {
				t.Errorf("output leaks the token or an escape: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--version")
	if code != 0 || !strings.Contains(out, "edmtop version") {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = runCLI(t, nil, "--help")
	for _, want := range []string{"--datastore", "--endpoint", "--refresh", "--demo", "--log-file", "simulate"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestSimulateServesGraphJSON(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr bytes.Buffer
		done <- run(ctx, []string{"simulate", "--listen", "127.0.0.1:0", "--token", "T0K"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	endpoint := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "endpoint:"); ok {
			endpoint = strings.TrimSpace(rest)
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q", endpoint)
	}
	req, _ := http.NewRequest("GET", endpoint+"/dataClassification/exactMatchDataStores", nil)
	req.Header.Set("Authorization", "Bearer T0K")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"displayName":"Employee records"`) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("simulate exited %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("simulate did not stop when cancelled")
	}
}

func TestSimulateRefusesNonLoopback(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "simulate", "--listen", "0.0.0.0:8080")
	if code != 2 || !strings.Contains(stderr, "loopback") {
		t.Errorf("%d %q", code, stderr)
	}
}

func TestAuthStatusNeverPrintsTheToken(t *testing.T) {
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"tid": "tenant-guid", "upn": "admin@contoso.com", "scp": "User.Read", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": tok}, "auth", "status", "--cloud", "usgov")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"usgov (https://graph.microsoft.us)", "https://graph.microsoft.us/beta", "token (StaticToken)",
		"https://graph.microsoft.us/.default", "tenant-guid", "admin@contoso.com", "User.Read", "EDM_DataUploaders"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr, tok) || strings.Contains(out+stderr, strings.Split(tok, ".")[2]) {
		t.Error("status prints the token")
	}
}

func TestEndpointOverrideSetsTheScope(t *testing.T) {
	tg, err := newTarget("", "", "auto", "http://127.0.0.1:9/beta")
	if err != nil || tg.endpoint != "http://127.0.0.1:9/beta" || tg.scope != "http://127.0.0.1:9/.default" || tg.cloud.Name != "global" {
		t.Errorf("%+v %v", tg, err)
	}
	tg, err = newTarget("china", "", "cli", "")
	if err != nil || tg.endpoint != "https://microsoftgraph.chinacloudapi.cn/beta" || tg.scope != "https://microsoftgraph.chinacloudapi.cn/.default" {
		t.Errorf("%+v %v", tg, err)
	}
}

// A national cloud's endpoint without --cloud signs in to that cloud, not
// to the global authority; a --cloud that contradicts it is refused (issue 19).
func TestEndpointNamesTheCloud(t *testing.T) {
	cases := []struct {
		name, cloud, endpoint string
		wantCloud, wantScope  string
		refused               []string
	}{
		{"us gov endpoint alone", "", "https://graph.microsoft.us/beta", "usgov", "https://graph.microsoft.us/.default", nil},
		{"host in any case", "", "https://GRAPH.microsoft.US/beta", "usgov", "https://graph.microsoft.us/.default", nil},
		{"dod endpoint alone", "", "https://dod-graph.microsoft.us/beta", "usgovdod", "https://dod-graph.microsoft.us/.default", nil},
		{"china endpoint alone", "", "https://microsoftgraph.chinacloudapi.cn/beta", "china", "https://microsoftgraph.chinacloudapi.cn/.default", nil},
		{"matching cloud", "usgov", "https://graph.microsoft.us/beta", "usgov", "https://graph.microsoft.us/.default", nil},
		{"unknown host keeps the cloud", "usgov", "https://graph-proxy.contoso.us/beta", "usgov", "https://graph-proxy.contoso.us/.default", nil},
		{"explicit global, us gov endpoint", "global", "https://graph.microsoft.us/beta", "", "",
			[]string{"--endpoint https://graph.microsoft.us is the usgov cloud's Microsoft Graph, but --cloud is global", "https://login.microsoftonline.com/", "pass --cloud usgov"}},
		{"explicit usgov, global endpoint", "usgov", "https://graph.microsoft.com/beta", "", "", []string{"the global cloud's", "pass --cloud global"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := newTarget(tc.cloud, "", "auto", tc.endpoint)
			if tc.refused != nil {
				if _, ok := errors.AsType[*usageError](err); !ok {
					t.Fatalf("want a usage error, got %+v %v", tg, err)
				}
				for _, want := range tc.refused {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q: %v", want, err)
					}
				}
				return
			}
			if err != nil || tg.cloud.Name != tc.wantCloud || tg.scope != tc.wantScope {
				t.Errorf("cloud %q scope %q, %v; want %q %q", tg.cloud.Name, tg.scope, err, tc.wantCloud, tc.wantScope)
			}
		})
	}
}

// Through the command line: the settings say whether --cloud was given.
func TestEndpointCloudOnTheCommandLine(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "tok"}
	code, out, stderr := runCLI(t, token, "auth", "status", "--endpoint", "https://graph.microsoft.us/beta")
	if code != 0 || !strings.Contains(out, "usgov (https://graph.microsoft.us)") || !strings.Contains(out, "https://graph.microsoft.us/.default") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	env := map[string]string{"EDMTOP_TOKEN": "tok", "EDMTOP_CLOUD": "global"}
	code, out, stderr = runCLI(t, env, "list", "--datastore", "x", "--endpoint", "https://graph.microsoft.us/beta")
	if code != 2 || out != "" || !strings.Contains(stderr, "--cloud (from EDMTOP_CLOUD) is global") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// fakeAz puts an "az" on PATH that answers like the Azure CLI: its active
// cloud, and a token (or the not-signed-in error).
func fakeAz(t *testing.T, cloud, token string) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n" +
		"case \"$*\" in\n" +
		"  *'cloud show'*) echo " + cloud + " ;;\n" +
		"  *get-access-token*)\n"
	if token == "" {
		script += "    echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1 ;;\n"
	} else {
		script += "    echo '{\"accessToken\": \"" + token + "\", \"expires_on\": 4102444800, \"tokenType\": \"Bearer\"}' ;;\n"
	}
	script += "esac\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestAuthCLI(t *testing.T) {
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"tid": "cli-tenant", "upn": "cli-user@contoso.com"}).SignedString([]byte("k"))
	t.Run("signed in, other cloud warns", func(t *testing.T) {
		fakeAz(t, "AzureUSGovernment", tok)
		code, out, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": ""}, "auth", "status", "--auth", "cli")
		if code != 0 || !strings.Contains(out, "cli-user@contoso.com") || !strings.Contains(out, "AzureCLICredential") {
			t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
		}
		if !strings.Contains(stderr, "active cloud is AzureUSGovernment") {
			t.Errorf("no cloud warning: %q", stderr)
		}
		if strings.Contains(out+stderr, tok) {
			t.Error("token printed")
		}
	})
	t.Run("not signed in", func(t *testing.T) {
		fakeAz(t, "AzureCloud", "")
		code, out, stderr := runCLI(t, map[string]string{"EDMTOP_TOKEN": ""}, "auth", "status", "--auth", "cli")
		if code != 1 || !strings.Contains(stderr, "run `az login`") || out != "" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
	})
}

func TestLogFileCarriesRequestsButNoToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edmtop.log")
	logger, closeLog, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	const token = "log-PRIVATE-token"
	hs := httptest.NewServer(fakegraph.NewDemo(fakegraph.Options{Token: token}))
	defer hs.Close()
	cred, _ := graphapi.NewStaticTokenCredential(token)
	c, _ := graphapi.New(hs.URL+"/beta", cred, &graphapi.Options{Transport: hs.Client()})
	if _, err := c.ListSessions(context.Background(), fakegraph.DemoEmployeesStore); err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetSession(context.Background(), fakegraph.DemoEmployeesStore, "missing")
	logger.Info("done")
	closeLog()
	b, _ := os.ReadFile(path)
	log := string(b)
	if !strings.Contains(log, "Authorization: REDACTED") || !strings.Contains(log, "sessions") {
		t.Errorf("log lacks the request:\n%s", log)
	}
	if strings.Contains(log, token) || strings.Contains(log, "sig=") && !strings.Contains(log, "sig=REDACTED") {
		t.Error("log leaks the token or a signature")
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v", info.Mode().Perm())
	}
}

func TestFlagCompletions(t *testing.T) {
	for flag, want := range map[string]string{"--cloud": "usgovdod", "--auth": "managed-identity"} {
		code, out, _ := runCLI(t, nil, "__complete", flag, "")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s completions: %q", flag, out)
		}
	}
	if _, out, _ := runCLI(t, nil, "__complete", "list", "-o", ""); !strings.Contains(out, "json") {
		t.Errorf("--output completions: %q", out)
	}
}

// simulate prints command lines that work as printed: the token it takes
// and its endpoint (issue 26, item 7). Each is run here as a shell would
// split it.
func TestSimulateRecipesWork(t *testing.T) {
	for _, token := range []string{"", "it's-mine"} {
		lines := simulateBanner(t, token)
		recipes := map[string][]string{}
		for _, l := range lines {
			name, rest, _ := strings.Cut(strings.TrimSpace(l), " ")
			if words := shellWords(strings.TrimSpace(rest)); len(words) > 1 && strings.HasPrefix(words[0], "EDMTOP_TOKEN=") {
				recipes[name] = words
			}
		}
		for _, name := range []string{"dashboard", "check", "exporter", "list", "wait"} {
			if recipes[name] == nil {
				t.Fatalf("token %q: no %s line in:\n%s", token, name, strings.Join(lines, "\n"))
			}
		}
		for _, name := range []string{"check", "list", "wait"} {
			words := recipes[name]
			env := map[string]string{"EDMTOP_TOKEN": strings.TrimPrefix(words[0], "EDMTOP_TOKEN=")}
			args := words[2:]   // after "edmtop"
			if name == "wait" { // the same names, without waiting for the upload
				args = append([]string{"get"}, slices.DeleteFunc(args[1:], func(a string) bool { return a == "--timeout" || a == "10m" })...)
			}
			code, out, stderr := runCLI(t, env, args...)
			if code != 0 && !(name == "check" && strings.HasPrefix(out, "EDM CRITICAL")) {
				t.Errorf("token %q: %s: exit %d\n%s%s", token, words, code, out, stderr)
			}
		}
	}
}

// simulateBanner runs simulate until it has printed its banner.
func simulateBanner(t *testing.T, token string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	args := []string{"simulate", "--listen", "127.0.0.1:0"}
	if token != "" {
		args = append(args, "--token", token)
	}
	go func() {
		done <- run(ctx, args, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	var lines []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Press Ctrl+C") {
			break
		}
		lines = append(lines, sc.Text())
	}
	go io.Copy(io.Discard, pr)
	return lines
}

// shellWords splits a line as a POSIX shell does, for the quoting the
// banner uses ('…' with '"'"', and "…").
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' && inWord:
			words, inWord = append(words, cur.String()), false
			cur.Reset()
		case c == ' ':
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
