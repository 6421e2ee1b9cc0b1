-- The profit dashboard (/dashboard). It reads daily_profit only, never orders: a range of days is a few hundred
-- rows whatever the seller's volume. Shops are named by @shop_ids (one, or all of the seller's), so the primary key
-- (user_id, shop_id, sku_id, day, currency) serves every read with a shop, and the SKU index every read by SKU.

-- name: DashboardTotals :many
-- The whole-order figures per currency of the range @first_day..@last_day (current) and of the period before it,
-- @prev_first_day..@first_day - 1. measures holds profit.Totals' figures in profit.MeasureNames' order (a test
-- checks it).
SELECT d.currency, (d.day >= @first_day::date)::bool AS current,
    ARRAY[
        sum(d.orders), sum(d.units), sum(d.settled_orders), sum(d.sample_orders), sum(d.refunded_orders),
        sum(d.cost_unknown_orders), sum(d.unreconciled_orders), sum(d.unsold_orders), sum(d.gross_sales),
        sum(d.seller_discount), sum(d.platform_discount), sum(d.net_sales), sum(d.refunds), sum(d.other_revenue),
        sum(d.shipping_charged), sum(d.shipping_seller_discount), sum(d.shipping_cost),
        sum(d.return_shipping_cost), sum(d.fee_referral), sum(d.fee_platform_commission), sum(d.fee_transaction),
        sum(d.fee_sfp), sum(d.fee_flash_sale), sum(d.fee_live), sum(d.fee_voucher),
        sum(d.fee_refund_administration), sum(d.fee_other), sum(d.affiliate_standard), sum(d.affiliate_partner),
        sum(d.affiliate_ads), sum(d.tax_on_fees), sum(d.adjustments), sum(d.cost_of_goods), sum(d.cost_returned),
        sum(d.marketing_goods), sum(d.marketing_shipping), sum(d.tax_collected), sum(d.settlement),
        sum(d.settlement_reported), sum(d.unreconciled), sum(d.net_sales_without_cost), sum(d.net_profit)
    ]::bigint[] AS measures
FROM daily_profit d
WHERE d.user_id = @user_id AND d.shop_id = ANY(@shop_ids::text[]) AND d.sku_id = ''
  AND d.day >= @prev_first_day::date AND d.day <= @last_day::date
GROUP BY d.currency, (d.day >= @first_day::date)
ORDER BY d.currency, current;

-- name: DashboardDaily :many
-- Net sales and net profit of each day of @first_day..@last_day in @currency (days without orders have no row).
SELECT d.day, sum(d.net_sales)::bigint AS net_sales, sum(d.net_profit)::bigint AS net_profit,
    sum(d.orders)::bigint AS orders
FROM daily_profit d
WHERE d.user_id = @user_id AND d.shop_id = ANY(@shop_ids::text[]) AND d.sku_id = '' AND d.currency = @currency
  AND d.day >= @first_day::date AND d.day <= @last_day::date
GROUP BY d.day
ORDER BY d.day;

-- name: DashboardSKUs :many
-- The @n SKUs with the most net profit over @first_day..@last_day in @currency and the @n with the least (a SKU
-- can be both when there are few), each with its rank from the top (best) and from the bottom (worst), and how many
-- SKUs sold.
WITH s AS (
    SELECT d.shop_id, d.sku_id, (array_agg(d.seller_sku ORDER BY d.day DESC))[1]::text AS seller_sku,
        sum(d.orders)::bigint AS orders, sum(d.units)::bigint AS units, sum(d.net_sales)::bigint AS net_sales,
        sum(d.net_profit)::bigint AS net_profit, sum(d.net_sales_without_cost)::bigint AS net_sales_without_cost
    FROM daily_profit d
    WHERE d.user_id = @user_id AND d.shop_id = ANY(@shop_ids::text[]) AND d.sku_id <> '' AND d.currency = @currency
      AND d.day >= @first_day::date AND d.day <= @last_day::date
    GROUP BY d.shop_id, d.sku_id
), ranked AS (
    SELECT s.shop_id, s.sku_id, s.seller_sku, s.orders, s.units, s.net_sales, s.net_profit, s.net_sales_without_cost,
        row_number() OVER (ORDER BY s.net_profit DESC, s.shop_id, s.sku_id) AS best,
        row_number() OVER (ORDER BY s.net_profit ASC, s.shop_id DESC, s.sku_id DESC) AS worst,
        count(*) OVER () AS skus
    FROM s
)
SELECT r.shop_id, r.sku_id, r.seller_sku, r.orders, r.units, r.net_sales, r.net_profit, r.net_sales_without_cost,
    r.best::bigint AS best, r.worst::bigint AS worst, r.skus::bigint AS skus
FROM ranked r
WHERE r.best <= @n::bigint OR r.worst <= @n::bigint
ORDER BY r.best;
