package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/doctor"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/spf13/cobra"
)

type doctorFlags struct {
	timeout      time.Duration
	report       string
	includeNames bool
	demo         bool
}

// doctorSeams are the clock, stopwatch, build and network seams of a run;
// tests fix them so the output is stable and only loopback is touched.
var doctorSeams = struct {
	now       func() time.Time
	stopwatch doctor.Stopwatch
	build     func() doctor.Build
	reach     doctor.ReachOptions
}{now: time.Now, stopwatch: doctor.RealStopwatch, build: doctor.ThisBuild}

// maxDoctorTimeout bounds --timeout: a doctor that runs for hours helps no one.
const maxDoctorTimeout = time.Hour

func newDoctorCmd(g *globalFlags) *cobra.Command {
	f := doctorFlags{timeout: doctor.DefaultTimeout}
	var settingsErr error
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that edmtop can work with this tenant, and record what the service does",
		Long: `Doctor checks, read-only, everything edmtop needs: the configuration, the
sign-in and what the token says, the network path to Microsoft Graph and the
sign-in service (proxy, DNS, TCP, TLS, clock), access to the data stores and
their sessions; and it records what the live service does ($count, $top, page
size, next links, the states seen, null properties, throttling, response
times). Each check ends ✓, ! (a warning edmtop works around) or ✗ with the fix
in one line. It never renews, cancels or commits: it sends nothing but GET.

--report FILE writes all of it as JSON for a bug report (mode 0600): never a
token, salt, SAS query or upload URL, and the store, file, session and tenant
names replaced by placeholders (store-1, file-1) unless --include-names.
'edmtop simulate --from-report FILE' serves a tenant of the same shape.

Exit status:
  0    everything edmtop needs works (warnings may remain)
  1    something it needs fails, or a check could not run before --timeout
  2    usage error
  130  interrupted (Ctrl+C)`,
		Example: `  edmtop doctor
  edmtop doctor --auth cli --report edm-doctor.json
  edmtop doctor --demo`,
		Args: noArgs,
		// A broken config file or variable is the doctor's to report, not
		// a reason to stop; a bad flag on this command line is a usage error.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			r, err := loadSettings(cmd, g.config, os.Getenv)
			g.settings, settingsErr = r, err
			if err != nil && strings.HasPrefix(err.Error(), "--") {
				return err
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd, g, f, settingsErr)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "timeout", f.timeout, "give up after this long in all; the checks not run by then count as failed")
	fl.StringVar(&f.report, "report", "", "write everything found as JSON to this file, for a bug report (no secrets; names replaced)")
	fl.BoolVar(&f.includeNames, "include-names", false, "keep the store, file, session and tenant names in the --report")
	fl.BoolVar(&f.demo, "demo", false, "check the built-in simulator instead (no sign-in)")
	return cmd
}

func (f doctorFlags) check() error {
	if f.timeout < time.Second || f.timeout > maxDoctorTimeout {
		return usageErrorf("--timeout %s: use 1s to %s", f.timeout, maxDoctorTimeout)
	}
	if f.includeNames && f.report == "" {
		return usageErrorf("--include-names applies to --report FILE: give one")
	}
	if f.report != "" {
		if err := doctor.CheckReportPath(f.report); err != nil {
			return usageErrorf("--report: %v", err)
		}
	}
	return nil
}

func runDoctor(cmd *cobra.Command, g *globalFlags, f doctorFlags, settingsErr error) error {
	if err := f.check(); err != nil {
		return err
	}
	o := doctor.Options{Timeout: f.timeout, Demo: f.demo, Getenv: os.Getenv, Now: doctorSeams.now,
		Stopwatch: doctorSeams.stopwatch, Build: doctorSeams.build(), Reach: doctorSeams.reach,
		Config: doctorConfig(g.settings, settingsErr)}
	stdout := cmd.OutOrStdout()
	p := doctor.NewPrinter(stdout, isTerminalWriter(stdout), os.Getenv("TERM") == "linux")
	run := func(o doctor.Options) error { return doctorRun(cmd.Context(), p, f, o) }
	if settingsErr != nil {
		return run(o)
	}
	o.RequestTimeout = g.settings.duration("request-timeout")
	if f.demo {
		return withDemo(&o, run)
	}
	// Sign-in prompts (a device code) go to stderr, below the progress line.
	return withApp(g, p.Above(cmd.ErrOrStderr()), func(t target, a *app) error {
		o.Target = doctor.Target{Cloud: t.cloud, Mode: t.mode, Endpoint: t.endpoint, Scope: t.scope}
		o.Credential = func() (*auth.Credential, error) { return a.credential(t) }
		return run(o)
	})
}

// withDemo points the run at the demo scenario, served on loopback for
// this run only with a token of its own.
func withDemo(o *doctor.Options, run func(doctor.Options) error) error {
	endpoint, token, stop, err := serveDemo()
	if err != nil {
		return err
	}
	defer stop()
	t, err := newTarget("", "", string(auth.ModeToken), endpoint)
	if err != nil {
		return err
	}
	o.Target = doctor.Target{Cloud: t.cloud, Mode: t.mode, Endpoint: t.endpoint, Scope: t.scope}
	o.Credential = func() (*auth.Credential, error) {
		cred, err := graphapi.NewStaticTokenCredential(token)
		return &auth.Credential{TokenCredential: cred, Mode: auth.ModeToken, Kind: "StaticToken", TokenCache: "memory only"}, err
	}
	return run(*o)
}

// doctorRun runs the checks, printing them as they end, writes the report
// and returns the exit status's error.
func doctorRun(ctx context.Context, p *doctor.Printer, f doctorFlags, o doctor.Options) error {
	o.Progress = p
	p.Begin(o.Build, o.Timeout)
	rep := doctor.Run(ctx, o)
	if f.report != "" {
		shared := rep
		if !f.includeNames {
			shared = rep.Redacted()
		}
		if err := doctor.WriteReport(f.report, shared); err != nil {
			p.End(rep, "")
			return fmt.Errorf("--report: %w", err)
		}
		rep = shared // End says whether names were kept
	}
	p.End(rep, f.report)
	switch {
	case ctx.Err() != nil:
		return &exitError{code: exitInterrupted}
	case rep.Exit != 0:
		return errReported
	}
	return nil
}

// doctorConfig is config show's data for the doctor: the file, its mode
// and every setting with its source, or why the settings did not load.
// The home directory is written ~, so a report does not name the user.
func doctorConfig(r *resolved, settingsErr error) doctor.Config {
	if settingsErr != nil {
		return doctor.Config{Error: doctor.HideHome(settingsErr.Error())}
	}
	c := doctor.Config{File: doctor.HideHome(r.path)}
	if fi, err := os.Stat(r.path); err == nil && r.path != "" {
		c.Found, c.Mode = true, fmt.Sprintf("%04o", fi.Mode().Perm())
	}
	for _, row := range settingRows(r, os.Getenv) {
		c.Settings = append(c.Settings, doctor.Setting{Name: row[0], Value: doctor.HideHome(row[1]), Source: doctor.HideHome(row[2])})
	}
	return c
}
