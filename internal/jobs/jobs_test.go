package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

// greetArgs is a job that touches tenant data: it carries the user id and nothing else.
type greetArgs struct {
	UserID int64 `json:"user_id"`
}

func (greetArgs) Kind() string { return "test_greet" }

// warnings collects River's log records at warn level and above: a permission River lacks shows up there.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	w.msgs = append(w.msgs, msg)
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}

func appPool(t *testing.T, env *testenv.Env) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestTheAppRoleWorksAJobInsertedInTheTenantTransactionThatCausedIt(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	worked := make(chan int64, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[greetArgs]) error {
		return env.Store.InTenant(ctx, job.Args.UserID, func(tx *store.Tx) error {
			u, err := tx.Q.GetUser(ctx, job.Args.UserID)
			if err != nil {
				return err
			}
			worked <- u.ID
			return nil
		})
	}))
	logs := &warnings{}
	pool := appPool(t, env)

	web, err := jobs.NewClient(pool, workers, jobs.Config{Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	err = env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		_, err := web.InsertTx(ctx, tx.PgxTx(), greetArgs{UserID: userID}, nil)
		return err
	})
	if err != nil {
		t.Fatalf("insert the job in a tenant transaction: %v", err)
	}

	worker, err := jobs.NewClient(pool, workers, jobs.Config{
		Queues: map[string]int{jobs.QueueDefault: 2}, Logger: slog.New(logs), FetchPollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := worker.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if err := worker.Stop(stopCtx); err != nil {
			t.Errorf("stop the worker: %v", err)
		}
		for _, w := range logs.all() {
			t.Errorf("River logged a warning or error as the app role: %s", w)
		}
	})

	select {
	case ev := <-events:
		if ev.Kind != river.EventKindJobCompleted {
			t.Fatalf("job ended with %s: %v", ev.Kind, ev.Job.Errors)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the job was not worked within 5 s")
	}
	if got := <-worked; got != userID {
		t.Errorf("the job read user %d in its tenant transaction; want %d", got, userID)
	}
}

func TestAJobInsertedInARolledBackTransactionDoesNotExist(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[greetArgs]) error { return nil }))
	client, err := jobs.NewClient(appPool(t, env), workers, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("the change that would have caused the job failed")
	err = env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		if _, err := client.InsertTx(ctx, tx.PgxTx(), greetArgs{UserID: userID}, nil); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTenant = %v; want the rollback error", err)
	}
	var n int
	if err := testenv.Connect(t, env.DB.OwnerURL).QueryRow(ctx, `SELECT count(*) FROM river.river_job`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("river_job holds %d jobs after the rollback; want 0", n)
	}
}

func TestAnInsertOnlyClientRefusesAJobNobodyCanWork(t *testing.T) {
	env := testenv.New(t)
	client, err := jobs.NewClient(appPool(t, env), river.NewWorkers(), jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Insert(context.Background(), greetArgs{UserID: 1}, nil); err == nil {
		t.Fatal("inserted a job of a kind no worker is registered for")
	}
}
