package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/edmtop/edmtop/fakegraph"
	"github.com/edmtop/edmtop/graphapi"
	"github.com/spf13/cobra"
)

func newSimulateCmd() *cobra.Command {
	var listen, token string
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Serve the simulated EDM service (the demo scenario) over HTTP",
		Long: `Serve the simulated Microsoft Graph EDM service with the demo scenario:
four data stores and a dozen sessions that progress in real time.

Point edmtop or curl at the printed endpoint. With --token, only that bearer
token is accepted; without it, any non-empty bearer token is.`,
		Example: `  edmtop simulate --listen 127.0.0.1:8080 --token demo
  curl -H 'Authorization: Bearer demo' http://127.0.0.1:8080/beta/dataClassification/exactMatchDataStores`,
		Args: noArgs,
		// The simulator reads no settings: a broken config file must not
		// stop it.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, _, err := net.SplitHostPort(listen)
			if err != nil {
				return usageErrorf("--listen %q: want HOST:PORT, e.g. 127.0.0.1:8080", listen)
			}
			if !graphapi.IsLoopbackHost(host) {
				return usageErrorf("--listen %q: the simulator serves plain http and listens on loopback addresses only", listen)
			}
			l, err := fakegraph.ServeLoopback(listen, fakegraph.NewDemo(fakegraph.Options{Token: token}))
			if err != nil {
				return err
			}
			printBanner(cmd.OutOrStdout(), l.Endpoint, token != "")
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
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "loopback address to serve on (port 0 picks a free one)")
	cmd.Flags().StringVar(&token, "token", "", "accept only this bearer token")
	return cmd
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
