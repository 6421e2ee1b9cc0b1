// Package jobs builds Profitline's job queue client: River (https://riverqueue.com), on Postgres, in the schema
// store.JobSchema. The web process uses an insert-only client to enqueue jobs in the transaction that causes them
// (River's InsertTx on store.Tx.PgxTx); a worker process starts a client that works the queues.
//
// River's tables are not tenant tables: a worker fetches jobs of every tenant before it knows whose job it holds.
// So a job's arguments carry ids only (the user id first), never secrets or personal data, and a job that touches
// tenant data does all of it inside store.InTenant for the user id it carries. This package must never read or
// write tenant data itself.
package jobs

import (
	"cmp"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/profitline/profitline/internal/store"
)

// QueueDefault is the queue jobs go to unless their insert options name another.
const QueueDefault = river.QueueDefault

// Config says how this process uses the queue.
type Config struct {
	// Queues maps each queue this process works to how many of its jobs may run at once. Empty means insert-only
	// (the web process): the client only inserts jobs and is never started.
	Queues map[string]int

	// Logger receives River's log lines; nil means slog.Default(). Job errors reach it as their messages, so
	// workers return errors that hold no secrets.
	Logger *slog.Logger

	// FetchPollInterval is how often a working client looks for jobs when no notification wakes it first (LISTEN/
	// NOTIFY usually does, at once). Zero keeps River's default of one second; tests shorten it.
	FetchPollInterval time.Duration

	// PeriodicJobs are inserted on their schedules by whichever working client is the leader.
	PeriodicJobs []*river.PeriodicJob

	// JobTimeout bounds a job whose worker sets no Timeout of its own (default 30 s: such jobs, a mail's send,
	// take a moment). RescueAfter is how long a job may stay running before it is taken for one whose worker died
	// and is retried: it must exceed every worker's timeout (default JobTimeout plus 5 s). River's leader looks
	// for such jobs every 30 s.
	JobTimeout, RescueAfter time.Duration

	// RetryPolicy says when a failed job runs again. Nil keeps River's default, attempt^4 seconds with jitter (1 s,
	// 16 s, 81 s, ...); tests shorten it.
	RetryPolicy river.ClientRetryPolicy
}

// NewClient builds the River client over pool, which should be a pool of its own connected as the app role
// (DATABASE_URL), not the store's: a working client holds one connection for LISTEN, and River's queries touch only
// its own schema. workers lists every job kind, so even an insert-only client refuses a job nobody can work.
//
// A working client is started with Start and stopped with Stop (waits for running jobs) or StopAndCancel.
func NewClient(pool *pgxpool.Pool, workers *river.Workers, cfg Config) (*river.Client[pgx.Tx], error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	rc := &river.Config{
		Schema:            store.JobSchema,
		Workers:           workers,
		Logger:            logger,
		FetchPollInterval: cfg.FetchPollInterval,
		RetryPolicy:       cfg.RetryPolicy,
		// The app role does not own River's indexes, so River's nightly REINDEX would only fail and log an error.
		// An empty list (not nil, which means River's defaults) turns the reindexer off.
		ReindexerIndexNames: []string{},
		PeriodicJobs:        cfg.PeriodicJobs,
		JobTimeout:          cmp.Or(cfg.JobTimeout, 30*time.Second),
	}
	rc.RescueStuckJobsAfter = max(cfg.RescueAfter, rc.JobTimeout+5*time.Second)
	// River refuses a poll interval shorter than the cooldown between fetches (100 ms by default).
	if cfg.FetchPollInterval > 0 && cfg.FetchPollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.FetchPollInterval
	}
	if len(cfg.Queues) > 0 {
		rc.Queues = make(map[string]river.QueueConfig, len(cfg.Queues))
		for name, n := range cfg.Queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
	}
	return river.NewClient(riverpgxv5.New(pool), rc)
}
