package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/profitline/profitline/db/migrations"
)

// AppRole is the role the migrations grant table privileges to. The login DATABASE_URL uses must be this role or a
// member of it.
const AppRole = "profitline_app"

// Migrate applies every pending migration, connected as the owner role. Concurrent callers are serialised by a
// Postgres advisory lock, so several instances starting at once is safe.
func Migrate(ctx context.Context, ownerURL string, log *slog.Logger) error {
	db, err := sql.Open("pgx", ownerURL)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer db.Close()

	var appRoleExists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AppRole).Scan(&appRoleExists); err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	if !appRoleExists {
		return fmt.Errorf("migrate: role %s does not exist; create it first: CREATE ROLE %s LOGIN NOSUPERUSER NOBYPASSRLS",
			AppRole, AppRole)
	}
	provider, err := newProvider(db, log)
	if err != nil {
		return err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// MigrationStatus lists each migration and whether it is applied.
func MigrationStatus(ctx context.Context, ownerURL string) ([]*goose.MigrationStatus, error) {
	db, err := sql.Open("pgx", ownerURL)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer db.Close()
	provider, err := newProvider(db, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	return provider.Status(ctx)
}

func newProvider(db *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithSlog(log), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return provider, nil
}
