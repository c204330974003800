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
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/health"
	"github.com/edmtop/edmtop/monitor"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

type exporterFlags struct {
	listen      string
	interval    time.Duration
	datastores  []string
	demo        bool
	stallAfter  time.Duration
	maxAge      time.Duration
	uploadLimit int
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
and a container recipe are in deploy/; docs/exporter.md lists every metric.`,
		Example: `  edmtop exporter --demo
  edmtop exporter --auth managed-identity --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11
  edmtop exporter --auth env --listen 0.0.0.0:9716 --interval 2m --max-age 50h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExporter(cmd.Context(), f, g, cmd.ErrOrStderr())
		},
	}
	rules := health.DefaultRules()
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:9716", "host:port to serve /metrics and /healthz on")
	fl.DurationVar(&f.interval, "interval", exporter.DefaultInterval, "how often to poll Graph (at least 10s); scrapes never poll")
	fl.StringArrayVar(&f.datastores, "datastore", nil, "data store id to watch; repeat for more (default: every store the account sees)")
	fl.BoolVar(&f.demo, "demo", false, "export the built-in simulator's stores (no sign-in needed)")
	fl.DurationVar(&f.stallAfter, "stall-after", rules.StallAfter, "a running session with no update for this long is stalled (0: never)")
	fl.DurationVar(&f.maxAge, "max-age", rules.MaxAge, "a store whose last index is older than this is stale (0: never)")
	fl.IntVar(&f.uploadLimit, "upload-limit", rules.UploadLimit, "uploads the service allows per 24 hours (reported as edm_datastore_upload_limit)")
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
			return usageErrorf("--datastore%s: %v", g.settings.from("datastore"), err)
		}
	}
	switch {
	case f.stallAfter < 0:
		return usageErrorf("--stall-after %s: use 0 (never) or a positive duration", f.stallAfter)
	case f.maxAge < 0:
		return usageErrorf("--max-age %s: use 0 (never) or a positive duration", f.maxAge)
	case f.uploadLimit < 0:
		return usageErrorf("--upload-limit %d: use 0 or more", f.uploadLimit)
	}
	return nil
}

func runExporter(ctx context.Context, f exporterFlags, g *globalFlags, stderr io.Writer) error {
	if err := f.check(g); err != nil {
		return err
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
	// A service logs to stderr (the journal, the container log).
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	counter := exporter.NewRequestCounter()
	client, stop, err := f.graphClient(ctx, t, a, counter)
	if err != nil {
		return err
	}
	defer stop()

	rules := health.Rules{StallAfter: f.stallAfter, MaxAge: f.maxAge, UploadLimit: f.uploadLimit}
	exp := exporter.New(monitor.New(client, monitor.Options{Stores: f.datastores}),
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
		endpoint, token, stop, err := serveDemoGraph()
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

// serveDemoGraph serves the demo scenario on a random loopback port with a
// random token for this process only. (startDemo does the same but builds
// its own client, which the exporter must give a counting transport.)
func serveDemoGraph() (endpoint, token string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, fmt.Errorf("cannot start the simulator: %w", err)
	}
	token = "demo-" + uuid.NewString()
	srv := &http.Server{Handler: fakegraph.NewDemo(fakegraph.Options{Token: token}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String() + "/beta", token, stop, nil
}
