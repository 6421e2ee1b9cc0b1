// Package rolluptest fills a seller's tables with many synthetic orders, fast, for benchmarks of what reads them.
package rolluptest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/testenv"
)

// Shape is a synthetic shop: Orders orders spread evenly over Days days ending at End, in USD, over SKUs SKUs.
// Every 40th order is cancelled and every 97th a creator sample; one to three lines each; orders older than
// SettleAfter have a settlement row with TikTok's usual fees, the others TikTok's estimate; every 20th settled
// order is refunded in full.
type Shape struct {
	Orders, Days, SKUs int
	End                time.Time
	SettleAfter        time.Duration
}

// Seed writes the shape's orders, lines, returns, settlement rows and estimates for the seller and shop, as the
// owner role (bulk SQL: no sync, no sealing; the payloads are filler of a sealed record's size). It does not
// compute profit: run rollup.Rebuild for that.
func Seed(t testing.TB, ownerURL string, userID int64, shopID string, s Shape) {
	t.Helper()
	ctx := context.Background()
	conn := testenv.Connect(t, ownerURL)
	start := s.End.Add(-time.Duration(s.Days) * 24 * time.Hour)
	step := float64(s.End.Sub(start).Microseconds()) / float64(s.Orders)
	settleBefore := s.End.Add(-s.SettleAfter)
	stmts := []string{
		// Orders: o.i from 1; create time spread evenly; prices from the lines below (sub_total is the lines' sum).
		`CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
		 SELECT i, lpad(i::text, 12, '0') AS order_id,
		     @start::timestamptz + make_interval(secs => (i - 1) * @step::float8 / 1e6) AS created,
		     1 + (i % 3)::int AS lines,
		     CASE WHEN i % 40 = 0 THEN 'CANCELLED' ELSE 'COMPLETED' END AS status,
		     i % 97 = 0 AS sample
		 FROM generate_series(1, @orders::int) i`,
		`INSERT INTO orders (user_id, shop_id, order_id, status, currency, create_time, update_time, is_sample, line_count,
		     sub_total, shipping_fee, seller_discount, platform_discount, tax, total_amount, payload_sealed, synced_at,
		     shipping_type, shipping_seller_discount, shipping_platform_discount)
		 SELECT @user_id, @shop_id, o.order_id, o.status, 'USD', o.created, o.created + interval '3 days', o.sample, o.lines,
		     CASE WHEN o.sample THEN 0 ELSE o.lines * 2500 END, 599, 0, 0, 0,
		     CASE WHEN o.sample THEN 0 ELSE o.lines * 2500 + 599 END, decode(repeat('5a', 800), 'hex'), now(), 'TIKTOK', 0, 0
		 FROM seed_orders o`,
		`INSERT INTO order_lines (user_id, shop_id, order_id, line_id, sku_id, seller_sku, product_id, currency, original_price,
		     sale_price, seller_discount, platform_discount, display_status, is_gift)
		 SELECT @user_id, @shop_id, o.order_id, o.order_id || '-' || l, 'sku-' || ((o.i * 7 + l) % @skus), 'SKU-' || ((o.i * 7 + l) % @skus),
		     'p-' || ((o.i * 7 + l) % @skus / 3), 'USD', CASE WHEN o.sample THEN 0 ELSE 2500 END,
		     CASE WHEN o.sample THEN 0 ELSE 2500 END, 0, 0,
		     CASE WHEN o.status = 'CANCELLED' THEN 'CANCELLED' ELSE 'DELIVERED' END, false
		 FROM seed_orders o, generate_series(1, o.lines) l`,
		// Every 20th settled order refunded in full (the buyer keeps the goods).
		`INSERT INTO returns (user_id, shop_id, return_id, order_id, return_type, status, arbitration_status, reason,
		     create_time, update_time, currency, refund_total, refund_subtotal, refund_shipping, refund_tax, next_actions,
		     next_deadline, payload_sealed, synced_at, seller_paid_return_shipping)
		 SELECT @user_id, @shop_id, 'r' || o.order_id, o.order_id, 'REFUND', 'RETURN_OR_REFUND_REQUEST_COMPLETE', '', 'ecom_order_delivered_refund_reason_damaged',
		     o.created + interval '5 days', o.created + interval '6 days', 'USD', o.lines * 2500, o.lines * 2500, 0, 0, '[]', NULL,
		     decode(repeat('5a', 400), 'hex'), now(), 0
		 FROM seed_orders o WHERE o.i % 20 = 0 AND o.status = 'COMPLETED' AND NOT o.sample AND o.created < @settle_before`,
		// Settlement rows: revenue less a 6% referral fee, a 2% transaction fee and the label, for settled orders.
		`INSERT INTO statement_transactions (user_id, shop_id, statement_id, transaction_id, type, subtype, order_id,
		     order_create_time, reserve_status, currency, settlement, revenue, shipping_cost, fee_tax, adjustment, reserve,
		     subtotal_before_discount, seller_discount, refund_subtotal_before_discount, seller_discount_refund,
		     actual_shipping_fee, customer_paid_shipping_fee, return_shipping_fee, shipping_fee_discount, fbt_fulfillment_fee,
		     referral_fee, transaction_fee, platform_commission, affiliate_commission, affiliate_partner_commission,
		     affiliate_ads_commission, sfp_service_fee, flash_sales_service_fee, live_specials_fee, voucher_xtra_service_fee,
		     refund_administration_fee, vat, gst, other_amounts, payload_sealed, synced_at)
		 SELECT @user_id, @shop_id, 's' || to_char(o.created + interval '8 days', 'YYYYMMDD'), 't' || o.order_id, 'ORDER', '', o.order_id,
		     o.created, '', 'USD',
		     x.revenue - 620 - x.referral - x.txn, x.revenue, -620, -(x.referral + x.txn), 0, 0,
		     x.gross, 0, x.refund, 0, -1219, 599, 0, 0, 0, -x.referral, -x.txn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}',
		     decode(repeat('5a', 600), 'hex'), now()
		 FROM seed_orders o,
		     LATERAL (SELECT o.lines * 2500 AS gross,
		                     CASE WHEN o.i % 20 = 0 THEN -o.lines * 2500 ELSE 0 END AS refund) g,
		     LATERAL (SELECT g.gross, g.refund, g.gross + g.refund AS revenue,
		                     (g.gross + g.refund) * 6 / 100 AS referral, (g.gross + g.refund) * 2 / 100 AS txn) x
		 WHERE o.status = 'COMPLETED' AND NOT o.sample AND o.created < @settle_before`,
		`INSERT INTO unsettled_orders (user_id, shop_id, order_id, order_create_time, estimated_settlement_time, currency,
		     settlement, revenue, shipping_cost, fee_tax, payload_sealed, seen_at)
		 SELECT @user_id, @shop_id, o.order_id, o.created, o.created + interval '8 days', 'USD',
		     o.lines * 2500 * 92 / 100 - 620, o.lines * 2500, -620, -(o.lines * 2500 * 8 / 100), decode(repeat('5a', 300), 'hex'), now()
		 FROM seed_orders o WHERE o.status = 'COMPLETED' AND NOT o.sample AND o.created >= @settle_before`,
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	args := pgx.NamedArgs{"orders": s.Orders, "start": start, "step": step, "user_id": userID, "shop_id": shopID,
		"skus": s.SKUs, "settle_before": settleBefore}
	for i, q := range stmts {
		if _, err := tx.Exec(ctx, q, args); err != nil {
			t.Fatalf("rolluptest: seed step %d: %v", i, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE orders; ANALYZE order_lines; ANALYZE statement_transactions; ANALYZE returns; ANALYZE unsettled_orders`); err != nil {
		t.Fatal(err)
	}
}
