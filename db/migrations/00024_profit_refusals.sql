-- Orders the profit model refuses to compute (internal/profit: Compute refuses amounts in more than one currency,
-- amounts beyond its limits, a line id twice, a return that names a line the order does not have). A catch-up sets
-- such an order aside, as a sync sets aside a record it cannot read: the order keeps no profit rows (what it held is
-- taken off its days), its reason is kept here, and every other order is computed. Before, one such order failed
-- every catch-up of its shop, and with them every sync run that caught up after a page. The row goes when the order
-- computes again; a rebuild starts the shop's over.

-- +goose Up
CREATE TABLE profit_refusals (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id    text        NOT NULL,
    order_id   text        NOT NULL,
    reason     text        NOT NULL, -- the model's sentence: ids, currencies and limits, never a buyer's data
    refused_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, order_id)
);

ALTER TABLE profit_refusals ENABLE ROW LEVEL SECURITY;
ALTER TABLE profit_refusals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profit_refusals USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON profit_refusals TO profitline_app;

-- +goose Down
DROP TABLE profit_refusals;
