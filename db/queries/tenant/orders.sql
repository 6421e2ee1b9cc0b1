-- name: UpsertOrders :execrows
-- One statement for a whole page. A row is written only when it is new or TikTok's update_time moved forward (or
-- it gains its buyer key: migration 00021).
-- Absent times arrive as the zero time and are stored as NULL.
INSERT INTO orders (user_id, shop_id, order_id, status, currency, create_time, update_time, paid_time, delivery_time,
    cancel_time, shipping_type, is_sample, line_count, sub_total, shipping_fee, seller_discount, platform_discount,
    tax, total_amount, shipping_seller_discount, shipping_platform_discount, payload_sealed, synced_at, buyer_key)
-- Several single-array unnests in one select list advance together, row by row (PostgreSQL 10 and later). An empty
-- buyer key is none (NULL).
SELECT @user_id::bigint, @shop_id::text, unnest(@order_ids::text[]), unnest(@statuses::text[]),
    unnest(@currencies::text[]), unnest(@create_times::timestamptz[]), unnest(@update_times::timestamptz[]),
    nullif(unnest(@paid_times::timestamptz[]), '0001-01-01 00:00:00Z'),
    nullif(unnest(@delivery_times::timestamptz[]), '0001-01-01 00:00:00Z'),
    nullif(unnest(@cancel_times::timestamptz[]), '0001-01-01 00:00:00Z'), unnest(@shipping_types::text[]),
    unnest(@is_samples::boolean[]), unnest(@line_counts::integer[]), unnest(@sub_totals::bigint[]),
    unnest(@shipping_fees::bigint[]), unnest(@seller_discounts::bigint[]), unnest(@platform_discounts::bigint[]),
    unnest(@taxes::bigint[]), unnest(@total_amounts::bigint[]), unnest(@shipping_seller_discounts::bigint[]),
    unnest(@shipping_platform_discounts::bigint[]), unnest(@payloads::bytea[]), @synced_at::timestamptz,
    nullif(unnest(@buyer_keys::bytea[]), ''::bytea)
ON CONFLICT (user_id, shop_id, order_id) DO UPDATE SET
    status = EXCLUDED.status, currency = EXCLUDED.currency, update_time = EXCLUDED.update_time,
    paid_time = EXCLUDED.paid_time, delivery_time = EXCLUDED.delivery_time, cancel_time = EXCLUDED.cancel_time,
    shipping_type = EXCLUDED.shipping_type,
    is_sample = EXCLUDED.is_sample, line_count = EXCLUDED.line_count, sub_total = EXCLUDED.sub_total,
    shipping_fee = EXCLUDED.shipping_fee, seller_discount = EXCLUDED.seller_discount,
    platform_discount = EXCLUDED.platform_discount, tax = EXCLUDED.tax, total_amount = EXCLUDED.total_amount,
    shipping_seller_discount = EXCLUDED.shipping_seller_discount,
    shipping_platform_discount = EXCLUDED.shipping_platform_discount, payload_sealed = EXCLUDED.payload_sealed,
    synced_at = EXCLUDED.synced_at, buyer_key = EXCLUDED.buyer_key
-- Or an order stored before buyer keys existed, read again.
WHERE orders.update_time < EXCLUDED.update_time OR (orders.buyer_key IS NULL AND EXCLUDED.buyer_key IS NOT NULL);

-- name: UpsertOrderLines :execrows
-- The lines of a page's orders, in the same transaction; a line is rewritten only when something in it changed.
INSERT INTO order_lines (user_id, shop_id, order_id, line_id, sku_id, seller_sku, product_id, currency,
    original_price, sale_price, seller_discount, platform_discount, display_status, is_gift)
SELECT @user_id::bigint, @shop_id::text, unnest(@order_ids::text[]), unnest(@line_ids::text[]),
    unnest(@sku_ids::text[]), unnest(@seller_skus::text[]), unnest(@product_ids::text[]), unnest(@currencies::text[]),
    unnest(@original_prices::bigint[]), unnest(@sale_prices::bigint[]), unnest(@seller_discounts::bigint[]),
    unnest(@platform_discounts::bigint[]), unnest(@display_statuses::text[]), unnest(@is_gifts::boolean[])
ON CONFLICT (user_id, shop_id, order_id, line_id) DO UPDATE SET
    sku_id = EXCLUDED.sku_id, seller_sku = EXCLUDED.seller_sku, product_id = EXCLUDED.product_id,
    currency = EXCLUDED.currency, original_price = EXCLUDED.original_price, sale_price = EXCLUDED.sale_price,
    seller_discount = EXCLUDED.seller_discount, platform_discount = EXCLUDED.platform_discount,
    display_status = EXCLUDED.display_status, is_gift = EXCLUDED.is_gift
WHERE (order_lines.sku_id, order_lines.seller_sku, order_lines.product_id, order_lines.currency,
       order_lines.original_price, order_lines.sale_price, order_lines.seller_discount, order_lines.platform_discount,
       order_lines.display_status, order_lines.is_gift)
    IS DISTINCT FROM (EXCLUDED.sku_id, EXCLUDED.seller_sku, EXCLUDED.product_id, EXCLUDED.currency,
       EXCLUDED.original_price, EXCLUDED.sale_price, EXCLUDED.seller_discount, EXCLUDED.platform_discount,
       EXCLUDED.display_status, EXCLUDED.is_gift);

-- name: OrderTotals :one
-- A shop sells in one currency; currencies counts them, so a caller can refuse to sum a mix.
SELECT count(*)::bigint AS orders, coalesce(sum(total_amount), 0)::bigint AS total_amount,
    coalesce(min(currency), '')::text AS currency, count(DISTINCT currency)::bigint AS currencies,
    count(*) FILTER (WHERE is_sample)::bigint AS sample_orders,
    coalesce(sum(line_count), 0)::bigint AS line_count_sum,
    (SELECT count(*) FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id)::bigint AS lines
FROM orders WHERE user_id = @user_id AND shop_id = @shop_id;

-- name: GetOrderPayload :one
SELECT payload_sealed FROM orders WHERE user_id = @user_id AND shop_id = @shop_id AND order_id = @order_id;
