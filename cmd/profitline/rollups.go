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
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
)

// rollupsCmd is `profitline rollups rebuild [-user ID]`: it recomputes the profit rows (order_profits and
// daily_profit) of one seller, or of every seller with a shop, from the synced rows, each seller in one
// transaction, so the dashboards never see a half-rebuilt seller. The sync keeps the rows current on its own;
// this is for after a change to the profit model, or to check them (a rebuild of current rows changes nothing).
func rollupsCmd(ctx context.Context, args []string) error {
	if firstOr(args, "") != "rebuild" {
		return errors.New("rollups: want `rollups rebuild [-user ID]`")
	}
	fs := flag.NewFlagSet("rollups rebuild", flag.ContinueOnError)
	user := fs.Int64("user", 0, "rebuild only this seller (default: every seller with a shop)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	if cfg.DataKeys == nil || cfg.DatabaseURL == "" {
		return errors.New("rollups rebuild needs PROFITLINE_DATA_KEYS and DATABASE_URL")
	}
	log := app.NewLogger(cfg)
	st, err := store.Open(ctx, cfg.DatabaseURL.Reveal(), cfg.DataKeys, clock.System{})
	if err != nil {
		return err
	}
	defer st.Close()
	users := []int64{*user}
	if *user == 0 {
		err := st.System(ctx, func(q *systemdb.Queries) error {
			users, err = q.UsersWithShops(ctx)
			return err
		})
		if err != nil {
			return fmt.Errorf("rollups: list sellers: %w", err)
		}
	}
	for _, id := range users {
		var c rollup.Changed
		err := st.InTenant(ctx, id, func(tx *store.Tx) error {
			c, err = rollup.RebuildAll(ctx, tx)
			return err
		})
		if err != nil {
			return fmt.Errorf("rollups: rebuild seller %d: %w", id, err)
		}
		log.Info("rollups rebuilt", "user_id", id, "order_rows", c.OrderRows, "daily_rows", c.DailyRows)
	}
	fmt.Fprintf(os.Stdout, "rebuilt the profit rows of %d sellers\n", len(users))
	return nil
}
