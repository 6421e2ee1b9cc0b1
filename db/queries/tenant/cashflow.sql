-- Cash flow (/cashflow, its statements and payouts, and their CSV exports): one shop's statements with what their
-- transactions sum to and their payout, the transactions of one statement, payouts, the orders TikTok has not
-- settled yet, the settled orders' delays and the reserve held. Each reads a range of an indexed column of one
-- shop (statements_by_time, a primary key prefix) or looks rows up by primary key; nothing scans a shop.

-- name: CashflowStatements :many
-- The statements of [@from_time, @to_time), oldest first, each with its transactions' sums (kept on the statement:
-- migration 00019) and its payout's status (the payment's own when synced, else what the statement says), paid time
-- and amount.
SELECT s.statement_id, s.statement_time, s.currency, s.revenue, s.fee, s.adjustment, s.shipping_cost, s.net_sales,
    s.settlement, s.payment_id, coalesce(p.status, s.payment_status)::text AS payout_status, p.paid_time,
    (p.payment_id IS NOT NULL)::boolean AS payout_synced, coalesce(p.amount, 0)::bigint AS payout_amount,
    s.txn_count AS txns, s.txn_settlement, s.txn_reserve AS reserve, s.txn_held AS held, s.txn_released AS released,
    s.txn_unbalanced AS unbalanced, s.txn_unexplained AS unexplained
FROM statements s
LEFT JOIN payments p ON p.user_id = s.user_id AND p.shop_id = s.shop_id AND p.payment_id = s.payment_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id
  AND s.statement_time >= @from_time::timestamptz AND s.statement_time < @to_time::timestamptz
ORDER BY s.statement_time, s.statement_id;

-- name: CashflowStatement :one
-- One statement, as CashflowStatements reads it.
SELECT s.statement_id, s.statement_time, s.currency, s.revenue, s.fee, s.adjustment, s.shipping_cost, s.net_sales,
    s.settlement, s.payment_id, coalesce(p.status, s.payment_status)::text AS payout_status, p.paid_time,
    (p.payment_id IS NOT NULL)::boolean AS payout_synced, coalesce(p.amount, 0)::bigint AS payout_amount,
    s.txn_count AS txns, s.txn_settlement, s.txn_reserve AS reserve, s.txn_held AS held, s.txn_released AS released,
    s.txn_unbalanced AS unbalanced, s.txn_unexplained AS unexplained
FROM statements s
LEFT JOIN payments p ON p.user_id = s.user_id AND p.shop_id = s.shop_id AND p.payment_id = s.payment_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.statement_id = @statement_id;

-- name: CashflowTransactions :many
-- Every transaction of one statement: orders first (oldest order first), then adjustments, then reserve movements.
SELECT transaction_id, type, subtype, order_id, reserve_status, estimated_release_time, currency, settlement,
    revenue, shipping_cost, fee_tax, adjustment, reserve
FROM statement_transactions
WHERE user_id = @user_id AND shop_id = @shop_id AND statement_id = @statement_id
ORDER BY CASE type WHEN 'ORDER' THEN 0 WHEN 'ADJUSTMENT' THEN 1 ELSE 2 END, order_create_time NULLS LAST, transaction_id;

-- name: CashflowPayments :many
-- The payouts TikTok created in [@from_time, @to_time), newest first; the sealed record holds the bank account.
SELECT payment_id, create_time, status, currency, amount, settlement_amount, reserve_amount, amount_before_exchange,
    amount_before_exchange_currency, exchange_rate, paid_time, payload_sealed
FROM payments
WHERE user_id = @user_id AND shop_id = @shop_id
  AND create_time >= @from_time::timestamptz AND create_time < @to_time::timestamptz
ORDER BY create_time DESC, payment_id DESC;

-- name: CashflowPendingOrders :many
-- The orders TikTok lists as not settled yet, with TikTok's estimates and the order's paid and delivery times.
SELECT u.order_id, u.estimated_settlement_time, u.currency, u.settlement, o.paid_time, o.delivery_time
FROM unsettled_orders u
LEFT JOIN orders o ON o.user_id = u.user_id AND o.shop_id = u.shop_id AND o.order_id = u.order_id
WHERE u.user_id = @user_id AND u.shop_id = @shop_id AND u.left_at IS NULL
ORDER BY u.order_id;

-- name: CashflowSettledOrders :many
-- The orders settled on statements since @since, counted by the days (in @zone) they were paid, delivered and
-- settled, with what they settled: the shop's observed delays, and the backtest's history.
SELECT date_trunc('day', o.paid_time, @zone::text)::timestamptz AS paid_day,
    date_trunc('day', o.delivery_time, @zone::text)::timestamptz AS delivered_day,
    date_trunc('day', s.statement_time, @zone::text)::timestamptz AS settled_day,
    count(*)::bigint AS orders, sum(x.settlement)::bigint AS settlement
FROM statements s
JOIN statement_transactions x ON x.user_id = s.user_id AND x.shop_id = s.shop_id AND x.statement_id = s.statement_id
JOIN orders o ON o.user_id = x.user_id AND o.shop_id = x.shop_id AND o.order_id = x.order_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.statement_time >= @since::timestamptz
  AND x.type = 'ORDER' AND o.paid_time IS NOT NULL AND o.delivery_time IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 3, 1, 2;

-- name: CashflowReserveHolds :many
-- The reserve held by statements since @since (negative reserve rows), with TikTok's release estimate and status.
SELECT s.statement_id, s.statement_time, x.reserve_status, x.estimated_release_time, x.reserve
FROM statements s
JOIN statement_transactions x ON x.user_id = s.user_id AND x.shop_id = s.shop_id AND x.statement_id = s.statement_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.statement_time >= @since::timestamptz AND s.txn_held < 0
  AND x.type = 'RESERVE' AND x.reserve < 0
ORDER BY s.statement_time, x.transaction_id;

-- name: CashflowRecentPayouts :many
-- The statements of [@from_time, @to_time) with their payout's status, paid time and amount, without reading their
-- transactions: what the dashboard's cash alerts need.
SELECT s.statement_id, s.statement_time, s.currency, s.settlement, s.payment_id,
    coalesce(p.status, s.payment_status)::text AS payout_status, p.paid_time,
    (p.payment_id IS NOT NULL)::boolean AS payout_synced, coalesce(p.amount, 0)::bigint AS payout_amount
FROM statements s
LEFT JOIN payments p ON p.user_id = s.user_id AND p.shop_id = s.shop_id AND p.payment_id = s.payment_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id
  AND s.statement_time >= @from_time::timestamptz AND s.statement_time < @to_time::timestamptz
ORDER BY s.statement_time, s.statement_id;
