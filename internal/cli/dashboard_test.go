package cli

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/edmtop/edmtop/internal/heap"
)

// The dashboard's polls are bounded by request-timeout (30s by default),
// not by a fixed 5 minutes: its setting reaches the dashboard's options.
func TestDashboardTakesTheRequestTimeout(t *testing.T) {
	a := &app{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, 30 * time.Second},
		{map[string]string{"EDMTOP_REQUEST_TIMEOUT": "3s"}, 3 * time.Second},
	} {
		o := dashboardOptions(context.Background(), resolveFor(t, tc.env), nil, "", "", a, io.Discard)
		if o.RequestTimeout != tc.want || o.Refresh != 10*time.Second {
			t.Errorf("env %v: request timeout %s, refresh %s; want %s", tc.env, o.RequestTimeout, o.Refresh, tc.want)
		}
		// The dashboard runs under the process's memory policy.
		if _, ok := o.Memory.(*heap.Budget); !ok {
			t.Errorf("env %v: memory policy %T, want *heap.Budget", tc.env, o.Memory)
		}
	}
}
