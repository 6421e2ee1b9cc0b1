// Package app assembles Profitline from its configuration: the store, Redis, error monitoring and the web server,
// and runs them until the context ends. cmd/profitline calls it; nothing else does.
package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/monitor"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/web"
)

// NewLogger logs JSON in prod and readable text in dev, to stderr.
func NewLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Env == config.Prod {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Serve runs the web server until ctx ends. ready, if not nil, receives the bound address once it is listening.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(addr string)) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set")
	}
	if cfg.DataKeys == nil || cfg.SessionKeys == nil || cfg.EmailIndexKey == "" {
		return errors.New("PROFITLINE_DATA_KEYS, SESSION_KEYS and EMAIL_INDEX_KEY must be set; see README, Configuration")
	}
	log.Info("starting", cfg.Summary()...)

	st, err := store.Open(ctx, cfg.DatabaseURL.Reveal(), cfg.DataKeys, clock.System{})
	if err != nil {
		return err
	}
	defer st.Close()

	rdb, err := openRedis(cfg.RedisURL.Reveal())
	if err != nil {
		return err
	}
	defer rdb.Close()

	var mon *monitor.Monitor
	if cfg.SentryDSN != "" {
		if mon, err = monitor.New(monitor.Options{DSN: cfg.SentryDSN.Reveal(), Environment: string(cfg.Env)}); err != nil {
			return err
		}
		defer mon.Flush(2 * time.Second)
	}

	transport, devMail, err := mailTransport(cfg, log)
	if err != nil {
		return err
	}
	queue, err := startJobs(ctx, cfg, st, transport, log)
	if err != nil {
		return err
	}
	defer queue.stop()

	sessions := session.NewManager(st, rdb, cfg.SessionKeys, clock.System{}, session.Config{}, log)
	go sessions.Run(ctx)
	indexKey, err := base64.StdEncoding.DecodeString(cfg.EmailIndexKey.Reveal())
	if err != nil {
		return fmt.Errorf("EMAIL_INDEX_KEY: %w", err)
	}
	accounts, err := account.New(st, sessions, ratelimit.New(rdb, clock.System{}, ""), queue.client, clock.System{}, account.Config{
		EmailIndexKey: indexKey, Password: cfg.Argon2, PublicURL: cfg.PublicURL,
	}, log)
	if err != nil {
		return err
	}

	opts := web.Options{
		Log:            log,
		PublicURL:      cfg.PublicURL,
		ForceHTTPS:     cfg.Env == config.Prod,
		TrustedProxies: cfg.TrustedProxies,
		Ready:          map[string]web.Pinger{"database": st, "redis": redisPinger{rdb}},
		Accounts:       accounts,
		Sessions:       sessions,
		Store:          st,
		Clock:          clock.System{},
	}
	if mon != nil {
		opts.Monitor = mon
	}
	if devMail != nil {
		opts.DevMail = devMail
	}
	srv, err := web.New(opts)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	if ready != nil {
		ready(l.Addr().String())
	}
	err = srv.Serve(ctx, l, cfg.TLSCertFile, cfg.TLSKeyFile, cfg.ShutdownTimeout)
	log.Info("stopped")
	return err
}

// mailTransport is Resend when configured; otherwise (config allows that in dev only) the dev outbox.
func mailTransport(cfg *config.Config, log *slog.Logger) (mail.Transport, *mail.Dev, error) {
	if cfg.ResendAPIKey != "" {
		t, err := mail.NewResend(mail.ResendConfig{APIKey: cfg.ResendAPIKey.Reveal(), From: cfg.MailFrom, BaseURL: cfg.ResendBaseURL})
		return t, nil, err
	}
	dev := mail.NewDev(log, clock.System{})
	return dev, dev, nil
}

type jobQueue struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
}

// startJobs starts the River client that works the job queue, on a pool of its own as the app role.
func startJobs(ctx context.Context, cfg *config.Config, st *store.Store, transport mail.Transport, log *slog.Logger) (*jobQueue, error) {
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewSendWorker(st, transport, clock.System{}))
	client, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 10}, Logger: log})
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := client.Start(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue: start: %w", err)
	}
	return &jobQueue{pool: pool, client: client}, nil
}

// stop lets running jobs finish (up to 10 s), then cancels them; River retries them later.
func (q *jobQueue) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.client.Stop(ctx); err != nil {
		_ = q.client.StopAndCancel(context.Background())
	}
	q.pool.Close()
}

func openRedis(url string) (*redis.Client, error) {
	if url == "" {
		return nil, errors.New("REDIS_URL is not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

type redisPinger struct{ c *redis.Client }

func (p redisPinger) Ping(ctx context.Context) error { return p.c.Ping(ctx).Err() }
