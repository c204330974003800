package graphapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testToken is distinctive so a leak into any text is easy to find.
const testToken = "tkn-SECRET-6f1d2c9e-do-not-leak"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fastOptions keep retry waits short so tests stay quick.
func fastOptions() *Options {
	return &Options{
		RetryDelay:    10 * time.Millisecond,
		MaxRetryDelay: 2 * time.Second,
		TryTimeout:    2 * time.Second,
		CallTimeout:   10 * time.Second,
	}
}

func newTestClient(t testing.TB, srv *httptest.Server, opts *Options) *Client {
	t.Helper()
	if opts == nil {
		opts = fastOptions()
	}
	if opts.Transport == nil {
		opts.Transport = srv.Client()
	}
	cred, err := NewStaticTokenCredential(testToken)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(srv.URL+"/beta", cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve starts an httptest server; it is closed when the test ends.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func assertNoSecrets(t testing.TB, text string) {
	t.Helper()
	for _, secret := range []string{testToken, "sig=", "EXAMPLEsig", "$skiptoken"} {
		if strings.Contains(text, secret) {
			t.Errorf("text leaks %q: %s", secret, text)
		}
	}
}

// policyOptions are the token request options a Graph credential gets.
func policyOptions() policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
}

// failingCredential never gets a token, as when az login is needed.
type failingCredential struct{}

func (failingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("az login needed")
}

// httpGet reads a URL with a bearer token, for benchmarks that time the
// simulator's answer alone.
func httpGet(url string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer bench")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
