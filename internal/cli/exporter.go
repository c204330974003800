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

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/exporter"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/monitor"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/spf13/cobra"
)

type exporterFlags struct {
	listen        []string // --web.listen-address
	oldListen     []string // --listen, the old name, hidden for one release
	webConfig     string   // --web.config.file
	telemetryPath string   // --web.telemetry-path
	interval      time.Duration
	datastores    []string
	demo          bool
}

// minExporterInterval keeps Graph traffic polite whatever is asked.
const minExporterInterval = 10 * time.Second

const defaultListenAddress = "127.0.0.1:9716"

func newExporterCmd(g *globalFlags) *cobra.Command {
	var f exporterFlags
	cmd := &cobra.Command{
		Use:   "exporter",
		Short: "Serve EDM upload health as Prometheus metrics (/metrics, /-/healthy, /-/ready)",
		Long: `exporter polls Microsoft Graph on its own interval (never per scrape) and serves
each data store's health (ok, stale, stalled, failed, or unknown when it cannot be
read), its last index, its uploads in 24 hours and its running sessions' progress
as Prometheus metrics, with /-/healthy (liveness) and /-/ready (readiness).
When Graph fails it keeps serving, says so (edm_up 0, edm_datastore_up 0) and
tries again; it never exposes the token, a salt or an upload URL.

It listens on loopback unless --web.listen-address says otherwise; TLS and basic
auth come from --web.config.file, as for every Prometheus exporter. Alert rules,
a Grafana dashboard, a systemd unit, a container recipe and a Kubernetes example
are in deploy/; docs/exporter.md lists every metric.`,
		Example: `  edmtop exporter --demo
  edmtop exporter --auth managed-identity --datastore 6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11
  edmtop exporter --auth env --client-secret-file /run/secrets/edm --web.listen-address 0.0.0.0:9716 \
      --web.config.file /etc/edmtop/web.yml --interval 2m --max-age 50h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExporter(cmd.Context(), f, g, cmd.ErrOrStderr())
		},
	}
	addSettingFlags(cmd, "stall-after", "max-age", "upload-limit")
	fl := cmd.Flags()
	fl.StringArrayVar(&f.listen, "web.listen-address", []string{defaultListenAddress},
		"host:port to serve on; repeat for more (0.0.0.0:9716 for every interface)")
	fl.StringArrayVar(&f.oldListen, "listen", nil, "host:port to serve on")
	_ = fl.MarkDeprecated("listen", "use --web.listen-address")
	fl.StringVar(&f.webConfig, "web.config.file", "",
		"TLS and basic auth configuration (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md)")
	fl.StringVar(&f.telemetryPath, "web.telemetry-path", exporter.DefaultTelemetryPath, "path to serve the metrics on")
	fl.DurationVar(&f.interval, "interval", exporter.DefaultInterval, "how often to poll Graph (at least 10s); scrapes never poll")
	fl.StringArrayVar(&f.datastores, "datastore", nil, "a data store to watch, by id or name; repeat for more (default: every store the account sees)")
	fl.BoolVar(&f.demo, "demo", false, "export the built-in simulator's stores (no sign-in needed)")
	_ = cmd.RegisterFlagCompletionFunc("datastore", completeStores(g, false))
	return cmd
}

// check validates the flags before anything is opened (usage errors, the
// only errors the exporter exits for).
func (f *exporterFlags) check() error {
	if f.interval < minExporterInterval {
		return usageErrorf("--interval %s: use at least %s", f.interval, minExporterInterval)
	}
	if len(f.oldListen) > 0 {
		if !(len(f.listen) == 1 && f.listen[0] == defaultListenAddress) {
			return usageErrorf("--listen is the old name of --web.listen-address: give only --web.listen-address")
		}
		f.listen = f.oldListen
	}
	for _, addr := range f.listen {
		if err := checkListenAddress(addr); err != nil {
			return err
		}
	}
	if p := f.telemetryPath; !strings.HasPrefix(p, "/") || p == "/" || strings.HasPrefix(p, "/-/") || p == "/healthz" || strings.ContainsAny(p, " {}") {
		return usageErrorf("--web.telemetry-path %q: use a path of its own, such as /metrics", p)
	}
	if err := web.Validate(f.webConfig); err != nil {
		return usageErrorf("--web.config.file %s: %v", f.webConfig, err)
	}
	for _, id := range f.datastores {
		if err := graphapi.ValidateID("data store", id); err != nil {
			return usageErrorf("--datastore: %v", err)
		}
	}
	return nil
}

func checkListenAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return usageErrorf("--web.listen-address %q: use host:port, e.g. %s", addr, defaultListenAddress)
	}
	if host == "" {
		// ":9716" would listen everywhere by accident; say so explicitly.
		return usageErrorf("--web.listen-address %q: name the host (0.0.0.0 to listen on every interface)", addr)
	}
	return nil
}

func runExporter(ctx context.Context, f exporterFlags, g *globalFlags, stderr io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	return withApp(g, stderr, func(t target, a *app) error {
		return serveMetrics(ctx, f, g, t, a, stderr)
	})
}

func serveMetrics(ctx context.Context, f exporterFlags, g *globalFlags, t target, a *app, stderr io.Writer) error {
	// A service logs to stderr (the journal, the container log).
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	transport := exporter.NewTransport(graphHTTPClient(), time.Now)
	client, stop, err := f.graphClient(ctx, g, t, a, transport)
	if err != nil {
		return err
	}
	defer stop()
	listeners, err := listenAll(f.listen)
	if err != nil {
		return err
	}
	rules := g.settings.healthRules()
	exp := exporter.New(client, exporter.Options{
		Interval: f.interval, Rules: &rules, Resolve: f.resolver(), Transport: transport,
		// The exporter reads health and running sessions only: hold no more.
		Monitor:       monitor.Options{PageSize: monitor.GraphPageSize, HealthOnly: true},
		TelemetryPath: f.telemetryPath, Version: graphapi.Version, Logger: logger,
	})
	var addrs []string
	for _, ln := range listeners {
		addrs = append(addrs, ln.Addr().String())
		if host, _, _ := net.SplitHostPort(ln.Addr().String()); !graphapi.IsLoopbackHost(host) && f.webConfig == "" {
			logger.Warn("listening beyond loopback without --web.config.file: whoever reaches this address can read store and file names (never secrets)", "address", ln.Addr().String())
		}
	}
	logger.Info("exporter serving", "address", strings.Join(addrs, ","), "telemetry_path", f.telemetryPath,
		"web_config", f.webConfig, "interval", f.interval, "stores", storesLabel(f.datastores), "demo", f.demo)
	return serveExporter(ctx, exp, listeners, f.webConfig, logger)
}

// listenAll binds every address before serving, so one already taken is
// an error at start, and the log names the ports bound (":0" in tests).
func listenAll(addrs []string) ([]net.Listener, error) {
	var out []net.Listener
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range out {
				_ = l.Close()
			}
			return nil, fmt.Errorf("--web.listen-address %s: %w", addr, err)
		}
		out = append(out, ln)
	}
	return out, nil
}

// resolver turns --datastore names into ids from the store listing, in the
// exporter's poll loop; nil watches every store.
func (f *exporterFlags) resolver() func([]graphapi.DataStore) ([]string, error) {
	if len(f.datastores) == 0 {
		return nil
	}
	args := f.datastores
	return func(all []graphapi.DataStore) ([]string, error) {
		stores, err := selectStores(all, args)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(stores))
		for i, d := range stores {
			ids[i] = d.ID
		}
		return ids, nil
	}
}

// serveExporter polls and serves (TLS and basic auth from webConfig,
// through the exporter toolkit) until ctx ends, then shuts down cleanly.
func serveExporter(ctx context.Context, exp *exporter.Exporter, listeners []net.Listener, webConfig string, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		// A client's failed TLS handshake is its problem: debug, not the journal.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		exp.Run(ctx)
	}()
	noSocket := false
	flags := &web.FlagConfig{WebListenAddresses: &[]string{}, WebSystemdSocket: &noSocket, WebConfigFile: &webConfig}
	served := make(chan error, 1)
	go func() { served <- web.ServeMultiple(listeners, srv, flags, logger) }()

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

// graphClient returns a Graph client (or the simulator's) sending through
// the exporter's transport, each request bounded by --request-timeout.
// Only an interactive sign-in happens now (it needs a person); other
// credentials get their token with the first poll, so an identity
// endpoint that is down at start is retried, not fatal.
func (f *exporterFlags) graphClient(ctx context.Context, g *globalFlags, t target, a *app, tr *exporter.Transport) (*graphapi.Client, func(), error) {
	opts := g.graphOptions(&graphapi.Options{Transport: tr})
	if f.demo {
		return demoClient(opts)
	}
	cred, err := a.credential(t)
	if err != nil {
		return nil, nil, err
	}
	if cred.Mode == auth.ModeDevice || cred.Mode == auth.ModeBrowser {
		if _, err := a.signIn(ctx, t, cred); err != nil {
			return nil, nil, err
		}
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
