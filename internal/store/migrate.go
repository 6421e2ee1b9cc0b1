package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/profitline/profitline/db/migrations"
)

// AppRole is the role the migrations grant table privileges to. The login DATABASE_URL uses must be this role or a
// member of it.
const AppRole = "profitline_app"

// JobSchema is the schema River's tables live in. Migration 00003 creates it and grants the app role the use of
// the tables River's migrator then creates there.
const JobSchema = "river"

// MigrateRevision names the version of what Migrate does beyond the SQL files (River's migrations and the grants
// after them). Bump it with any such change: test databases are cloned from a template keyed on it.
const MigrateRevision = 1

// Migrate applies every pending migration, connected as the owner role: goose's (db/migrations), then River's (in
// JobSchema). Concurrent callers are serialised by Postgres advisory locks, so several instances starting at once
// is safe, and a second run applies nothing.
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
	return migrateRiver(ctx, ownerURL, log)
}

// riverLockKey serialises River's migrations, which take no lock of their own (goose's lock is released by now).
const riverLockKey = "profitline.migrate.river"

// migrateRiver applies River's own migrations in JobSchema, as the owner role, after goose has created the schema
// and its default privileges: the tables come out owned by the owner and usable by the app role.
func migrateRiver(ctx context.Context, ownerURL string, log *slog.Logger) error {
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	defer pool.Close()
	// The lock is held on a connection of its own; River's migrator runs each version in a transaction on others.
	lockConn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	defer lockConn.Release()
	if _, err := lockConn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, riverLockKey); err != nil {
		return fmt.Errorf("migrate river: lock: %w", err)
	}
	defer lockConn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, riverLockKey)

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Schema: JobSchema,
		Logger: slog.New(slog.DiscardHandler), // it logs "no migrations to apply" on every start; we log what it applied
	})
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("river migration applied", "version", v.Version, "name", v.Name, "took", v.Duration)
	}
	// River's clients never read their migration history; the app role must not be able to rewrite it either (the
	// schema's default privileges granted it, as for every River table).
	revoke := fmt.Sprintf(`REVOKE ALL ON %s FROM %s`, pgx.Identifier{JobSchema, "river_migration"}.Sanitize(), pgx.Identifier{AppRole}.Sanitize())
	if _, err := pool.Exec(ctx, revoke); err != nil {
		return fmt.Errorf("migrate river: %w", err)
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
