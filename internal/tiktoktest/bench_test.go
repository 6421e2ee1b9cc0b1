package tiktoktest_test

import (
	"context"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// BenchmarkPagingThroughAHundredThousandOrderShop reads everything of one shop of about 100,000 orders the way a
// first sync does, through the client and HTTP, on the system clock (so the sandbox's data moves on as it would
// in a running demo). It reports the time per page of each resource.
func BenchmarkPagingThroughAHundredThousandOrderShop(b *testing.B) {
	ctx := context.Background()
	env := tiktoktest.New(b, clock.System{}, func(c *sandbox.Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 365, 275 })
	tokens, err := env.Sandbox.IssueTokens("")
	if err != nil {
		b.Fatal(err)
	}
	seller := env.Client.Seller(tiktoktest.StaticToken(tokens.AccessToken))
	shops, err := seller.AuthorizedShops(ctx)
	if err != nil {
		b.Fatal(err)
	}
	shop := shops[0]
	ge, lt := time.Now().Add(-400*24*time.Hour), time.Now().Add(time.Hour) // the whole year, by update time

	type stat struct {
		pages   int
		records int
		spent   time.Duration
	}
	stats := map[string]*stat{}
	var names []string // in the order read
	read := func(name string, n int, start time.Time) {
		s := stats[name]
		if s == nil {
			s = &stat{}
			stats[name] = s
			names = append(names, name)
		}
		s.pages++
		s.records += n
		s.spent += time.Since(start)
	}
	check := func(name string, err error) {
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
	}
	for b.Loop() {
		clear(stats)
		names = names[:0]
		start := time.Now()
		for p, err := range seller.OrderPages(ctx, shop, tiktok.OrderQuery{PageSize: 100, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: ge, UpdateTimeLT: lt}) {
			check("orders", err)
			read("orders", len(p.Orders), start)
			start = time.Now()
		}
		for p, err := range seller.ReturnPages(ctx, shop, tiktok.ReturnQuery{PageSize: 50, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: ge, UpdateTimeLT: lt}) {
			check("returns", err)
			read("returns", len(p.Returns), start)
			start = time.Now()
		}
		for p, err := range seller.ProductPages(ctx, shop, tiktok.ProductQuery{PageSize: 100}) {
			check("products", err)
			read("products", len(p.Products), start)
			start = time.Now()
		}
		var statements []string
		for p, err := range seller.StatementPages(ctx, shop, tiktok.StatementQuery{PageSize: 100}) {
			check("statements", err)
			read("statements", len(p.Statements), start)
			for _, s := range p.Statements {
				statements = append(statements, s.ID)
			}
			start = time.Now()
		}
		for _, id := range statements {
			start = time.Now()
			for p, err := range seller.StatementTransactionPages(ctx, shop, id, tiktok.TransactionQuery{PageSize: 100}) {
				check("statement transactions", err)
				read("statement transactions", len(p.Transactions), start)
				start = time.Now()
			}
		}
		start = time.Now()
		for p, err := range seller.PaymentPages(ctx, shop, tiktok.PaymentQuery{PageSize: 100}) {
			check("payments", err)
			read("payments", len(p.Payments), start)
			start = time.Now()
		}
		for p, err := range seller.WithdrawalPages(ctx, shop, tiktok.WithdrawalQuery{PageSize: 100}) {
			check("withdrawals", err)
			read("withdrawals", len(p.Withdrawals), start)
			start = time.Now()
		}
		for p, err := range seller.UnsettledOrderPages(ctx, shop, tiktok.UnsettledOrderQuery{PageSize: 100}) {
			check("unsettled orders", err)
			read("unsettled orders", len(p.Orders), start)
			start = time.Now()
		}
	}
	pages := 0
	for _, name := range names {
		s := stats[name]
		pages += s.pages
		b.Logf("%-22s %5d pages %7d records %8.2f ms/page", name, s.pages, s.records, float64(s.spent.Microseconds())/1000/float64(s.pages))
	}
	b.ReportMetric(float64(pages), "pages/op")
	if o := stats["orders"]; o != nil {
		b.ReportMetric(float64(o.spent.Microseconds())/1000/float64(o.pages), "ms/order-page")
	}
	if r := stats["returns"]; r != nil {
		b.ReportMetric(float64(r.spent.Microseconds())/1000/float64(r.pages), "ms/return-page")
	}
}
