package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBadInvocationsExitBeforeTheScreen(t *testing.T) {
	token := map[string]string{"EDMTOP_TOKEN": "tok-SECRET-123"}
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
		{"bad datastore", token, []string{"--datastore", "a\x1b[2Jb"}, 2, "control character"},
		{"http endpoint", token, []string{"--endpoint", "http://graph.example.com/beta"}, 2, "only https"},
		{"no token", map[string]string{"EDMTOP_TOKEN": ""}, nil, 2, "EDMTOP_TOKEN"},
		{"bad token", map[string]string{"EDMTOP_TOKEN": "two words"}, nil, 2, "spaces"},
		{"not a terminal", token, nil, 1, "needs a terminal"},
		{"bad log file", token, []string{"--log-file", "/nonexistent-dir/x.log"}, 2, "--log-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q", code, tc.code, stderr)
			}
			if strings.Contains(stdout+stderr, "SECRET") || strings.ContainsRune(stderr, '\x1b') {
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
