package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"
)

// inhibitRule is one rule of deploy/alertmanager/inhibit.yml.
type inhibitRule struct {
	Source []string `yaml:"source_matchers"`
	Target []string `yaml:"target_matchers"`
	Equal  []string `yaml:"equal"`
}

func loadInhibitRules(t *testing.T) []inhibitRule {
	t.Helper()
	var f struct {
		Rules []inhibitRule `yaml:"inhibit_rules"`
	}
	readYAML(t, inhibitFile, &f)
	return f.Rules
}

// matcherSyntax is Alertmanager's name op "value" (the form the file uses).
var matcherSyntax = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"$`)

// matches applies one matcher as Alertmanager does (regexes anchored).
func matches(t *testing.T, m string, labels map[string]string) bool {
	t.Helper()
	p := matcherSyntax.FindStringSubmatch(m)
	if p == nil {
		t.Fatalf("matcher %q: not name op \"value\"", m)
	}
	v := labels[p[1]]
	switch p[2] {
	case "=":
		return v == p[3]
	case "!=":
		return v != p[3]
	}
	re, err := regexp.Compile("^(?:" + p[3] + ")$")
	if err != nil {
		t.Fatalf("matcher %q: %v", m, err)
	}
	return re.MatchString(v) == (p[2] == "=~")
}

func matchAll(t *testing.T, ms []string, labels map[string]string) bool {
	for _, m := range ms {
		if !matches(t, m, labels) {
			return false
		}
	}
	return true
}

// inhibits reports whether source mutes target under rules.
func inhibits(t *testing.T, rules []inhibitRule, source, target map[string]string) bool {
	for _, r := range rules {
		if source["alertname"] == target["alertname"] && source["instance"] == target["instance"] {
			continue // an alert does not mute itself
		}
		equal := !slices.ContainsFunc(r.Equal, func(l string) bool { return source[l] != target[l] })
		if equal && matchAll(t, r.Source, source) && matchAll(t, r.Target, target) {
			return true
		}
	}
	return false
}

// alertLabels are the labels of each alert as Prometheus sends it from
// the exporter at instance.
func alertLabels(t *testing.T, instance string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range loadRules(t) {
		l := map[string]string{"alertname": r.Alert, "job": "edmtop", "instance": instance}
		for k, v := range r.Labels {
			l[k] = v
		}
		if r.Labels["edm_scope"] == "datastore" {
			l["datastore_id"], l["datastore"] = "s1", "HR"
		}
		out[r.Alert] = l
	}
	return out
}

// TestInhibitRulesSelectTheRightAlerts: while the exporter cannot be
// scraped or cannot reach Graph, its store alerts are muted (and "data
// old" while Graph is unreachable); nothing else, and nothing of another
// exporter.
func TestInhibitRulesSelectTheRightAlerts(t *testing.T) {
	stores := []string{"EDMDataStoreUnreadable", "EDMUploadLimitReached", "EDMUploadFailed", "EDMUploadStalled", "EDMIndexStale"}
	want := map[string][]string{
		"EDMExporterScrapeFailing": stores,
		"EDMGraphUnreachable":      append(slices.Clone(stores), "EDMExporterDataOld"),
	}
	rules := loadInhibitRules(t)
	here, there := alertLabels(t, "edm-a:9716"), alertLabels(t, "edm-b:9716")
	for source, sl := range here {
		for target, tl := range here {
			if got, w := inhibits(t, rules, sl, tl), slices.Contains(want[source], target); got != w {
				t.Errorf("%s mutes %s of the same exporter: %v, want %v", source, target, got, w)
			}
			if inhibits(t, rules, sl, there[target]) {
				t.Errorf("%s mutes %s of another exporter", source, target)
			}
		}
	}
}

// TestAmtoolAcceptsTheSnippet: the inhibit rules, pasted into a minimal
// alertmanager.yml, pass amtool check-config.
func TestAmtoolAcceptsTheSnippet(t *testing.T) {
	amtool := needBinary(t, "amtool")
	path := filepath.Join(t.TempDir(), "alertmanager.yml")
	if err := os.WriteFile(path, []byte(alertmanagerConfig(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(amtool, "check-config", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("2 inhibit rules")) {
		t.Errorf("amtool check-config: %v\n%s", err, out)
	}
}

// alertmanagerConfig is a minimal alertmanager.yml with the inhibit rules
// and a receiver that sends nothing.
func alertmanagerConfig(t *testing.T) string {
	t.Helper()
	rules, err := os.ReadFile(inhibitFile)
	if err != nil {
		t.Fatal(err)
	}
	return "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n" + string(rules)
}

// TestInhibitionInAlertmanager sends alerts to a real Alertmanager loaded
// with the inhibit rules and reads back which it mutes.
func TestInhibitionInAlertmanager(t *testing.T) {
	bin := needBinary(t, "alertmanager", "prometheus-alertmanager")
	api := startAlertmanager(t, bin)
	now := time.Now().UTC()
	type alert struct {
		Labels   map[string]string `json:"labels"`
		StartsAt time.Time         `json:"startsAt"`
		EndsAt   time.Time         `json:"endsAt"`
	}
	here, there := alertLabels(t, "edm-a:9716"), alertLabels(t, "edm-b:9716")
	sent := []map[string]string{here["EDMGraphUnreachable"], here["EDMUploadFailed"], here["EDMExporterDataOld"],
		here["EDMGraphThrottled"], there["EDMUploadFailed"]}
	want := []string{"active", "suppressed", "suppressed", "active", "active"}
	var body []alert
	for _, l := range sent {
		body = append(body, alert{Labels: l, StartsAt: now, EndsAt: now.Add(time.Hour)})
	}
	data, _ := json.Marshal(body)
	resp, err := http.Post(api+"/api/v2/alerts", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("posting alerts: %s", resp.Status)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := alertStates(api, sent)
		if err == nil && slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("states %v (%v), want %v for %v", got, err, want, sent)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// alertStates reads each sent alert's state from Alertmanager's API.
func alertStates(api string, sent []map[string]string) ([]string, error) {
	resp, err := http.Get(api + "/api/v2/alerts")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		return nil, err
	}
	out := make([]string, len(sent))
	for i, l := range sent {
		for _, a := range alerts {
			if a.Labels["alertname"] == l["alertname"] && a.Labels["instance"] == l["instance"] {
				out[i] = a.Status.State
			}
		}
	}
	return out, nil
}

// startAlertmanager runs Alertmanager on loopback with the inhibit rules
// and a receiver that sends nothing; it is killed when the test ends.
func startAlertmanager(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(alertmanagerConfig(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start alertmanager: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", logs.String())
		}
	})
	api := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(api + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return api
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager never got ready: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
