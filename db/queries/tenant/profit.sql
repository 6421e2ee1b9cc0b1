-- Profit per order and per day (migration 00013; internal/rollup maintains both).

-- name: ApplyOrderProfits :one
-- Replaces the profit rows of the orders @order_ids with the rows given a column at a time (@row_*: order_profits
-- rows without user_id and shop_id; an order of @order_ids given none loses its rows) and adds to daily_profit the
-- difference they make, per SKU, day and currency. Rows whose values are the same are not written, and a
-- difference of zero is not added, so applying the same rows again changes nothing. Returns how many rows of each
-- table it wrote.
WITH rows AS (
    -- The rows, a column at a time; their measures are one array, 42 a row in profit.MeasureNames' order.
    SELECT unnest(@row_order_ids::text[]) AS order_id, unnest(@row_sku_ids::text[]) AS sku_id,
        unnest(@row_seller_skus::text[]) AS seller_sku, unnest(@row_days::text[])::date AS day,
        unnest(@row_create_times::timestamptz[]) AS create_time, unnest(@row_currencies::text[]) AS currency,
        unnest(@row_states::text[]) AS state, unnest(@row_flags::integer[]) AS flags,
        unnest(@row_estimated_net_profits::bigint[]) AS estimated_net_profit,
        unnest(@row_sole_sku_ids::text[]) AS sole_sku_id, unnest(@row_sole_seller_skus::text[]) AS sole_seller_sku,
        generate_series(0, cardinality(@row_order_ids::text[]) - 1) * 42 AS at
), new AS (
    SELECT r.order_id, r.sku_id, r.seller_sku, r.day, r.create_time, r.currency, r.state, r.flags,
        r.estimated_net_profit, r.sole_sku_id, r.sole_seller_sku,
        (@row_measures::bigint[])[r.at + 1]::bigint AS orders, (@row_measures::bigint[])[r.at + 2]::bigint AS units,
        (@row_measures::bigint[])[r.at + 3]::bigint AS settled_orders,
        (@row_measures::bigint[])[r.at + 4]::bigint AS sample_orders,
        (@row_measures::bigint[])[r.at + 5]::bigint AS refunded_orders,
        (@row_measures::bigint[])[r.at + 6]::bigint AS cost_unknown_orders,
        (@row_measures::bigint[])[r.at + 7]::bigint AS unreconciled_orders,
        (@row_measures::bigint[])[r.at + 8]::bigint AS unsold_orders,
        (@row_measures::bigint[])[r.at + 9]::bigint AS gross_sales,
        (@row_measures::bigint[])[r.at + 10]::bigint AS seller_discount,
        (@row_measures::bigint[])[r.at + 11]::bigint AS platform_discount,
        (@row_measures::bigint[])[r.at + 12]::bigint AS net_sales,
        (@row_measures::bigint[])[r.at + 13]::bigint AS refunds,
        (@row_measures::bigint[])[r.at + 14]::bigint AS other_revenue,
        (@row_measures::bigint[])[r.at + 15]::bigint AS shipping_charged,
        (@row_measures::bigint[])[r.at + 16]::bigint AS shipping_seller_discount,
        (@row_measures::bigint[])[r.at + 17]::bigint AS shipping_cost,
        (@row_measures::bigint[])[r.at + 18]::bigint AS return_shipping_cost,
        (@row_measures::bigint[])[r.at + 19]::bigint AS fee_referral,
        (@row_measures::bigint[])[r.at + 20]::bigint AS fee_platform_commission,
        (@row_measures::bigint[])[r.at + 21]::bigint AS fee_transaction,
        (@row_measures::bigint[])[r.at + 22]::bigint AS fee_sfp,
        (@row_measures::bigint[])[r.at + 23]::bigint AS fee_flash_sale,
        (@row_measures::bigint[])[r.at + 24]::bigint AS fee_live,
        (@row_measures::bigint[])[r.at + 25]::bigint AS fee_voucher,
        (@row_measures::bigint[])[r.at + 26]::bigint AS fee_refund_administration,
        (@row_measures::bigint[])[r.at + 27]::bigint AS fee_other,
        (@row_measures::bigint[])[r.at + 28]::bigint AS affiliate_standard,
        (@row_measures::bigint[])[r.at + 29]::bigint AS affiliate_partner,
        (@row_measures::bigint[])[r.at + 30]::bigint AS affiliate_ads,
        (@row_measures::bigint[])[r.at + 31]::bigint AS tax_on_fees,
        (@row_measures::bigint[])[r.at + 32]::bigint AS adjustments,
        (@row_measures::bigint[])[r.at + 33]::bigint AS cost_of_goods,
        (@row_measures::bigint[])[r.at + 34]::bigint AS cost_returned,
        (@row_measures::bigint[])[r.at + 35]::bigint AS marketing_goods,
        (@row_measures::bigint[])[r.at + 36]::bigint AS marketing_shipping,
        (@row_measures::bigint[])[r.at + 37]::bigint AS tax_collected,
        (@row_measures::bigint[])[r.at + 38]::bigint AS settlement,
        (@row_measures::bigint[])[r.at + 39]::bigint AS settlement_reported,
        (@row_measures::bigint[])[r.at + 40]::bigint AS unreconciled,
        (@row_measures::bigint[])[r.at + 41]::bigint AS net_sales_without_cost,
        (@row_measures::bigint[])[r.at + 42]::bigint AS net_profit
    FROM rows r
), old AS (
    -- Each order's rows by a probe of the key, whatever the statistics say: the subquery is planned alone (OFFSET
    -- 0), with its order id known. A join left to the planner was planned, on a table whose statistics lag its
    -- growth (a shop's first catch-up), as a scan of the whole shop per order: 0.5 s a batch after 10 batches.
    SELECT o.* FROM unnest(@order_ids::text[]) AS k(id)
    CROSS JOIN LATERAL (
        SELECT p.* FROM order_profits p
        WHERE p.user_id = @user_id AND p.shop_id = @shop_id AND p.order_id = k.id OFFSET 0
    ) o
), gone AS (
    -- The old rows the new ones do not replace: those of the orders that have one, looked up by the key (none in a
    -- shop's first catch-up, whose orders have no rows yet).
    DELETE FROM order_profits o
    WHERE o.user_id = @user_id AND o.shop_id = @shop_id
      AND o.order_id = ANY (ARRAY(
          SELECT x.order_id FROM old x
          WHERE (x.order_id, x.sku_id) NOT IN (SELECT n.order_id, n.sku_id FROM new n)
      ))
      AND (o.order_id, o.sku_id) NOT IN (SELECT n.order_id, n.sku_id FROM new n) -- a hashed subplan: one probe per row
    RETURNING 1
), put AS (
    INSERT INTO order_profits (user_id, shop_id, order_id, sku_id,
        seller_sku, day, create_time, currency, state, flags, estimated_net_profit, sole_sku_id, sole_seller_sku,
        orders, units, settled_orders,
        sample_orders, refunded_orders, cost_unknown_orders, unreconciled_orders, unsold_orders, gross_sales,
        seller_discount, platform_discount, net_sales, refunds, other_revenue, shipping_charged,
        shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral, fee_platform_commission,
        fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher, fee_refund_administration, fee_other,
        affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees, adjustments, cost_of_goods,
        cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement, settlement_reported,
        unreconciled, net_sales_without_cost, net_profit)
    SELECT @user_id, @shop_id, n.order_id, n.sku_id,
        n.seller_sku, n.day, n.create_time, n.currency, n.state, n.flags, n.estimated_net_profit, n.sole_sku_id,
        n.sole_seller_sku, n.orders,
        n.units, n.settled_orders, n.sample_orders, n.refunded_orders, n.cost_unknown_orders,
        n.unreconciled_orders, n.unsold_orders, n.gross_sales, n.seller_discount, n.platform_discount, n.net_sales,
        n.refunds, n.other_revenue, n.shipping_charged, n.shipping_seller_discount, n.shipping_cost,
        n.return_shipping_cost, n.fee_referral, n.fee_platform_commission, n.fee_transaction, n.fee_sfp,
        n.fee_flash_sale, n.fee_live, n.fee_voucher, n.fee_refund_administration, n.fee_other,
        n.affiliate_standard, n.affiliate_partner, n.affiliate_ads, n.tax_on_fees, n.adjustments, n.cost_of_goods,
        n.cost_returned, n.marketing_goods, n.marketing_shipping, n.tax_collected, n.settlement,
        n.settlement_reported, n.unreconciled, n.net_sales_without_cost, n.net_profit
    FROM new n
    ON CONFLICT (user_id, shop_id, order_id, sku_id) DO UPDATE SET
        seller_sku = EXCLUDED.seller_sku, day = EXCLUDED.day, create_time = EXCLUDED.create_time,
        currency = EXCLUDED.currency, state = EXCLUDED.state, flags = EXCLUDED.flags,
        estimated_net_profit = EXCLUDED.estimated_net_profit, sole_sku_id = EXCLUDED.sole_sku_id,
        sole_seller_sku = EXCLUDED.sole_seller_sku, orders = EXCLUDED.orders, units = EXCLUDED.units,
        settled_orders = EXCLUDED.settled_orders, sample_orders = EXCLUDED.sample_orders,
        refunded_orders = EXCLUDED.refunded_orders, cost_unknown_orders = EXCLUDED.cost_unknown_orders,
        unreconciled_orders = EXCLUDED.unreconciled_orders, unsold_orders = EXCLUDED.unsold_orders,
        gross_sales = EXCLUDED.gross_sales, seller_discount = EXCLUDED.seller_discount,
        platform_discount = EXCLUDED.platform_discount, net_sales = EXCLUDED.net_sales, refunds = EXCLUDED.refunds,
        other_revenue = EXCLUDED.other_revenue, shipping_charged = EXCLUDED.shipping_charged,
        shipping_seller_discount = EXCLUDED.shipping_seller_discount, shipping_cost = EXCLUDED.shipping_cost,
        return_shipping_cost = EXCLUDED.return_shipping_cost, fee_referral = EXCLUDED.fee_referral,
        fee_platform_commission = EXCLUDED.fee_platform_commission, fee_transaction = EXCLUDED.fee_transaction,
        fee_sfp = EXCLUDED.fee_sfp, fee_flash_sale = EXCLUDED.fee_flash_sale, fee_live = EXCLUDED.fee_live,
        fee_voucher = EXCLUDED.fee_voucher, fee_refund_administration = EXCLUDED.fee_refund_administration,
        fee_other = EXCLUDED.fee_other, affiliate_standard = EXCLUDED.affiliate_standard,
        affiliate_partner = EXCLUDED.affiliate_partner, affiliate_ads = EXCLUDED.affiliate_ads,
        tax_on_fees = EXCLUDED.tax_on_fees, adjustments = EXCLUDED.adjustments,
        cost_of_goods = EXCLUDED.cost_of_goods, cost_returned = EXCLUDED.cost_returned,
        marketing_goods = EXCLUDED.marketing_goods, marketing_shipping = EXCLUDED.marketing_shipping,
        tax_collected = EXCLUDED.tax_collected, settlement = EXCLUDED.settlement,
        settlement_reported = EXCLUDED.settlement_reported, unreconciled = EXCLUDED.unreconciled,
        net_sales_without_cost = EXCLUDED.net_sales_without_cost, net_profit = EXCLUDED.net_profit
    WHERE (
        order_profits.seller_sku, order_profits.day, order_profits.create_time, order_profits.currency,
        order_profits.state, order_profits.flags, order_profits.estimated_net_profit, order_profits.sole_sku_id,
        order_profits.sole_seller_sku, order_profits.orders,
        order_profits.units, order_profits.settled_orders, order_profits.sample_orders,
        order_profits.refunded_orders, order_profits.cost_unknown_orders, order_profits.unreconciled_orders,
        order_profits.unsold_orders, order_profits.gross_sales, order_profits.seller_discount,
        order_profits.platform_discount, order_profits.net_sales, order_profits.refunds,
        order_profits.other_revenue, order_profits.shipping_charged, order_profits.shipping_seller_discount,
        order_profits.shipping_cost, order_profits.return_shipping_cost, order_profits.fee_referral,
        order_profits.fee_platform_commission, order_profits.fee_transaction, order_profits.fee_sfp,
        order_profits.fee_flash_sale, order_profits.fee_live, order_profits.fee_voucher,
        order_profits.fee_refund_administration, order_profits.fee_other, order_profits.affiliate_standard,
        order_profits.affiliate_partner, order_profits.affiliate_ads, order_profits.tax_on_fees,
        order_profits.adjustments, order_profits.cost_of_goods, order_profits.cost_returned,
        order_profits.marketing_goods, order_profits.marketing_shipping, order_profits.tax_collected,
        order_profits.settlement, order_profits.settlement_reported, order_profits.unreconciled,
        order_profits.net_sales_without_cost, order_profits.net_profit
    ) IS DISTINCT FROM (
        EXCLUDED.seller_sku, EXCLUDED.day, EXCLUDED.create_time, EXCLUDED.currency, EXCLUDED.state, EXCLUDED.flags,
        EXCLUDED.estimated_net_profit, EXCLUDED.sole_sku_id, EXCLUDED.sole_seller_sku, EXCLUDED.orders,
        EXCLUDED.units, EXCLUDED.settled_orders, EXCLUDED.sample_orders, EXCLUDED.refunded_orders, EXCLUDED.cost_unknown_orders,
        EXCLUDED.unreconciled_orders, EXCLUDED.unsold_orders, EXCLUDED.gross_sales, EXCLUDED.seller_discount,
        EXCLUDED.platform_discount, EXCLUDED.net_sales, EXCLUDED.refunds, EXCLUDED.other_revenue,
        EXCLUDED.shipping_charged, EXCLUDED.shipping_seller_discount, EXCLUDED.shipping_cost,
        EXCLUDED.return_shipping_cost, EXCLUDED.fee_referral, EXCLUDED.fee_platform_commission,
        EXCLUDED.fee_transaction, EXCLUDED.fee_sfp, EXCLUDED.fee_flash_sale, EXCLUDED.fee_live,
        EXCLUDED.fee_voucher, EXCLUDED.fee_refund_administration, EXCLUDED.fee_other, EXCLUDED.affiliate_standard,
        EXCLUDED.affiliate_partner, EXCLUDED.affiliate_ads, EXCLUDED.tax_on_fees, EXCLUDED.adjustments,
        EXCLUDED.cost_of_goods, EXCLUDED.cost_returned, EXCLUDED.marketing_goods, EXCLUDED.marketing_shipping,
        EXCLUDED.tax_collected, EXCLUDED.settlement, EXCLUDED.settlement_reported, EXCLUDED.unreconciled,
        EXCLUDED.net_sales_without_cost, EXCLUDED.net_profit
    )
    RETURNING 1
), change AS (
    -- Each row counts for its SKU ('' for the whole order), and an order row standing for its sole SKU (migration
    -- 00025) counts again for that SKU: k joins each row once as itself and once as its sole SKU when it has one.
    SELECT CASE WHEN k.sole THEN n.sole_sku_id ELSE n.sku_id END AS sku_id, n.day, n.currency,
        CASE WHEN k.sole THEN n.sole_seller_sku ELSE n.seller_sku END AS seller_sku,
        n.orders, n.units, n.settled_orders, n.sample_orders, n.refunded_orders, n.cost_unknown_orders,
        n.unreconciled_orders, n.unsold_orders, n.gross_sales, n.seller_discount, n.platform_discount, n.net_sales,
        n.refunds, n.other_revenue, n.shipping_charged, n.shipping_seller_discount, n.shipping_cost,
        n.return_shipping_cost, n.fee_referral, n.fee_platform_commission, n.fee_transaction, n.fee_sfp,
        n.fee_flash_sale, n.fee_live, n.fee_voucher, n.fee_refund_administration, n.fee_other,
        n.affiliate_standard, n.affiliate_partner, n.affiliate_ads, n.tax_on_fees, n.adjustments, n.cost_of_goods,
        n.cost_returned, n.marketing_goods, n.marketing_shipping, n.tax_collected, n.settlement,
        n.settlement_reported, n.unreconciled, n.net_sales_without_cost, n.net_profit
    FROM new n
    JOIN (VALUES (false), (true)) AS k (sole) ON NOT k.sole OR n.sole_sku_id <> ''
    UNION ALL
    SELECT CASE WHEN k.sole THEN o.sole_sku_id ELSE o.sku_id END, o.day, o.currency, '',
        -o.orders, -o.units, -o.settled_orders, -o.sample_orders, -o.refunded_orders, -o.cost_unknown_orders,
        -o.unreconciled_orders, -o.unsold_orders, -o.gross_sales, -o.seller_discount, -o.platform_discount,
        -o.net_sales, -o.refunds, -o.other_revenue, -o.shipping_charged, -o.shipping_seller_discount,
        -o.shipping_cost, -o.return_shipping_cost, -o.fee_referral, -o.fee_platform_commission, -o.fee_transaction,
        -o.fee_sfp, -o.fee_flash_sale, -o.fee_live, -o.fee_voucher, -o.fee_refund_administration, -o.fee_other,
        -o.affiliate_standard, -o.affiliate_partner, -o.affiliate_ads, -o.tax_on_fees, -o.adjustments,
        -o.cost_of_goods, -o.cost_returned, -o.marketing_goods, -o.marketing_shipping, -o.tax_collected,
        -o.settlement, -o.settlement_reported, -o.unreconciled, -o.net_sales_without_cost, -o.net_profit
    FROM old o
    JOIN (VALUES (false), (true)) AS k (sole) ON NOT k.sole OR o.sole_sku_id <> ''
), delta AS (
    SELECT c.sku_id, c.day, c.currency, max(c.seller_sku) AS seller_sku,
        sum(c.orders)::bigint AS orders, sum(c.units)::bigint AS units,
        sum(c.settled_orders)::bigint AS settled_orders, sum(c.sample_orders)::bigint AS sample_orders,
        sum(c.refunded_orders)::bigint AS refunded_orders,
        sum(c.cost_unknown_orders)::bigint AS cost_unknown_orders,
        sum(c.unreconciled_orders)::bigint AS unreconciled_orders, sum(c.unsold_orders)::bigint AS unsold_orders,
        sum(c.gross_sales)::bigint AS gross_sales, sum(c.seller_discount)::bigint AS seller_discount,
        sum(c.platform_discount)::bigint AS platform_discount, sum(c.net_sales)::bigint AS net_sales,
        sum(c.refunds)::bigint AS refunds, sum(c.other_revenue)::bigint AS other_revenue,
        sum(c.shipping_charged)::bigint AS shipping_charged,
        sum(c.shipping_seller_discount)::bigint AS shipping_seller_discount,
        sum(c.shipping_cost)::bigint AS shipping_cost, sum(c.return_shipping_cost)::bigint AS return_shipping_cost,
        sum(c.fee_referral)::bigint AS fee_referral,
        sum(c.fee_platform_commission)::bigint AS fee_platform_commission,
        sum(c.fee_transaction)::bigint AS fee_transaction, sum(c.fee_sfp)::bigint AS fee_sfp,
        sum(c.fee_flash_sale)::bigint AS fee_flash_sale, sum(c.fee_live)::bigint AS fee_live,
        sum(c.fee_voucher)::bigint AS fee_voucher,
        sum(c.fee_refund_administration)::bigint AS fee_refund_administration,
        sum(c.fee_other)::bigint AS fee_other, sum(c.affiliate_standard)::bigint AS affiliate_standard,
        sum(c.affiliate_partner)::bigint AS affiliate_partner, sum(c.affiliate_ads)::bigint AS affiliate_ads,
        sum(c.tax_on_fees)::bigint AS tax_on_fees, sum(c.adjustments)::bigint AS adjustments,
        sum(c.cost_of_goods)::bigint AS cost_of_goods, sum(c.cost_returned)::bigint AS cost_returned,
        sum(c.marketing_goods)::bigint AS marketing_goods, sum(c.marketing_shipping)::bigint AS marketing_shipping,
        sum(c.tax_collected)::bigint AS tax_collected, sum(c.settlement)::bigint AS settlement,
        sum(c.settlement_reported)::bigint AS settlement_reported, sum(c.unreconciled)::bigint AS unreconciled,
        sum(c.net_sales_without_cost)::bigint AS net_sales_without_cost, sum(c.net_profit)::bigint AS net_profit
    FROM change c
    GROUP BY c.sku_id, c.day, c.currency
    HAVING (
        sum(c.orders), sum(c.units), sum(c.settled_orders), sum(c.sample_orders), sum(c.refunded_orders),
        sum(c.cost_unknown_orders), sum(c.unreconciled_orders), sum(c.unsold_orders), sum(c.gross_sales),
        sum(c.seller_discount), sum(c.platform_discount), sum(c.net_sales), sum(c.refunds), sum(c.other_revenue),
        sum(c.shipping_charged), sum(c.shipping_seller_discount), sum(c.shipping_cost),
        sum(c.return_shipping_cost), sum(c.fee_referral), sum(c.fee_platform_commission), sum(c.fee_transaction),
        sum(c.fee_sfp), sum(c.fee_flash_sale), sum(c.fee_live), sum(c.fee_voucher),
        sum(c.fee_refund_administration), sum(c.fee_other), sum(c.affiliate_standard), sum(c.affiliate_partner),
        sum(c.affiliate_ads), sum(c.tax_on_fees), sum(c.adjustments), sum(c.cost_of_goods), sum(c.cost_returned),
        sum(c.marketing_goods), sum(c.marketing_shipping), sum(c.tax_collected), sum(c.settlement),
        sum(c.settlement_reported), sum(c.unreconciled), sum(c.net_sales_without_cost), sum(c.net_profit)
    ) IS DISTINCT FROM (
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )
), daily AS (
    INSERT INTO daily_profit (user_id, shop_id, sku_id, day, currency, seller_sku,
        orders, units, settled_orders, sample_orders, refunded_orders, cost_unknown_orders, unreconciled_orders,
        unsold_orders, gross_sales, seller_discount, platform_discount, net_sales, refunds, other_revenue,
        shipping_charged, shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral,
        fee_platform_commission, fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher,
        fee_refund_administration, fee_other, affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees,
        adjustments, cost_of_goods, cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement,
        settlement_reported, unreconciled, net_sales_without_cost, net_profit)
    SELECT @user_id, @shop_id, d.sku_id, d.day, d.currency, d.seller_sku,
        d.orders, d.units, d.settled_orders, d.sample_orders, d.refunded_orders, d.cost_unknown_orders,
        d.unreconciled_orders, d.unsold_orders, d.gross_sales, d.seller_discount, d.platform_discount, d.net_sales,
        d.refunds, d.other_revenue, d.shipping_charged, d.shipping_seller_discount, d.shipping_cost,
        d.return_shipping_cost, d.fee_referral, d.fee_platform_commission, d.fee_transaction, d.fee_sfp,
        d.fee_flash_sale, d.fee_live, d.fee_voucher, d.fee_refund_administration, d.fee_other,
        d.affiliate_standard, d.affiliate_partner, d.affiliate_ads, d.tax_on_fees, d.adjustments, d.cost_of_goods,
        d.cost_returned, d.marketing_goods, d.marketing_shipping, d.tax_collected, d.settlement,
        d.settlement_reported, d.unreconciled, d.net_sales_without_cost, d.net_profit
    FROM delta d
    ON CONFLICT (user_id, shop_id, sku_id, day, currency) DO UPDATE SET
        seller_sku = greatest(daily_profit.seller_sku, EXCLUDED.seller_sku),
        orders = daily_profit.orders + EXCLUDED.orders, units = daily_profit.units + EXCLUDED.units,
        settled_orders = daily_profit.settled_orders + EXCLUDED.settled_orders,
        sample_orders = daily_profit.sample_orders + EXCLUDED.sample_orders,
        refunded_orders = daily_profit.refunded_orders + EXCLUDED.refunded_orders,
        cost_unknown_orders = daily_profit.cost_unknown_orders + EXCLUDED.cost_unknown_orders,
        unreconciled_orders = daily_profit.unreconciled_orders + EXCLUDED.unreconciled_orders,
        unsold_orders = daily_profit.unsold_orders + EXCLUDED.unsold_orders,
        gross_sales = daily_profit.gross_sales + EXCLUDED.gross_sales,
        seller_discount = daily_profit.seller_discount + EXCLUDED.seller_discount,
        platform_discount = daily_profit.platform_discount + EXCLUDED.platform_discount,
        net_sales = daily_profit.net_sales + EXCLUDED.net_sales, refunds = daily_profit.refunds + EXCLUDED.refunds,
        other_revenue = daily_profit.other_revenue + EXCLUDED.other_revenue,
        shipping_charged = daily_profit.shipping_charged + EXCLUDED.shipping_charged,
        shipping_seller_discount = daily_profit.shipping_seller_discount + EXCLUDED.shipping_seller_discount,
        shipping_cost = daily_profit.shipping_cost + EXCLUDED.shipping_cost,
        return_shipping_cost = daily_profit.return_shipping_cost + EXCLUDED.return_shipping_cost,
        fee_referral = daily_profit.fee_referral + EXCLUDED.fee_referral,
        fee_platform_commission = daily_profit.fee_platform_commission + EXCLUDED.fee_platform_commission,
        fee_transaction = daily_profit.fee_transaction + EXCLUDED.fee_transaction,
        fee_sfp = daily_profit.fee_sfp + EXCLUDED.fee_sfp,
        fee_flash_sale = daily_profit.fee_flash_sale + EXCLUDED.fee_flash_sale,
        fee_live = daily_profit.fee_live + EXCLUDED.fee_live,
        fee_voucher = daily_profit.fee_voucher + EXCLUDED.fee_voucher,
        fee_refund_administration = daily_profit.fee_refund_administration + EXCLUDED.fee_refund_administration,
        fee_other = daily_profit.fee_other + EXCLUDED.fee_other,
        affiliate_standard = daily_profit.affiliate_standard + EXCLUDED.affiliate_standard,
        affiliate_partner = daily_profit.affiliate_partner + EXCLUDED.affiliate_partner,
        affiliate_ads = daily_profit.affiliate_ads + EXCLUDED.affiliate_ads,
        tax_on_fees = daily_profit.tax_on_fees + EXCLUDED.tax_on_fees,
        adjustments = daily_profit.adjustments + EXCLUDED.adjustments,
        cost_of_goods = daily_profit.cost_of_goods + EXCLUDED.cost_of_goods,
        cost_returned = daily_profit.cost_returned + EXCLUDED.cost_returned,
        marketing_goods = daily_profit.marketing_goods + EXCLUDED.marketing_goods,
        marketing_shipping = daily_profit.marketing_shipping + EXCLUDED.marketing_shipping,
        tax_collected = daily_profit.tax_collected + EXCLUDED.tax_collected,
        settlement = daily_profit.settlement + EXCLUDED.settlement,
        settlement_reported = daily_profit.settlement_reported + EXCLUDED.settlement_reported,
        unreconciled = daily_profit.unreconciled + EXCLUDED.unreconciled,
        net_sales_without_cost = daily_profit.net_sales_without_cost + EXCLUDED.net_sales_without_cost,
        net_profit = daily_profit.net_profit + EXCLUDED.net_profit
    RETURNING 1
)
SELECT ((SELECT count(*) FROM put) + (SELECT count(*) FROM gone))::bigint AS order_rows,
    (SELECT count(*) FROM daily)::bigint AS daily_rows;


-- name: InsertOrderProfits :execrows
-- Writes the profit rows given a column at a time (@row_*, as ApplyOrderProfits takes them) of orders that have
-- none: what a rebuild writes after forgetting the shop's rows, before RebuildDailyProfit sums them.
INSERT INTO order_profits (user_id, shop_id,
    order_id, sku_id, seller_sku, day, create_time, currency, state, flags, estimated_net_profit, sole_sku_id,
    sole_seller_sku, orders, units,
    settled_orders, sample_orders, refunded_orders, cost_unknown_orders, unreconciled_orders, unsold_orders,
    gross_sales, seller_discount, platform_discount, net_sales, refunds, other_revenue, shipping_charged,
    shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral, fee_platform_commission,
    fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher, fee_refund_administration, fee_other,
    affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees, adjustments, cost_of_goods, cost_returned,
    marketing_goods, marketing_shipping, tax_collected, settlement, settlement_reported, unreconciled,
    net_sales_without_cost, net_profit)
SELECT @user_id, @shop_id, r.order_id, r.sku_id, r.seller_sku, r.day, r.create_time, r.currency, r.state, r.flags,
    r.estimated_net_profit, r.sole_sku_id, r.sole_seller_sku,
    (@row_measures::bigint[])[r.at + 1]::bigint AS orders, (@row_measures::bigint[])[r.at + 2]::bigint AS units,
    (@row_measures::bigint[])[r.at + 3]::bigint AS settled_orders,
    (@row_measures::bigint[])[r.at + 4]::bigint AS sample_orders,
    (@row_measures::bigint[])[r.at + 5]::bigint AS refunded_orders,
    (@row_measures::bigint[])[r.at + 6]::bigint AS cost_unknown_orders,
    (@row_measures::bigint[])[r.at + 7]::bigint AS unreconciled_orders,
    (@row_measures::bigint[])[r.at + 8]::bigint AS unsold_orders,
    (@row_measures::bigint[])[r.at + 9]::bigint AS gross_sales,
    (@row_measures::bigint[])[r.at + 10]::bigint AS seller_discount,
    (@row_measures::bigint[])[r.at + 11]::bigint AS platform_discount,
    (@row_measures::bigint[])[r.at + 12]::bigint AS net_sales,
    (@row_measures::bigint[])[r.at + 13]::bigint AS refunds,
    (@row_measures::bigint[])[r.at + 14]::bigint AS other_revenue,
    (@row_measures::bigint[])[r.at + 15]::bigint AS shipping_charged,
    (@row_measures::bigint[])[r.at + 16]::bigint AS shipping_seller_discount,
    (@row_measures::bigint[])[r.at + 17]::bigint AS shipping_cost,
    (@row_measures::bigint[])[r.at + 18]::bigint AS return_shipping_cost,
    (@row_measures::bigint[])[r.at + 19]::bigint AS fee_referral,
    (@row_measures::bigint[])[r.at + 20]::bigint AS fee_platform_commission,
    (@row_measures::bigint[])[r.at + 21]::bigint AS fee_transaction,
    (@row_measures::bigint[])[r.at + 22]::bigint AS fee_sfp,
    (@row_measures::bigint[])[r.at + 23]::bigint AS fee_flash_sale,
    (@row_measures::bigint[])[r.at + 24]::bigint AS fee_live,
    (@row_measures::bigint[])[r.at + 25]::bigint AS fee_voucher,
    (@row_measures::bigint[])[r.at + 26]::bigint AS fee_refund_administration,
    (@row_measures::bigint[])[r.at + 27]::bigint AS fee_other,
    (@row_measures::bigint[])[r.at + 28]::bigint AS affiliate_standard,
    (@row_measures::bigint[])[r.at + 29]::bigint AS affiliate_partner,
    (@row_measures::bigint[])[r.at + 30]::bigint AS affiliate_ads,
    (@row_measures::bigint[])[r.at + 31]::bigint AS tax_on_fees,
    (@row_measures::bigint[])[r.at + 32]::bigint AS adjustments,
    (@row_measures::bigint[])[r.at + 33]::bigint AS cost_of_goods,
    (@row_measures::bigint[])[r.at + 34]::bigint AS cost_returned,
    (@row_measures::bigint[])[r.at + 35]::bigint AS marketing_goods,
    (@row_measures::bigint[])[r.at + 36]::bigint AS marketing_shipping,
    (@row_measures::bigint[])[r.at + 37]::bigint AS tax_collected,
    (@row_measures::bigint[])[r.at + 38]::bigint AS settlement,
    (@row_measures::bigint[])[r.at + 39]::bigint AS settlement_reported,
    (@row_measures::bigint[])[r.at + 40]::bigint AS unreconciled,
    (@row_measures::bigint[])[r.at + 41]::bigint AS net_sales_without_cost,
    (@row_measures::bigint[])[r.at + 42]::bigint AS net_profit
FROM (
        -- The rows, a column at a time; their measures are one array, 42 a row in profit.MeasureNames' order.
        SELECT unnest(@row_order_ids::text[]) AS order_id, unnest(@row_sku_ids::text[]) AS sku_id,
            unnest(@row_seller_skus::text[]) AS seller_sku, unnest(@row_days::text[])::date AS day,
            unnest(@row_create_times::timestamptz[]) AS create_time, unnest(@row_currencies::text[]) AS currency,
            unnest(@row_states::text[]) AS state, unnest(@row_flags::integer[]) AS flags,
            unnest(@row_estimated_net_profits::bigint[]) AS estimated_net_profit,
            unnest(@row_sole_sku_ids::text[]) AS sole_sku_id, unnest(@row_sole_seller_skus::text[]) AS sole_seller_sku,
            generate_series(0, cardinality(@row_order_ids::text[]) - 1) * 42 AS at
) r;

-- name: RebuildDailyProfit :execrows
-- Sums the shop's order_profits rows into daily_profit, which must hold none of the shop's rows: the end of a
-- rebuild. The sums are those ApplyOrderProfits' differences add up to: each row counts for its SKU, and an order
-- row standing for its sole SKU for that SKU too.
INSERT INTO daily_profit (user_id, shop_id, sku_id, day, currency, seller_sku,
    orders, units, settled_orders, sample_orders, refunded_orders, cost_unknown_orders, unreconciled_orders,
    unsold_orders, gross_sales, seller_discount, platform_discount, net_sales, refunds, other_revenue,
    shipping_charged, shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral,
    fee_platform_commission, fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher,
    fee_refund_administration, fee_other, affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees,
    adjustments, cost_of_goods, cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement,
    settlement_reported, unreconciled, net_sales_without_cost, net_profit)
SELECT @user_id, @shop_id, CASE WHEN k.sole THEN p.sole_sku_id ELSE p.sku_id END, p.day, p.currency,
    max(CASE WHEN k.sole THEN p.sole_seller_sku ELSE p.seller_sku END),
    sum(p.orders)::bigint, sum(p.units)::bigint, sum(p.settled_orders)::bigint, sum(p.sample_orders)::bigint,
    sum(p.refunded_orders)::bigint, sum(p.cost_unknown_orders)::bigint, sum(p.unreconciled_orders)::bigint,
    sum(p.unsold_orders)::bigint, sum(p.gross_sales)::bigint, sum(p.seller_discount)::bigint,
    sum(p.platform_discount)::bigint, sum(p.net_sales)::bigint, sum(p.refunds)::bigint,
    sum(p.other_revenue)::bigint, sum(p.shipping_charged)::bigint, sum(p.shipping_seller_discount)::bigint,
    sum(p.shipping_cost)::bigint, sum(p.return_shipping_cost)::bigint, sum(p.fee_referral)::bigint,
    sum(p.fee_platform_commission)::bigint, sum(p.fee_transaction)::bigint, sum(p.fee_sfp)::bigint,
    sum(p.fee_flash_sale)::bigint, sum(p.fee_live)::bigint, sum(p.fee_voucher)::bigint,
    sum(p.fee_refund_administration)::bigint, sum(p.fee_other)::bigint, sum(p.affiliate_standard)::bigint,
    sum(p.affiliate_partner)::bigint, sum(p.affiliate_ads)::bigint, sum(p.tax_on_fees)::bigint,
    sum(p.adjustments)::bigint, sum(p.cost_of_goods)::bigint, sum(p.cost_returned)::bigint,
    sum(p.marketing_goods)::bigint, sum(p.marketing_shipping)::bigint, sum(p.tax_collected)::bigint,
    sum(p.settlement)::bigint, sum(p.settlement_reported)::bigint, sum(p.unreconciled)::bigint,
    sum(p.net_sales_without_cost)::bigint, sum(p.net_profit)::bigint
FROM order_profits p
JOIN (VALUES (false), (true)) AS k (sole) ON NOT k.sole OR p.sole_sku_id <> ''
WHERE p.user_id = @user_id AND p.shop_id = @shop_id
GROUP BY CASE WHEN k.sole THEN p.sole_sku_id ELSE p.sku_id END, p.day, p.currency;

-- name: ProfitOrders :many
-- The orders @order_ids as the profit model reads them. These reads join the ids rather than filter by = ANY,
-- for the reason ApplyOrderProfits gives.
SELECT o.order_id, o.status, o.currency, o.create_time, o.is_sample, o.shipping_fee, o.shipping_seller_discount,
    o.shipping_platform_discount, o.tax
FROM unnest(@order_ids::text[]) AS k(id)
JOIN orders o ON o.shop_id = @shop_id AND o.order_id = k.id
WHERE o.user_id = @user_id;

-- name: ProfitOrderLines :many
SELECT l.order_id, l.line_id, l.sku_id, l.seller_sku, l.currency, l.original_price, l.sale_price, l.seller_discount,
    l.platform_discount, l.display_status, l.is_gift
FROM unnest(@order_ids::text[]) AS k(id)
JOIN order_lines l ON l.shop_id = @shop_id AND l.order_id = k.id
WHERE l.user_id = @user_id
ORDER BY l.order_id, l.line_id;

-- name: ProfitReturns :many
-- The returns of the orders @order_ids, each with the order lines it refunds.
SELECT r.order_id, r.return_id, r.return_type, r.status, r.currency, r.refund_subtotal, r.refund_tax,
    r.seller_paid_return_shipping,
    coalesce((SELECT array_agg(rl.order_line_id ORDER BY rl.order_line_id) FROM return_lines rl
        WHERE rl.user_id = @user_id AND rl.shop_id = @shop_id AND rl.return_id = r.return_id), '{}')::text[] AS line_ids
FROM unnest(@order_ids::text[]) AS k(id)
JOIN returns r ON r.shop_id = @shop_id AND r.order_id = k.id
WHERE r.user_id = @user_id
ORDER BY r.order_id, r.return_id;

-- name: ProfitTransactions :many
-- The settlement rows of the orders @order_ids.
SELECT t.order_id, t.statement_id, t.transaction_id, t.type, t.subtype, t.currency, t.settlement, t.revenue,
    t.shipping_cost, t.fee_tax, t.adjustment, t.subtotal_before_discount, t.seller_discount,
    t.refund_subtotal_before_discount, t.seller_discount_refund, t.customer_paid_shipping_fee, t.return_shipping_fee,
    t.referral_fee, t.transaction_fee, t.platform_commission, t.affiliate_commission, t.affiliate_partner_commission,
    t.affiliate_ads_commission, t.sfp_service_fee, t.flash_sales_service_fee, t.live_specials_fee,
    t.voucher_xtra_service_fee, t.refund_administration_fee, t.vat, t.gst, t.other_amounts
FROM unnest(@order_ids::text[]) AS k(id)
JOIN statement_transactions t ON t.shop_id = @shop_id AND t.order_id <> '' AND t.order_id = k.id
WHERE t.user_id = @user_id
ORDER BY t.order_id, t.statement_id, t.transaction_id;

-- name: ProfitUnsettled :many
SELECT u.order_id, u.currency, u.settlement, u.shipping_cost, u.fee_tax
FROM unnest(@order_ids::text[]) AS k(id)
JOIN unsettled_orders u ON u.shop_id = @shop_id AND u.order_id = k.id
WHERE u.user_id = @user_id;

-- name: ShopOrderIDs :many
-- A page of the shop's order ids, in id order, after @after: what a rebuild walks.
SELECT o.order_id FROM orders o
WHERE o.user_id = @user_id AND o.shop_id = @shop_id AND o.order_id > @after
ORDER BY o.order_id
LIMIT @max_rows;

-- name: OrderIDsWithSKU :many
-- The orders of the shop placed at or after @since that sold any of @sku_ids: those a change of their costs reaches.
SELECT DISTINCT l.order_id FROM order_lines l
JOIN orders o ON o.user_id = l.user_id AND o.shop_id = l.shop_id AND o.order_id = l.order_id
WHERE l.user_id = @user_id AND l.shop_id = @shop_id AND l.sku_id = ANY(@sku_ids::text[]) AND o.create_time >= @since;

-- name: EstimatedOrderIDs :many
-- The shop's orders still estimated, but for those whose order row has any of @unsold_flags (profit.Flags): the
-- orders new fee rates reach (see rollup.ObserveRates).
SELECT p.order_id FROM order_profits p
WHERE p.user_id = @user_id AND p.shop_id = @shop_id AND p.sku_id = '' AND p.state = 'estimated'
  AND p.flags & @unsold_flags::integer = 0;

-- name: DeleteShopProfits :exec
-- Forgets the shop's profit rows and refusals, before a rebuild writes them again.
WITH o AS (DELETE FROM order_profits p WHERE p.user_id = @user_id AND p.shop_id = @shop_id),
r AS (DELETE FROM profit_refusals x WHERE x.user_id = @user_id AND x.shop_id = @shop_id)
DELETE FROM daily_profit d WHERE d.user_id = @user_id AND d.shop_id = @shop_id;

-- name: RecordProfitRefusals :exec
-- Sets the orders @order_ids aside with the model's @reasons (migration 00024); an order refused again keeps the
-- time it was first refused and takes the latest reason.
INSERT INTO profit_refusals (user_id, shop_id, order_id, reason, refused_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@order_ids::text[]), unnest(@reasons::text[]), @now::timestamptz
ON CONFLICT (user_id, shop_id, order_id) DO UPDATE SET reason = EXCLUDED.reason
WHERE profit_refusals.reason <> EXCLUDED.reason;

-- name: ClearProfitRefusals :exec
-- Takes the orders @order_ids, computed, off the shop's refusals.
DELETE FROM profit_refusals x WHERE x.user_id = @user_id AND x.shop_id = @shop_id AND x.order_id = ANY(@order_ids::text[]);

-- name: ShopHasProfitRefusals :one
SELECT EXISTS (SELECT 1 FROM profit_refusals x WHERE x.user_id = @user_id AND x.shop_id = @shop_id)::boolean AS refused;

-- name: ProfitRefusalsByShop :many
-- Per shop of the seller: how many orders are set aside, and the latest one with its reason.
SELECT x.shop_id, count(*)::bigint AS orders,
    (array_agg(x.order_id ORDER BY x.refused_at DESC, x.order_id))[1]::text AS latest_order_id,
    (array_agg(x.reason ORDER BY x.refused_at DESC, x.order_id))[1]::text AS latest_reason
FROM profit_refusals x WHERE x.user_id = @user_id GROUP BY x.shop_id ORDER BY x.shop_id;

-- name: SettledProfitForRates :one
-- What the shop's orders placed since @since and settled add up to: the figures profit.RatesFrom observes rates in.
SELECT count(*)::bigint AS orders, coalesce(sum(p.sample_orders), 0)::bigint AS sample_orders,
    coalesce(max(p.currency), '')::text AS currency, count(DISTINCT p.currency)::bigint AS currencies,
    coalesce(sum(p.net_sales), 0)::bigint AS net_sales, coalesce(sum(p.refunds), 0)::bigint AS refunds,
    coalesce(sum(p.shipping_cost), 0)::bigint AS shipping_cost,
    coalesce(sum(p.fee_referral), 0)::bigint AS fee_referral,
    coalesce(sum(p.fee_platform_commission), 0)::bigint AS fee_platform_commission,
    coalesce(sum(p.fee_transaction), 0)::bigint AS fee_transaction, coalesce(sum(p.fee_sfp), 0)::bigint AS fee_sfp,
    coalesce(sum(p.fee_flash_sale), 0)::bigint AS fee_flash_sale, coalesce(sum(p.fee_live), 0)::bigint AS fee_live,
    coalesce(sum(p.fee_voucher), 0)::bigint AS fee_voucher,
    coalesce(sum(p.fee_refund_administration), 0)::bigint AS fee_refund_administration,
    coalesce(sum(p.fee_other), 0)::bigint AS fee_other,
    coalesce(sum(p.affiliate_standard), 0)::bigint AS affiliate_standard,
    coalesce(sum(p.affiliate_partner), 0)::bigint AS affiliate_partner,
    coalesce(sum(p.affiliate_ads), 0)::bigint AS affiliate_ads, coalesce(sum(p.tax_on_fees), 0)::bigint AS tax_on_fees
FROM order_profits p
WHERE p.user_id = @user_id AND p.shop_id = @shop_id AND p.sku_id = '' AND p.state = 'settled' AND p.create_time >= @since;

-- name: GetShopFeeRates :one
SELECT r.currency, r.rates, r.settled_orders, r.observed_at FROM shop_fee_rates r
WHERE r.user_id = @user_id AND r.shop_id = @shop_id;

-- name: SetShopFeeRates :execrows
-- Stores the shop's rates; returns 0 when they are the ones stored.
INSERT INTO shop_fee_rates (user_id, shop_id, currency, rates, settled_orders, observed_at)
VALUES (@user_id, @shop_id, @currency, @rates, @settled_orders, @now)
ON CONFLICT (user_id, shop_id) DO UPDATE SET currency = EXCLUDED.currency, rates = EXCLUDED.rates,
    settled_orders = EXCLUDED.settled_orders, observed_at = EXCLUDED.observed_at
WHERE (shop_fee_rates.currency, shop_fee_rates.rates) IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.rates);

-- name: UserTimeZone :one
SELECT time_zone FROM users WHERE users.id = @user_id;

-- name: SetUserTimeZone :execrows
UPDATE users SET time_zone = @time_zone WHERE users.id = @user_id AND time_zone <> @time_zone;

-- name: BumpProfitVersion :exec
-- Moves the seller's data version: when their profit rows change, and after every sync page that writes rows.
INSERT INTO profit_versions (user_id, version) VALUES (@user_id, 1)
ON CONFLICT (user_id) DO UPDATE SET version = profit_versions.version + 1;

-- name: ProfitVersion :one
-- The seller's data version (0 before any): what pages cache their figures under.
SELECT coalesce((SELECT v.version FROM profit_versions v WHERE v.user_id = @user_id), 0)::bigint AS version;

-- name: ProfitShopIDs :many
-- Every shop the seller has connected, disconnected ones too (their data stays): what a rebuild walks.
SELECT s.shop_id FROM tiktok_shops s WHERE s.user_id = @user_id ORDER BY s.shop_id;

-- name: LockShopProfits :exec
-- Holds, until the transaction ends, the lock that serialises every change to the shop's profit rows: a refresh
-- reads the rows it computes from after taking it, so it sees every earlier refresh's rows and never adds a
-- difference twice.
SELECT pg_advisory_xact_lock(hashtextextended(users.id::text || '/' || @shop_id::text, 0)) FROM users WHERE users.id = @user_id;

-- name: ProfitZoneAndVersion :one
-- The seller's time zone and data version in one read: what a page of figures starts with.
SELECT users.time_zone, coalesce(v.version, 0)::bigint AS version
FROM users LEFT JOIN profit_versions v ON v.user_id = users.id
WHERE users.id = @user_id;

-- name: QueueProfitOrders :exec
-- Adds the orders @order_ids (distinct, in id order) to the shop's profit queue as one entry (migration 00029): a
-- sync page does, in its transaction. It locks nothing and waits for nothing: an order already queued is queued
-- again, and a catch-up merges the two (TakeProfitQueue). One that takes the queue before this transaction commits
-- does not see this entry and leaves it for the next catch-up, which computes the order from this page's rows.
INSERT INTO profit_queue (user_id, shop_id, order_ids) VALUES (@user_id, @shop_id, @order_ids::text[]);

-- name: TakeProfitQueue :many
-- Takes the shop's profit queue and returns the @max_orders lowest order ids it holds (distinct, in byte order).
-- The rest are queued again as merged entries: disjoint, @max_orders ids each, in id order by seq. A queue of
-- merged entries alone gives up its first (the lowest ids) and nothing else; any other entry there makes this take
-- every entry and merge them again. So a first backfill, which queues most orders twice (its orders page and its
-- settlement page), merges its hundreds of thousands of ids once and computes each order once, the lowest ids
-- first. Call it holding the shop's profit lock, in the transaction that refreshes the orders: it computes them
-- from their rows as they are now, which is what every entry of theirs asked for, and a crash before it commits
-- leaves the queue as it was. An entry queued while this runs is not seen, and stays for the next catch-up.
WITH taken AS (
    DELETE FROM profit_queue p
    WHERE p.user_id = @user_id AND p.shop_id = @shop_id AND (NOT p.merged
        OR EXISTS (SELECT 1 FROM profit_queue q WHERE q.user_id = @user_id AND q.shop_id = @shop_id AND NOT q.merged)
        OR p.seq = (SELECT min(q.seq) FROM profit_queue q WHERE q.user_id = @user_id AND q.shop_id = @shop_id))
    RETURNING p.order_ids
), ids AS (
    -- In byte order, as Queue sorts an entry's ids: sorting the 210,000 ids of a 100,000-order shop's first take
    -- took a third less time than in the database's collation.
    SELECT DISTINCT k.id COLLATE "C" AS id FROM taken t CROSS JOIN LATERAL unnest(t.order_ids) AS k(id)
), parts AS (
    SELECT i.id, (row_number() OVER (ORDER BY i.id) - 1) / @max_orders::integer AS part FROM ids i
), rest AS (
    INSERT INTO profit_queue (user_id, shop_id, order_ids, merged)
    SELECT @user_id, @shop_id, array_agg(r.id ORDER BY r.id), true FROM parts r WHERE r.part > 0
    GROUP BY r.part ORDER BY r.part
)
SELECT p.id::text AS order_id FROM parts p WHERE p.part = 0 ORDER BY p.id;

-- name: ProfitQueueLengths :many
-- How many order ids each of the seller's shops has on its profit queue (an order queued twice counts twice; shops
-- with none are left out).
SELECT p.shop_id, sum(cardinality(p.order_ids))::bigint AS orders FROM profit_queue p WHERE p.user_id = @user_id
GROUP BY p.shop_id;

-- name: ProfitQueueLength :one
-- How many order ids the shop's profit queue holds (an order queued twice counts twice).
SELECT coalesce(sum(cardinality(order_ids)), 0)::bigint FROM profit_queue WHERE user_id = @user_id AND shop_id = @shop_id;
