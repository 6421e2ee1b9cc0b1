package localdev

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/store"
)

// Database is a Profitline database on a local server, with a URL for each role.
type Database struct {
	Name     string
	OwnerURL string // for migrations
	AppURL   string // for serving: not owner, not superuser, no BYPASSRLS
}

// Bootstrap creates the two roles (once per server) and the database (if missing), as a superuser. Concurrent
// callers are serialised by an advisory lock. On a developer machine both roles log in without a password (trust).
func Bootstrap(ctx context.Context, adminURL, name string) (*Database, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("localdev: connect as admin: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('profitline.localdev.bootstrap'))`); err != nil {
		return nil, fmt.Errorf("localdev: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('profitline.localdev.bootstrap'))`)

	roles := fmt.Sprintf(`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[1]s') THEN
			CREATE ROLE %[1]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[2]s') THEN
			CREATE ROLE %[2]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
		END IF;
	END $$`, OwnerRole, store.AppRole)
	if _, err := conn.Exec(ctx, roles); err != nil {
		return nil, fmt.Errorf("localdev: create roles: %w", err)
	}
	if err := CreateDatabase(ctx, conn, name, ""); err != nil {
		return nil, err
	}
	return databaseURLs(adminURL, name)
}

// CreateDatabase creates name owned by the owner role (from template when given), unless it exists, and lets only
// the two roles connect.
func CreateDatabase(ctx context.Context, conn *pgx.Conn, name, template string) error {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("localdev: %w", err)
	}
	if exists {
		return nil
	}
	create := fmt.Sprintf(`CREATE DATABASE %s OWNER %s`, pgx.Identifier{name}.Sanitize(), OwnerRole)
	if template != "" {
		create += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	for _, s := range []string{
		create,
		fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM PUBLIC`, pgx.Identifier{name}.Sanitize()),
		fmt.Sprintf(`GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s`, pgx.Identifier{name}.Sanitize(), store.AppRole),
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("localdev: create database %s: %w", name, err)
		}
	}
	return nil
}

func databaseURLs(adminURL, name string) (*Database, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("localdev: admin URL: %w", err)
	}
	as := func(role string) string {
		v := *u
		v.User = url.User(role)
		v.Path = "/" + name
		return v.String()
	}
	return &Database{Name: name, OwnerURL: as(OwnerRole), AppURL: as(store.AppRole)}, nil
}
