package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/testenv"
)

// tablesWithoutTenant are the only tables of the public schema that hold no tenant data.
var tablesWithoutTenant = map[string]bool{
	"goose_db_version": true, // migration bookkeeping
}

func TestAppRoleIsNotOwnerSuperuserOrBypassRLS(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	app := testenv.Connect(t, env.DB.AppURL)
	role, err := store.CurrentRole(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if role.Name != store.AppRole || role.Superuser || role.BypassRLS || role.OwnsTables {
		t.Fatalf("app role = %+v; want %s, not superuser, no BYPASSRLS, owning no table", role, store.AppRole)
	}
	var memberOfOwner bool
	if err := app.QueryRow(ctx, `SELECT pg_has_role(current_user, 'profitline_owner', 'MEMBER')`).Scan(&memberOfOwner); err != nil {
		t.Fatal(err)
	}
	if memberOfOwner {
		t.Fatal("the app role is a member of the owner role, so it could act as the owner")
	}
}

func TestStoreRefusesARoleThatBypassesRLS(t *testing.T) {
	db := testenv.NewDB(t)
	for name, url := range map[string]string{"owner": db.OwnerURL, "superuser": db.AdminURL} {
		_, err := store.Open(context.Background(), url, testenv.KeyRing(t), clock.System{})
		if err == nil || !strings.Contains(err.Error(), "bypasses row-level security") {
			t.Errorf("Open as %s: err = %v; want a refusal naming row-level security", name, err)
		}
	}
}

func TestEveryTenantTableHasAForcedPolicy(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	owner := testenv.Connect(t, env.DB.OwnerURL)
	rows, err := owner.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT 1 FROM information_schema.columns col
		               WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'user_id'),
		       coalesce((SELECT bool_and(p.polcmd = '*' AND pg_get_expr(p.polqual, p.polrelid) LIKE '%tenant_id()%'
		                                 AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%tenant_id()%')
		                 FROM pg_policy p WHERE p.polrelid = c.oid), false)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var rls, forced, hasUserID, policy bool
		if err := rows.Scan(&name, &rls, &forced, &hasUserID, &policy); err != nil {
			t.Fatal(err)
		}
		seen++
		if tablesWithoutTenant[name] {
			continue
		}
		if !hasUserID && name != "users" {
			t.Errorf("table %s has no user_id column: every table holds one tenant's data (or is listed in tablesWithoutTenant)", name)
		}
		if !rls || !forced || !policy {
			t.Errorf("table %s: row security enabled=%v forced=%v tenant policy on reads and writes=%v; want all true", name, rls, forced, policy)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen < 3 {
		t.Fatalf("catalog walk saw %d tables; the query is broken", seen)
	}
}

func TestAQueryWithoutTheTenantSettingSeesNoRows(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	app := testenv.Connect(t, env.DB.AppURL)
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := app.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, table := range []string{"users", "data_keys"} {
		if n := count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Errorf("without app.user_id, %s shows %d rows; want 0", table, n)
		}
	}
	// The same connection, inside a tenant transaction, does see the rows: the test above could fail.
	tx, err := app.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.user_id', $1, true)`, strconv.FormatInt(userID, 10)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM data_keys`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("as the tenant, data_keys shows %d rows (err %v); want 1", n, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// After commit the setting is gone: a pooled connection's next borrower sees nothing.
	if n := count(`SELECT count(*) FROM data_keys`); n != 0 {
		t.Errorf("after the tenant transaction committed, the connection still shows %d rows; want 0", n)
	}
}

func TestATenantCannotWriteRowsForAnotherUser(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = env.Store.InTenant(ctx, alice, func(tx *store.Tx) error {
		return tx.Q.InsertDataKey(ctx, tenantdb.InsertDataKeyParams{
			UserID: bob, KeyID: 9, RingKeyID: 1, Wrapped: []byte("x"), CreatedAt: env.Clock.Now(),
		})
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("inserting a row for another user: err = %v; want a row-level security violation (42501)", err)
	}
}

func TestATenantSeesOnlyItsOwnRows(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	bob, _ := env.Store.CreateTenant(ctx, nil)
	err := env.Store.InTenant(ctx, alice, func(tx *store.Tx) error {
		// Even asking for Bob's id by name, Alice's transaction returns nothing of his.
		keys, err := tx.Q.ListDataKeys(ctx, bob)
		if err != nil {
			return err
		}
		if len(keys) != 0 {
			t.Errorf("alice's transaction listed %d of bob's data keys", len(keys))
		}
		if _, err := tx.Q.GetUser(ctx, bob); err == nil {
			t.Error("alice's transaction read bob's user row")
		}
		mine, err := tx.Q.ListDataKeys(ctx, alice)
		if err != nil {
			return err
		}
		if len(mine) != 1 {
			t.Errorf("alice sees %d of her own data keys; want 1", len(mine))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTheAppRoleCannotCreateUsersOrLiftRowSecurity(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	app := testenv.Connect(t, env.DB.AppURL)
	for _, sql := range []string{
		`INSERT INTO users (created_at) VALUES (now())`,
		`ALTER TABLE data_keys DISABLE ROW LEVEL SECURITY`,
		`ALTER TABLE data_keys NO FORCE ROW LEVEL SECURITY`,
		`DROP POLICY tenant_isolation ON data_keys`,
		// row_security = off may be set, but then a query that policies would filter fails instead of bypassing.
		`SET row_security = off; SELECT count(*) FROM data_keys`,
	} {
		if _, err := app.Exec(ctx, sql); err == nil {
			t.Errorf("the app role ran %q; want it refused", sql)
		}
	}
}

func TestInTenantRejectsAnIDThatNamesNoTenant(t *testing.T) {
	env := testenv.New(t)
	for _, id := range []int64{0, -1} {
		if err := env.Store.InTenant(context.Background(), id, func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrNoTenant) {
			t.Errorf("InTenant(%d) = %v; want ErrNoTenant", id, err)
		}
	}
}

func TestTheAuditLogIsAppendOnlyForTheAppRole(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	err := env.Store.InTenant(ctx, alice, func(tx *store.Tx) error {
		return tx.Q.InsertAudit(ctx, tenantdb.InsertAuditParams{UserID: alice, At: env.Clock.Now(), Action: "sign_in", Detail: []byte(`{}`)})
	})
	if err != nil {
		t.Fatalf("the app role could not append to the audit log: %v", err)
	}
	app := testenv.Connect(t, env.DB.AppURL)
	for _, sql := range []string{`UPDATE audit_log SET action = 'nothing happened'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		_, err := app.Exec(ctx, `SELECT set_config('app.user_id', $1, false)`, strconv.FormatInt(alice, 10))
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("app role ran %q: err = %v; want permission denied (42501)", sql, err)
		}
	}
}

// The statistics function runs as the owner: it analyzes the synced tables named and refuses any other name, so the
// app role cannot use it to reach a table it has no business with.
func TestTheStatisticsFunctionAnalyzesOnlySyncedTables(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	app := testenv.Connect(t, env.DB.AppURL)
	var n int
	if err := app.QueryRow(ctx, `SELECT system.analyze_tables(ARRAY['orders', 'order_profits'])`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("analyze orders and order_profits = %d, %v; want 2 tables", n, err)
	}
	for _, tables := range []string{`ARRAY['users']`, `ARRAY['orders', 'data_keys']`, `ARRAY['orders; DROP TABLE users']`} {
		if _, err := app.Exec(ctx, `SELECT system.analyze_tables(`+tables+`)`); err == nil || !strings.Contains(err.Error(), "is not a table a sync fills") {
			t.Errorf("analyze %s: %v; want it refused", tables, err)
		}
	}
}

func TestEveryByteColumnIsStoredUncompressed(t *testing.T) {
	env := testenv.New(t)
	owner := testenv.Connect(t, env.DB.OwnerURL)
	rows, err := owner.Query(context.Background(), `
		SELECT c.relname, a.attname, a.attstorage::text
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.atttypid = 'bytea'::regtype AND a.attnum > 0
		  AND NOT a.attisdropped`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var table, column, storage string
		if err := rows.Scan(&table, &column, &storage); err != nil {
			t.Fatal(err)
		}
		seen++
		if storage != "e" {
			t.Errorf("%s.%s is stored %q; want 'e' (EXTERNAL): its bytes are ciphertext, a hash or a key, which Postgres "+
				"would try to compress in vain (see migration 00028)", table, column, storage)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen < 20 {
		t.Fatalf("catalog walk saw %d bytea columns; the query is broken", seen)
	}
}
