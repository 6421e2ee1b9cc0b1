package sandbox_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// A test starts a sandbox, points the app's TIKTOK_API_BASE, TIKTOK_AUTH_BASE and TIKTOK_AUTHORIZE_URL (base +
// "/open/authorize") at one server, and later compares what the app synced with the ground truth.
func Example() {
	clk := clock.NewFake(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	sb, err := sandbox.New(sandbox.Config{
		AppKey: "key", AppSecret: "secret", ServiceID: "1", RedirectURL: "http://app.test/callback",
		Seed: 7, Days: 30, OrdersPerDay: 10, Shops: 2, Clock: clk,
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()

	shop := sb.Shops()[0]
	fmt.Println(shop.Region, shop.Currency, len(sb.Sellers()[0].ShopIDs))
	fmt.Println(sb.Totals(shop.ID).Orders > 0)
	// Output:
	// US USD 2
	// true
}
