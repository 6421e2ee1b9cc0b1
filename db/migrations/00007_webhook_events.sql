-- TikTok webhook notifications, one row per seller that connected the notified shop, deduplicated on TikTok's
-- notification id (TikTok retries at 2 min, 30 min, 3 h and 12 h). The body is kept sealed for the sync engine.

-- +goose Up
CREATE TABLE webhook_events (
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notification_id text        NOT NULL,
    type            integer     NOT NULL,
    shop_id         text        NOT NULL,
    received_at     timestamptz NOT NULL,
    payload_sealed  bytea       NOT NULL,
    processed_at    timestamptz,
    PRIMARY KEY (user_id, notification_id)
);
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_events USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON webhook_events TO profitline_app;

-- +goose Down
DROP TABLE webhook_events;
