// Package store is Profitline's database as the rest of the app sees it. Tenant data is only reachable through
// InTenant, which runs a function in a transaction scoped by row-level security to one seller; the few operations
// that must cross tenants go through System, which can only call the system schema's functions (they return ids).
//
// It must never hand out the pool, run tenant queries outside a tenant transaction, or decide business rules.
package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Store holds the application role's connection pool and the key ring that unlocks tenants' data keys.
type Store struct {
	pool  *pgxpool.Pool
	keys  *vault.KeyRing
	clock clock.Clock
}

// Open connects as the application role and refuses a role that would bypass row-level security.
func Open(ctx context.Context, databaseURL string, keys *vault.KeyRing, clk clock.Clock) (*Store, error) {
	if keys == nil {
		return nil, errors.New("store: no key ring configured")
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: DATABASE_URL: %w", err)
	}
	// The app's queries are short and indexed; Postgres's JIT compiles the few that read many rows (cash flow's
	// settled orders) for longer than they run: 95 ms of a 690 ms query for a million-order seller. A URL may still
	// turn it on (?jit=on).
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerCodecs(c.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	role, err := CurrentRole(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if role.BypassesRLS() {
		pool.Close()
		return nil, fmt.Errorf("store: DATABASE_URL connects as %q, which bypasses row-level security "+
			"(superuser, BYPASSRLS or table owner); connect as the application role (see README, Database roles)", role.Name)
	}
	return &Store{pool: pool, keys: keys, clock: clk}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Role is what the database says about a connection's role.
type Role struct {
	Name       string
	Superuser  bool
	BypassRLS  bool
	OwnsTables bool
}

// BypassesRLS reports whether row-level security would not protect tenants from this role.
func (r Role) BypassesRLS() bool { return r.Superuser || r.BypassRLS || r.OwnsTables }

// Querier is what CurrentRole needs: a pool or a connection.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CurrentRole reads the connection's role attributes, and whether it owns any table of the public schema.
func CurrentRole(ctx context.Context, q Querier) (Role, error) {
	var r Role
	err := q.QueryRow(ctx, `
		SELECT r.rolname, r.rolsuper, r.rolbypassrls,
		       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'USAGE'))
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&r.Name, &r.Superuser, &r.BypassRLS, &r.OwnsTables)
	if err != nil {
		return Role{}, fmt.Errorf("store: read current role: %w", err)
	}
	return r, nil
}

// ErrNoTenant is returned for a user id that cannot name a tenant.
var ErrNoTenant = errors.New("store: no tenant: user id must be positive")

// InTenant runs fn in a transaction in which row-level security shows only userID's rows. fn's error rolls the
// transaction back; nil commits it.
func (s *Store) InTenant(ctx context.Context, userID int64, fn func(*Tx) error) error {
	if userID <= 0 {
		return ErrNoTenant
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if err := setTenant(ctx, tx, userID); err != nil {
			return err
		}
		return fn(s.newTx(tx, userID))
	})
}

// CreateTenant creates a user and its first data key, then runs fn as that tenant, all in one transaction: a user
// never exists without the key that seals its data. It returns the new user's id.
func (s *Store) CreateTenant(ctx context.Context, fn func(*Tx) error) (int64, error) {
	var userID int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		id, err := systemdb.New(tx).CreateUser(ctx, s.clock.Now())
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if err := setTenant(ctx, tx, id); err != nil {
			return err
		}
		t := s.newTx(tx, id)
		if err := t.createDataKey(ctx, 1); err != nil {
			return err
		}
		userID = id
		if fn == nil {
			return nil
		}
		return fn(t)
	})
	if err != nil {
		return 0, err
	}
	return userID, nil
}

// System runs fn in a transaction with no tenant set. Only systemdb's queries are offered: calls to the system
// schema's SECURITY DEFINER functions, which return ids; tenant work then happens in InTenant.
func (s *Store) System(ctx context.Context, fn func(*systemdb.Queries) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		return fn(systemdb.New(tx))
	})
}

func setTenant(ctx context.Context, tx pgx.Tx, userID int64) error {
	// set_config(..., true) is transaction-scoped, so the setting never leaks to the pool's next borrower.
	if _, err := tx.Exec(ctx, `SELECT set_config('app.user_id', $1, true)`, strconv.FormatInt(userID, 10)); err != nil {
		return fmt.Errorf("store: set tenant %d: %w", userID, err)
	}
	return nil
}

func (s *Store) newTx(tx pgx.Tx, userID int64) *Tx {
	return &Tx{Q: tenantdb.New(tx), UserID: userID, tx: tx, keys: s.keys, clock: s.clock}
}
