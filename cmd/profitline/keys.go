package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/profitline/profitline/internal/app"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/vault"
)

func keysCmd(ctx context.Context, args []string) error {
	switch sub := firstOr(args, ""); sub {
	case "generate":
		return keysGenerate(args[1:])
	case "rotate":
		return keysRotate(ctx)
	default:
		return errors.New("keys: want `keys generate [--id N]` or `keys rotate`")
	}
}

// keysGenerate prints a new key ring entry. To rotate: put it first in PROFITLINE_DATA_KEYS (keeping the old
// entries after it), restart, run `profitline keys rotate`, then drop the old entries.
func keysGenerate(args []string) error {
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	id := fs.Uint("id", 0, "key id (default: one more than the highest id in PROFITLINE_DATA_KEYS, or 1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	next := vault.KeyID(*id)
	if next == 0 {
		next = 1
		if cfg, err := config.FromOS(); err == nil && cfg.DataKeys != nil {
			for _, k := range cfg.DataKeys.IDs() {
				next = max(next, k+1)
			}
		}
	}
	spec, err := vault.GenerateKeySpec(next)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, spec)
	fmt.Fprintf(os.Stderr, "New key %d. Put it first in PROFITLINE_DATA_KEYS, keep the old keys after it, restart, then run `profitline keys rotate`.\n", next)
	return nil
}

// keysRotate re-wraps every tenant's data keys under the active ring key. Safe to repeat and to interrupt.
func keysRotate(ctx context.Context) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	if cfg.DataKeys == nil || cfg.DatabaseURL == "" {
		return errors.New("keys rotate needs PROFITLINE_DATA_KEYS and DATABASE_URL")
	}
	log := app.NewLogger(cfg)
	st, err := store.Open(ctx, cfg.DatabaseURL.Reveal(), cfg.DataKeys, clock.System{})
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := st.RewrapDataKeys(ctx, 500)
	log.Info("key rotation", "active_key", cfg.DataKeys.ActiveID(), "tenants", stats.Tenants, "keys_rewrapped", stats.Keys)
	return err
}
