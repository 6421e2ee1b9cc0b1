package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/profitline/profitline/internal/app"
	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/store"
)

func migrateCmd(ctx context.Context, args []string) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	if cfg.MigrateDatabaseURL == "" {
		return errors.New("MIGRATE_DATABASE_URL is not set: migrations run as the owner role, not the app role")
	}
	url := cfg.MigrateDatabaseURL.Reveal()
	switch sub := firstOr(args, "up"); sub {
	case "up":
		return store.Migrate(ctx, url, app.NewLogger(cfg))
	case "status":
		statuses, err := store.MigrationStatus(ctx, url)
		if err != nil {
			return err
		}
		for _, s := range statuses {
			fmt.Fprintf(os.Stdout, "%-8s %5d  %s\n", s.State, s.Source.Version, s.Source.Path)
		}
		return nil
	default:
		return fmt.Errorf("migrate: unknown subcommand %q (want up or status)", sub)
	}
}

func firstOr(args []string, def string) string {
	if len(args) == 0 {
		return def
	}
	return args[0]
}
