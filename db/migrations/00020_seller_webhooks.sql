-- The seller's outgoing webhook for return deadline alerts (internal/sellerhook): a URL of their own (Slack's
-- incoming webhooks, say) that receives each alert step as Slack-compatible JSON, signed with a secret of theirs.
-- The URL is sealed (a Slack webhook URL is itself a credential) and so is the signing secret; a delivery is written
-- in the transaction that marks its alert step sent, with its job, and its dedupe_key is the step's, so a retry, a
-- crash or two workers still make one delivery per step.

-- +goose Up
CREATE TABLE seller_webhooks (
    user_id    bigint      NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url        bytea       NOT NULL, -- sealed, purpose seller_webhooks.url
    secret     bytea       NOT NULL, -- sealed, purpose seller_webhooks.secret
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE seller_webhook_deliveries (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Per tenant, so a second enqueue of the same delivery is a no-op; sent as the Idempotency-Key header.
    dedupe_key   text        NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
    kind         text        NOT NULL,
    payload      bytea       NOT NULL, -- sealed, purpose seller_webhook_deliveries.payload: the JSON body
    created_at   timestamptz NOT NULL,
    delivered_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_status  integer,    -- the endpoint's last HTTP status; NULL when it never answered
    last_error   text,       -- redacted and bounded before it is stored
    failed_at    timestamptz, -- given up: a permanent refusal, or no webhook any more
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX seller_webhook_deliveries_recent ON seller_webhook_deliveries (user_id, created_at DESC);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['seller_webhooks', 'seller_webhook_deliveries']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO profitline_app', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE seller_webhook_deliveries, seller_webhooks;
