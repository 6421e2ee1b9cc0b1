package syncer_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// BenchmarkSyncingAShopInProcess syncs a shop of about 16,500 orders (60 days) with the syncer in this process, so a
// -cpuprofile shows where the sync's own CPU goes (the sandbox serving it is in the same profile, under sandbox).
func BenchmarkSyncingAShopInProcess(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		env := testenv.New(b)
		tt := tiktoktest.New(b, env.Clock, func(c *sandbox.Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 60, 275 })
		log := slog.New(slog.DiscardHandler)
		conn := connect.New(env.Store, tt.Client, env.Clock, log)
		userID, shop := tiktoktest.Connect(b, env.Store, tt.Sandbox)
		s := syncer.New(env.Store, tt.Client, conn, env.Clock, syncer.Config{Backfill: 90 * 24 * time.Hour, RunBudget: time.Hour}, log)
		b.StartTimer()
		start := time.Now()
		for _, r := range syncer.Resources() {
			began := time.Now()
			st, err := s.Sync(ctx, userID, shop.ID, r)
			if err != nil {
				b.Fatalf("sync %s: %v", r, err)
			}
			b.Logf("%-22s %6d pages %7d records %6.2f s", r, st.Pages, st.Fetched, time.Since(began).Seconds())
		}
		b.ReportMetric(float64(tt.Sandbox.Totals(shop.ID).Orders)/time.Since(start).Seconds(), "orders/s")
	}
}
