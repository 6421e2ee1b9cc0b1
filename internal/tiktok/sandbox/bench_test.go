package sandbox

import (
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

func BenchmarkServingAnOrdersPageOf100(b *testing.B) {
	e := newEnv(b, func(c *Config) { *c = Demo(c.Clock) })
	r := ordersReq(e, 0, "100", map[string]any{"update_time_ge": testStart.Add(-60 * 24 * time.Hour).Unix()})
	r.params["sort_field"] = "update_time"
	b.ReportAllocs()
	for b.Loop() {
		e.ok(r, nil)
	}
}

// BenchmarkGeneratingOneHundredThousandOrders sizes the sync benchmark's sandbox: two shops, 500 days of 100.
func BenchmarkGeneratingOneHundredThousandOrders(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		cfg := testConfig(clock.NewFake(testStart))
		cfg.Days, cfg.OrdersPerDay = 500, 100
		sb, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if n := sb.Totals(sb.shops[0].id).Orders + sb.Totals(sb.shops[1].id).Orders; n < 90000 {
			b.Fatalf("%d orders", n)
		}
	}
}
