// Package app assembles Profitline from its configuration: the store, Redis, error monitoring and the web server,
// and runs them until the context ends. cmd/profitline calls it; nothing else does.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/monitor"
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
	if cfg.DataKeys == nil {
		return errors.New("PROFITLINE_DATA_KEYS is not set; create a key ring with `profitline keys generate`")
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

	opts := web.Options{
		Log:            log,
		PublicURL:      cfg.PublicURL,
		ForceHTTPS:     cfg.Env == config.Prod,
		TrustedProxies: cfg.TrustedProxies,
		Ready:          map[string]web.Pinger{"database": st, "redis": redisPinger{rdb}},
	}
	if mon != nil {
		opts.Monitor = mon
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
