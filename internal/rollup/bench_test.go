package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/rollup/rolluptest"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

// BenchmarkRebuildingAHundredThousandOrderShop recomputes the profit rows of a shop of 100,000 orders (a year,
// with lines, refunds, settlement rows and estimates) from its rows: the rate at which the model and the rollup
// statement go through orders, whether a rebuild or a sync's pages. It measures once, whatever b.N.
func BenchmarkRebuildingAHundredThousandOrderShop(b *testing.B) {
	env := testenv.New(b)
	ctx := context.Background()
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	const orders = 100_000
	seedStart := time.Now()
	rolluptest.Seed(b, env.DB.OwnerURL, userID, "bench-shop", rolluptest.Shape{Orders: orders, Days: 365, SKUs: 60,
		End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), SettleAfter: 14 * 24 * time.Hour})
	b.Logf("seeded in %.1f s", time.Since(seedStart).Seconds())
	b.ResetTimer()
	start := time.Now()
	var c rollup.Changed
	err = env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		c, err = rollup.Rebuild(ctx, tx, "bench-shop")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	spent := time.Since(start)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(orders/spent.Seconds(), "orders/s")
	b.ReportMetric(spent.Seconds(), "rebuild_s")
	b.Logf("rebuilt %d orders in %.1f s (%.0f orders/s): %d order rows, %d daily rows", orders, spent.Seconds(),
		orders/spent.Seconds(), c.OrderRows, c.DailyRows)
}
