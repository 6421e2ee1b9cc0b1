-- name: UpsertOrders :execrows
-- One statement for a whole page. A row is written only when it is new or TikTok's update_time moved forward.
INSERT INTO orders (user_id, shop_id, order_id, status, currency, create_time, update_time, is_sample, line_count,
    sub_total, shipping_fee, seller_discount, platform_discount, tax, total_amount, payload_sealed, synced_at)
-- Several single-array unnests in one select list advance together, row by row (PostgreSQL 10 and later).
SELECT @user_id::bigint, @shop_id::text, unnest(@order_ids::text[]), unnest(@statuses::text[]),
    unnest(@currencies::text[]), unnest(@create_times::timestamptz[]), unnest(@update_times::timestamptz[]),
    unnest(@is_samples::boolean[]), unnest(@line_counts::integer[]), unnest(@sub_totals::bigint[]),
    unnest(@shipping_fees::bigint[]), unnest(@seller_discounts::bigint[]), unnest(@platform_discounts::bigint[]),
    unnest(@taxes::bigint[]), unnest(@total_amounts::bigint[]), unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, order_id) DO UPDATE SET
    status = EXCLUDED.status, currency = EXCLUDED.currency, update_time = EXCLUDED.update_time,
    is_sample = EXCLUDED.is_sample, line_count = EXCLUDED.line_count, sub_total = EXCLUDED.sub_total,
    shipping_fee = EXCLUDED.shipping_fee, seller_discount = EXCLUDED.seller_discount,
    platform_discount = EXCLUDED.platform_discount, tax = EXCLUDED.tax, total_amount = EXCLUDED.total_amount,
    payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at
WHERE orders.update_time < EXCLUDED.update_time;

-- name: OrderTotals :one
SELECT count(*)::bigint AS orders, coalesce(sum(total_amount), 0)::bigint AS total_amount
FROM orders WHERE user_id = @user_id AND shop_id = @shop_id;

-- name: GetOrderPayload :one
SELECT payload_sealed FROM orders WHERE user_id = @user_id AND shop_id = @shop_id AND order_id = @order_id;

-- name: GetSyncCursor :one
SELECT synced_to FROM sync_cursors WHERE user_id = @user_id AND shop_id = @shop_id AND resource = @resource;

-- name: SaveSyncCursor :exec
INSERT INTO sync_cursors (user_id, shop_id, resource, synced_to, updated_at) VALUES (@user_id, @shop_id, @resource, @synced_to, @now)
ON CONFLICT (user_id, shop_id, resource) DO UPDATE SET synced_to = EXCLUDED.synced_to, updated_at = EXCLUDED.updated_at
WHERE sync_cursors.synced_to < EXCLUDED.synced_to;
