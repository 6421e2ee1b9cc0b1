package sandbox

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"runtime"
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

// bigShop is the sync benchmark's sandbox: one shop of about 100,000 orders over a year, with its returns and
// finance.
func bigShop(c *Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 365, 275 }

func BenchmarkGeneratingAShopOfOneHundredThousandOrders(b *testing.B) {
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		cfg := testConfig(clock.NewFake(testStart))
		bigShop(&cfg)
		sb, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if n := sb.Totals(sb.shops[0].id).Orders; n < 95000 {
			b.Fatalf("%d orders", n)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		retained = max(retained, m.HeapAlloc)
		runtime.KeepAlive(sb)
	}
	b.ReportMetric(float64(retained)/(1<<20), "MB-retained")
}

// direct verifies r as the API would and returns the call its handler receives, to time a handler alone: no
// HTTP, no JSON.
func (e *testEnv) direct(r req, scope string) *call {
	e.t.Helper()
	hr := e.request(r)
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	c, ae := e.sb.verify(hr, hr.URL.Query(), body, route{scope: scope, shopScoped: true})
	if ae != nil {
		e.t.Fatal(ae)
	}
	return c
}

// atOffset rewrites a page token to point at another offset of the same query.
func atOffset(t testing.TB, tok string, offset int) string {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) != 12 {
		t.Fatalf("page token %q", tok)
	}
	binary.BigEndian.PutUint32(b[3:7], uint32(offset))
	return base64.StdEncoding.EncodeToString(b)
}

// BenchmarkServingADeepPage times one search page 90% of the way into a 100,000-order shop, the handler alone
// (JSON encoding excluded) and whole (through HTTP handling and JSON). "cold cache" filters and sorts the shop for
// every page; "live clock" moves the clock a second per request, as a sync against a running sandbox sees it.
func BenchmarkServingADeepPage(b *testing.B) {
	e := newEnv(b, bigShop)
	window := map[string]any{"update_time_ge": testStart.Add(-400 * 24 * time.Hour).Unix(), "update_time_lt": testStart.Add(time.Hour).Unix()}
	cipher := e.shops[0].Cipher
	searches := []struct {
		name, path, scope, size string
		handler                 apiHandler
	}{
		{"orders", "/order/202309/orders/search", "seller.order.info", "100", e.sb.searchOrders},
		{"returns", "/return_refund/202309/returns/search", "seller.return_refund.basic", "50", e.sb.searchReturns},
		{"unsettled", "/finance/202507/orders/unsettled", "seller.finance.info", "100", e.sb.unsettledOrders},
	}
	for _, s := range searches {
		r := req{method: "POST", path: s.path, cipher: cipher, body: window,
			params: map[string]string{"page_size": s.size, "sort_field": "update_time", "sort_order": "ASC"}}
		if s.name == "unsettled" {
			r.method, r.body = "GET", nil
			r.params = map[string]string{"page_size": s.size, "sort_field": "order_create_time", "sort_order": "ASC"}
		}
		var first struct {
			TotalCount    int    `json:"total_count"`
			NextPageToken string `json:"next_page_token"`
		}
		e.ok(r, &first)
		if first.NextPageToken == "" {
			b.Fatalf("%s: one page only", s.name)
		}
		r.params["page_token"] = atOffset(b, first.NextPageToken, first.TotalCount*9/10)
		b.Run(s.name+"/cold cache/handler", func(b *testing.B) {
			c := e.direct(r, s.scope)
			b.ReportAllocs()
			for b.Loop() {
				e.sb.mu.Lock()
				clear(e.sb.searchCache)
				e.sb.mu.Unlock()
				if data, ae := s.handler(c); ae != nil || data == nil {
					b.Fatal(ae)
				}
			}
		})
		for _, live := range []bool{false, true} {
			name := s.name + "/fixed clock"
			if live {
				name = s.name + "/live clock"
			}
			b.Run(name+"/handler", func(b *testing.B) {
				c := e.direct(r, s.scope)
				b.ReportAllocs()
				for b.Loop() {
					if live {
						e.clk.Advance(time.Second)
						c.now = e.clk.Now().Unix()
					}
					data, ae := s.handler(c)
					if ae != nil || data == nil {
						b.Fatal(ae)
					}
				}
			})
			b.Run(name+"/with JSON", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if live {
						e.clk.Advance(time.Second)
					}
					res := e.ok(r, nil)
					if !json.Valid(res.Data) {
						b.Fatal("invalid JSON")
					}
				}
			})
		}
	}
}
