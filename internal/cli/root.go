package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/ui"
	"github.com/edmtop/edmtop/ui/frame"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

type rootFlags struct {
	datastore string
	refresh   time.Duration
	demo      bool
	mouse     bool
	bell      bool
}

const minRefresh = 2 * time.Second

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f rootFlags
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "edmtop",
		Short: "A live terminal dashboard for Microsoft Purview Exact Data Match upload sessions",
		Long: `edmtop lists the upload sessions of an Exact Data Match data store live, with an
upload bar (blocks) and a processing bar (jobs) per session, renews a session
with one key and shows the service's error details.

Sign-in uses the Azure CLI, a device code, a browser, a managed identity,
environment credentials or a ready token in EDMTOP_TOKEN (see --auth). Try it
without signing in against the built-in simulator: edmtop --demo`,
		Example: `  edmtop --demo
  edmtop --auth cli --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11
  edmtop --auth device --cloud usgov --tenant contoso.onmicrosoft.us`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd.Context(), f, g, stdin, stdout, stderr)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	g.register(root)
	fl := root.Flags()
	fl.StringVar(&f.datastore, "datastore", "", "data store id to open (default: pick from a list)")
	fl.DurationVar(&f.refresh, "refresh", 10*time.Second, "auto-refresh interval, 0 turns it off")
	fl.BoolVar(&f.demo, "demo", false, "run against the built-in simulator (no sign-in needed)")
	fl.BoolVar(&f.mouse, "mouse", false, "click to select, wheel to scroll (off by default so terminal text selection works)")
	fl.BoolVar(&f.bell, "bell", false, "ring the terminal bell when a watched session completes or fails")
	root.AddCommand(newSimulateCmd(), newAuthCmd(g), newConfigCmd(g), newStoresCmd(g), newListCmd(g), newGetCmd(g),
		newRenewCmd(g), newCancelCmd(g), newCommitCmd(g))
	return root
}

func runDashboard(ctx context.Context, f rootFlags, g *globalFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	if f.refresh < 0 || (f.refresh > 0 && f.refresh < minRefresh) {
		return usageErrorf("--refresh %s%s: use 0 (off) or at least %s", f.refresh, g.settings.from("refresh"), minRefresh)
	}
	if f.datastore != "" {
		if err := graphapi.ValidateID("data store", f.datastore); err != nil {
			return usageErrorf("--datastore%s: %v", g.settings.from("datastore"), err)
		}
	}
	t, err := g.resolveTarget()
	if err != nil {
		return err
	}
	a, err := newApp(g, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	var cred *auth.Credential
	if !f.demo {
		if cred, err = a.credential(t); err != nil {
			return err
		}
	}
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return errors.New("the dashboard needs a terminal: run edmtop in one (scripts can use 'edmtop list' and the other commands)")
	}

	var svc ui.Service
	storeID, label := f.datastore, ""
	if f.demo {
		client, stop, err := startDemo()
		if err != nil {
			return err
		}
		defer stop()
		svc, label = client, "demo"
		if storeID == "" {
			storeID = fakegraph.DemoEmployeesStore
		}
	} else {
		if _, err := a.signIn(ctx, t, cred); err != nil {
			return err
		}
		client, err := a.client(t, cred)
		if err != nil {
			return err
		}
		svc = client
		if t.cloud.Name != "global" {
			label = t.cloud.Name
		}
	}
	// Ask the terminal for its background now: once the program owns the
	// input, the answer could be read as keystrokes or stall.
	lipgloss.HasDarkBackground()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := g.settings
	model := ui.New(ui.Options{Service: svc, StoreID: storeID, Refresh: f.refresh, Context: ctx, Logger: a.log, Label: label,
		Keys: r.keys, Theme: &r.theme, Columns: &r.columns, Mouse: f.mouse, Bell: f.bell, Terminal: out})
	a.log.Info("dashboard starting", "store", storeID, "refresh", f.refresh)
	// A frame is drawn when the model changes, not on Bubble Tea's renderer
	// tick: a key's echo waits for no tick and an idle dashboard does not
	// wake to compare frames (see docs/performance.md).
	_, err = frame.Run(model, frame.Options{Input: stdin, Output: out, Mouse: f.mouse}, tea.WithContext(ctx))
	cancel()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("dashboard: %w", err)
	}
	a.log.Info("dashboard stopped")
	return nil
}

// startDemo serves the demo scenario on a random loopback port with a
// random token, for this process only, and returns a client for it.
func startDemo() (*graphapi.Client, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot start the simulator: %w", err)
	}
	token := "demo-" + uuid.NewString()
	srv := &http.Server{Handler: fakegraph.NewDemo(fakegraph.Options{Token: token}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := contextWithTimeout(time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	cred, _ := graphapi.NewStaticTokenCredential(token)
	client, err := graphapi.New("http://"+ln.Addr().String()+"/beta", cred, nil)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return client, stop, nil
}
