package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/app"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/demo"
	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/vault"
)

// devDir holds what dev creates: a local cluster if one was needed, and the dev key ring. It is gitignored.
const devDir = ".data"

// devCmd is `make run`: whatever is not configured, it finds or starts, then serves.
func devCmd(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return errors.New("dev takes no arguments")
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	if cfg.Env != config.Dev {
		return errors.New("dev is for a developer machine; with PROFITLINE_ENV=prod use `profitline migrate` and `profitline serve`")
	}
	log := app.NewLogger(cfg)

	if cfg.DatabaseURL == "" {
		pg, err := localdev.FindOrStartPostgres(ctx, devDir, log)
		if err != nil {
			return err
		}
		defer func() {
			if err := pg.Stop(context.WithoutCancel(ctx)); err != nil {
				log.Error("stop PostgreSQL", "err", err)
			}
		}()
		db, err := localdev.Bootstrap(ctx, pg.AdminURL, "profitline")
		if err != nil {
			return err
		}
		cfg.DatabaseURL, cfg.MigrateDatabaseURL = config.Secret(db.AppURL), config.Secret(db.OwnerURL)
	}
	if cfg.MigrateDatabaseURL == "" {
		return errors.New("DATABASE_URL is set but MIGRATE_DATABASE_URL is not: dev migrates before serving")
	}
	if err := store.Migrate(ctx, cfg.MigrateDatabaseURL.Reveal(), log); err != nil {
		return err
	}

	if cfg.RedisURL == "" {
		r, err := localdev.FindOrStartRedis(ctx, devDir, true, log)
		if err != nil {
			return err
		}
		defer r.Stop()
		cfg.RedisURL = config.Secret(r.URL)
	}

	if cfg.DataKeys == nil {
		if cfg.DataKeys, err = devKeyRing("data-keys", log); err != nil {
			return err
		}
	}
	if cfg.SessionKeys == nil {
		if cfg.SessionKeys, err = devKeyRing("session-keys", log); err != nil {
			return err
		}
	}
	if cfg.EmailIndexKey == "" {
		key, err := devSecret("email-index-key", func() (string, error) {
			b := make([]byte, 32)
			_, _ = rand.Read(b) // never fails since Go 1.24
			return base64.StdEncoding.EncodeToString(b), nil
		}, log)
		if err != nil {
			return err
		}
		cfg.EmailIndexKey = config.Secret(key)
	}

	var sb *sandbox.Sandbox
	if !cfg.TikTok.Configured() {
		var stop func()
		if sb, stop, err = startSandbox(cfg, log); err != nil {
			return err
		}
		defer stop()
	}

	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	signIn := "Create an account at " + cfg.PublicURL.JoinPath("/signup").String()
	if sb != nil {
		userID, shopIDs, err := demo.Seller(ctx, a.Store, a.Accounts, sb, cfg.DemoEmail, cfg.DemoPassword.Reveal())
		if err != nil {
			return err
		}
		if err := a.SyncShops(ctx, userID, shopIDs); err != nil { // their backfill shows on Settings -> Shops
			return err
		}
		signIn = fmt.Sprintf("Sign in as %s with password %s (the demo seller, with the sandbox's demo shops connected)",
			cfg.DemoEmail, cfg.DemoPassword.Reveal())
	}
	return a.Run(ctx, func(string) {
		fmt.Fprintf(os.Stdout, "\n  Profitline is running at %s  (Ctrl-C stops everything)\n  %s\n"+
			"  Mail is not sent in dev: it is shown at %s\n\n", cfg.PublicURL, signIn, cfg.PublicURL.JoinPath("/dev/mail"))
	})
}

// startSandbox serves the TikTok sandbox with the demo shops on a free port and points the app's TikTok settings at
// it: API, token endpoints and consent page alike.
func startSandbox(cfg *config.Config, log *slog.Logger) (*sandbox.Sandbox, func(), error) {
	sc := sandbox.Demo(clock.System{})
	sc.Shops = 4 // two sellers: the demo seller's two shops are connected at start; the other two can be, on the consent page
	sc.RedirectURL = cfg.PublicURL.JoinPath("/oauth/tiktok/callback").String()
	sc.WebhookURL = cfg.PublicURL.JoinPath("/webhooks/tiktok").String()
	sb, err := sandbox.New(sc)
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	base := "http://" + l.Addr().String()
	cfg.TikTok = config.TikTok{
		APIBase: base, AuthBase: base, AuthorizeURL: base + "/open/authorize",
		AppKey: sc.AppKey, ServiceID: sc.ServiceID, AppSecret: config.Secret(sc.AppSecret), WebhookSecret: config.Secret(sc.AppSecret),
	}
	log.Info("no TikTok credentials: serving the TikTok sandbox with the demo shops", "url", base)
	return sb, func() { _ = srv.Close() }, nil
}

// devKeyRing reads a dev key ring from .data/<name>, creating it on first run so restarts can read the data.
func devKeyRing(name string, log *slog.Logger) (*vault.KeyRing, error) {
	spec, err := devSecret(name, func() (string, error) { return vault.GenerateKeySpec(1) }, log)
	if err != nil {
		return nil, err
	}
	ring, err := vault.ParseKeyRing(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(devDir, name), err)
	}
	return ring, nil
}

// devSecret reads .data/<name>, or creates it (mode 0600) with generate's value. The value is never printed.
func devSecret(name string, generate func() (string, error), log *slog.Logger) (string, error) {
	path := filepath.Join(devDir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	value, err := generate()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(devDir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		return "", err
	}
	log.Info("created a dev secret", "file", path)
	return value, nil
}
