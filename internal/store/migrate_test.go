package store_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

func TestMigrateAgainAppliesNothing(t *testing.T) {
	db := testenv.NewDB(t) // already migrated: cloned from the migrated template
	ctx := context.Background()
	var riverVersions int
	owner := testenv.Connect(t, db.OwnerURL)
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM river.river_migration`).Scan(&riverVersions); err != nil {
		t.Fatalf("River's migrations were not applied in schema river: %v", err)
	}
	applied := &countingHandler{}
	if err := store.Migrate(ctx, db.OwnerURL, slog.New(applied)); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if applied.n != 0 {
		t.Errorf("the second Migrate applied %d migrations; want 0", applied.n)
	}
	var after int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM river.river_migration`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != riverVersions || riverVersions == 0 {
		t.Errorf("River migration versions: %d before, %d after; want the same, non-zero", riverVersions, after)
	}
}

func TestTheAppRoleUsesRiverTablesButCannotChangeRiverSchema(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	app := testenv.Connect(t, env.DB.AppURL)
	for _, sql := range []string{
		`SELECT count(*) FROM river.river_job`,
		`SELECT count(*) FROM river.river_leader`,
		`SELECT count(*) FROM river.river_queue`,
		`LISTEN "river.river_insert"`,
		`SELECT pg_notify('river.river_insert', '{}')`,
	} {
		if _, err := app.Exec(ctx, sql); err != nil {
			t.Errorf("the app role cannot run %q: %v", sql, err)
		}
	}
	for _, sql := range []string{
		`CREATE TABLE river.intruder (id int)`,
		`DROP TABLE river.river_job`,
		`DELETE FROM river.river_migration`,
		`SELECT count(*) FROM river.river_migration`,
	} {
		if _, err := app.Exec(ctx, sql); err == nil {
			t.Errorf("the app role ran %q; want it refused", sql)
		}
	}
}

// countingHandler counts "migration applied" log lines, goose's and River's.
type countingHandler struct{ n int }

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "migration applied" || r.Message == "river migration applied" {
		h.n++
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
