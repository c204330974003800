// Package deploy holds what an SRE deploys next to edmtop: Prometheus alert
// rules and their unit tests, Alertmanager inhibit rules, the Grafana
// dashboard, a systemd unit, a container recipe and a Kubernetes example.
// Its tests check each against the tools that read it where they are
// installed, and against what the runbook and the exporter promise.
package deploy

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	rulesFile     = "prometheus/edm-alerts.yml"
	rulesTestFile = "prometheus/edm-alerts_test.yml"
	inhibitFile   = "alertmanager/inhibit.yml"
	runbookFile   = "../docs/runbook.md"
	runbookURL    = "https://github.com/edmtop/edmtop/blob/main/docs/runbook.md#"
)

func needBinary(t *testing.T, names ...string) string {
	t.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skipf("%s is not installed (Debian: apt-get install prometheus prometheus-alertmanager); skipping", names[0])
	return ""
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadRules(t *testing.T) []rule {
	t.Helper()
	var f struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, rulesFile, &f)
	var out []rule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		t.Fatal("no rules")
	}
	return out
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestPromtoolChecksAndTestsTheRules(t *testing.T) {
	promtool := needBinary(t, "promtool")
	for _, args := range [][]string{{"check", "rules", filepath.Base(rulesFile)}, {"test", "rules", filepath.Base(rulesTestFile)}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = filepath.Dir(rulesFile)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// runbookSections maps each "## Name" heading of the runbook to its text.
func runbookSections(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(runbookFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	parts := regexp.MustCompile(`(?m)^## `).Split(string(data), -1)
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		out[strings.TrimSpace(name)] = body
	}
	return out
}

// TestEveryAlertIsActionable: one meaning each, a severity and a scope, a
// summary, a description that names a command to run, and a runbook_url
// to its own section, which says what it means, how to confirm, what to do.
func TestEveryAlertIsActionable(t *testing.T) {
	sections := runbookSections(t)
	command := regexp.MustCompile("`(edmtop|curl|systemctl|kubectl) [^`]+`|/targets")
	seen := map[string]bool{}
	for _, r := range loadRules(t) {
		if seen[r.Alert] {
			t.Errorf("%s is defined twice", r.Alert)
		}
		seen[r.Alert] = true
		if s := r.Labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity %q", r.Alert, s)
		}
		if s := r.Labels["edm_scope"]; s != "exporter" && s != "datastore" {
			t.Errorf("%s: edm_scope %q", r.Alert, s)
		}
		if r.Annotations["summary"] == "" || !command.MatchString(r.Annotations["description"]) {
			t.Errorf("%s: no summary, or a description that names nothing to run: %q", r.Alert, r.Annotations["description"])
		}
		if want := runbookURL + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
			t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
		}
		body, ok := sections[r.Alert]
		if !ok {
			t.Errorf("%s: no section in %s", r.Alert, runbookFile)
		}
		for _, part := range []string{"**Meaning.**", "**Confirm.**", "**Act.**"} {
			if ok && !strings.Contains(body, part) {
				t.Errorf("%s: the runbook section lacks %s", r.Alert, part)
			}
		}
	}
	for name := range sections {
		if !seen[name] {
			t.Errorf("the runbook has a section for %s, which is no alert", name)
		}
	}
}

// TestEveryAlertIsUnitTested: promtool's tests hold, for every alert, a
// time before it fires, a time it fires and a later time it has recovered.
func TestEveryAlertIsUnitTested(t *testing.T) {
	var f struct {
		Tests []struct {
			Name  string       `yaml:"name"`
			Evals []ruleEvalAt `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	readYAML(t, rulesTestFile, &f)
	covered := map[string]bool{}
	for _, tc := range f.Tests {
		byAlert := map[string][]string{} // alert -> "q" (quiet) or "f" (firing), in time order
		evals := slices.Clone(tc.Evals)
		slices.SortStableFunc(evals, func(a, b ruleEvalAt) int { return cmp.Compare(at(t, a.At), at(t, b.At)) })
		for _, e := range evals {
			state := "q"
			if len(e.Alerts) > 0 {
				state = "f"
			}
			byAlert[e.Alert] = append(byAlert[e.Alert], state)
		}
		for alert, states := range byAlert {
			if strings.Contains(strings.Join(states, ""), "qfq") {
				covered[alert] = true
			}
		}
	}
	for _, r := range loadRules(t) {
		if !covered[r.Alert] {
			t.Errorf("%s: no test has it quiet, then firing, then recovered", r.Alert)
		}
	}
}

// ruleEvalAt is one expectation of promtool's alert_rule_test.
type ruleEvalAt struct {
	At     string `yaml:"eval_time"`
	Alert  string `yaml:"alertname"`
	Alerts []any  `yaml:"exp_alerts"`
}

func at(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("eval_time %q: %v", s, err)
	}
	return d
}
