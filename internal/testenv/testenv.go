// Package testenv gives tests the real services they need, found or started the way `make run` finds them: a fresh,
// migrated Postgres database per test (reachable as the owner and as the app role) and a real Redis. When a service
// cannot be had, the test fails with the reason; it never skips.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/db/migrations"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/vault"
)

// Epoch is where test clocks start.
var Epoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// DataDir is where services this package starts keep their files: shared by every test package of a run.
func DataDir() string {
	if d := os.Getenv("PROFITLINE_TEST_DATA"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "profitline-test")
}

var server struct {
	once     sync.Once
	pg       *localdev.Postgres
	template string
	err      error
}

// postgres finds or starts the server once per test binary and prepares the migrated template database.
func postgres(t testing.TB) (*localdev.Postgres, string) {
	t.Helper()
	server.once.Do(func() {
		ctx := context.Background()
		log := slog.New(slog.DiscardHandler)
		server.pg, server.err = localdev.FindOrStartPostgres(ctx, DataDir(), log)
		if server.err != nil {
			return
		}
		server.template, server.err = migratedTemplate(ctx, server.pg.AdminURL, log)
	})
	if server.err != nil {
		t.Fatalf("testenv: PostgreSQL is required and could not be had: %v", server.err)
	}
	return server.pg, server.template
}

// migratedTemplate creates, once per set of migrations, a database with every migration applied, to clone from.
func migratedTemplate(ctx context.Context, adminURL string, log *slog.Logger) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "profitline_tmpl_" + sum[:12]
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('profitline.testenv.template'))`); err != nil {
		return "", err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('profitline.testenv.template'))`)
	var ready bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&ready); err != nil {
		return "", err
	}
	if ready {
		return name, nil
	}
	// A half-made template from an interrupted run is dropped and made again.
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, pgx.Identifier{name}.Sanitize())); err != nil {
		return "", err
	}
	db, err := localdev.Bootstrap(ctx, adminURL, name)
	if err != nil {
		return "", err
	}
	if err := store.Migrate(ctx, db.OwnerURL, log); err != nil {
		return "", fmt.Errorf("migrate the template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s IS_TEMPLATE true`, pgx.Identifier{name}.Sanitize())); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash names the schema a template holds: the SQL files, what Migrate does beyond them, and River's
// version (whose own migrations run too).
func migrationsHash() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "migrate revision %d\x00", store.MigrateRevision)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/riverqueue/river" {
				fmt.Fprintf(h, "river %s\x00", dep.Version)
			}
		}
	}
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// DB is one test's own database.
type DB struct {
	Name     string
	OwnerURL string // the migration role: owns the tables
	AppURL   string // the role the app serves as
	AdminURL string // a superuser on the same server (to the maintenance database)
}

// NewDB clones a fresh migrated database for this test and drops it when the test ends.
func NewDB(t testing.TB) *DB {
	t.Helper()
	pg, template := postgres(t)
	ctx := context.Background()
	name := "profitline_test_" + randomHex(6)
	conn, err := pgx.Connect(ctx, pg.AdminURL)
	if err != nil {
		t.Fatalf("testenv: connect as admin: %v", err)
	}
	defer conn.Close(ctx)
	if err := localdev.CreateDatabase(ctx, conn, name, template); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, pg.AdminURL)
		if err != nil {
			t.Errorf("testenv: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf(`DROP DATABASE %s WITH (FORCE)`, pgx.Identifier{name}.Sanitize())); err != nil {
			t.Errorf("testenv: drop %s: %v", name, err)
		}
	})
	db, err := localdev.Bootstrap(ctx, pg.AdminURL, name)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return &DB{Name: name, OwnerURL: db.OwnerURL, AppURL: db.AppURL, AdminURL: pg.AdminURL}
}

// Connect opens a connection to url that closes when the test ends.
func Connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// KeyRing returns a fresh key ring with one key, id 1.
func KeyRing(t testing.TB) *vault.KeyRing {
	t.Helper()
	_, ring := keyRing(t)
	return ring
}

func keyRing(t testing.TB) (string, *vault.KeyRing) {
	t.Helper()
	spec, err := vault.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := vault.ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	return spec, ring
}

// Env is a test's database and the store over it, with a fake clock.
type Env struct {
	DB      *DB
	Store   *store.Store
	Keys    *vault.KeyRing
	KeySpec string // Keys as PROFITLINE_DATA_KEYS would hold it, for tests that build other rings
	Clock   *clock.Fake
}

// New gives a test its own migrated database and a store connected as the app role.
func New(t testing.TB) *Env {
	t.Helper()
	db := NewDB(t)
	spec, keys := keyRing(t)
	clk := clock.NewFake(Epoch)
	st, err := store.Open(context.Background(), db.AppURL, keys, clk)
	if err != nil {
		t.Fatalf("testenv: open store: %v", err)
	}
	t.Cleanup(st.Close)
	return &Env{DB: db, Store: st, Keys: keys, KeySpec: spec, Clock: clk}
}

// Redis returns a client for the real Redis, found or started once per test binary. Tests share it: each uses keys
// of its own (ids from its own database), never FLUSHDB.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	redisServer.once.Do(func() {
		redisServer.r, redisServer.err = localdev.FindOrStartRedis(context.Background(), DataDir(), false, slog.New(slog.DiscardHandler))
	})
	if redisServer.err != nil {
		t.Fatalf("testenv: Redis is required and could not be had: %v", redisServer.err)
	}
	opts, err := redis.ParseURL(redisServer.r.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

var redisServer struct {
	once sync.Once
	r    *localdev.Redis
	err  error
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// RedisPrefix returns a Redis key prefix of this test's own (tests share one Redis) and deletes its keys when the
// test ends.
func RedisPrefix(t testing.TB, db *DB) string {
	t.Helper()
	prefix := "test:" + db.Name + ":"
	t.Cleanup(func() { DropRedisKeys(t, prefix) })
	return prefix
}

// DropRedisKeys deletes every key under prefix, never the whole database: Redis is shared.
func DropRedisKeys(t testing.TB, prefix string) {
	t.Helper()
	ctx := context.Background()
	rdb := Redis(t)
	if keys, _ := rdb.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}
