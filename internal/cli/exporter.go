package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/spf13/cobra"
)

type exporterFlags struct {
	listen     string
	interval   time.Duration
	datastores []string
	demo       bool
}

// minExporterInterval keeps Graph traffic polite whatever is asked.
const minExporterInterval = 10 * time.Second

func newExporterCmd(g *globalFlags) *cobra.Command {
	var f exporterFlags
	cmd := &cobra.Command{
		Use:   "exporter",
		Short: "Serve EDM upload health as Prometheus metrics (/metrics, /healthz)",
		Long: `exporter polls Microsoft Graph on its own interval (never per scrape) and serves
each data store's health (ok, stale, stalled, failed), its last index, its uploads
in 24 hours, and its running sessions' progress as Prometheus metrics on /metrics,
with /healthz for a liveness probe. When a poll fails it keeps serving the previous
values with edm_up 0. It never exposes the token, a salt or an upload URL.

It listens on loopback unless --listen says otherwise. Alert rules, a systemd unit
and a container recipe are in deploy/; the README lists every metric.`,
		Example: `  edmtop exporter --demo
  edmtop exporter --auth managed-identity --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11
  edmtop exporter --auth env --listen 0.0.0.0:9716 --interval 2m --max-age 50h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExporter(cmd.Context(), f, g, cmd.ErrOrStderr())
		},
	}
	g.signInFlags(cmd)
	addSettingFlags(cmd, "stall-after", "max-age", "upload-limit")
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:9716", "host:port to serve /metrics and /healthz on")
	fl.DurationVar(&f.interval, "interval", exporter.DefaultInterval, "how often to poll Graph (at least 10s); scrapes never poll")
	fl.StringArrayVar(&f.datastores, "datastore", nil, "data store id or display name to watch; repeat for more (default: every store the account sees)")
	fl.BoolVar(&f.demo, "demo", false, "export the built-in simulator's stores (no sign-in needed)")
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g))
	return cmd
}

// check validates the flags before anything is opened (usage errors).
func (f *exporterFlags) check(g *globalFlags) error {
	if f.interval < minExporterInterval {
		return usageErrorf("--interval %s: use at least %s", f.interval, minExporterInterval)
	}
	host, port, err := net.SplitHostPort(f.listen)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return usageErrorf("--listen %q: use host:port, e.g. 127.0.0.1:9716", f.listen)
	}
	if host == "" {
		// ":9716" would listen everywhere by accident; say so explicitly.
		return usageErrorf("--listen %q: name the host (0.0.0.0 to listen on every interface)", f.listen)
	}
	for _, id := range f.datastores {
		if err := graphapi.ValidateID("data store", id); err != nil {
			return usageErrorf("--datastore: %v", err)
		}
	}
	return nil
}

func runExporter(ctx context.Context, f exporterFlags, g *globalFlags, stderr io.Writer) error {
	if err := f.check(g); err != nil {
		return err
	}
	return withApp(g, stderr, func(t target, a *app) error {
		return serveMetrics(ctx, f, g, t, a, stderr)
	})
}

func serveMetrics(ctx context.Context, f exporterFlags, g *globalFlags, t target, a *app, stderr io.Writer) error {
	// A service logs to stderr (the journal, the container log).
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	counter := exporter.NewRequestCounter()
	client, stop, err := f.graphClient(ctx, t, a, counter)
	if err != nil {
		return err
	}
	defer stop()

	ids, err := storeIDs(ctx, client, f.datastores)
	if err != nil {
		return err
	}
	rules := g.settings.healthRules()
	exp := exporter.New(monitor.New(client, monitor.Options{Stores: ids, PageSize: monitor.GraphPageSize}),
		exporter.Options{Interval: f.interval, Rules: &rules, Requests: counter, Logger: logger})
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", f.listen, err)
	}
	host, _, _ := net.SplitHostPort(f.listen)
	if !graphapi.IsLoopbackHost(host) {
		logger.Warn("listening beyond loopback: whoever reaches this address can read store and file names (never secrets)", "listen", f.listen)
	}
	logger.Info("exporter serving", "metrics", "http://"+ln.Addr().String()+"/metrics", "interval", f.interval,
		"stores", storesLabel(f.datastores), "demo", f.demo)
	return serveExporter(ctx, exp, ln, logger)
}

// serveExporter polls and serves until ctx ends, then shuts down cleanly.
func serveExporter(ctx context.Context, exp *exporter.Exporter, ln net.Listener, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		exp.Run(ctx)
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	cancel()
	shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdownCtx)
	<-polling
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serving metrics: %w", serveErr)
	}
	logger.Info("exporter stopped")
	return nil
}

// storeIDs resolves --datastore values (ids or display names) once, at
// start: a typo must fail now, not show as a store that never loads.
func storeIDs(ctx context.Context, svc storeLister, args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	all, err := svc.ListDataStores(ctx)
	if err != nil {
		return nil, err
	}
	stores, err := selectStores(all, args)
	if err != nil {
		return nil, &usageError{err}
	}
	ids := make([]string, len(stores))
	for i, d := range stores {
		ids[i] = d.ID
	}
	return ids, nil
}

func storesLabel(ids []string) string {
	if len(ids) == 0 {
		return "all"
	}
	return strings.Join(ids, ",")
}

// graphClient signs in (or starts the simulator) and returns a Graph
// client whose HTTP responses the counter sees.
func (f *exporterFlags) graphClient(ctx context.Context, t target, a *app, counter *exporter.RequestCounter) (*graphapi.Client, func(), error) {
	opts := &graphapi.Options{Transport: counter.Wrap(graphHTTPClient())}
	if f.demo {
		return demoClient(opts)
	}
	cred, err := a.credential(t)
	if err != nil {
		return nil, nil, err
	}
	if _, err := a.signIn(ctx, t, cred); err != nil {
		return nil, nil, err
	}
	opts.Scope = t.scope
	client, err := graphapi.New(t.endpoint, cred, opts)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	return client, func() {}, nil
}

// graphHTTPClient is the exporter's HTTP client for Graph, so responses
// can be counted beneath graphapi's retries (graphapi's own client is not
// exported). It keeps similar connection timeouts and refuses every
// redirect: Graph answers these calls without one, and the token then
// never follows one anywhere.
func graphHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 30 * time.Second
	tr.MaxIdleConns = 10
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
