package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
)

// secretsOf reads every secret and name the tenant holds, as a client
// sees them: what no shared report may carry.
type tenantSecrets struct {
	salts, uploadURLs, names []string
}

func secretsOf(t *testing.T, tn *tenant) tenantSecrets {
	t.Helper()
	cred, _ := graphapi.NewStaticTokenCredential(simToken)
	c, err := graphapi.New(tn.hs.URL+"/beta", cred, &graphapi.Options{Transport: tn.hs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	conds := tn.sim.Conditions()
	tn.sim.SetConditions()
	defer tn.sim.SetConditions(conds...)
	var s tenantSecrets
	stores, err := c.ListDataStores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stores {
		s.names = append(s.names, st.DisplayName, st.ID)
		list, err := c.ListSessions(context.Background(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, se := range list {
			s.salts = append(s.salts, se.Salt)
			s.uploadURLs = append(s.uploadURLs, se.DataUploadURI)
			s.names = append(s.names, se.FileName, se.ID, se.UploadAgentID)
		}
	}
	return s
}

// Every report, whatever shape the tenant is in, is free of the token,
// the salts, SAS signatures and upload URLs; and, unless names are
// included, of every store and file name and id.
func TestReportsCarryNoSecretsOrNames(t *testing.T) {
	shapes := map[string][]fakegraph.Condition{
		"healthy":             nil,
		"one store forbidden": {{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoClaimsStore}},
		"garbage listing":     {{Kind: fakegraph.GarbageListing, StoreID: fakegraph.DemoPatientsStore}},
		"no count":            {{Kind: fakegraph.NoCount}},
		"another session":     {{Kind: fakegraph.OtherSession}},
	}
	for name, conds := range shapes {
		t.Run(name, func(t *testing.T) {
			tn := demoTenant(t, 3)
			sec := secretsOf(t, tn)
			tn.sim.SetConditions(conds...)
			o := tn.options()
			o.Config.Settings = append(o.Config.Settings, Setting{Name: "datastore", Value: "Patient records", Source: "flag --datastore"})
			rep, out := runPrinted(t, o)
			shared := reportText(t, rep.Redacted())
			full := reportText(t, rep)
			for _, text := range []string{shared, full, out} {
				for _, leak := range append(append([]string{simToken, "sig=", "blob.core.windows.net"}, sec.salts...), sec.uploadURLs...) {
					if leak != "" && strings.Contains(text, leak) {
						t.Fatalf("%q leaks", leak)
					}
				}
			}
			for _, n := range sec.names {
				if n != "" && strings.Contains(shared, n) {
					t.Errorf("the shared report names %q", n)
				}
			}
			if !strings.Contains(shared, `"store-1"`) || !strings.Contains(shared, `"names": "placeholders"`) {
				t.Errorf("no placeholders:\n%s", shared)
			}
			if !strings.Contains(full, "Employee records") {
				t.Error("the report with names included lacks them")
			}
		})
	}
}

func reportText(t *testing.T, rep *Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	if err := WriteReport(path, rep); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Placeholders are stable within a report: a store is the same store-N in
// its check, its facts, its shape and the settings.
func TestPlaceholdersAreStable(t *testing.T) {
	tn := demoTenant(t, 0)
	tn.sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: fakegraph.DemoPatientsStore})
	o := tn.options()
	o.Config.Settings = append(o.Config.Settings, Setting{Name: "datastore", Value: "Patient records", Source: "flag --datastore"})
	rep, _ := runPrinted(t, o)
	red := rep.Redacted()
	patients := red.Access.Stores[1]
	if patients.Name != "store-2" || patients.ID != "store-2" || red.Shape.Stores[1].Name != "store-2" || !red.Shape.Stores[1].Forbidden {
		t.Errorf("patients: %+v / %+v", patients, red.Shape.Stores[1])
	}
	if c := check(t, red, "access.store", "store-2"); c.Verdict != Fail {
		t.Errorf("%+v", c)
	}
	for _, s := range red.Config.Settings {
		if s.Name == "datastore" && s.Value != "store-2" {
			t.Errorf("setting %+v", s)
		}
	}
	// The report itself keeps the names; only the copy is redacted.
	if rep.Access.Stores[1].Name != "Patient records" {
		t.Error("Redacted changed the report")
	}
	again := rep.Redacted()
	a, _ := json.Marshal(red)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Error("two redactions differ")
	}
}

func TestNamerText(t *testing.T) {
	n := newNamer()
	n.store("HR", "id-hr-1")
	n.store("Payroll", "id-pay-2")
	n.name("file", "store.csv")
	for in, want := range map[string]string{
		"HTTP 403 on HR: denied":             "HTTP 403 on store-1: denied",
		"HRM is not HR":                      "HRM is not store-1",
		"Payroll (id-pay-2) and id-hr-1":     "store-2 (store-2) and store-1",
		"upload of store.csv to Payroll":     "upload of file-1 to store-2",
		"nothing to see":                     "nothing to see",
		"Payrolls":                           "store-2s",
		"store-1 is not renamed to file-1 x": "store-1 is not renamed to file-1 x",
	} {
		if got := n.text(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	rep := &Report{Schema: ReportSchema, Names: "placeholders"}
	path := filepath.Join(dir, "r.json")
	if err := os.WriteFile(path, []byte(strings.Repeat("old content ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(path, rep); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	f, _ := os.Open(path)
	back, err := ReadReport(f)
	f.Close()
	if err != nil || back.Names != "placeholders" {
		t.Errorf("read back: %+v %v", back, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep"), 0o600)
	link := filepath.Join(dir, "link.json")
	os.Symlink(target, link)
	for _, err := range []error{CheckReportPath(link), WriteReport(link, rep)} {
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("a link: %v", err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Error("wrote through the link")
	}
	hard := filepath.Join(dir, "hard.json")
	os.Link(target, hard)
	if err := WriteReport(hard, rep); err == nil || !strings.Contains(err.Error(), "hard links") {
		t.Errorf("a hard link: %v", err)
	}
	if err := CheckReportPath(filepath.Join(dir, "no", "such", "r.json")); err == nil {
		t.Error("a missing directory accepted")
	}
	if err := CheckReportPath(dir); err == nil {
		t.Error("a directory accepted")
	}
}

func TestReadReportRefusesOthers(t *testing.T) {
	for _, body := range []string{`{"schema": 2}`, `not json`, `[]`, `{}`} {
		if _, err := ReadReport(strings.NewReader(body)); err == nil {
			t.Errorf("%q accepted", body)
		}
	}
}

func TestHideHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	sep := string(filepath.Separator)
	for in, want := range map[string]string{
		home + sep + ".config" + sep + "edmtop":      "~" + sep + ".config" + sep + "edmtop",
		"config " + home + sep + "c.yaml:3 (tenant)": "config ~" + sep + "c.yaml:3 (tenant)",
		home:                                     "~",
		home + "x" + sep + "c.yaml":              home + "x" + sep + "c.yaml",
		sep + "etc" + sep + "edmtop":             sep + "etc" + sep + "edmtop",
		home + sep + "a and " + home + sep + "b": "~" + sep + "a and ~" + sep + "b",
	} {
		if got := HideHome(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// A name with escapes and controls is shown sanitized, and is replaced in
// that form too.
func TestHostileNames(t *testing.T) {
	clock := fakegraph.NewManualClock(t0)
	sim := fakegraph.New(fakegraph.Options{Clock: clock, Token: simToken})
	evil := "Evil\x1b[31m Store\nTwo\u202e"
	sim.AddStore(fakegraph.Store{ID: "evil-id-\x07", DisplayName: evil})
	sim.AddSession("evil-id-\x07", fakegraph.SessionSpec{FileName: "pay\x1b]0;x\x07roll.csv", TotalBlocks: 2, TotalJobs: 2})
	sim.SetConditions(fakegraph.Condition{Kind: fakegraph.Forbidden, StoreID: "evil-id-\x07"})
	tn := serve(t, sim, clock)
	rep, out := runPrinted(t, tn.options())
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("an escape or control reaches the terminal: %q", out)
	}
	shared := reportText(t, rep.Redacted())
	for _, name := range []string{"Evil", "Store", "evil-id", "roll.csv"} {
		if strings.Contains(shared, name) {
			t.Errorf("the shared report names %q", name)
		}
	}
}
