package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
)

// benchOrders is the size of the benchmarks' shop: a year of orders with their lines, refunds, settlement rows and
// estimates. Each benchmark measures once, whatever b.N.
const benchOrders = 100_000

// BenchmarkRebuildingAHundredThousandOrderShop recomputes the profit rows of the shop from its rows: the rate at
// which the model and the rollup statements go through orders.
func BenchmarkRebuildingAHundredThousandOrderShop(b *testing.B) {
	f := seeded(b, benchOrders, 365, 60)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	var c rollup.Changed
	err := f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		var err error
		c, err = rollup.Rebuild(ctx, tx, seededShop)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	reportOrders(b, "rebuilt", time.Since(start), c)
}

// BenchmarkCatchingUpAHundredThousandOrderShop computes the profit of the shop from its queue, as the end of its
// first backfill leaves it: every order queued by its orders page and again, far behind, by its settlement page
// (a catch-up merges the two: see TakeProfitQueue). What a first sync's last stretch costs.
func BenchmarkCatchingUpAHundredThousandOrderShop(b *testing.B) {
	f := seeded(b, benchOrders, 365, 60)
	ctx := context.Background()
	err := f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error { return queueAsABackfill(ctx, tx, seededShop, benchOrders) })
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	var c rollup.Changed
	for n := 1; ; n++ {
		changed, taken, err := rollup.CatchUp(ctx, f.env.Store, f.userID, seededShop)
		if err != nil {
			b.Fatal(err)
		}
		c.OrderRows, c.DailyRows = c.OrderRows+changed.OrderRows, c.DailyRows+changed.DailyRows
		if taken < rollup.TakeMax {
			break
		}
		if n == 1 || n == 10 { // as the syncer's catch-up does: the statistics of the tables it fills
			err := f.env.Store.System(ctx, func(q *systemdb.Queries) error {
				_, err := q.AnalyzeTables(ctx, []string{"order_profits", "daily_profit"})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	reportOrders(b, "caught up with", time.Since(start), c)
}

// reportOrders reports the rate at which a benchmark went through the shop's orders.
func reportOrders(b *testing.B, did string, spent time.Duration, c rollup.Changed) {
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(benchOrders/spent.Seconds(), "orders/s")
	b.ReportMetric(spent.Seconds(), "s")
	b.Logf("%s %d orders in %.1f s (%.0f orders/s): %d order rows, %d daily rows", did, benchOrders, spent.Seconds(),
		benchOrders/spent.Seconds(), c.OrderRows, c.DailyRows)
}
