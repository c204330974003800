package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/ui"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

type rootFlags struct {
	datastore string
	endpoint  string
	refresh   time.Duration
	demo      bool
	logFile   string
}

const minRefresh = 2 * time.Second

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f rootFlags
	root := &cobra.Command{
		Use:   "edmtop",
		Short: "A live terminal dashboard for Microsoft Purview Exact Data Match upload sessions",
		Long: `edmtop lists the upload sessions of an Exact Data Match data store live, with an
upload bar (blocks) and a processing bar (jobs) per session, renews a session
with one key and shows the service's error details.

The token comes from EDMTOP_TOKEN (a Microsoft Graph access token). Try it
without one against the built-in simulator: edmtop --demo`,
		Example: `  edmtop --demo
  EDMTOP_TOKEN=$(az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv) \
    edmtop --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd.Context(), f, stdin, stdout, stderr)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	fl := root.Flags()
	fl.StringVar(&f.datastore, "datastore", "", "data store id to open (default: pick from a list)")
	fl.StringVar(&f.endpoint, "endpoint", graphapi.DefaultEndpoint, "Microsoft Graph endpoint (https, or http to a loopback host)")
	fl.DurationVar(&f.refresh, "refresh", 10*time.Second, "auto-refresh interval, 0 turns it off")
	fl.BoolVar(&f.demo, "demo", false, "run against the built-in simulator (no sign-in needed)")
	fl.StringVar(&f.logFile, "log-file", "", "write debug logs to this file (never tokens)")
	root.AddCommand(newSimulateCmd())
	return root
}

// dashboardSetup is what runDashboard needs once the flags are checked.
type dashboardSetup struct {
	endpoint string
	cred     azcore.TokenCredential
	storeID  string
	label    string
	logger   *slog.Logger
	cleanup  []func()
}

func (s *dashboardSetup) close() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
}

// prepareDashboard checks flags and environment before the screen is taken,
// so mistakes print plainly and exit non-zero.
func prepareDashboard(f rootFlags) (*dashboardSetup, error) {
	if f.refresh < 0 || (f.refresh > 0 && f.refresh < minRefresh) {
		return nil, usageErrorf("--refresh %s: use 0 (off) or at least %s", f.refresh, minRefresh)
	}
	if f.datastore != "" {
		if err := graphapi.ValidateID("data store", f.datastore); err != nil {
			return nil, usageErrorf("--datastore: %v", err)
		}
	}
	s := &dashboardSetup{storeID: f.datastore}
	logger, closeLog, err := openLog(f.logFile)
	if err != nil {
		return nil, err
	}
	s.logger = logger
	s.cleanup = append(s.cleanup, closeLog)

	if f.demo {
		endpoint, token, stop, err := startDemo()
		if err != nil {
			s.close()
			return nil, err
		}
		s.cleanup = append(s.cleanup, stop)
		s.endpoint, s.label = endpoint, "demo"
		s.cred, _ = graphapi.NewStaticTokenCredential(token)
		if s.storeID == "" {
			s.storeID = fakegraph.DemoEmployeesStore
		}
		return s, nil
	}
	if _, err := graphapi.CheckEndpoint(f.endpoint); err != nil {
		s.close()
		return nil, usageErrorf("--endpoint: %v", err)
	}
	s.endpoint = f.endpoint
	cred, ok, err := graphapi.TokenFromEnv()
	switch {
	case err != nil:
		s.close()
		return nil, usageErrorf("%v", err)
	case !ok:
		s.close()
		return nil, usageErrorf("no token: set %s to a Microsoft Graph access token, for example\n"+
			"  export %s=$(az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv)\n"+
			"or try the simulator: edmtop --demo", graphapi.TokenEnvVar, graphapi.TokenEnvVar)
	}
	s.cred = cred
	return s, nil
}

func runDashboard(ctx context.Context, f rootFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	setup, err := prepareDashboard(f)
	if err != nil {
		return err
	}
	defer setup.close()
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return errors.New("the dashboard needs a terminal: run edmtop in one (scripts can use 'edmtop simulate' and the Graph API directly)")
	}
	client, err := graphapi.New(setup.endpoint, setup.cred, nil)
	if err != nil {
		return usageErrorf("%v", err)
	}
	// Ask the terminal for its background now: once the program owns the
	// input, the answer could be read as keystrokes or stall.
	lipgloss.HasDarkBackground()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	model := ui.New(ui.Options{
		Service: client,
		StoreID: setup.storeID,
		Refresh: f.refresh,
		Context: ctx,
		Logger:  setup.logger,
		Label:   setup.label,
	})
	setup.logger.Info("dashboard starting", "endpoint", graphapi.RedactURLString(setup.endpoint), "store", setup.storeID, "refresh", f.refresh)
	p := tea.NewProgram(model, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(stdin), tea.WithOutput(stdout))
	_, err = p.Run()
	cancel()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("dashboard: %w", err)
	}
	setup.logger.Info("dashboard stopped")
	return nil
}

// openLog routes edmtop's and azcore's logs to path, or drops them. azcore
// would otherwise write to stderr (AZURE_SDK_GO_LOGGING) over the dashboard.
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		azlog.SetListener(nil)
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, usageErrorf("--log-file: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// azcore redacts the Authorization header and query values itself.
	azlog.SetListener(func(ev azlog.Event, msg string) {
		logger.Debug(msg, "azcore", string(ev))
	})
	azlog.SetEvents(azlog.EventRequest, azlog.EventResponse, azlog.EventResponseError, azlog.EventRetryPolicy)
	return logger, func() {
		azlog.SetListener(nil)
		_ = file.Close()
	}, nil
}

// startDemo serves the demo scenario on a random loopback port with a
// random token, for this process only.
func startDemo() (endpoint, token string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, fmt.Errorf("cannot start the simulator: %w", err)
	}
	token = "demo-" + uuid.NewString()
	srv := &http.Server{Handler: fakegraph.NewDemo(fakegraph.Options{Token: token}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() {
		ctx, cancel := contextWithTimeout(time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String() + "/beta", token, stop, nil
}
