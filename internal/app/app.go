// Package app assembles Profitline from its configuration: the store, Redis, error monitoring, the web server, the
// job queue's workers and the metrics listener, and runs them until the context ends. One process runs every role
// or one of them (Role), so the web and the workers scale apart. cmd/profitline calls it; nothing else does.
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
	"github.com/profitline/profitline/internal/metrics"
	"github.com/profitline/profitline/internal/monitor"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/sellerhook"
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

// Role is what one process runs.
type Role string

// The roles. Any number of processes of each may run at once: River hands each job to one worker, elects one
// leader for the periodic jobs, and sync jobs are unique per shop.
const (
	// RoleAll is the web server and the workers in one process (what dev runs).
	RoleAll Role = "all"
	// RoleWeb serves the public listener and inserts jobs (an insert-only River client) but works none and
	// schedules none. It also keeps the Redis revocation flags in sync with Postgres (session.Manager.Run): the
	// session checks that need them run here, and a fleet with no worker running still has them kept.
	RoleWeb Role = "web"
	// RoleWorkers works the job queue and inserts its periodic jobs; it opens no public listener and no Redis.
	RoleWorkers Role = "workers"
)

func (r Role) web() bool     { return r == RoleAll || r == RoleWeb }
func (r Role) workers() bool { return r == RoleAll || r == RoleWorkers }

// App is Profitline assembled: what Run serves, and what dev needs before serving (the store and the account
// service, to create the demo seller).
type App struct {
	Store    *store.Store
	Accounts *account.Service // nil without the web role

	cfg         *config.Config
	log         *slog.Logger
	role        Role
	metrics     *metrics.Registry
	metricsAddr string // where Run serves the metrics, once bound; empty when METRICS_ADDR is
	jobs        *river.Client[pgx.Tx]
	sessions    *session.Manager
	srv         *web.Server
	closers     []func()
}

// Serve assembles the app for role and runs it until ctx ends; ready, if not nil, receives the public listener's
// bound address (empty for the workers role).
func Serve(ctx context.Context, cfg *config.Config, role Role, log *slog.Logger, ready func(addr string)) error {
	a, err := NewFor(ctx, cfg, role, log)
	if err != nil {
		return err
	}
	return a.Run(ctx, ready)
}

// New assembles every role: the web server and the workers.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	return NewFor(ctx, cfg, RoleAll, log)
}

// NewFor connects to what role needs and builds it; on error, whatever it opened is closed again.
func NewFor(ctx context.Context, cfg *config.Config, role Role, log *slog.Logger) (a *App, err error) {
	if !role.web() && !role.workers() {
		return nil, fmt.Errorf("unknown role %q: want %s, %s or %s", role, RoleAll, RoleWeb, RoleWorkers)
	}
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	if cfg.DataKeys == nil || cfg.SessionKeys == nil || cfg.EmailIndexKey == "" {
		return nil, errors.New("PROFITLINE_DATA_KEYS, SESSION_KEYS and EMAIL_INDEX_KEY must be set; see README, Configuration")
	}
	if !cfg.TikTok.Configured() {
		return nil, errors.New("TIKTOK_APP_KEY, TIKTOK_APP_SECRET and TIKTOK_SERVICE_ID must be set (dev runs the sandbox)")
	}
	log.Info("starting", append([]any{"role", role}, cfg.Summary()...)...)
	a = &App{cfg: cfg, log: log, role: role, metrics: metrics.New()}
	opened := a // the error returns below set a to nil
	defer func() {
		if err != nil {
			opened.close()
		}
	}()

	if a.Store, err = store.Open(ctx, cfg.DatabaseURL.Reveal(), cfg.DataKeys, clock.System{}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Store.Close)
	if err := a.metrics.Register(metrics.NewDatabase(a.Store, clock.System{})); err != nil {
		return nil, err
	}

	transport, devMail, err := mailTransport(cfg, log)
	if err != nil {
		return nil, err
	}

	client, err := tiktok.New(tiktok.Config{
		APIBase: cfg.TikTok.APIBase, AuthBase: cfg.TikTok.AuthBase, AuthorizeURL: cfg.TikTok.AuthorizeURL,
		AppKey: cfg.TikTok.AppKey, AppSecret: cfg.TikTok.AppSecret.Reveal(), ServiceID: cfg.TikTok.ServiceID,
	}, tiktok.Options{ShopRate: cfg.TikTok.ShopRate})
	if err != nil {
		return nil, err
	}
	indexKey, err := base64.StdEncoding.DecodeString(cfg.EmailIndexKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("EMAIL_INDEX_KEY: %w", err)
	}
	conn := connect.New(a.Store, client, clock.System{}, log)
	syncs := syncer.New(a.Store, client, conn, clock.System{}, syncer.Config{
		Backfill: cfg.Sync.Backfill, RunBudget: cfg.Sync.RunBudget, Observer: a.metrics.Sync,
		BuyerIndexKey: syncer.BuyerIndexKey(indexKey),
	}, log)
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewSendWorker(a.Store, transport, clock.System{}))
	river.AddWorker(workers, syncer.NewSyncWorker(syncs))
	river.AddWorker(workers, syncer.NewStatisticsWorker(syncs))
	river.AddWorker(workers, syncer.NewScheduleWorker(a.Store))
	// Return deadline alerts: evaluated every minute, and after each returns sync (see the subscription below).
	river.AddWorker(workers, returns.NewEvaluateWorker(a.Store, returns.NewURLs(cfg.PublicURL.String()), clock.System{}))
	river.AddWorker(workers, returns.NewScheduleWorker(a.Store))
	// The seller's outgoing webhook for those alerts; the address checks at dial time are off only in dev.
	river.AddWorker(workers, sellerhook.NewDeliverWorker(a.Store,
		sellerhook.NewTransport(sellerhook.TransportOptions{AllowPrivate: cfg.SellerWebhooksAllowPrivate}), clock.System{}))
	queue, err := startJobs(ctx, cfg, workers, role.workers(), append(syncer.PeriodicJobs(syncer.Schedule{
		Commerce: cfg.Sync.Every, Finance: cfg.Sync.FinanceEvery,
	}), returns.PeriodicJobs()...), syncs.JobTimeout(), log)
	if err != nil {
		return nil, err
	}
	if role.workers() {
		returns.AfterReturnSyncs(ctx, queue.client, log)
	}
	a.closers = append(a.closers, queue.stop)
	a.jobs = queue.client
	if role.web() {
		if err := a.newWeb(cfg, indexKey, conn, queue, devMail); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// newWeb builds what the web role serves: Redis, sessions, accounts, error monitoring and the web server.
func (a *App) newWeb(cfg *config.Config, indexKey []byte, conn *connect.Service, queue *jobQueue, devMail *mail.Dev) error {
	log := a.log
	rdb, err := openRedis(cfg.RedisURL.Reveal())
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() { rdb.Close() })

	var mon *monitor.Monitor
	if cfg.SentryDSN != "" {
		if mon, err = monitor.New(monitor.Options{DSN: cfg.SentryDSN.Reveal(), Environment: string(cfg.Env)}); err != nil {
			return err
		}
		a.closers = append(a.closers, func() { mon.Flush(2 * time.Second) })
	}

	a.sessions = session.NewManager(a.Store, rdb, cfg.SessionKeys, clock.System{}, session.Config{KeyPrefix: cfg.RedisKeyPrefix}, log)
	limiter := ratelimit.New(rdb, clock.System{}, cfg.RedisKeyPrefix)
	a.Accounts, err = account.New(a.Store, a.sessions, limiter, queue.client, clock.System{}, account.Config{
		EmailIndexKey: indexKey, Password: cfg.Argon2, PublicURL: cfg.PublicURL,
	}, log)
	if err != nil {
		return err
	}
	conn.OnConnect = func(ctx context.Context, userID int64, shopIDs []string) {
		for _, id := range shopIDs {
			if err := syncer.EnqueueShop(ctx, queue.client, userID, id); err != nil {
				log.Warn("enqueue the first sync of a connected shop", "shop_id", id, "err", err)
			}
		}
	}
	cancelSyncs := func(ctx context.Context, userID int64, shopID string) {
		if err := syncer.CancelShop(ctx, queue.client, userID, shopID, 0); err != nil {
			log.Warn("cancel the syncs of a revoked shop (they stop at their next page anyway)", "shop_id", shopID, "err", err)
		}
	}
	conn.OnDisconnect = func(ctx context.Context, userID int64, shopIDs []string) {
		for _, id := range shopIDs {
			cancelSyncs(ctx, userID, id)
		}
	}
	webhooks := webhook.New(a.Store, cfg.TikTok.AppKey, cfg.TikTok.WebhookSecret.Reveal(), log)
	webhooks.OnChange = func(ctx context.Context, userID int64, shopID string, resources []string) error {
		return syncer.EnqueueShop(ctx, queue.client, userID, shopID, resources...)
	}
	webhooks.OnRevoke = cancelSyncs

	opts := web.Options{
		Log:                        log,
		PublicURL:                  cfg.PublicURL,
		ForceHTTPS:                 cfg.Env == config.Prod,
		TrustedProxies:             cfg.TrustedProxies,
		Ready:                      map[string]web.Pinger{"database": a.Store, "redis": redisPinger{rdb}},
		Accounts:                   a.Accounts,
		Sessions:                   a.sessions,
		Store:                      a.Store,
		Clock:                      clock.System{},
		Connect:                    conn,
		Webhooks:                   webhooks,
		Syncs:                      syncRequests{queue.client},
		Jobs:                       queue.client,
		SellerWebhooksAllowPrivate: cfg.SellerWebhooksAllowPrivate,
		Limiter:                    limiter,
		FormTargets:                []string{cfg.TikTok.AuthorizeURL},
	}
	if mon != nil {
		opts.Monitor = mon
	}
	if devMail != nil {
		opts.DevMail = devMail
	}
	a.srv, err = web.New(opts)
	return err
}

// SyncShops asks for a sync of every resource of the seller's shops now, as connecting them does (the dev demo
// seller's shops are connected behind the connect flow's back).
func (a *App) SyncShops(ctx context.Context, userID int64, shopIDs []string) error {
	for _, id := range shopIDs {
		if err := syncer.EnqueueShop(ctx, a.jobs, userID, id); err != nil {
			return err
		}
	}
	return nil
}

// Run serves until ctx ends, then shuts down and closes everything New opened: the public listener (web role), the
// metrics listener (METRICS_ADDR, every role), and meanwhile the workers New started. If one listener fails, the
// other is shut down too.
func (a *App) Run(ctx context.Context, ready func(addr string)) error {
	defer a.close()
	var public, private net.Listener
	var err error
	if a.role.web() {
		if public, err = net.Listen("tcp", a.cfg.ListenAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", a.cfg.ListenAddr, err)
		}
	}
	if a.cfg.MetricsAddr != "" {
		if private, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			if public != nil {
				public.Close()
			}
			return fmt.Errorf("metrics: listen on %s: %w", a.cfg.MetricsAddr, err)
		}
		a.metricsAddr = private.Addr().String()
		a.log.Info("serving metrics", "url", "http://"+a.metricsAddr+"/metrics", "token", a.cfg.MetricsToken != "")
	}
	addr := ""
	if public != nil {
		addr = public.Addr().String()
	}
	if ready != nil {
		ready(addr)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	running := 0
	if private != nil {
		running++
		go func() {
			errc <- metrics.Serve(ctx, private, a.metrics.Handler(a.cfg.MetricsToken.Reveal(), a.log), a.log)
		}()
	}
	if public != nil {
		running++
		go a.sessions.Run(ctx)
		go func() {
			errc <- a.srv.Serve(ctx, public, a.cfg.TLSCertFile, a.cfg.TLSKeyFile, a.cfg.ShutdownTimeout)
		}()
	}
	if running == 0 {
		<-ctx.Done() // workers without metrics: the workers run until the end
	}
	for range running {
		if e := <-errc; e != nil && err == nil {
			err = e
			cancel()
		}
	}
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
	pool    *pgxpool.Pool
	client  *river.Client[pgx.Tx]
	working bool
}

// startJobs builds the River client on a pool of its own as the app role. A working client (the workers role)
// works the default queue and inserts the periodic jobs; otherwise the client only inserts jobs and is not started.
func startJobs(ctx context.Context, cfg *config.Config, workers *river.Workers, working bool, periodic []*river.PeriodicJob, longest time.Duration, log *slog.Logger) (*jobQueue, error) {
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	// A job running past the longest worker timeout belongs to a worker that died (kill -9): retry it.
	jc := jobs.Config{Logger: log, RescueAfter: longest + 5*time.Second}
	if working {
		jc.Queues, jc.PeriodicJobs = map[string]int{jobs.QueueDefault: 10}, periodic
	}
	client, err := jobs.NewClient(pool, workers, jc)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if working {
		if err := client.Start(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("job queue: start: %w", err)
		}
	}
	return &jobQueue{pool: pool, client: client, working: working}, nil
}

// stop lets running jobs finish (up to 10 s), then cancels them; River retries them later.
func (q *jobQueue) stop() {
	if q.working {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.client.Stop(ctx); err != nil {
			_ = q.client.StopAndCancel(context.Background())
		}
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

// syncRequests is "Sync now": every resource of the shop, at once (unique jobs drop what is queued already).
type syncRequests struct{ q syncer.Inserter }

func (s syncRequests) SyncNow(ctx context.Context, userID int64, shopID string) error {
	return syncer.EnqueueShop(ctx, s.q, userID, shopID)
}
