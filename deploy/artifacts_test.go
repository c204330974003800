package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestContainerRecipe: a numeric user (runAsNonRoot can only check a
// number) and the OCI labels that tie an image to its source.
func TestContainerRecipe(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`org\.opencontainers\.image\.source="https://github\.com/edmtop/edmtop"`),
		regexp.MustCompile(`org\.opencontainers\.image\.version="\$\{VERSION\}"`),
		regexp.MustCompile(`org\.opencontainers\.image\.revision="\$\{REVISION\}"`),
		regexp.MustCompile(`-X github\.com/prometheus/common/version\.Revision=\$\{REVISION\}`),
		regexp.MustCompile(`(?m)^CMD \["exporter", "--web\.listen-address", "0\.0\.0\.0:9716"\]$`),
	} {
		if !want.MatchString(text) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if regexp.MustCompile(`(?m)^USER .*[a-z]`).MatchString(text) {
		t.Error("Dockerfile names its user: Kubernetes' runAsNonRoot cannot verify a name")
	}
}

// TestSystemdUnit: the secret comes from LoadCredential= through
// --client-secret-file, never the environment; systemd accepts the unit
// and rates its exposure as before (1.2).
func TestSystemdUnit(t *testing.T) {
	const unit = "systemd/edmtop-exporter.service"
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"\nLoadCredential=client-secret:/etc/edmtop/client-secret\n",
		"\nEnvironment=EDMTOP_CLIENT_SECRET_FILE=%d/client-secret\n", "--web.listen-address 127.0.0.1:9716", "/-/healthy", "/-/ready"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", unit, want)
		}
	}
	for _, never := range []string{"AZURE_CLIENT_SECRET", "EnvironmentFile"} {
		if strings.Contains(text, never) {
			t.Errorf("%s mentions %s: no secret may pass through the unit's environment", unit, never)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; the unit is not verified")
	}
	// verify wants the binary to exist: point ExecStart at one that does.
	copyPath := filepath.Join(t.TempDir(), filepath.Base(unit))
	if err := os.WriteFile(copyPath, bytes.ReplaceAll(data, []byte("/usr/local/bin/edmtop"), []byte("/bin/sh")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", copyPath).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command(analyze, "security", "--offline=true", copyPath).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Skipf("systemd-analyze security --offline: %v\n%s", err, out) // older systemd
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level > 1.2 {
		t.Errorf("exposure level %.1f, want at most 1.2", level)
	}
}

// k8sObject is what the example's checks read of a Kubernetes object.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    int   `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []struct {
					Env []struct {
						Name, Value string
					} `yaml:"env"`
					Liveness  probe `yaml:"livenessProbe"`
					Readiness probe `yaml:"readinessProbe"`
					Mounts    []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name   string `yaml:"name"`
					Secret *struct {
						SecretName string `yaml:"secretName"`
					} `yaml:"secret"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
}

func loadK8s(t *testing.T) map[string]k8sObject {
	t.Helper()
	f, err := os.Open("kubernetes/edmtop-exporter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]k8sObject{}
	dec := yaml.NewDecoder(f)
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out[o.Kind] = o
	}
}

// TestKubernetesExample: probes on /-/healthy and /-/ready, a non-root
// pod, the secret as a mounted file named by EDMTOP_CLIENT_SECRET_FILE,
// and a Service Prometheus discovers by its annotations.
func TestKubernetesExample(t *testing.T) {
	objs := loadK8s(t)
	dep, ok := objs["Deployment"]
	if !ok || len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("no Deployment with one container: %v", objs)
	}
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser != 65532 {
		t.Errorf("securityContext: runAsNonRoot %v, runAsUser %d", sc.RunAsNonRoot, sc.RunAsUser)
	}
	if c.Liveness.HTTPGet.Path != "/-/healthy" || c.Readiness.HTTPGet.Path != "/-/ready" {
		t.Errorf("probes: liveness %q, readiness %q", c.Liveness.HTTPGet.Path, c.Readiness.HTTPGet.Path)
	}
	secretFile := ""
	for _, e := range c.Env {
		if strings.Contains(e.Name, "SECRET") && e.Name != "EDMTOP_CLIENT_SECRET_FILE" {
			t.Errorf("env %s: a secret in the environment", e.Name)
		}
		if e.Name == "EDMTOP_CLIENT_SECRET_FILE" {
			secretFile = e.Value
		}
	}
	mounted := false
	for _, v := range pod.Volumes {
		for _, m := range c.Mounts {
			if v.Secret != nil && v.Secret.SecretName == objs["Secret"].Metadata.Name && m.Name == v.Name &&
				secretFile == m.MountPath+"/client-secret" {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Errorf("EDMTOP_CLIENT_SECRET_FILE %q is not the Secret's client-secret, mounted", secretFile)
	}
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "9716", "prometheus.io/path": "/metrics"}
	for k, v := range want {
		if got := objs["Service"].Metadata.Annotations[k]; got != v {
			t.Errorf("Service annotation %s = %q, want %q", k, got, v)
		}
	}
}
