-- The seller's orders with their profit (/orders, /orders/{shop}/{id}), the SKU table (/skus) and the CSV exports.
-- They read the profit rows internal/rollup keeps (order_profits, daily_profit), never the model's inputs.
--
-- measures holds profit.Totals' figures in profit.MeasureNames' order (counts, then amounts in minor units of the
-- row's currency); a test checks each against its column. Days are dates in the seller's time zone; a day goes in
-- as the timestamptz of its UTC midnight and becomes its UTC date here, so no pgtype reaches the Go code.
--
-- The three order lists read one page of the whole-order rows (those without a SKU) of the shops @shop_ids placed
-- in [@placed_from, @placed_to), after a keyset cursor, with the same filters: @status and @state (empty for any),
-- @sku (orders that sold that SKU id or seller SKU, by their SKU rows or the sole SKU their order row stands for,
-- migration 00025; empty for any) and @cost_flags (rows with any of these profit.Flags; 0 for any). The first page
-- passes @first.

-- name: OrderViewsNewest :many
-- Newest first, ties by shop and order id: the order of order_profits_by_time, which serves it without a sort,
-- from the cursor (@after_time: @placed_to on the first page) on.
SELECT p.shop_id, p.order_id, p.create_time, p.currency, p.state, p.flags, p.estimated_net_profit, o.status,
    0::bigint AS sort_key,
    ARRAY[
        p.orders, p.units, p.settled_orders, p.sample_orders, p.refunded_orders, p.cost_unknown_orders,
        p.unreconciled_orders, p.unsold_orders, p.gross_sales, p.seller_discount, p.platform_discount, p.net_sales,
        p.refunds, p.other_revenue, p.shipping_charged, p.shipping_seller_discount, p.shipping_cost,
        p.return_shipping_cost, p.fee_referral, p.fee_platform_commission, p.fee_transaction, p.fee_sfp,
        p.fee_flash_sale, p.fee_live, p.fee_voucher, p.fee_refund_administration, p.fee_other, p.affiliate_standard,
        p.affiliate_partner, p.affiliate_ads, p.tax_on_fees, p.adjustments, p.cost_of_goods, p.cost_returned,
        p.marketing_goods, p.marketing_shipping, p.tax_collected, p.settlement, p.settlement_reported, p.unreconciled,
        p.net_sales_without_cost, p.net_profit
    ]::bigint[] AS measures
FROM order_profits p
JOIN orders o ON o.user_id = p.user_id AND o.shop_id = p.shop_id AND o.order_id = p.order_id
WHERE p.user_id = @user_id AND p.sku_id = '' AND p.shop_id = ANY(@shop_ids::text[])
  AND p.create_time >= @placed_from AND p.create_time < @placed_to
  AND p.create_time <= @after_time
  AND (@first::boolean OR p.create_time < @after_time
       OR (p.shop_id, p.order_id) > (@after_shop::text, @after_order::text))
  AND (@status::text = '' OR o.status = @status)
  AND (@state::text = '' OR p.state = @state)
  AND (@cost_flags::integer = 0 OR p.flags & @cost_flags <> 0)
  AND (@sku::text = '' OR p.sole_sku_id = @sku OR p.sole_seller_sku = @sku OR EXISTS (
        SELECT 1 FROM order_profits s
        WHERE s.user_id = @user_id AND s.shop_id = p.shop_id AND s.order_id = p.order_id AND s.sku_id <> ''
          AND (s.sku_id = @sku OR s.seller_sku = @sku)))
ORDER BY p.create_time DESC, p.shop_id, p.order_id
LIMIT @max_rows;

-- name: OrderViewsOldest :many
-- Oldest first: exactly the newest-first order reversed (the same index, read backwards), from the cursor
-- (@after_time: @placed_from on the first page) on.
SELECT p.shop_id, p.order_id, p.create_time, p.currency, p.state, p.flags, p.estimated_net_profit, o.status,
    0::bigint AS sort_key,
    ARRAY[
        p.orders, p.units, p.settled_orders, p.sample_orders, p.refunded_orders, p.cost_unknown_orders,
        p.unreconciled_orders, p.unsold_orders, p.gross_sales, p.seller_discount, p.platform_discount, p.net_sales,
        p.refunds, p.other_revenue, p.shipping_charged, p.shipping_seller_discount, p.shipping_cost,
        p.return_shipping_cost, p.fee_referral, p.fee_platform_commission, p.fee_transaction, p.fee_sfp,
        p.fee_flash_sale, p.fee_live, p.fee_voucher, p.fee_refund_administration, p.fee_other, p.affiliate_standard,
        p.affiliate_partner, p.affiliate_ads, p.tax_on_fees, p.adjustments, p.cost_of_goods, p.cost_returned,
        p.marketing_goods, p.marketing_shipping, p.tax_collected, p.settlement, p.settlement_reported, p.unreconciled,
        p.net_sales_without_cost, p.net_profit
    ]::bigint[] AS measures
FROM order_profits p
JOIN orders o ON o.user_id = p.user_id AND o.shop_id = p.shop_id AND o.order_id = p.order_id
WHERE p.user_id = @user_id AND p.sku_id = '' AND p.shop_id = ANY(@shop_ids::text[])
  AND p.create_time >= @placed_from AND p.create_time < @placed_to
  AND p.create_time >= @after_time
  AND (@first::boolean OR p.create_time > @after_time
       OR (p.shop_id, p.order_id) < (@after_shop::text, @after_order::text))
  AND (@status::text = '' OR o.status = @status)
  AND (@state::text = '' OR p.state = @state)
  AND (@cost_flags::integer = 0 OR p.flags & @cost_flags <> 0)
  AND (@sku::text = '' OR p.sole_sku_id = @sku OR p.sole_seller_sku = @sku OR EXISTS (
        SELECT 1 FROM order_profits s
        WHERE s.user_id = @user_id AND s.shop_id = p.shop_id AND s.order_id = p.order_id AND s.sku_id <> ''
          AND (s.sku_id = @sku OR s.seller_sku = @sku)))
ORDER BY p.create_time, p.shop_id DESC, p.order_id DESC
LIMIT @max_rows;

-- name: OrderViewsByFigure :many
-- Sorted by a figure, ascending, ties by shop and order id: @sort names it, profit_asc, profit_desc, sales_asc,
-- sales_desc, margin_asc or margin_desc (a descending sort is the figure negated). Margin is net profit per net
-- sales in basis points, rounded half away from zero, 0 without net sales: profit.Amounts.MarginBps. No index
-- serves this order, so the page is a top-N sort of the range's rows.
SELECT p.shop_id, p.order_id, p.create_time, p.currency, p.state, p.flags, p.estimated_net_profit, o.status,
    k.sort_key::bigint AS sort_key,
    ARRAY[
        p.orders, p.units, p.settled_orders, p.sample_orders, p.refunded_orders, p.cost_unknown_orders,
        p.unreconciled_orders, p.unsold_orders, p.gross_sales, p.seller_discount, p.platform_discount, p.net_sales,
        p.refunds, p.other_revenue, p.shipping_charged, p.shipping_seller_discount, p.shipping_cost,
        p.return_shipping_cost, p.fee_referral, p.fee_platform_commission, p.fee_transaction, p.fee_sfp,
        p.fee_flash_sale, p.fee_live, p.fee_voucher, p.fee_refund_administration, p.fee_other, p.affiliate_standard,
        p.affiliate_partner, p.affiliate_ads, p.tax_on_fees, p.adjustments, p.cost_of_goods, p.cost_returned,
        p.marketing_goods, p.marketing_shipping, p.tax_collected, p.settlement, p.settlement_reported, p.unreconciled,
        p.net_sales_without_cost, p.net_profit
    ]::bigint[] AS measures
FROM order_profits p
JOIN orders o ON o.user_id = p.user_id AND o.shop_id = p.shop_id AND o.order_id = p.order_id
CROSS JOIN LATERAL (
    SELECT (CASE @sort::text
        WHEN 'profit_asc' THEN p.net_profit
        WHEN 'profit_desc' THEN -p.net_profit
        WHEN 'sales_asc' THEN p.net_sales
        WHEN 'sales_desc' THEN -p.net_sales
        WHEN 'margin_asc' THEN m.bps
        ELSE -m.bps
    END)::bigint AS sort_key
    FROM (SELECT (CASE WHEN p.net_sales > 0 THEN round(p.net_profit * 10000.0 / p.net_sales) ELSE 0 END)::bigint AS bps) m
) k
WHERE p.user_id = @user_id AND p.sku_id = '' AND p.shop_id = ANY(@shop_ids::text[])
  AND p.create_time >= @placed_from AND p.create_time < @placed_to
  AND (@first::boolean
       OR (k.sort_key, p.shop_id, p.order_id) > (@after_key::bigint, @after_shop::text, @after_order::text))
  AND (@status::text = '' OR o.status = @status)
  AND (@state::text = '' OR p.state = @state)
  AND (@cost_flags::integer = 0 OR p.flags & @cost_flags <> 0)
  AND (@sku::text = '' OR p.sole_sku_id = @sku OR p.sole_seller_sku = @sku OR EXISTS (
        SELECT 1 FROM order_profits s
        WHERE s.user_id = @user_id AND s.shop_id = p.shop_id AND s.order_id = p.order_id AND s.sku_id <> ''
          AND (s.sku_id = @sku OR s.seller_sku = @sku)))
ORDER BY k.sort_key, p.shop_id, p.order_id
LIMIT @max_rows;

-- name: OrderViewHeader :one
-- What the order breakdown shows of the order itself besides its profit.
SELECT o.status, o.create_time, o.update_time, o.currency, o.is_sample
FROM orders o
WHERE o.user_id = @user_id AND o.shop_id = @shop_id AND o.order_id = @order_id;

-- name: SKUViews :many
-- Each SKU's figures over the days @first_day..@last_day of the shops @shop_ids, per shop, SKU and currency (a SKU
-- is never summed across currencies), from the SKU rows of daily_profit; its seller SKU is the latest one seen. A
-- page of them in (shop, SKU, currency) order after the cursor (@after_shop, @after_sku, @after_currency): empty
-- strings for the first.
SELECT d.shop_id, d.sku_id, d.currency,
    coalesce((array_agg(d.seller_sku ORDER BY d.day DESC) FILTER (WHERE d.seller_sku <> ''))[1], '')::text AS seller_sku,
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
WHERE d.user_id = @user_id AND d.sku_id <> '' AND d.shop_id = ANY(@shop_ids::text[])
  AND d.day >= timezone('UTC', @first_day::timestamptz)::date AND d.day <= timezone('UTC', @last_day::timestamptz)::date
  AND (d.shop_id, d.sku_id, d.currency) > (@after_shop::text, @after_sku::text, @after_currency::text)
GROUP BY d.shop_id, d.sku_id, d.currency
ORDER BY d.shop_id, d.sku_id, d.currency
LIMIT @max_rows;

-- name: DailyProfitViews :many
-- The whole-order figures of each day @first_day..@last_day of the shops @shop_ids, per shop and currency, a page
-- at a time in (day, shop, currency) order after the cursor (@after_day, @after_shop, @after_currency); the first
-- page passes @first.
SELECT to_char(d.day, 'YYYY-MM-DD')::text AS day, d.shop_id, d.currency,
    ARRAY[
        d.orders, d.units, d.settled_orders, d.sample_orders, d.refunded_orders, d.cost_unknown_orders,
        d.unreconciled_orders, d.unsold_orders, d.gross_sales, d.seller_discount, d.platform_discount, d.net_sales,
        d.refunds, d.other_revenue, d.shipping_charged, d.shipping_seller_discount, d.shipping_cost,
        d.return_shipping_cost, d.fee_referral, d.fee_platform_commission, d.fee_transaction, d.fee_sfp,
        d.fee_flash_sale, d.fee_live, d.fee_voucher, d.fee_refund_administration, d.fee_other, d.affiliate_standard,
        d.affiliate_partner, d.affiliate_ads, d.tax_on_fees, d.adjustments, d.cost_of_goods, d.cost_returned,
        d.marketing_goods, d.marketing_shipping, d.tax_collected, d.settlement, d.settlement_reported, d.unreconciled,
        d.net_sales_without_cost, d.net_profit
    ]::bigint[] AS measures
FROM daily_profit d
WHERE d.user_id = @user_id AND d.sku_id = '' AND d.shop_id = ANY(@shop_ids::text[])
  AND d.day >= timezone('UTC', @first_day::timestamptz)::date AND d.day <= timezone('UTC', @last_day::timestamptz)::date
  AND (@first::boolean
       OR (d.day, d.shop_id, d.currency) > (timezone('UTC', @after_day::timestamptz)::date, @after_shop::text, @after_currency::text))
ORDER BY d.day, d.shop_id, d.currency
LIMIT @max_rows;
