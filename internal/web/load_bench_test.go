package web_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/rollup/rolluptest"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/web"
)

// BenchmarkDashboardOfAMillionOrderSeller serves /dashboard to 8 concurrent clients over HTTPS for a seller with
// 1,000,000 orders over two years (the rollup rows written straight in SQL: see rolluptest.SeedProfits), for a
// 30-day and a 365-day range, and measures beside it, in the same run: the bare SQL that sums the same figures
// from the daily rollups and from the per-order rows, and a minimal page of the same server that runs one rollup
// query and renders a small template. It measures once, whatever b.N, and reports its figures as metrics.
func BenchmarkDashboardOfAMillionOrderSeller(b *testing.B) {
	measureOnce(b, func(b *testing.B) map[string]float64 {
		const clients, window = 8, 5 * time.Second
		s := newShopSite(b)
		cookie, userID := s.seller(b, "million@example.com")
		s.connectShop(b, userID, "7001", "Million US", "US")
		end := s.env.Clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
		seedStart := time.Now()
		rolluptest.SeedProfits(b, s.env.DB.OwnerURL, userID, "7001", rolluptest.Shape{Orders: 1_000_000, Days: 730, SKUs: 60,
			End: end, SettleAfter: 14 * 24 * time.Hour})
		b.Logf("seeded 1,000,000 orders over 730 days in %.0f s", time.Since(seedStart).Seconds())

		// (b): one rollup query (the dashboard's own totals) and a small template, on the same server, through the
		// same middleware and session.
		small := template.Must(template.New("small").Parse(`<!doctype html><title>Totals</title><p>{{.Days}} days: ` +
			`{{range .Rows}}{{.Currency}}: {{.Measures}}{{end}}</p>`))
		web.AddTestRoute(s.srv, http.MethodGet, "/bench/minimal", func(c echo.Context) error {
			days := 30
			if c.QueryParam("days") == "365" {
				days = 365
			}
			last := end.Add(-time.Hour).Truncate(24 * time.Hour)
			day := func(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }
			v := struct {
				Days int
				Rows []tenantdb.DashboardTotalsRow
			}{Days: days}
			err := s.env.Store.InTenant(c.Request().Context(), userID, func(tx *store.Tx) error {
				var err error
				v.Rows, err = tx.Q.DashboardTotals(c.Request().Context(), tenantdb.DashboardTotalsParams{UserID: userID,
					ShopIds: []string{"7001"}, FirstDay: day(last.AddDate(0, 0, 1-days)), LastDay: day(last),
					PrevFirstDay: day(last.AddDate(0, 0, 1-2*days))})
				return err
			})
			if err != nil {
				return err
			}
			c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
			c.Response().WriteHeader(http.StatusOK)
			return small.Execute(c.Response(), v)
		})

		srv, client := httpsServer(b, s.srv, clients)

		lastDay := end.Add(-time.Hour).Format("2006-01-02")
		rangeOf := func(days int) string {
			return fmt.Sprintf("range=custom&from=%s&to=%s", end.Add(-time.Duration(days)*24*time.Hour).Format("2006-01-02"), lastDay)
		}
		m := map[string]float64{}
		for _, days := range []int{30, 365} {
			dash := srv.URL + "/dashboard?" + rangeOf(days)
			cold := get(b, client, dash, cookie) // the first request computes and caches
			b.Logf("%d days: the first request took %.1f ms", days, cold.Seconds()*1000)
			d := load(b, client, dash, cookie, clients, window)
			p := load(b, client, fmt.Sprintf("%s/bench/minimal?days=%d", srv.URL, days), cookie, clients, window)
			rollups := sqlTime(b, s.env, userID, `SELECT sum(net_sales), sum(net_profit), sum(orders), sum(units), sum(refunds),
				sum(cost_of_goods) FROM daily_profit WHERE user_id = $1 AND shop_id = '7001' AND sku_id = '' AND day > $2::date - $3::int AND day <= $2::date`, end.Add(-time.Hour), days)
			orders := sqlTime(b, s.env, userID, `SELECT sum(net_sales), sum(net_profit), sum(orders), sum(units), sum(refunds),
				sum(cost_of_goods) FROM order_profits WHERE user_id = $1 AND shop_id = '7001' AND sku_id = '' AND day > $2::date - $3::int AND day <= $2::date`, end.Add(-time.Hour), days)
			b.Logf("%d days: /dashboard %.0f req/s, p50 %.2f ms, p99 %.2f ms; minimal page %.0f req/s, p50 %.2f ms, p99 %.2f ms (dashboard = %.2f of it); "+
				"bare SQL from the daily rollups %.3f ms, from the per-order rows %.1f ms",
				days, d.rps, d.p50, d.p99, p.rps, p.p50, p.p99, d.rps/p.rps, rollups, orders)
			key := fmt.Sprintf("%dd_", days)
			m[key+"req/s"], m[key+"p50_ms"], m[key+"p99_ms"] = d.rps, d.p50, d.p99
			m[key+"minimal_req/s"], m[key+"vs_minimal"] = p.rps, d.rps/p.rps
			m[key+"sql_rollup_ms"], m[key+"sql_orders_ms"] = rollups, orders
		}
		return m
	})
}

// httpsServer serves h over HTTPS for the test and returns a client that keeps clients connections open to it and
// follows no redirect.
func httpsServer(b *testing.B, h http.Handler, clients int) (*httptest.Server, *http.Client) {
	srv := httptest.NewTLSServer(h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the test server's own certificate
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = clients
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return srv, client
}

// measureOnce runs measure the first time a benchmark is called and reports its metrics every time (the figures
// take minutes to make; b.N does not change them).
func measureOnce(b *testing.B, measure func(b *testing.B) map[string]float64) {
	m, ok := measured1[b.Name()]
	if !ok {
		m = measure(b)
		measured1[b.Name()] = m
	}
	b.ReportMetric(0, "ns/op")
	for unit, v := range m {
		b.ReportMetric(v, unit)
	}
}

var measured1 = map[string]map[string]float64{}

func get(b *testing.B, client *http.Client, url string, cookie *http.Cookie) time.Duration {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.AddCookie(cookie)
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d\n%.500s", url, res.StatusCode, body)
	}
	return time.Since(start)
}

type loadResult struct{ rps, p50, p99 float64 }

// load has clients goroutines GET url back to back for window and returns the rate and the latency percentiles.
func load(b *testing.B, client *http.Client, url string, cookie *http.Cookie, clients int, window time.Duration) loadResult {
	b.Helper()
	var mu sync.Mutex
	var all []time.Duration
	stop := time.Now().Add(window)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(stop) {
				mine = append(mine, get(b, client, url, cookie))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(all)
	ms := func(q float64) float64 { return all[int(q*float64(len(all)-1))].Seconds() * 1000 }
	return loadResult{rps: float64(len(all)) / window.Seconds(), p50: ms(0.50), p99: ms(0.99)}
}

// sqlTime is the mean time of a query on one connection as the owner (the bare SQL, no RLS): over 200 runs, or
// as many as fit in 3 seconds (3 at least).
func sqlTime(b *testing.B, env *testenv.Env, userID int64, q string, last time.Time, days int) float64 {
	b.Helper()
	conn := testenv.Connect(b, env.DB.OwnerURL)
	ctx := context.Background()
	var rows pgx.Rows
	start, runs := time.Now(), 0
	for ; runs < 200 && (runs < 3 || time.Since(start) < 3*time.Second); runs++ {
		var err error
		if rows, err = conn.Query(ctx, q, userID, last, days); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start).Seconds() * 1000 / float64(runs)
}
