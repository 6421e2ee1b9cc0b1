-- Profit, maintained as the data lands. The profit model (internal/profit) is applied to each order as the sync
-- writes it, its result is kept in order_profits (one row for the order, sku_id '', and one per SKU of it), and the
-- difference each order's new result makes is added to daily_profit, per shop, day, SKU ('' for the whole order)
-- and currency, in the same transaction. So every dashboard range reads days, not orders, and `profitline rollups
-- rebuild` recomputes both tables from the rows, ending where the incremental path ends.
--
-- The measure columns of both tables are profit.Totals' (counts, then amounts, in minor units of the row's
-- currency, signs as internal/profit documents them); a row's day is its order's create time in the seller's time
-- zone (users.time_zone), so changing the zone rebuilds the seller's rows.

-- +goose Up
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- The payment and refund amounts the model needs that had no column (they were only in the sealed payloads; rows
-- synced before this migration read 0 until their next sync).
ALTER TABLE orders
    ADD COLUMN shipping_seller_discount   bigint NOT NULL DEFAULT 0,
    ADD COLUMN shipping_platform_discount bigint NOT NULL DEFAULT 0;
ALTER TABLE returns ADD COLUMN seller_paid_return_shipping bigint NOT NULL DEFAULT 0;

-- A shop's fee rates as observed in its settled orders (profit.RatesFrom), for estimating the orders not settled yet.
-- Orders are estimated with the rates stored here, so a rebuild gives what the incremental path gave.
CREATE TABLE shop_fee_rates (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id        text        NOT NULL,
    currency       text        NOT NULL,
    rates          jsonb       NOT NULL,
    settled_orders bigint      NOT NULL, -- how many settled orders they were observed in
    observed_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id)
);

CREATE TABLE order_profits (
    user_id              bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id              text        NOT NULL,
    order_id             text        NOT NULL,
    sku_id               text        NOT NULL, -- '' is the whole order
    seller_sku           text        NOT NULL,
    day                  date        NOT NULL,
    create_time          timestamptz NOT NULL,
    currency             text        NOT NULL,
    state                text        NOT NULL CHECK (state IN ('estimated', 'settled')),
    flags                integer     NOT NULL, -- profit.Flags
    estimated_net_profit bigint      NOT NULL, -- order rows: the estimate, when settled TikTok's (see rollup)
    orders bigint NOT NULL, units bigint NOT NULL, settled_orders bigint NOT NULL, sample_orders bigint NOT NULL,
    refunded_orders bigint NOT NULL, cost_unknown_orders bigint NOT NULL, unreconciled_orders bigint NOT NULL,
    unsold_orders bigint NOT NULL, gross_sales bigint NOT NULL, seller_discount bigint NOT NULL,
    platform_discount bigint NOT NULL, net_sales bigint NOT NULL, refunds bigint NOT NULL,
    other_revenue bigint NOT NULL, shipping_charged bigint NOT NULL, shipping_seller_discount bigint NOT NULL,
    shipping_cost bigint NOT NULL, return_shipping_cost bigint NOT NULL, fee_referral bigint NOT NULL,
    fee_platform_commission bigint NOT NULL, fee_transaction bigint NOT NULL, fee_sfp bigint NOT NULL,
    fee_flash_sale bigint NOT NULL, fee_live bigint NOT NULL, fee_voucher bigint NOT NULL,
    fee_refund_administration bigint NOT NULL, fee_other bigint NOT NULL, affiliate_standard bigint NOT NULL,
    affiliate_partner bigint NOT NULL, affiliate_ads bigint NOT NULL, tax_on_fees bigint NOT NULL,
    adjustments bigint NOT NULL, cost_of_goods bigint NOT NULL, cost_returned bigint NOT NULL,
    marketing_goods bigint NOT NULL, marketing_shipping bigint NOT NULL, tax_collected bigint NOT NULL,
    settlement bigint NOT NULL, settlement_reported bigint NOT NULL, unreconciled bigint NOT NULL,
    net_sales_without_cost bigint NOT NULL, net_profit bigint NOT NULL,
    PRIMARY KEY (user_id, shop_id, order_id, sku_id)
);
CREATE INDEX order_profits_by_time ON order_profits (user_id, create_time DESC, shop_id, order_id) WHERE sku_id = '';
CREATE INDEX order_profits_by_sku ON order_profits (user_id, sku_id, create_time DESC) WHERE sku_id <> '';

CREATE TABLE daily_profit (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id    text   NOT NULL,
    sku_id     text   NOT NULL, -- '' is every order of the day, whole
    day        date   NOT NULL,
    currency   text   NOT NULL,
    seller_sku text   NOT NULL, -- the latest seen
    orders bigint NOT NULL, units bigint NOT NULL, settled_orders bigint NOT NULL, sample_orders bigint NOT NULL,
    refunded_orders bigint NOT NULL, cost_unknown_orders bigint NOT NULL, unreconciled_orders bigint NOT NULL,
    unsold_orders bigint NOT NULL, gross_sales bigint NOT NULL, seller_discount bigint NOT NULL,
    platform_discount bigint NOT NULL, net_sales bigint NOT NULL, refunds bigint NOT NULL,
    other_revenue bigint NOT NULL, shipping_charged bigint NOT NULL, shipping_seller_discount bigint NOT NULL,
    shipping_cost bigint NOT NULL, return_shipping_cost bigint NOT NULL, fee_referral bigint NOT NULL,
    fee_platform_commission bigint NOT NULL, fee_transaction bigint NOT NULL, fee_sfp bigint NOT NULL,
    fee_flash_sale bigint NOT NULL, fee_live bigint NOT NULL, fee_voucher bigint NOT NULL,
    fee_refund_administration bigint NOT NULL, fee_other bigint NOT NULL, affiliate_standard bigint NOT NULL,
    affiliate_partner bigint NOT NULL, affiliate_ads bigint NOT NULL, tax_on_fees bigint NOT NULL,
    adjustments bigint NOT NULL, cost_of_goods bigint NOT NULL, cost_returned bigint NOT NULL,
    marketing_goods bigint NOT NULL, marketing_shipping bigint NOT NULL, tax_collected bigint NOT NULL,
    settlement bigint NOT NULL, settlement_reported bigint NOT NULL, unreconciled bigint NOT NULL,
    net_sales_without_cost bigint NOT NULL, net_profit bigint NOT NULL,
    PRIMARY KEY (user_id, shop_id, sku_id, day, currency)
);
CREATE INDEX daily_profit_skus_by_day ON daily_profit (user_id, day) WHERE sku_id <> '';

-- Bumped whenever a seller's profit rows change: pages cache what they compute under it.
CREATE TABLE profit_versions (
    user_id bigint NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version bigint NOT NULL
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shop_fee_rates', 'order_profits', 'daily_profit', 'profit_versions']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO profitline_app', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The sellers with a shop, connected or not: whom `profitline rollups rebuild` walks. Ids only.
-- +goose StatementBegin
CREATE FUNCTION system.users_with_shops() RETURNS TABLE (user_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT s.user_id FROM public.tiktok_shops s ORDER BY 1 $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.users_with_shops() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.users_with_shops() TO profitline_app;

-- +goose Down
DROP FUNCTION system.users_with_shops();
DROP TABLE profit_versions, daily_profit, order_profits, shop_fee_rates;
ALTER TABLE returns DROP COLUMN seller_paid_return_shipping;
ALTER TABLE orders DROP COLUMN shipping_seller_discount, DROP COLUMN shipping_platform_discount;
ALTER TABLE users DROP COLUMN time_zone;
