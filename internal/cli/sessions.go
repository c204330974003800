package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/edmtop/edmtop/graphapi"
	"github.com/edmtop/edmtop/termtext"
	"github.com/spf13/cobra"
)

// scriptFlags are the flags of the scripting commands.
type scriptFlags struct {
	output    string
	reveal    bool
	datastore string
	yes       bool
}

func (s *scriptFlags) registerOutput(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&s.output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	cmd.Flags().BoolVar(&s.reveal, "reveal", false, "show the salt and the upload URL's query (SAS signature) in JSON output")
}

func (s *scriptFlags) registerStore(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.datastore, "datastore", "", "data store id (default: from EDMTOP_DATASTORE or the config file)")
}

func (s *scriptFlags) check(g *globalFlags, needStore bool, ids []string) error {
	if s.output != "table" && s.output != "json" {
		return usageErrorf("--output %q: use table or json", s.output)
	}
	if needStore {
		if s.datastore == "" {
			return usageErrorf("--datastore is required (or set EDMTOP_DATASTORE, or datastore: in the config file)")
		}
		if err := graphapi.ValidateID("data store", s.datastore); err != nil {
			return usageErrorf("--datastore%s: %v", g.settings.from("datastore"), err)
		}
	}
	for _, id := range ids {
		if err := graphapi.ValidateID("session", id); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

func newStoresCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "stores",
		Short: "List the EDM data stores",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.check(g, false, nil); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				stores, err := client.ListDataStores(cmd.Context())
				if err != nil {
					apiError(cmd.ErrOrStderr(), "", err)
					return errReported
				}
				return writeStores(cmd.OutOrStdout(), s, stores)
			})
		},
	}
	s.registerOutput(cmd)
	return cmd
}

func newListCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the upload sessions of a data store (all pages)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.check(g, true, nil); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				sessions, err := client.ListSessions(cmd.Context(), s.datastore)
				if err != nil {
					apiError(cmd.ErrOrStderr(), "", err)
					return errReported
				}
				return writeSessions(cmd.OutOrStdout(), s, sessions, true)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

func newGetCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "get SESSION_ID",
		Short: "Show one session",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := s.check(g, true, args); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				session, err := client.GetSession(cmd.Context(), s.datastore, args[0])
				if err != nil {
					apiError(cmd.ErrOrStderr(), args[0], err)
					return errReported
				}
				return writeSessions(cmd.OutOrStdout(), s, []graphapi.Session{session}, false)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

func newRenewCmd(g *globalFlags) *cobra.Command {
	var s scriptFlags
	cmd := &cobra.Command{
		Use:   "renew SESSION_ID...",
		Short: "Renew sessions (each is reported; any failure exits 1)",
		Args:  minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := s.check(g, true, args); err != nil {
				return err
			}
			return withClient(cmd, g, func(client *graphapi.Client) error {
				var renewed []graphapi.Session
				failed := forEachID(cmd, args, func(id string) error {
					session, err := client.RenewSession(cmd.Context(), s.datastore, id)
					if err == nil {
						renewed = append(renewed, session)
					}
					return err
				})
				if s.output == "json" || len(renewed) > 0 {
					if err := writeSessions(cmd.OutOrStdout(), s, renewed, true); err != nil {
						return err
					}
				}
				return reported(failed)
			})
		},
	}
	s.registerOutput(cmd)
	s.registerStore(cmd)
	return cmd
}

// reported is the error for "some ids failed, each already reported".
func reported(failed bool) error {
	if failed {
		return errReported
	}
	return nil
}

// forEachID runs do for every id, reporting each failure on stderr, and
// says whether any failed.
func forEachID(cmd *cobra.Command, ids []string, do func(id string) error) (failed bool) {
	for _, id := range ids {
		if err := do(id); err != nil {
			apiError(cmd.ErrOrStderr(), id, err)
			failed = true
		}
	}
	return failed
}

// apiError reports a failed call on stderr with what a ticket needs, and
// advice when there is some.
func apiError(w io.Writer, sessionID string, err error) {
	text := err.Error()
	if sessionID != "" {
		text = "session " + sessionID + ": " + text
	}
	fmt.Fprintln(w, "edmtop: "+termtext.OneLine(text))
	if advice := graphapi.Advice(err); advice != "" {
		fmt.Fprintln(w, "  "+advice)
	}
}

// errReported means the failures were already printed: exit 1, say no more.
var errReported = errors.New("failures reported above")
