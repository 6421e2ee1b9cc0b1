-- name: UpsertReturns :execrows
-- One statement for a page of returns; a row is written only when it is new or its update_time moved forward.
INSERT INTO returns (user_id, shop_id, return_id, order_id, return_type, status, arbitration_status, reason,
    create_time, update_time, currency, refund_total, refund_subtotal, refund_shipping, refund_tax, next_actions,
    next_deadline, seller_paid_return_shipping, payload_sealed, synced_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@return_ids::text[]), unnest(@order_ids::text[]),
    unnest(@return_types::text[]), unnest(@statuses::text[]), unnest(@arbitration_statuses::text[]),
    unnest(@reasons::text[]), unnest(@create_times::timestamptz[]), unnest(@update_times::timestamptz[]),
    unnest(@currencies::text[]), unnest(@refund_totals::bigint[]), unnest(@refund_subtotals::bigint[]),
    unnest(@refund_shippings::bigint[]), unnest(@refund_taxes::bigint[]), unnest(@next_actions::text[])::jsonb,
    nullif(unnest(@next_deadlines::timestamptz[]), '0001-01-01 00:00:00Z'),
    unnest(@seller_paid_return_shippings::bigint[]), unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, return_id) DO UPDATE SET
    order_id = EXCLUDED.order_id, return_type = EXCLUDED.return_type, status = EXCLUDED.status,
    arbitration_status = EXCLUDED.arbitration_status, reason = EXCLUDED.reason, update_time = EXCLUDED.update_time,
    currency = EXCLUDED.currency, refund_total = EXCLUDED.refund_total, refund_subtotal = EXCLUDED.refund_subtotal,
    refund_shipping = EXCLUDED.refund_shipping, refund_tax = EXCLUDED.refund_tax,
    next_actions = EXCLUDED.next_actions, next_deadline = EXCLUDED.next_deadline,
    seller_paid_return_shipping = EXCLUDED.seller_paid_return_shipping, payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at
WHERE returns.update_time < EXCLUDED.update_time;

-- name: UpsertReturnLines :execrows
INSERT INTO return_lines (user_id, shop_id, return_id, line_id, order_line_id, sku_id, seller_sku, currency, refund_total)
SELECT @user_id::bigint, @shop_id::text, unnest(@return_ids::text[]), unnest(@line_ids::text[]),
    unnest(@order_line_ids::text[]), unnest(@sku_ids::text[]), unnest(@seller_skus::text[]),
    unnest(@currencies::text[]), unnest(@refund_totals::bigint[])
ON CONFLICT (user_id, shop_id, return_id, line_id) DO UPDATE SET
    order_line_id = EXCLUDED.order_line_id, sku_id = EXCLUDED.sku_id, seller_sku = EXCLUDED.seller_sku,
    currency = EXCLUDED.currency, refund_total = EXCLUDED.refund_total
WHERE (return_lines.order_line_id, return_lines.sku_id, return_lines.seller_sku, return_lines.currency, return_lines.refund_total)
    IS DISTINCT FROM (EXCLUDED.order_line_id, EXCLUDED.sku_id, EXCLUDED.seller_sku, EXCLUDED.currency, EXCLUDED.refund_total);

-- name: ReturnTotals :one
SELECT count(*)::bigint AS returns, count(*) FILTER (WHERE next_deadline IS NOT NULL)::bigint AS open_returns,
    coalesce(sum(refund_total), 0)::bigint AS refund_total
FROM returns WHERE user_id = @user_id AND shop_id = @shop_id;
