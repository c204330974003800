package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/edmtop/edmtop/doctor"
	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

func newSimulateCmd() *cobra.Command {
	var listen, token, fromReport string
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Serve the simulated EDM service (the demo scenario) over HTTP",
		Long: `Serve the simulated Microsoft Graph EDM service with the demo scenario:
four data stores and a dozen sessions that progress in real time.

With --from-report FILE, serve instead a tenant of the shape an
'edmtop doctor --report' recorded: its data stores (by their names in the
report), the sessions of each in the states seen, the page size, whether
$count answers, the stores that refused access and the typical response time.

Point edmtop or curl at the printed endpoint. With --token, only that bearer
token is accepted; without it, any non-empty bearer token is.`,
		Example: `  edmtop simulate --listen 127.0.0.1:8080 --token demo
  curl -H 'Authorization: Bearer demo' http://127.0.0.1:8080/beta/dataClassification/exactMatchDataStores
  edmtop simulate --from-report edm-doctor.json --listen 127.0.0.1:0`,
		Args: noArgs,
		// The simulator reads no settings: a broken config file must not
		// stop it, and no sign-in flag applies.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return refuseGlobals(cmd) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, _, err := net.SplitHostPort(listen)
			if err != nil {
				return usageErrorf("--listen %q: want HOST:PORT, e.g. 127.0.0.1:8080", listen)
			}
			if !graphapi.IsLoopbackHost(host) {
				return usageErrorf("--listen %q: the simulator serves plain http and listens on loopback addresses only", listen)
			}
			sim, shape, err := simulated(fromReport, token)
			if err != nil {
				return err
			}
			l, err := fakegraph.ServeLoopback(listen, sim)
			if err != nil {
				return err
			}
			if shape != nil {
				printShapeBanner(cmd.OutOrStdout(), l.Endpoint, token != "", fromReport, *shape)
			} else {
				printBanner(cmd.OutOrStdout(), l.Endpoint, token != "")
			}
			select {
			case err := <-l.Done():
				return err
			case <-cmd.Context().Done():
				shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				return l.Shutdown(shutdownCtx)
			}
		},
	}
	readsGlobals(cmd)
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "loopback address to serve on (port 0 picks a free one)")
	cmd.Flags().StringVar(&token, "token", "", "accept only this bearer token")
	cmd.Flags().StringVar(&fromReport, "from-report", "", "serve a tenant of the shape this edmtop doctor report recorded")
	return cmd
}

// simulated is the service to serve: the demo scenario, or the tenant a
// doctor report outlines (then its shape too).
func simulated(fromReport, token string) (*fakegraph.Server, *fakegraph.Shape, error) {
	if fromReport == "" {
		return fakegraph.NewDemo(fakegraph.Options{Token: token}), nil, nil
	}
	f, err := os.Open(fromReport)
	if err != nil {
		return nil, nil, usageErrorf("--from-report: %v", err)
	}
	defer f.Close()
	rep, err := doctor.ReadReport(f)
	if err != nil {
		return nil, nil, usageErrorf("--from-report %s: %v", fromReport, err)
	}
	shape := shapeOf(rep.Shape)
	sim, err := fakegraph.NewShaped(fakegraph.Options{Token: token}, shape)
	if err != nil {
		return nil, nil, usageErrorf("--from-report %s: %v", fromReport, err)
	}
	return sim, &shape, nil
}

// shapeOf is a report's shape as the simulator takes it. Sessions a store
// counted beyond those listed (a listing cut short) take its most common
// state; a store with none seen, Completed.
func shapeOf(s doctor.Shape) fakegraph.Shape {
	out := fakegraph.Shape{PageSize: s.PageSize, NoCount: !s.Count, ListForbidden: s.ListForbidden,
		Latency: time.Duration(s.LatencyMs * float64(time.Millisecond)).Round(time.Millisecond)}
	for _, st := range s.Stores {
		ss := fakegraph.ShapeStore{Name: st.Name, Forbidden: st.Forbidden}
		total, most := 0, -1
		for i, sc := range st.States {
			ss.Sessions = append(ss.Sessions, fakegraph.StateCount{State: sc.State, Count: sc.Count})
			total += max(sc.Count, 0) // a negative count is NewShaped's to refuse
			if most < 0 || sc.Count > st.States[most].Count {
				most = i
			}
		}
		if extra := st.Sessions - total; extra > 0 {
			if most < 0 {
				ss.Sessions = append(ss.Sessions, fakegraph.StateCount{State: fakegraph.StateCompleted})
				most = 0
			}
			ss.Sessions[most].Count += extra
		}
		out.Stores = append(out.Stores, ss)
	}
	return out
}

// printShapeBanner says where the report's tenant is served and what it holds.
func printShapeBanner(out io.Writer, endpoint string, ownToken bool, report string, s fakegraph.Shape) {
	sessions := 0
	for _, st := range s.Stores {
		for _, sc := range st.Sessions {
			sessions += sc.Count
		}
	}
	fmt.Fprintf(out, "edmtop simulator serving the tenant of %s\n", termtext.OneLine(report))
	fmt.Fprintf(out, "endpoint:   %s\n", endpoint)
	if ownToken {
		fmt.Fprintf(out, "token:      only the one given with --token is accepted\n")
	} else {
		fmt.Fprintf(out, "token:      any non-empty bearer token is accepted\n")
	}
	pages, count := "the simulator's", "answered"
	if s.PageSize > 0 {
		pages = fmt.Sprint(s.PageSize)
	}
	if s.NoCount {
		count = "refused"
	}
	latency := "no delay added"
	if s.Latency > 0 {
		latency = s.Latency.String() + " an answer"
	}
	fmt.Fprintf(out, "shape:      %d data stores, %d sessions; pages of %s; $count %s; %s\n", len(s.Stores), sessions, pages, count, latency)
	if s.ListForbidden {
		fmt.Fprintf(out, "            every request is refused (403), as the report's store listing was\n")
	}
	fmt.Fprintf(out, "\ntry:\n  EDMTOP_TOKEN=YOUR_TOKEN edmtop doctor --endpoint %s\n", endpoint)
	fmt.Fprintf(out, "\nPress Ctrl+C to stop.\n")
}

// printBanner says where the simulator serves and how to try it.
func printBanner(out io.Writer, endpoint string, ownToken bool) {
	fmt.Fprintf(out, "edmtop simulator serving the demo scenario\n")
	fmt.Fprintf(out, "endpoint:   %s\n", endpoint)
	if ownToken {
		fmt.Fprintf(out, "token:      only the one given with --token is accepted\n")
	} else {
		fmt.Fprintf(out, "token:      any non-empty bearer token is accepted\n")
	}
	fmt.Fprintf(out, "data store: %s (Employee records)\n\n", fakegraph.DemoEmployeesStore)
	fmt.Fprintf(out, "try:\n  curl -H 'Authorization: Bearer YOUR_TOKEN' '%s/dataClassification/exactMatchDataStores/%s/sessions?$top=5'\n", endpoint, fakegraph.DemoEmployeesStore)
	fmt.Fprintf(out, "\nPress Ctrl+C to stop.\n")
}
