package doctor

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edmtop/edmtop/auth"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/present"
)

func (o ReachOptions) withDefaults() ReachOptions {
	if o.LookupHost == nil {
		o.LookupHost = net.DefaultResolver.LookupHost
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	if o.Proxy == nil {
		o.Proxy = http.ProxyFromEnvironment
	}
	return o
}

// skewWarning is the clock difference that starts failing sign-ins.
const skewWarning = 2 * time.Minute

func (r *runner) reach(ctx context.Context) {
	r.proxyCheck(ctx)
	r.hostCheck(ctx, "graph", r.o.Target.Endpoint)
	if why := r.noAuthority(); why != "" {
		r.rep.Reach.Hosts = append(r.rep.Reach.Hosts, HostFacts{Role: "authority", Host: hostOf(r.authority()), Skipped: why})
		r.emit(Check{ID: "reach.authority", Section: SectionReach, Title: "sign-in service", Verdict: Skip, Detail: why})
	} else {
		r.hostCheck(ctx, "authority", r.authority())
	}
	r.httpCheck(ctx)
	r.clockCheck()
}

// noAuthority says why the sign-in service need not be reached.
func (r *runner) noAuthority() string {
	switch {
	case r.o.Demo:
		return "not needed: --demo signs in nowhere"
	case r.rep.SignIn.Effective == string(auth.ModeToken) || r.o.Target.Mode == auth.ModeToken:
		return "not needed: a ready token (" + graphapi.TokenEnvVar + ") asks no sign-in service"
	}
	return ""
}

func (r *runner) proxyCheck(ctx context.Context) {
	if !r.ready(ctx, SectionReach, "reach.proxy", "proxy", r.noConfig) {
		return
	}
	env := func(names ...string) string {
		for _, n := range names {
			if v := r.o.Getenv(n); v != "" {
				return redactProxy(v)
			}
		}
		return ""
	}
	p := ProxyFacts{HTTPSProxy: env("HTTPS_PROXY", "https_proxy"), HTTPProxy: env("HTTP_PROXY", "http_proxy"), NoProxy: env("NO_PROXY", "no_proxy")}
	r.rep.Reach.Proxy = p
	c := Check{ID: "reach.proxy", Section: SectionReach, Title: "proxy", Verdict: OK}
	var via []string
	for _, target := range []struct{ name, url string }{{"Graph", r.o.Target.Endpoint}, {"sign-in", r.authority()}} {
		if u, err := url.Parse(target.url); err == nil {
			if proxy := r.proxyFor(u); proxy != "" {
				via = append(via, target.name+" through "+proxy)
			}
		}
	}
	switch {
	case len(via) > 0:
		c.Detail = strings.Join(via, ", ")
	case p.HTTPSProxy != "" || p.HTTPProxy != "":
		c.Detail = "none for these hosts (NO_PROXY or loopback)"
	default:
		c.Detail = "none (HTTPS_PROXY and NO_PROXY are not set)"
	}
	if p.NoProxy != "" {
		c.Detail += "; NO_PROXY=" + p.NoProxy
	}
	r.emit(c)
}

// proxyFor is the proxy (host:port) requests to u go through, "" for none.
func (r *runner) proxyFor(u *url.URL) string {
	p, err := r.o.Reach.Proxy(&http.Request{URL: u, Header: http.Header{}})
	if err != nil || p == nil {
		return ""
	}
	return p.Host
}

// redactProxy drops user info from a proxy variable's value.
func redactProxy(v string) string {
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		u.User = nil
		return u.Scheme + "://" + u.Host
	}
	if i := strings.LastIndex(v, "@"); i >= 0 {
		return v[i+1:]
	}
	return v
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// hostCheck resolves, connects to and shakes hands with one host (or the
// proxy in front of it), timing each step.
func (r *runner) hostCheck(ctx context.Context, role, raw string) {
	title := map[string]string{"graph": "Graph", "authority": "sign-in service"}[role]
	id := "reach." + role
	if !r.ready(ctx, SectionReach, id, title, r.noConfig) {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		r.emit(Check{ID: id, Section: SectionReach, Title: title, Verdict: Fail, Detail: "not a URL: " + graphapi.RedactURLString(raw)})
		return
	}
	h := HostFacts{Role: role, Host: u.Hostname(), Port: portOf(u)}
	host, port := h.Host, h.Port
	if proxy := r.proxyFor(u); proxy != "" {
		h.Via = proxy
		host, port, _ = net.SplitHostPort(proxy)
	}
	c := Check{ID: id, Section: SectionReach, Title: title, Verdict: OK}
	c.Detail, c.Fix = r.walkHost(ctx, &h, host, port, u.Scheme == "https" && h.Via == "")
	if c.Fix != "" {
		c.Verdict = Fail
		if role == "graph" {
			r.noGraph = "Microsoft Graph cannot be reached (above)"
		}
	}
	r.rep.Reach.Hosts = append(r.rep.Reach.Hosts, h)
	r.emit(c)
}

// walkHost runs DNS, TCP and (when asked) TLS in turn, stopping at the
// first that fails; it returns the check's detail and, on failure, the fix.
func (r *runner) walkHost(ctx context.Context, h *HostFacts, host, port string, wantTLS bool) (detail, fix string) {
	where := h.Host + ":" + h.Port
	if h.Via != "" {
		where += " through the proxy " + h.Via
	}
	h.DNS = r.lookup(ctx, host)
	if !h.DNS.OK {
		return where + ": " + h.DNS.Error, "check this machine's DNS for " + host + "; behind a proxy, set HTTPS_PROXY"
	}
	conn, tcp := r.connect(ctx, net.JoinHostPort(host, port))
	h.TCP = tcp
	if !tcp.OK {
		return where + ": DNS " + ms(h.DNS.Ms) + ", TCP " + tcp.Error, "allow outbound connections to " + net.JoinHostPort(host, port) + ", or set HTTPS_PROXY to this network's proxy"
	}
	defer conn.Close()
	detail = where + ": DNS " + ms(h.DNS.Ms) + ", TCP " + ms(tcp.Ms)
	if net.ParseIP(host) != nil {
		detail = where + ": TCP " + ms(tcp.Ms)
	}
	if !wantTLS {
		return detail + ", no TLS (plain http to this machine)", ""
	}
	h.TLS = r.handshake(ctx, conn, h.Host)
	if !h.TLS.OK {
		return detail + ", TLS " + h.TLS.Error, "a TLS-inspecting proxy or firewall may be in the way: trust its root certificate here (system store or SSL_CERT_FILE)"
	}
	return detail + ", " + h.TLS.Detail + " " + ms(h.TLS.Ms), ""
}

func (r *runner) lookup(ctx context.Context, host string) *Layer {
	if net.ParseIP(host) != nil {
		return &Layer{OK: true, Detail: "an address: no lookup"}
	}
	elapsed := r.o.Stopwatch()
	addrs, err := r.o.Reach.LookupHost(ctx, host)
	l := &Layer{Ms: millis(elapsed())}
	if err != nil {
		l.Error = "cannot resolve " + host + ": " + dnsReason(err)
		return l
	}
	l.OK, l.Detail = true, plural(len(addrs), "address")
	return l
}

func dnsReason(err error) string {
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		return "no such host"
	case errors.As(err, &de) && de.IsTimeout:
		return "the DNS server did not answer"
	case errors.As(err, &de):
		return de.Err
	}
	return err.Error()
}

func (r *runner) connect(ctx context.Context, addr string) (net.Conn, *Layer) {
	elapsed := r.o.Stopwatch()
	conn, err := r.o.Reach.Dial(ctx, "tcp", addr)
	l := &Layer{Ms: millis(elapsed())}
	if err != nil {
		l.Error = netReason(ctx, err)
		return nil, l
	}
	l.OK, l.Detail = true, "connected"
	return conn, l
}

// netReason says why a connection failed, without the address twice.
func netReason(ctx context.Context, err error) string {
	var op *net.OpError
	switch {
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &op) && op.Err != nil:
		return strings.TrimPrefix(op.Err.Error(), "connect: ")
	}
	return err.Error()
}

func (r *runner) handshake(ctx context.Context, conn net.Conn, serverName string) *Layer {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.o.Reach.TLS != nil {
		cfg = r.o.Reach.TLS.Clone()
	}
	cfg.ServerName = serverName
	elapsed := r.o.Stopwatch()
	tc := tls.Client(conn, cfg)
	err := tc.HandshakeContext(ctx)
	l := &Layer{Ms: millis(elapsed())}
	if err != nil {
		l.Error = tlsReason(ctx, err)
		return l
	}
	st := tc.ConnectionState()
	l.OK, l.Detail = true, tls.VersionName(st.Version)
	if len(st.PeerCertificates) > 0 {
		if issuer := issuerName(st); issuer != "" {
			l.Detail += " (certificate from " + issuer + ")"
		}
	}
	return l
}

func issuerName(st tls.ConnectionState) string {
	is := st.PeerCertificates[0].Issuer
	if is.CommonName != "" {
		return is.CommonName
	}
	if len(is.Organization) > 0 {
		return is.Organization[0]
	}
	return ""
}

func tlsReason(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return "timed out"
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return "certificate signed by an authority this machine does not trust"
	}
	return err.Error()
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// httpCheck asks the endpoint for its root without a token: any answer
// shows the whole path works (proxy included) and carries the service's
// Date for the clock check.
func (r *runner) httpCheck(ctx context.Context) {
	if !r.ready(ctx, SectionReach, "reach.http", "HTTP", r.noConfig, r.noGraph) {
		return
	}
	c := Check{ID: "reach.http", Section: SectionReach, Title: "HTTP", Verdict: OK}
	l := &Layer{}
	r.rep.Reach.HTTP = l
	elapsed := r.o.Stopwatch()
	status, err := r.getRoot(ctx)
	l.Ms, l.Status = millis(elapsed()), status
	switch {
	case err != nil && r.cut(ctx) != "":
		l.Error = r.noAnswer()
		c.Verdict, c.Detail, c.Fix = Fail, l.Error, "the service takes connections but does not answer: try again later; behind a proxy, check HTTPS_PROXY"
	case err != nil:
		l.Error = graphapi.Scrub(err.Error())
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			l.Error = "the connection was closed without an answer"
		}
		c.Verdict, c.Detail, c.Fix = Fail, "no answer: "+l.Error, "the connection is made but the request fails: behind a proxy, check HTTPS_PROXY"
	case status == http.StatusProxyAuthRequired:
		c.Verdict, c.Detail, c.Fix = Fail, "the proxy asks for credentials (HTTP 407)", "put them in HTTPS_PROXY: http://USER:PASSWORD@PROXY:PORT"
	case status == http.StatusTooManyRequests:
		l.OK = true
		c.Verdict, c.Detail, c.Fix = Warn, fmt.Sprintf("the endpoint answered HTTP 429 (throttled) in %s", ms(l.Ms)), "the service is throttling this client: try again in a few minutes"
	case status >= 500:
		l.OK = true
		c.Verdict, c.Detail, c.Fix = Warn, fmt.Sprintf("the endpoint answered HTTP %d in %s", status, ms(l.Ms)), "the service, or a gateway before it, is failing: try again later"
	default:
		l.OK = true
		c.Detail = fmt.Sprintf("the endpoint answered HTTP %d without a token, in %s", status, ms(l.Ms))
	}
	r.emit(c)
}

func (r *runner) getRoot(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(r.o.Target.Endpoint, "/")+"/", nil)
	if err != nil {
		return 0, err
	}
	resp, err := r.obs.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// clockCheck compares this machine's clock with the service's Date.
func (r *runner) clockCheck() {
	c := Check{ID: "reach.clock", Section: SectionReach, Title: "clock", Verdict: OK}
	date, at, ok := r.obs.firstDate()
	if !ok {
		c.Verdict, c.Detail = NotRun, "not run: no answer from the service to compare with"
		if why := cmp.Or(r.noConfig, r.noGraph); why != "" {
			c.Detail = "not run: " + why
		}
		r.emit(c)
		return
	}
	// Date has whole seconds: compare whole seconds.
	skew := date.Sub(at.Truncate(time.Second))
	secs := math.Round(skew.Seconds())
	r.rep.Reach.ClockSkewSeconds = &secs
	abs := time.Duration(math.Abs(secs)) * time.Second
	way := "behind"
	if skew < 0 {
		way = "ahead of"
	}
	switch {
	case abs > skewWarning:
		c.Verdict, c.Detail = Warn, "this machine's clock is "+present.Elapsed(abs)+" "+way+" the service's (its Date header)"
		c.Fix = "set the clock right (NTP: timedatectl set-ntp true; Windows: w32tm /resync): sign-in refuses tokens when it is off by minutes"
	case abs == 0:
		c.Detail = "agrees with the service's Date to the second"
	default:
		c.Detail = "within " + present.Elapsed(abs) + " of the service's Date"
	}
	r.emit(c)
}

func ms(v float64) string {
	if v > 0 && v < 1 {
		return "<1ms"
	}
	if v >= 1000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.0fms", v)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	switch {
	case strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	case strings.HasSuffix(word, "ry"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
