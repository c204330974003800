package fakegraph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Loopback is a simulator served over plain HTTP on a loopback address.
type Loopback struct {
	// Endpoint is the Graph endpoint to give a client, e.g.
	// "http://127.0.0.1:49152/beta".
	Endpoint string
	// Addr is the address actually listened on (the port chosen for ":0").
	Addr net.Addr

	srv  *http.Server
	done chan error
}

// ServeLoopback serves s on addr, which must name a loopback host
// ("127.0.0.1:8080", "[::1]:0", "localhost:0"); "" means 127.0.0.1 on a free
// port. The simulator speaks plain http and accepts tokens it did not issue,
// so it must never listen where another machine can reach it.
func ServeLoopback(addr string, s *Server) (*Loopback, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: want HOST:PORT, e.g. 127.0.0.1:8080", addr)
	}
	if !isLoopback(host) {
		return nil, fmt.Errorf("listen address %q: the simulator listens on loopback addresses only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot start the simulator: %w", err)
	}
	l := &Loopback{
		Endpoint: "http://" + ln.Addr().String() + s.opts.Prefix,
		Addr:     ln.Addr(),
		srv:      &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan error, 1),
	}
	go func() {
		err := l.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		l.done <- err
		close(l.done)
	}()
	return l, nil
}

// Done delivers the serving error (nil after Shutdown) once serving stops.
func (l *Loopback) Done() <-chan error { return l.done }

// Shutdown stops accepting requests and waits for those in flight, up to
// ctx; then it closes what is left.
func (l *Loopback) Shutdown(ctx context.Context) error {
	err := l.srv.Shutdown(ctx)
	if err != nil {
		_ = l.srv.Close()
	}
	return err
}

// Close stops serving at once (within a second for requests in flight).
func (l *Loopback) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return l.Shutdown(ctx)
}

// isLoopback mirrors graphapi.IsLoopbackHost (fakegraph does not import
// the client).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
