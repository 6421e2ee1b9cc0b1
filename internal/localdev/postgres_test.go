package localdev_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/store"
)

// A fresh machine without a server on 5432 gets a project-local cluster: created, started, bootstrapped, migrated,
// joined again by a second start, and stopped.
func TestAProjectLocalClusterIsCreatedMigratedAndStopped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// The cluster runs as the postgres OS user, which must be able to reach the temp folder.
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	pg, err := localdev.StartPostgres(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop(context.Background()) })
	if !pg.Started {
		t.Fatal("StartPostgres did not report starting the cluster")
	}
	db, err := localdev.Bootstrap(ctx, pg.AdminURL, "profitline")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, db.OwnerURL, log); err != nil {
		t.Fatal(err)
	}
	// Bootstrapping and migrating again changes nothing and fails nothing.
	if _, err := localdev.Bootstrap(ctx, pg.AdminURL, "profitline"); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, db.OwnerURL, log); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	role, err := store.CurrentRole(ctx, conn)
	conn.Close(ctx)
	if err != nil || role.BypassesRLS() {
		t.Fatalf("app role on the local cluster = %+v, %v", role, err)
	}

	again, err := localdev.StartPostgres(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if again.Started || again.AdminURL != pg.AdminURL {
		t.Fatalf("a second start should join the running cluster: %+v", again)
	}
	if err := pg.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(pg.DataDir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Fatalf("after Stop the cluster still has a postmaster.pid (err %v)", err)
	}
}

func TestRedisIsStartedFromPathWhenAsked(t *testing.T) {
	r, err := localdev.StartRedis(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("redis-server is required: %v", err)
	}
	defer r.Stop()
	if r.InProcess || r.URL == "" {
		t.Fatalf("StartRedis = %+v; want a real server", r)
	}
}
