// Package doctor runs `edmtop doctor`: read-only checks of everything
// edmtop needs from a tenant (configuration, sign-in, reach, access) and a
// record of what the live service does (counting, paging, states, nulls,
// throttling, response times), each with a verdict and, when it fails, the
// fix in one line. The run is bounded in time as a whole; its report can
// be written as redacted JSON and replayed by the simulator.
package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
)

// Verdict is a check's outcome.
type Verdict string

// The verdicts. Fail and NotRun make the run fail: edmtop lacks something
// it needs, or the doctor could not find out.
const (
	OK   Verdict = "ok"
	Warn Verdict = "warn" // edmtop works around it
	Fail Verdict = "fail"
	// Skip: the check does not apply here (no second page to follow).
	Skip Verdict = "skip"
	// NotRun: the timeout passed first, or what the check needs failed.
	NotRun Verdict = "not-run"
)

// Section groups checks.
type Section string

// The sections, in the order they run.
const (
	SectionConfig  Section = "configuration"
	SectionSignIn  Section = "sign-in"
	SectionReach   Section = "reach"
	SectionAccess  Section = "access"
	SectionService Section = "service"
)

// Check is one verdict with what was found and, unless it passed, the fix.
type Check struct {
	ID      string  `json:"id"`
	Section Section `json:"section"`
	Title   string  `json:"title"`
	// Store names the data store a per-store check is about.
	Store   string  `json:"store,omitempty"`
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
	Fix     string  `json:"fix,omitempty"`
	// Lines are shown under the check (the settings); the report holds
	// the same facts in its own fields.
	Lines []string `json:"-"`
}

// Progress hears a run as it goes.
type Progress interface {
	// Step says what is being looked at now.
	Step(s Section, what string)
	// Done hands over a finished check, in the order of the report.
	Done(c Check)
}

// Stopwatch starts timing; the function it returns says how long it has
// been. Tests pass one that always says the same, so output is stable.
type Stopwatch func() (elapsed func() time.Duration)

// RealStopwatch times with the wall clock.
func RealStopwatch() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

// Target is where and how edmtop talks to Graph, as the settings say.
type Target struct {
	Cloud auth.Cloud
	// Mode is the sign-in mode asked for (auto may resolve to another).
	Mode     auth.Mode
	Endpoint string
	Scope    string
}

// Options configure a run. Config, Target and Credential come from the
// command line; the rest are seams with working defaults.
type Options struct {
	Config Config
	Target Target
	// Credential builds the credential (contacting nothing yet).
	Credential func() (*auth.Credential, error)
	// Demo: the endpoint is the in-process simulator; no sign-in service.
	Demo bool
	// Timeout bounds the whole run (default 60s).
	Timeout time.Duration
	// RequestTimeout bounds one Graph request with its retries (default 30s).
	RequestTimeout time.Duration
	// Transport carries the requests to Graph (default graphapi.NewTransport).
	Transport policy.Transporter
	Reach     ReachOptions
	// Getenv and LookPath explain the auto sign-in (defaults: the process's).
	Getenv   func(string) string
	LookPath func(string) (string, error)
	// RunCommand runs az for the Azure CLI's cloud (default auth.RunCommand).
	RunCommand auth.CommandRunner
	Now        func() time.Time
	Stopwatch  Stopwatch
	Build      Build
	Progress   Progress
}

// ReachOptions are the network seams of the reach checks; tests point
// them at loopback.
type ReachOptions struct {
	// LookupHost resolves a name (default net.DefaultResolver).
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Dial opens a TCP connection (default a net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLS is the base TLS configuration (RootCAs); nil: the system's.
	TLS *tls.Config
	// Proxy picks the proxy for a request (default http.ProxyFromEnvironment).
	Proxy func(*http.Request) (*url.URL, error)
	// Authority replaces the cloud's sign-in service URL.
	Authority string
}

// Build says which edmtop wrote a report.
type Build struct {
	Version string `json:"version"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	Go      string `json:"go"`
}

// ThisBuild is the running edmtop.
func ThisBuild() Build {
	return Build{Version: graphapi.Version, OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()}
}

// DefaultTimeout bounds a run unless told otherwise.
const DefaultTimeout = 60 * time.Second

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.RunCommand == nil {
		o.RunCommand = auth.RunCommand
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stopwatch == nil {
		o.Stopwatch = RealStopwatch
	}
	if o.Build == (Build{}) {
		o.Build = ThisBuild()
	}
	if o.Progress == nil {
		o.Progress = quiet{}
	}
	o.Reach = o.Reach.withDefaults()
	return o
}

type quiet struct{}

func (quiet) Step(Section, string) {}
func (quiet) Done(Check)           {}

// errReadOnly refuses a request that could change something.
var errReadOnly = errors.New("edmtop doctor is read-only: it sends no request but GET")
