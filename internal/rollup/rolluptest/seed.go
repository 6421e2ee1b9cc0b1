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

// Seed writes the shape's orders, lines, returns, settlement rows (a statement a day, each with its payout) and
// estimates for the seller and shop, as the
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
		     shipping_type, shipping_seller_discount, shipping_platform_discount, paid_time, delivery_time)
		 SELECT @user_id, @shop_id, o.order_id, o.status, 'USD', o.created, o.created + interval '3 days', o.sample, o.lines,
		     CASE WHEN o.sample THEN 0 ELSE o.lines * 2500 END, 599, 0, 0, 0,
		     CASE WHEN o.sample THEN 0 ELSE o.lines * 2500 + 599 END, decode(repeat('5a', 800), 'hex'), now(), 'TIKTOK', 0, 0,
		     o.created + interval '5 minutes', CASE WHEN o.status = 'COMPLETED' THEN o.created + interval '3 days' END
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
		// A statement a day of the settlement rows above, each paid out on its own two days later (the last week's
		// not yet).
		`INSERT INTO statements (user_id, shop_id, statement_id, statement_time, currency, revenue, fee, adjustment,
		     shipping_cost, net_sales, settlement, payment_status, payment_id, payload_sealed, synced_at, transactions_synced_at,
		     txn_count, txn_settlement, txn_unbalanced, txn_unexplained)
		 SELECT @user_id, @shop_id, x.statement_id, to_timestamp(substr(x.statement_id, 2), 'YYYYMMDD'), 'USD',
		     sum(x.revenue), sum(x.fee_tax), 0, sum(x.shipping_cost), sum(x.revenue), sum(x.settlement),
		     CASE WHEN to_timestamp(substr(x.statement_id, 2), 'YYYYMMDD') < @end::timestamptz - interval '7 days' THEN 'PAID' ELSE 'PROCESSING' END,
		     'p' || x.statement_id, decode(repeat('5a', 300), 'hex'), now(), now(),
		     count(*), sum(x.settlement), count(*) FILTER (WHERE x.settlement <> x.revenue + x.shipping_cost + x.fee_tax + x.adjustment),
		     sum(x.settlement - (x.revenue + x.shipping_cost + x.fee_tax + x.adjustment))
		 FROM statement_transactions x WHERE x.user_id = @user_id AND x.shop_id = @shop_id
		 GROUP BY x.statement_id`,
		`INSERT INTO payments (user_id, shop_id, payment_id, create_time, status, currency, amount, settlement_amount,
		     reserve_amount, amount_before_exchange, amount_before_exchange_currency, exchange_rate, paid_time,
		     payload_sealed, synced_at)
		 SELECT @user_id, @shop_id, s.payment_id, s.statement_time + interval '1 day', 'PAID', 'USD', s.settlement,
		     s.settlement, 0, s.settlement, 'USD', '1', s.statement_time + interval '2 days', decode(repeat('5a', 300), 'hex'), now()
		 FROM statements s WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.payment_status = 'PAID'`,
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
		"skus": s.SKUs, "settle_before": settleBefore, "end": s.End}
	for i, q := range stmts {
		if _, err := tx.Exec(ctx, q, args); err != nil {
			t.Fatalf("rolluptest: seed step %d: %v", i, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE orders; ANALYZE order_lines; ANALYZE statement_transactions; ANALYZE returns; ANALYZE unsettled_orders; ANALYZE statements; ANALYZE payments`); err != nil {
		t.Fatal(err)
	}
}

// SeedProfits writes the shape's orders (the orders table only) and their profit rows straight into order_profits
// and daily_profit, without the model: for benchmarks of what reads the rollups, at sizes where computing every
// order would take longer than the benchmark itself. Each line is a unit of one SKU sold at 25.00 with a 9.00
// cost, a 6% referral and a 2% transaction fee; an order pays 5.99 shipping and costs a 6.20 label, and is settled
// when older than SettleAfter.
func SeedProfits(t testing.TB, ownerURL string, userID int64, shopID string, s Shape) {
	t.Helper()
	ctx := context.Background()
	conn := testenv.Connect(t, ownerURL)
	start := s.End.Add(-time.Duration(s.Days) * 24 * time.Hour)
	args := pgx.NamedArgs{"orders": s.Orders, "start": start, "step": float64(s.End.Sub(start).Microseconds()) / float64(s.Orders),
		"user_id": userID, "shop_id": shopID, "skus": s.SKUs, "settle_before": s.End.Add(-s.SettleAfter), "zone": "UTC"}
	stmts := []string{
		`CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
		 SELECT i, lpad(i::text, 12, '0') AS order_id,
		     @start::timestamptz + make_interval(secs => (i - 1) * @step::float8 / 1e6) AS created, 1 + (i % 3)::int AS lines
		 FROM generate_series(1, @orders::int) i`,
		`INSERT INTO orders (user_id, shop_id, order_id, status, currency, create_time, update_time, is_sample, line_count,
		     sub_total, shipping_fee, seller_discount, platform_discount, tax, total_amount, payload_sealed, synced_at)
		 SELECT @user_id, @shop_id, o.order_id, 'COMPLETED', 'USD', o.created, o.created, false, o.lines, o.lines * 2500, 599,
		     0, 0, 0, o.lines * 2500 + 599, decode(repeat('5a', 800), 'hex'), now()
		 FROM seed_orders o`,
		// One row per line (its SKU), carrying the order's shipping on its first line, then the order rows as their sums.
		`CREATE TEMP TABLE seed_rows ON COMMIT DROP AS
		 SELECT o.order_id, 'sku-' || ((o.i * 7 + l) % @skus) AS sku_id, 'SKU-' || ((o.i * 7 + l) % @skus) AS seller_sku,
		     (o.created AT TIME ZONE @zone::text)::date AS day, o.created, o.created < @settle_before AS settled,
		     2500::bigint AS sales, CASE WHEN l = 1 THEN 599 ELSE 0 END::bigint AS charged,
		     CASE WHEN l = 1 THEN 620 ELSE 0 END::bigint AS label, 150::bigint AS referral, 50::bigint AS txn, 900::bigint AS cogs
		 FROM seed_orders o, generate_series(1, o.lines) l`,
		`INSERT INTO order_profits (user_id, shop_id, order_id, sku_id, seller_sku, day, create_time, currency, state, flags,
		     estimated_net_profit, orders, units, settled_orders, sample_orders, refunded_orders, cost_unknown_orders,
		     unreconciled_orders, unsold_orders, gross_sales, seller_discount, platform_discount, net_sales, refunds,
		     other_revenue, shipping_charged, shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral,
		     fee_platform_commission, fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher,
		     fee_refund_administration, fee_other, affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees,
		     adjustments, cost_of_goods, cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement,
		     settlement_reported, unreconciled, net_sales_without_cost, net_profit)
		 SELECT @user_id, @shop_id, r.order_id, r.sku_id, r.seller_sku, r.day, r.created, 'USD',
		     CASE WHEN r.settled THEN 'settled' ELSE 'estimated' END, 0, 0,
		     1, r.units, r.settled::int, 0, 0, 0, 0, 0, r.sales, 0, 0, r.sales, 0, 0, r.charged, 0, r.label, 0, r.referral,
		     0, r.txn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.cogs, 0, 0, 0, 0, r.settlement, r.settlement, 0, 0, r.settlement - r.cogs
		 FROM (
		     SELECT order_id, sku_id, seller_sku, day, created, settled, 1 AS units, sales, charged, label, referral, txn, cogs,
		         sales + charged - label - referral - txn AS settlement
		     FROM seed_rows
		     UNION ALL
		     SELECT order_id, '', '', min(day), min(created), bool_and(settled), count(*), sum(sales), sum(charged), sum(label),
		         sum(referral), sum(txn), sum(cogs), sum(sales + charged - label - referral - txn)
		     FROM seed_rows GROUP BY order_id
		 ) r`,
		`INSERT INTO daily_profit (user_id, shop_id, sku_id, day, currency, seller_sku, orders, units, settled_orders,
		     sample_orders, refunded_orders, cost_unknown_orders, unreconciled_orders, unsold_orders, gross_sales,
		     seller_discount, platform_discount, net_sales, refunds, other_revenue, shipping_charged,
		     shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral, fee_platform_commission,
		     fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher, fee_refund_administration, fee_other,
		     affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees, adjustments, cost_of_goods, cost_returned,
		     marketing_goods, marketing_shipping, tax_collected, settlement, settlement_reported, unreconciled,
		     net_sales_without_cost, net_profit)
		 SELECT user_id, shop_id, sku_id, day, currency, max(seller_sku), sum(orders), sum(units), sum(settled_orders),
		     sum(sample_orders), sum(refunded_orders), sum(cost_unknown_orders), sum(unreconciled_orders), sum(unsold_orders),
		     sum(gross_sales), sum(seller_discount), sum(platform_discount), sum(net_sales), sum(refunds), sum(other_revenue),
		     sum(shipping_charged), sum(shipping_seller_discount), sum(shipping_cost), sum(return_shipping_cost),
		     sum(fee_referral), sum(fee_platform_commission), sum(fee_transaction), sum(fee_sfp), sum(fee_flash_sale),
		     sum(fee_live), sum(fee_voucher), sum(fee_refund_administration), sum(fee_other), sum(affiliate_standard),
		     sum(affiliate_partner), sum(affiliate_ads), sum(tax_on_fees), sum(adjustments), sum(cost_of_goods),
		     sum(cost_returned), sum(marketing_goods), sum(marketing_shipping), sum(tax_collected), sum(settlement),
		     sum(settlement_reported), sum(unreconciled), sum(net_sales_without_cost), sum(net_profit)
		 FROM order_profits WHERE user_id = @user_id AND shop_id = @shop_id
		 GROUP BY user_id, shop_id, sku_id, day, currency`,
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for i, q := range stmts {
		if _, err := tx.Exec(ctx, q, args); err != nil {
			t.Fatalf("rolluptest: seed profits step %d: %v", i, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"orders", "order_profits", "daily_profit"} {
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
			t.Fatal(err)
		}
	}
}
