-- Cost of goods: what each SKU cost the seller, effective-dated, and a per-shop fallback for SKUs without a cost.
--
-- A cost row applies from its effective_from date (a date in UTC for now) until the next row of the same SKU: a new
-- date is a new row, the same date replaces that row's values, so history is kept and a past order is costed with
-- the row in force when it was placed. Money is integer minor units in the shop's order currency (checked by the
-- app when written); the landed cost is the sum of its components.

-- +goose Up
CREATE TABLE sku_costs (
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id         text        NOT NULL,
    sku_id          text        NOT NULL,
    effective_from  date        NOT NULL,
    currency        text        NOT NULL,
    product_cost    bigint      NOT NULL DEFAULT 0 CHECK (product_cost >= 0),
    inbound_freight bigint      NOT NULL DEFAULT 0 CHECK (inbound_freight >= 0),
    packaging       bigint      NOT NULL DEFAULT 0 CHECK (packaging >= 0),
    landed_cost     bigint      NOT NULL GENERATED ALWAYS AS (product_cost + inbound_freight + packaging) STORED,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, sku_id, effective_from)
);

-- A shop's fallback for SKUs with no cost: a share of the sale price, in basis points (NULL: no fallback; 0% would
-- hide the "no cost" flag behind a cost of zero, so it is not one).
CREATE TABLE shop_cost_settings (
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id      text        NOT NULL,
    fallback_bps integer     CHECK (fallback_bps BETWEEN 1 AND 10000),
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id)
);

ALTER TABLE sku_costs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sku_costs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sku_costs USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON sku_costs TO profitline_app;

ALTER TABLE shop_cost_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop_cost_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shop_cost_settings USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON shop_cost_settings TO profitline_app;

-- +goose Down
DROP TABLE shop_cost_settings;
DROP TABLE sku_costs;
