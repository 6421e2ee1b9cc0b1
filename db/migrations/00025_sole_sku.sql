-- An order of one SKU whose SKU row would equal its order row writes only the order row, naming the SKU in it.
-- Most orders are of one SKU (over 70% of the sandbox's), and each wrote its 42 measures twice: 2.3 order_profits
-- rows per order, the largest share of a catch-up's writing. The order row now says which SKU it stands for
-- (sole_sku_id, sole_seller_sku; '' when it stands for none), and what reads SKU rows reads it too: the statements
-- that add to daily_profit and rebuild it, the orders' SKU filter and the returns' unit costs. The rollup writes the
-- order row alone only when the SKU's currency, state, flags and every measure equal the order's (rollup.rowWriter),
-- so a day's SKU cell sums the same numbers either way.
--
-- Rows written before stay as they are, an order row standing for no SKU beside its SKU rows, which is still a
-- valid way to hold an order; each order takes the new shape when it is next computed.
--
-- order_profits_by_sku goes: no statement reads the SKU rows except through their order (the primary key).

-- +goose Up
ALTER TABLE order_profits
    ADD COLUMN sole_sku_id     text NOT NULL DEFAULT '', -- order rows: the one SKU the row also stands for
    ADD COLUMN sole_seller_sku text NOT NULL DEFAULT '';
DROP INDEX order_profits_by_sku;

-- +goose Down
-- Each order row that stands for its SKU gives the SKU its own row again: the same figures, as the rollup wrote
-- SKU rows (no estimate of their own). Row security is forced on the table, for the owner too; lifted for this one
-- statement inside the migration's transaction.
ALTER TABLE order_profits NO FORCE ROW LEVEL SECURITY;
INSERT INTO order_profits (user_id, shop_id, order_id, sku_id, seller_sku, day, create_time, currency, state, flags,
    estimated_net_profit, orders, units, settled_orders, sample_orders, refunded_orders, cost_unknown_orders,
    unreconciled_orders, unsold_orders, gross_sales, seller_discount, platform_discount, net_sales, refunds,
    other_revenue, shipping_charged, shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral,
    fee_platform_commission, fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher,
    fee_refund_administration, fee_other, affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees,
    adjustments, cost_of_goods, cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement,
    settlement_reported, unreconciled, net_sales_without_cost, net_profit)
SELECT user_id, shop_id, order_id, sole_sku_id, sole_seller_sku, day, create_time, currency, state, flags,
    0, orders, units, settled_orders, sample_orders, refunded_orders, cost_unknown_orders,
    unreconciled_orders, unsold_orders, gross_sales, seller_discount, platform_discount, net_sales, refunds,
    other_revenue, shipping_charged, shipping_seller_discount, shipping_cost, return_shipping_cost, fee_referral,
    fee_platform_commission, fee_transaction, fee_sfp, fee_flash_sale, fee_live, fee_voucher,
    fee_refund_administration, fee_other, affiliate_standard, affiliate_partner, affiliate_ads, tax_on_fees,
    adjustments, cost_of_goods, cost_returned, marketing_goods, marketing_shipping, tax_collected, settlement,
    settlement_reported, unreconciled, net_sales_without_cost, net_profit
FROM order_profits WHERE sku_id = '' AND sole_sku_id <> '';
ALTER TABLE order_profits FORCE ROW LEVEL SECURITY;
CREATE INDEX order_profits_by_sku ON order_profits (user_id, sku_id, create_time DESC) WHERE sku_id <> '';
ALTER TABLE order_profits DROP COLUMN sole_sku_id, DROP COLUMN sole_seller_sku;
