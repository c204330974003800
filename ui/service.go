// Package ui is edmtop's dashboard: Bubble Tea models for the session table
// with progress bars, the details and error panes, the fleet screen,
// the status bar and help. It reaches the network only through Service.
package ui

import (
	"context"

	"github.com/edmtop/edmtop/graphapi"
)

// Service is what the dashboard needs from Graph; *graphapi.Client has it,
// tests pass a fake.
type Service interface {
	ListDataStores(ctx context.Context) ([]graphapi.DataStore, error)
	ListSessions(ctx context.Context, storeID string) ([]*graphapi.Session, error)
	GetSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	RenewSession(ctx context.Context, storeID, sessionID string) (graphapi.Session, error)
	CancelSession(ctx context.Context, storeID, sessionID string) error
	CommitSession(ctx context.Context, storeID, sessionID string) error
	GetUploadAgent(ctx context.Context, storeID, sessionID string) (graphapi.UploadAgent, error)
}

var _ Service = (*graphapi.Client)(nil)
