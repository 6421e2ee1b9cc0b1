-- The returns command centre (/returns, internal/web/returns.go). Filters: @shop_ids (the shops shown), @status,
-- @action, @reason (empty for any) and @sku (a return with a line of that SKU id or seller SKU; empty for any).

-- name: ReturnViewsOpen :many
-- Returns waiting for the seller, earliest deadline first (returns_open serves it), with their SKUs, the cost
-- of goods of their units at the cost the profit model used (per unit, from order_profits' SKU rows of the order, or
-- from its order row where it stands for its sole SKU: migration 00025), and how many returns the order's buyer made
-- since @buyer_since in any of the seller's shops, this one included (by the order's buyer key, migration 00021;
-- buyer_known is false when the order has none).
SELECT r.shop_id, r.return_id, r.order_id, r.return_type, r.status, r.reason, r.create_time, r.next_actions,
    r.next_deadline::timestamptz AS deadline, r.currency, r.refund_total, r.refund_subtotal, r.refund_tax,
    r.seller_paid_return_shipping, coalesce(x.skus, '{}')::text[] AS skus, coalesce(x.unit_costs, 0)::bigint AS unit_costs,
    (o.buyer_key IS NOT NULL)::boolean AS buyer_known,
    coalesce((SELECT count(*) FROM orders bo
        JOIN returns br ON br.user_id = bo.user_id AND br.shop_id = bo.shop_id AND br.order_id = bo.order_id
        WHERE bo.user_id = @user_id AND bo.buyer_key = o.buyer_key AND br.create_time >= @buyer_since::timestamptz), 0)::bigint AS buyer_returns
FROM returns r
LEFT JOIN orders o ON o.user_id = r.user_id AND o.shop_id = r.shop_id AND o.order_id = r.order_id
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT coalesce(nullif(l.seller_sku, ''), l.sku_id)) AS skus,
        sum(CASE WHEN p.units > 0 THEN p.cost_of_goods / p.units ELSE 0 END) AS unit_costs
    FROM return_lines l
    LEFT JOIN order_profits p ON p.user_id = l.user_id AND p.shop_id = l.shop_id AND p.order_id = r.order_id
        AND (p.sku_id = l.sku_id OR p.sku_id = '' AND p.sole_sku_id = l.sku_id)
    WHERE l.user_id = @user_id AND l.shop_id = r.shop_id AND l.return_id = r.return_id
) x ON true
WHERE r.user_id = @user_id AND r.next_deadline IS NOT NULL AND r.shop_id = ANY(@shop_ids::text[])
  AND (@status::text = '' OR r.status = @status)
  AND (@reason::text = '' OR r.reason = @reason)
  AND (@action::text = '' OR r.next_actions @> jsonb_build_array(jsonb_build_object('action', @action::text)))
  AND (@sku::text = '' OR EXISTS (SELECT 1 FROM return_lines s WHERE s.user_id = @user_id AND s.shop_id = r.shop_id
        AND s.return_id = r.return_id AND (s.sku_id = @sku OR s.seller_sku = @sku)))
ORDER BY r.next_deadline, r.shop_id, r.return_id
LIMIT @max_rows;

-- name: ReturnViewsClosed :many
-- Returns nothing is due on, most recently changed first, with whether TikTok approved them at or after a deadline
-- an alert was planned for (auto-approved: the seller missed it).
SELECT r.shop_id, r.return_id, r.order_id, r.return_type, r.status, r.reason, r.update_time, r.currency,
    r.refund_total, r.refund_tax, coalesce(x.skus, '{}')::text[] AS skus,
    coalesce(r.update_time >= (SELECT max(a.deadline) FROM return_alerts a WHERE a.user_id = @user_id
        AND a.shop_id = r.shop_id AND a.return_id = r.return_id), false)::boolean AS after_deadline
FROM returns r
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT coalesce(nullif(l.seller_sku, ''), l.sku_id)) AS skus
    FROM return_lines l WHERE l.user_id = @user_id AND l.shop_id = r.shop_id AND l.return_id = r.return_id
) x ON true
WHERE r.user_id = @user_id AND r.next_deadline IS NULL AND r.shop_id = ANY(@shop_ids::text[])
  AND (@status::text = '' OR r.status = @status)
  AND (@reason::text = '' OR r.reason = @reason)
  AND (@sku::text = '' OR EXISTS (SELECT 1 FROM return_lines s WHERE s.user_id = @user_id AND s.shop_id = r.shop_id
        AND s.return_id = r.return_id AND (s.sku_id = @sku OR s.seller_sku = @sku)))
ORDER BY r.update_time DESC, r.shop_id, r.return_id
LIMIT @max_rows;

-- name: ReturnReasons :many
-- The reason codes of the shops' returns, for the filter.
SELECT DISTINCT reason FROM returns WHERE user_id = @user_id AND shop_id = ANY(@shop_ids::text[]) AND reason <> ''
ORDER BY reason LIMIT 200;

-- name: AutoApprovalLosses :many
-- Money given back because a deadline was missed, per month in the seller's zone (@zone) since @since: returns
-- TikTok approved (or completed) at or after the latest deadline an alert was planned for. The refund less the
-- sales tax in it (TikTok collects and gives back the tax itself).
SELECT to_char(timezone(@zone::text, r.update_time), 'YYYY-MM')::text AS month, r.currency,
    count(*)::bigint AS returns, sum(r.refund_total - r.refund_tax)::bigint AS refunded
FROM returns r
WHERE r.user_id = @user_id AND r.shop_id = ANY(@shop_ids::text[]) AND r.update_time >= @since
  AND r.status IN ('RETURN_OR_REFUND_REQUEST_SUCCESS', 'RETURN_OR_REFUND_REQUEST_COMPLETE', 'AWAITING_BUYER_SHIP')
  AND r.update_time >= (SELECT max(a.deadline) FROM return_alerts a WHERE a.user_id = @user_id
        AND a.shop_id = r.shop_id AND a.return_id = r.return_id)
GROUP BY 1, 2
ORDER BY 1 DESC, 2;
