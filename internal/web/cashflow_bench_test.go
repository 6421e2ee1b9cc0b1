package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/rollup/rolluptest"
)

// BenchmarkCashFlowOfAMillionOrderSeller serves /cashflow and /cashflow/statements to 8 concurrent clients over
// HTTPS for a seller with 1,000,000 orders over two years (orders, lines, settlement rows, a statement a day and its
// payout, written straight in SQL: see rolluptest.Seed), for a 30-day and a 365-day range. Every view reads the
// shop's last 91 days of settled orders (its delays and the backtest) whatever the range: about 125,000 orders
// here. It measures once, whatever b.N, and reports its figures as metrics.
func BenchmarkCashFlowOfAMillionOrderSeller(b *testing.B) {
	measureOnce(b, func(b *testing.B) map[string]float64 {
		const clients, window = 8, 5 * time.Second
		s := newShopSite(b)
		cookie, userID := s.seller(b, "cash-million@example.com")
		s.connectShop(b, userID, "7001", "Million US", "US")
		end := s.env.Clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
		seedStart := time.Now()
		rolluptest.Seed(b, s.env.DB.OwnerURL, userID, "7001", rolluptest.Shape{Orders: 1_000_000, Days: 730, SKUs: 60,
			End: end, SettleAfter: 14 * 24 * time.Hour})
		b.Logf("seeded 1,000,000 orders over 730 days in %.0f s", time.Since(seedStart).Seconds())

		srv, client := httpsServer(b, s.srv, clients)

		last := end.Add(-time.Hour)
		m := map[string]float64{}
		for _, days := range []int{30, 365} {
			q := fmt.Sprintf("shop=7001&from=%s&to=%s", last.AddDate(0, 0, 1-days).Format(time.DateOnly), last.Format(time.DateOnly))
			for _, page := range []string{"cashflow", "cashflow/statements"} {
				url := srv.URL + "/" + page + "?" + q
				cold := get(b, client, url, cookie)
				r := load(b, client, url, cookie, clients, window)
				b.Logf("%d days: /%s first request %.0f ms; %.1f req/s, p50 %.1f ms, p99 %.1f ms", days, page,
					cold.Seconds()*1000, r.rps, r.p50, r.p99)
				key := fmt.Sprintf("%s_%dd_", strings.ReplaceAll(page, "/", "_"), days)
				m[key+"first_ms"], m[key+"req/s"], m[key+"p50_ms"], m[key+"p99_ms"] = cold.Seconds()*1000, r.rps, r.p50, r.p99
			}
		}
		return m
	})
}
