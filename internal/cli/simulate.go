package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
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
				printShapeBanner(cmd.OutOrStdout(), l.Endpoint, token, fromReport, *shape)
			} else {
				printBanner(cmd.OutOrStdout(), l.Endpoint, token)
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
func printShapeBanner(out io.Writer, endpoint, token, report string, s fakegraph.Shape) {
	sessions := 0
	for _, st := range s.Stores {
		for _, sc := range st.Sessions {
			sessions += sc.Count
		}
	}
	fmt.Fprintf(out, "edmtop simulator serving the tenant of %s\n", termtext.OneLine(report))
	fmt.Fprintf(out, "endpoint:   %s\n", endpoint)
	printTokenRule(out, token)
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
	writeRecipes(out, endpoint, token, []recipe{
		{"dashboard", ""},
		{"doctor", "doctor"},
		{"stores", "stores"},
	})
	fmt.Fprintf(out, "\nPress Ctrl+C to stop.\n")
}

// printBanner says where the simulator serves and the command lines that
// point edmtop at it.
func printBanner(out io.Writer, endpoint, token string) {
	fmt.Fprintf(out, "edmtop simulator serving the demo scenario\n")
	fmt.Fprintf(out, "endpoint:   %s\n", endpoint)
	printTokenRule(out, token)
	fmt.Fprintf(out, "stores:     Employee records, Patient records, Card holders, Claims archive\n")
	writeRecipes(out, endpoint, token, []recipe{
		{"dashboard", ""},
		{"check", "check"},
		{"exporter", "exporter"},
		{"list", `list "Employee records"`},
		{"wait", `wait --datastore "Employee records" employees-delta.EdmHash --timeout 10m`},
	})
	fmt.Fprintf(out, "  %-10s curl -H %s '%s/dataClassification/exactMatchDataStores'\n", "curl",
		shellQuote("Authorization: Bearer "+recipeToken(token)), endpoint)
	fmt.Fprintf(out, "\nPress Ctrl+C to stop.\n")
}

func printTokenRule(out io.Writer, token string) {
	if token != "" {
		fmt.Fprintf(out, "token:      only the one given with --token is accepted\n")
	} else {
		fmt.Fprintf(out, "token:      any non-empty bearer token is accepted\n")
	}
}

// recipe is one command line that uses the simulator: a name and the
// command's arguments after "edmtop".
type recipe struct{ name, args string }

// writeRecipes writes each recipe as a command line to paste: the token
// the simulator takes, in EDMTOP_TOKEN (the sign-in edmtop then picks),
// and --endpoint.
func writeRecipes(out io.Writer, endpoint, token string, recipes []recipe) {
	fmt.Fprintf(out, "\npoint edmtop at it (in another terminal; in PowerShell set $env:EDMTOP_TOKEN='%s' first):\n",
		strings.ReplaceAll(recipeToken(token), "'", "''"))
	for _, r := range recipes {
		line := "EDMTOP_TOKEN=" + shellQuote(recipeToken(token)) + " edmtop"
		if r.args != "" {
			line += " " + r.args
		}
		fmt.Fprintf(out, "  %-10s %s --endpoint %s\n", r.name, line, endpoint)
	}
}

// recipeToken is the token the printed command lines carry: the one given
// with --token, else any (the simulator takes every non-empty token).
func recipeToken(token string) string {
	if token == "" {
		return "demo"
	}
	return token
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
