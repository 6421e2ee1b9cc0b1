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
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/monitor"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/web"
	"github.com/profitline/profitline/internal/webhook"
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

// App is Profitline assembled: what Run serves, and what dev needs before serving (the store and the account
// service, to create the demo seller).
type App struct {
	Store    *store.Store
	Accounts *account.Service

	cfg      *config.Config
	log      *slog.Logger
	sessions *session.Manager
	srv      *web.Server
	closers  []func()
}

// Serve assembles the app and runs it until ctx ends; ready, if not nil, receives the bound address.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(addr string)) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx, ready)
}

// New connects to everything and builds the server; on error, whatever it opened is closed again.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (a *App, err error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	if cfg.DataKeys == nil || cfg.SessionKeys == nil || cfg.EmailIndexKey == "" {
		return nil, errors.New("PROFITLINE_DATA_KEYS, SESSION_KEYS and EMAIL_INDEX_KEY must be set; see README, Configuration")
	}
	if !cfg.TikTok.Configured() {
		return nil, errors.New("TIKTOK_APP_KEY, TIKTOK_APP_SECRET and TIKTOK_SERVICE_ID must be set (dev runs the sandbox)")
	}
	log.Info("starting", cfg.Summary()...)
	a = &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.close()
		}
	}()

	if a.Store, err = store.Open(ctx, cfg.DatabaseURL.Reveal(), cfg.DataKeys, clock.System{}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Store.Close)

	rdb, err := openRedis(cfg.RedisURL.Reveal())
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { rdb.Close() })

	var mon *monitor.Monitor
	if cfg.SentryDSN != "" {
		if mon, err = monitor.New(monitor.Options{DSN: cfg.SentryDSN.Reveal(), Environment: string(cfg.Env)}); err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { mon.Flush(2 * time.Second) })
	}

	transport, devMail, err := mailTransport(cfg, log)
	if err != nil {
		return nil, err
	}

	client, err := tiktok.New(tiktok.Config{
		APIBase: cfg.TikTok.APIBase, AuthBase: cfg.TikTok.AuthBase, AuthorizeURL: cfg.TikTok.AuthorizeURL,
		AppKey: cfg.TikTok.AppKey, AppSecret: cfg.TikTok.AppSecret.Reveal(), ServiceID: cfg.TikTok.ServiceID,
	}, tiktok.Options{})
	if err != nil {
		return nil, err
	}
	conn := connect.New(a.Store, client, clock.System{}, log)
	syncs := syncer.New(a.Store, client, conn, clock.System{}, syncer.Config{}, log)
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewSendWorker(a.Store, transport, clock.System{}))
	river.AddWorker(workers, syncer.NewSyncWorker(syncs))
	river.AddWorker(workers, syncer.NewScheduleWorker(a.Store))
	queue, err := startJobs(ctx, cfg, workers, syncer.PeriodicJobs(10*time.Minute), log)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, queue.stop)
	a.sessions = session.NewManager(a.Store, rdb, cfg.SessionKeys, clock.System{}, session.Config{KeyPrefix: cfg.RedisKeyPrefix}, log)
	indexKey, err := base64.StdEncoding.DecodeString(cfg.EmailIndexKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("EMAIL_INDEX_KEY: %w", err)
	}
	a.Accounts, err = account.New(a.Store, a.sessions, ratelimit.New(rdb, clock.System{}, cfg.RedisKeyPrefix), queue.client, clock.System{}, account.Config{
		EmailIndexKey: indexKey, Password: cfg.Argon2, PublicURL: cfg.PublicURL,
	}, log)
	if err != nil {
		return nil, err
	}
	conn.OnConnect = func(ctx context.Context, userID int64, shopIDs []string) {
		for _, id := range shopIDs {
			if err := syncer.EnqueueShop(ctx, queue.client, userID, id); err != nil {
				log.Warn("enqueue the first sync of a connected shop", "shop_id", id, "err", err)
			}
		}
	}

	opts := web.Options{
		Log:            log,
		PublicURL:      cfg.PublicURL,
		ForceHTTPS:     cfg.Env == config.Prod,
		TrustedProxies: cfg.TrustedProxies,
		Ready:          map[string]web.Pinger{"database": a.Store, "redis": redisPinger{rdb}},
		Accounts:       a.Accounts,
		Sessions:       a.sessions,
		Store:          a.Store,
		Clock:          clock.System{},
		Connect:        conn,
		Webhooks:       webhook.New(a.Store, cfg.TikTok.AppKey, cfg.TikTok.WebhookSecret.Reveal(), log),
		FormTargets:    []string{cfg.TikTok.AuthorizeURL},
	}
	if mon != nil {
		opts.Monitor = mon
	}
	if devMail != nil {
		opts.DevMail = devMail
	}
	if a.srv, err = web.New(opts); err != nil {
		return nil, err
	}
	return a, nil
}

// Run serves until ctx ends, then shuts down and closes everything New opened.
func (a *App) Run(ctx context.Context, ready func(addr string)) error {
	defer a.close()
	go a.sessions.Run(ctx)
	l, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.ListenAddr, err)
	}
	if ready != nil {
		ready(l.Addr().String())
	}
	err = a.srv.Serve(ctx, l, a.cfg.TLSCertFile, a.cfg.TLSKeyFile, a.cfg.ShutdownTimeout)
	a.log.Info("stopped")
	return err
}

// close undoes New, last opened first.
func (a *App) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
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
func startJobs(ctx context.Context, cfg *config.Config, workers *river.Workers, periodic []*river.PeriodicJob, log *slog.Logger) (*jobQueue, error) {
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	client, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 10}, Logger: log, PeriodicJobs: periodic})
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
