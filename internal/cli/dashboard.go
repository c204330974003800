package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/internal/heap"
	"github.com/edmtop/edmtop/ui"
	"github.com/edmtop/edmtop/ui/frame"
	"github.com/google/uuid"
)

// runDashboard checks everything it can before it signs in, signs in
// before it takes the screen (so prompts print normally), then runs the UI.
func runDashboard(ctx context.Context, demo bool, g *globalFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	return withApp(g, stderr, func(t target, a *app) error {
		return dashboard(ctx, demo, g, t, a, stdin, stdout)
	})
}

func dashboard(ctx context.Context, demo bool, g *globalFlags, t target, a *app, stdin io.Reader, stdout io.Writer) error {
	var err error
	var cred *auth.Credential
	if !demo {
		if cred, err = a.credential(t); err != nil {
			return err
		}
	}
	out, err := dashboardTerminal(stdout, os.Getenv)
	if err != nil {
		return err
	}
	svc, label, stop, err := a.dashboardService(ctx, demo, t, cred)
	if err != nil {
		return err
	}
	defer stop()
	r := g.settings
	d, err := storeGiven(ctx, g, svc, r.str("datastore"), false)
	if err != nil {
		return err
	}
	storeID := d.ID
	// Decide the background before the program owns the input (a late
	// answer would be read as keys), within backgroundWait. Without
	// colour (NO_COLOR) it decides nothing: the terminal is not asked.
	theme := r.str("theme")
	if os.Getenv("NO_COLOR") != "" {
		theme = "dark"
	}
	lipgloss.SetHasDarkBackground(darkBackground(theme,
		func() bool { return detectBackground(stdin, out, os.Getenv) }, backgroundWait))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	model := ui.New(dashboardOptions(ctx, r, svc, storeID, label, a, out))
	a.log.Info("dashboard starting", "store", storeID, "refresh", r.duration("refresh"))
	// Frames are drawn on change, not on a renderer ticker: keys echo at
	// once and an idle dashboard costs nothing (docs/performance.md).
	_, err = frame.Run(model, frame.Options{Input: stdin, Output: out, Mouse: r.boolean("mouse")}, tea.WithContext(ctx))
	cancel()
	if errors.Is(err, tea.ErrProgramPanic) {
		return fmt.Errorf("dashboard: %w", err)
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("dashboard: %w", err)
	}
	a.log.Info("dashboard stopped")
	return nil
}

// dashboardOptions are the dashboard's options from the settings in
// effect. request-timeout bounds each call (it is also the client's
// CallTimeout) and a refresh's silence: a poll fails once Graph has not
// answered for that long. The process's memory policy (internal/heap) is
// built here, once: the dashboard is what this process runs.
func dashboardOptions(ctx context.Context, r *resolved, svc ui.Service, storeID, label string, a *app, out io.Writer) ui.Options {
	return ui.Options{Service: svc, StoreID: storeID, Refresh: r.duration("refresh"), RequestTimeout: r.duration("request-timeout"),
		Context: ctx, Logger: a.log, Label: label, Keys: r.keys, Theme: &r.theme, Columns: &r.columns,
		Mouse: r.boolean("mouse"), Bell: r.boolean("bell"), Terminal: out, Rules: r.healthRules(),
		ASCII: os.Getenv("TERM") == "linux", Memory: heap.New(),
	}
}

// dashboardService is what the dashboard talks to, with its header label:
// the in-process simulator with --demo, else Graph, signed in.
func (a *app) dashboardService(ctx context.Context, demo bool, t target, cred *auth.Credential) (svc ui.Service, label string, stop func(), err error) {
	if demo {
		client, stop, err := demoClient(a.flags.graphOptions(&graphapi.Options{}))
		if err != nil {
			return nil, "", nil, err
		}
		return client, "demo", stop, nil
	}
	if _, err := a.signIn(ctx, t, cred); err != nil {
		return nil, "", nil, err
	}
	client, err := a.client(t, cred)
	if err != nil {
		return nil, "", nil, err
	}
	if t.cloud.Name != "global" {
		label = t.cloud.Name
	}
	return client, label, func() {}, nil
}

// dashboardTerminal is the terminal the dashboard draws on, or why there is
// none: not a terminal, or one that cannot be drawn on (TERM=dumb, e.g. an
// Emacs shell buffer). Both exit 1 with a pointer to the scripting commands.
func dashboardTerminal(stdout io.Writer, getenv func(string) string) (*os.File, error) {
	if getenv("TERM") == "dumb" {
		return nil, errors.New("the dashboard needs a full-screen terminal, and TERM=dumb says this is not one: use 'edmtop list', 'edmtop get' and the other commands here (edmtop --help)")
	}
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return nil, errors.New("the dashboard needs a terminal: run edmtop in one (scripts can use 'edmtop list' and the other commands)")
	}
	return out, nil
}

// serveDemo serves the demo scenario on a free loopback port with a token
// for this process only; stop ends it.
func serveDemo() (endpoint, token string, stop func(), err error) {
	token = "demo-" + uuid.NewString()
	l, err := fakegraph.ServeLoopback("", fakegraph.NewDemo(fakegraph.Options{Token: token}))
	if err != nil {
		return "", "", nil, err
	}
	return l.Endpoint, token, func() { _ = l.Close() }, nil
}

// demoClient is a client of the demo scenario served for this process
// (serveDemo); opts may be nil.
func demoClient(opts *graphapi.Options) (*graphapi.Client, func(), error) {
	endpoint, token, stop, err := serveDemo()
	if err != nil {
		return nil, nil, err
	}
	cred, _ := graphapi.NewStaticTokenCredential(token)
	client, err := graphapi.New(endpoint, cred, opts)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return client, stop, nil
}
