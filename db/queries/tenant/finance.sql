-- name: UpsertStatements :execrows
-- A statement is rewritten when any of its figures changed; when its amounts changed, its transactions are read
-- again (transactions_synced_at back to NULL).
INSERT INTO statements (user_id, shop_id, statement_id, statement_time, currency, revenue, fee, adjustment,
    shipping_cost, net_sales, settlement, payment_status, payment_id, payload_sealed, synced_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@statement_ids::text[]), unnest(@statement_times::timestamptz[]),
    unnest(@currencies::text[]), unnest(@revenues::bigint[]), unnest(@fees::bigint[]), unnest(@adjustments::bigint[]),
    unnest(@shipping_costs::bigint[]), unnest(@net_sales::bigint[]), unnest(@settlements::bigint[]),
    unnest(@payment_statuses::text[]), unnest(@payment_ids::text[]), unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, statement_id) DO UPDATE SET
    statement_time = EXCLUDED.statement_time, currency = EXCLUDED.currency, revenue = EXCLUDED.revenue,
    fee = EXCLUDED.fee, adjustment = EXCLUDED.adjustment, shipping_cost = EXCLUDED.shipping_cost,
    net_sales = EXCLUDED.net_sales, settlement = EXCLUDED.settlement, payment_status = EXCLUDED.payment_status,
    payment_id = EXCLUDED.payment_id, payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at,
    transactions_synced_at = CASE
        WHEN (statements.currency, statements.revenue, statements.fee, statements.adjustment, statements.shipping_cost,
              statements.net_sales, statements.settlement)
            IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.revenue, EXCLUDED.fee, EXCLUDED.adjustment,
              EXCLUDED.shipping_cost, EXCLUDED.net_sales, EXCLUDED.settlement)
        THEN NULL ELSE statements.transactions_synced_at END
WHERE (statements.statement_time, statements.currency, statements.revenue, statements.fee, statements.adjustment,
       statements.shipping_cost, statements.net_sales, statements.settlement, statements.payment_status,
       statements.payment_id)
    IS DISTINCT FROM (EXCLUDED.statement_time, EXCLUDED.currency, EXCLUDED.revenue, EXCLUDED.fee, EXCLUDED.adjustment,
       EXCLUDED.shipping_cost, EXCLUDED.net_sales, EXCLUDED.settlement, EXCLUDED.payment_status, EXCLUDED.payment_id);

-- name: StatementsWithoutTransactions :many
-- The statements whose transactions are still to be read, oldest first.
SELECT statement_id FROM statements
WHERE user_id = @user_id AND shop_id = @shop_id AND transactions_synced_at IS NULL
ORDER BY statement_time, statement_id;

-- name: MarkStatementTransactionsSynced :exec
UPDATE statements SET transactions_synced_at = @now::timestamptz
WHERE user_id = @user_id AND shop_id = @shop_id AND statement_id = @statement_id;

-- name: UpsertStatementTransactions :execrows
INSERT INTO statement_transactions (user_id, shop_id, statement_id, transaction_id, type, subtype, order_id,
    order_create_time, reserve_status, estimated_release_time, currency, settlement, revenue, shipping_cost, fee_tax,
    adjustment, reserve, subtotal_before_discount, seller_discount, refund_subtotal_before_discount,
    seller_discount_refund, actual_shipping_fee, customer_paid_shipping_fee, return_shipping_fee,
    shipping_fee_discount, fbt_fulfillment_fee, referral_fee, transaction_fee, platform_commission,
    affiliate_commission, affiliate_partner_commission, affiliate_ads_commission, sfp_service_fee,
    flash_sales_service_fee, live_specials_fee, voucher_xtra_service_fee, refund_administration_fee, vat, gst,
    other_amounts, payload_sealed, synced_at)
SELECT @user_id::bigint, @shop_id::text, @statement_id::text, unnest(@transaction_ids::text[]),
    unnest(@types::text[]), unnest(@subtypes::text[]), unnest(@order_ids::text[]),
    nullif(unnest(@order_create_times::timestamptz[]), '0001-01-01 00:00:00Z'), unnest(@reserve_statuses::text[]),
    nullif(unnest(@estimated_release_times::timestamptz[]), '0001-01-01 00:00:00Z'), unnest(@currencies::text[]),
    unnest(@settlements::bigint[]), unnest(@revenues::bigint[]), unnest(@shipping_costs::bigint[]),
    unnest(@fee_taxes::bigint[]), unnest(@adjustments::bigint[]), unnest(@reserves::bigint[]),
    unnest(@subtotals_before_discount::bigint[]), unnest(@seller_discounts::bigint[]),
    unnest(@refund_subtotals_before_discount::bigint[]), unnest(@seller_discount_refunds::bigint[]),
    unnest(@actual_shipping_fees::bigint[]), unnest(@customer_paid_shipping_fees::bigint[]),
    unnest(@return_shipping_fees::bigint[]), unnest(@shipping_fee_discounts::bigint[]),
    unnest(@fbt_fulfillment_fees::bigint[]), unnest(@referral_fees::bigint[]), unnest(@transaction_fees::bigint[]),
    unnest(@platform_commissions::bigint[]), unnest(@affiliate_commissions::bigint[]),
    unnest(@affiliate_partner_commissions::bigint[]), unnest(@affiliate_ads_commissions::bigint[]),
    unnest(@sfp_service_fees::bigint[]), unnest(@flash_sales_service_fees::bigint[]),
    unnest(@live_specials_fees::bigint[]), unnest(@voucher_xtra_service_fees::bigint[]),
    unnest(@refund_administration_fees::bigint[]), unnest(@vats::bigint[]), unnest(@gsts::bigint[]),
    unnest(@other_amounts::text[])::jsonb, unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, statement_id, transaction_id) DO UPDATE SET
    type = EXCLUDED.type, subtype = EXCLUDED.subtype, order_id = EXCLUDED.order_id,
    order_create_time = EXCLUDED.order_create_time, reserve_status = EXCLUDED.reserve_status,
    estimated_release_time = EXCLUDED.estimated_release_time, currency = EXCLUDED.currency,
    settlement = EXCLUDED.settlement, revenue = EXCLUDED.revenue, shipping_cost = EXCLUDED.shipping_cost,
    fee_tax = EXCLUDED.fee_tax, adjustment = EXCLUDED.adjustment, reserve = EXCLUDED.reserve,
    subtotal_before_discount = EXCLUDED.subtotal_before_discount, seller_discount = EXCLUDED.seller_discount,
    refund_subtotal_before_discount = EXCLUDED.refund_subtotal_before_discount,
    seller_discount_refund = EXCLUDED.seller_discount_refund, actual_shipping_fee = EXCLUDED.actual_shipping_fee,
    customer_paid_shipping_fee = EXCLUDED.customer_paid_shipping_fee,
    return_shipping_fee = EXCLUDED.return_shipping_fee, shipping_fee_discount = EXCLUDED.shipping_fee_discount,
    fbt_fulfillment_fee = EXCLUDED.fbt_fulfillment_fee, referral_fee = EXCLUDED.referral_fee,
    transaction_fee = EXCLUDED.transaction_fee, platform_commission = EXCLUDED.platform_commission,
    affiliate_commission = EXCLUDED.affiliate_commission,
    affiliate_partner_commission = EXCLUDED.affiliate_partner_commission,
    affiliate_ads_commission = EXCLUDED.affiliate_ads_commission, sfp_service_fee = EXCLUDED.sfp_service_fee,
    flash_sales_service_fee = EXCLUDED.flash_sales_service_fee, live_specials_fee = EXCLUDED.live_specials_fee,
    voucher_xtra_service_fee = EXCLUDED.voucher_xtra_service_fee,
    refund_administration_fee = EXCLUDED.refund_administration_fee, vat = EXCLUDED.vat, gst = EXCLUDED.gst,
    other_amounts = EXCLUDED.other_amounts, payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at
WHERE (statement_transactions.type, statement_transactions.subtype, statement_transactions.reserve_status,
       statement_transactions.estimated_release_time, statement_transactions.settlement,
       statement_transactions.fee_tax, statement_transactions.reserve, statement_transactions.other_amounts)
    IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.subtype, EXCLUDED.reserve_status, EXCLUDED.estimated_release_time,
       EXCLUDED.settlement, EXCLUDED.fee_tax, EXCLUDED.reserve, EXCLUDED.other_amounts);

-- name: UpsertPayments :execrows
INSERT INTO payments (user_id, shop_id, payment_id, create_time, status, currency, amount, settlement_amount,
    reserve_amount, amount_before_exchange, amount_before_exchange_currency, exchange_rate, paid_time, payload_sealed,
    synced_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@payment_ids::text[]), unnest(@create_times::timestamptz[]),
    unnest(@statuses::text[]), unnest(@currencies::text[]), unnest(@amounts::bigint[]),
    unnest(@settlement_amounts::bigint[]), unnest(@reserve_amounts::bigint[]),
    unnest(@amounts_before_exchange::bigint[]), unnest(@amount_before_exchange_currencies::text[]),
    unnest(@exchange_rates::text[]), nullif(unnest(@paid_times::timestamptz[]), '0001-01-01 00:00:00Z'),
    unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, payment_id) DO UPDATE SET
    create_time = EXCLUDED.create_time, status = EXCLUDED.status, currency = EXCLUDED.currency,
    amount = EXCLUDED.amount, settlement_amount = EXCLUDED.settlement_amount, reserve_amount = EXCLUDED.reserve_amount,
    amount_before_exchange = EXCLUDED.amount_before_exchange,
    amount_before_exchange_currency = EXCLUDED.amount_before_exchange_currency,
    exchange_rate = EXCLUDED.exchange_rate, paid_time = EXCLUDED.paid_time, payload_sealed = EXCLUDED.payload_sealed,
    synced_at = EXCLUDED.synced_at
WHERE (payments.create_time, payments.status, payments.currency, payments.amount, payments.settlement_amount,
       payments.reserve_amount, payments.amount_before_exchange, payments.amount_before_exchange_currency,
       payments.exchange_rate, payments.paid_time)
    IS DISTINCT FROM (EXCLUDED.create_time, EXCLUDED.status, EXCLUDED.currency, EXCLUDED.amount,
       EXCLUDED.settlement_amount, EXCLUDED.reserve_amount, EXCLUDED.amount_before_exchange,
       EXCLUDED.amount_before_exchange_currency, EXCLUDED.exchange_rate, EXCLUDED.paid_time);

-- name: UpsertWithdrawals :execrows
INSERT INTO withdrawals (user_id, shop_id, withdrawal_id, type, status, currency, amount, create_time, payload_sealed, synced_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@withdrawal_ids::text[]), unnest(@types::text[]),
    unnest(@statuses::text[]), unnest(@currencies::text[]), unnest(@amounts::bigint[]),
    unnest(@create_times::timestamptz[]), unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, withdrawal_id) DO UPDATE SET
    type = EXCLUDED.type, status = EXCLUDED.status, currency = EXCLUDED.currency, amount = EXCLUDED.amount,
    create_time = EXCLUDED.create_time, payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at
WHERE (withdrawals.type, withdrawals.status, withdrawals.currency, withdrawals.amount, withdrawals.create_time)
    IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.status, EXCLUDED.currency, EXCLUDED.amount, EXCLUDED.create_time);

-- name: UpsertUnsettledOrders :execrows
-- seen_at is the start of the read that listed the order, so every read rewrites the rows it lists (unsettled
-- orders are few: those of the last weeks).
INSERT INTO unsettled_orders (user_id, shop_id, order_id, order_create_time, estimated_settlement_time, currency,
    settlement, revenue, shipping_cost, fee_tax, payload_sealed, seen_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@order_ids::text[]),
    nullif(unnest(@order_create_times::timestamptz[]), '0001-01-01 00:00:00Z'),
    nullif(unnest(@estimated_settlement_times::timestamptz[]), '0001-01-01 00:00:00Z'), unnest(@currencies::text[]),
    unnest(@settlements::bigint[]), unnest(@revenues::bigint[]), unnest(@shipping_costs::bigint[]),
    unnest(@fee_taxes::bigint[]), unnest(@payloads::bytea[]), @seen_at::timestamptz
ON CONFLICT (user_id, shop_id, order_id) DO UPDATE SET
    order_create_time = EXCLUDED.order_create_time, estimated_settlement_time = EXCLUDED.estimated_settlement_time,
    currency = EXCLUDED.currency, settlement = EXCLUDED.settlement, revenue = EXCLUDED.revenue,
    shipping_cost = EXCLUDED.shipping_cost, fee_tax = EXCLUDED.fee_tax, payload_sealed = EXCLUDED.payload_sealed,
    seen_at = EXCLUDED.seen_at, left_at = NULL
WHERE unsettled_orders.seen_at < EXCLUDED.seen_at OR unsettled_orders.left_at IS NOT NULL;

-- name: MarkUnsettledOrdersLeft :execrows
-- After a complete read: the orders it did not list have been settled or cancelled since.
UPDATE unsettled_orders SET left_at = @now::timestamptz
WHERE user_id = @user_id AND shop_id = @shop_id AND left_at IS NULL AND seen_at < @read_started_at::timestamptz;

-- name: FinanceTotals :one
SELECT
    (SELECT count(*) FROM statements s WHERE s.user_id = @user_id AND s.shop_id = @shop_id)::bigint AS statements,
    (SELECT coalesce(sum(settlement), 0) FROM statements s WHERE s.user_id = @user_id AND s.shop_id = @shop_id)::bigint AS statement_settlement,
    (SELECT count(*) FROM statement_transactions t WHERE t.user_id = @user_id AND t.shop_id = @shop_id)::bigint AS transactions,
    (SELECT coalesce(sum(reserve), 0) FROM statement_transactions t WHERE t.user_id = @user_id AND t.shop_id = @shop_id AND t.type = 'RESERVE')::bigint AS reserve,
    (SELECT count(*) FROM payments p WHERE p.user_id = @user_id AND p.shop_id = @shop_id)::bigint AS payments,
    (SELECT count(*) FROM payments p WHERE p.user_id = @user_id AND p.shop_id = @shop_id AND p.status = 'PAID')::bigint AS paid_payments,
    (SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.user_id = @user_id AND p.shop_id = @shop_id)::bigint AS payment_amount,
    (SELECT count(*) FROM withdrawals w WHERE w.user_id = @user_id AND w.shop_id = @shop_id)::bigint AS withdrawals,
    (SELECT count(*) FROM unsettled_orders u WHERE u.user_id = @user_id AND u.shop_id = @shop_id AND u.left_at IS NULL)::bigint AS unsettled_orders;

-- name: RefreshStatementSums :exec
-- Stores on a statement what its transactions sum to (see migration 00019): after each page of them is written.
UPDATE statements s SET txn_count = t.txns, txn_settlement = t.settlement, txn_reserve = t.reserve,
    txn_held = t.held, txn_released = t.released, txn_unbalanced = t.unbalanced, txn_unexplained = t.unexplained
FROM (
    SELECT count(*)::bigint AS txns, coalesce(sum(x.settlement), 0)::bigint AS settlement,
        coalesce(sum(x.reserve), 0)::bigint AS reserve,
        coalesce(sum(x.reserve) FILTER (WHERE x.reserve < 0), 0)::bigint AS held,
        coalesce(sum(x.reserve) FILTER (WHERE x.reserve > 0), 0)::bigint AS released,
        count(*) FILTER (WHERE x.settlement <> x.revenue + x.shipping_cost + x.fee_tax + x.adjustment)::bigint AS unbalanced,
        coalesce(sum(x.settlement - (x.revenue + x.shipping_cost + x.fee_tax + x.adjustment)), 0)::bigint AS unexplained
    FROM statement_transactions x
    WHERE x.user_id = @user_id AND x.shop_id = @shop_id AND x.statement_id = @statement_id
) t
WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.statement_id = @statement_id;
