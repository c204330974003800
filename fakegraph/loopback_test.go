package fakegraph

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeLoopback(t *testing.T) {
	l, err := ServeLoopback("", NewDemo(Options{Token: "demo"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.Endpoint, "http://127.0.0.1:") || !strings.HasSuffix(l.Endpoint, "/beta") || strings.HasSuffix(l.Endpoint, ":0/beta") {
		t.Errorf("Endpoint = %q, want http://127.0.0.1:<free port>/beta", l.Endpoint)
	}
	req, _ := http.NewRequest(http.MethodGet, l.Endpoint+"/dataClassification/exactMatchDataStores", nil)
	req.Header.Set("Authorization", "Bearer demo")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-l.Done():
		if err != nil {
			t.Errorf("Done after Shutdown = %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Done never delivered")
	}
	if _, err := http.Get(l.Endpoint + "/dataClassification/exactMatchDataStores"); err == nil {
		t.Error("still serving after Shutdown")
	}
}

func TestServeLoopbackRefusesOtherHosts(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if l, err := ServeLoopback(addr, New(Options{})); err == nil {
			l.Close()
			t.Errorf("ServeLoopback(%q) served", addr)
		}
	}
	l, err := ServeLoopback("[::1]:0", New(Options{Prefix: "v1.0"}))
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.Endpoint, "http://[::1]:") || !strings.HasSuffix(l.Endpoint, "/v1.0") {
		t.Errorf("Endpoint = %q", l.Endpoint)
	}
}
