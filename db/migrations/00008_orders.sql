-- Synced orders. The source record (buyer PII included) is kept only sealed; the columns the dashboards aggregate
-- (amounts in minor units, currency, times, status) are plain. A row changes only when TikTok's update_time moves
-- forward, so re-syncing the same page changes nothing; rows TikTok stops returning are kept.

-- +goose Up
CREATE TABLE orders (
    user_id           bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id           text        NOT NULL,
    order_id          text        NOT NULL,
    status            text        NOT NULL,
    currency          text        NOT NULL,
    create_time       timestamptz NOT NULL,
    update_time       timestamptz NOT NULL,
    is_sample         boolean     NOT NULL,
    line_count        integer     NOT NULL,
    sub_total         bigint      NOT NULL,
    shipping_fee      bigint      NOT NULL,
    seller_discount   bigint      NOT NULL,
    platform_discount bigint      NOT NULL,
    tax               bigint      NOT NULL,
    total_amount      bigint      NOT NULL,
    payload_sealed    bytea       NOT NULL,
    synced_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, order_id)
);
CREATE INDEX orders_by_create_time ON orders (user_id, shop_id, create_time);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON orders USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON orders TO profitline_app;

-- Where each shop's sync of each resource has got to: the end of the last window whose pages all committed.
CREATE TABLE sync_cursors (
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id     text        NOT NULL,
    resource    text        NOT NULL,
    synced_to   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, resource)
);
ALTER TABLE sync_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_cursors USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON sync_cursors TO profitline_app;

-- +goose Down
DROP TABLE sync_cursors;
DROP TABLE orders;
