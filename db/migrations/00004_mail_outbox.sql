-- Outgoing email. A mail is written here in the same transaction as the job that sends it (internal/mail), so a
-- mail exists exactly when the change that caused it committed. The recipient and the message (subject, text and
-- HTML bodies) are sealed with the tenant's data key: links in mails carry secrets. kind and dedupe_key are in
-- clear and must never hold anything secret; dedupe_key is also part of the provider's idempotency key.

-- +goose Up
CREATE TABLE mail_outbox (
    id                  bigint      GENERATED ALWAYS AS IDENTITY,
    user_id             bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Per tenant, so a second enqueue of the same mail is a no-op; Resend caps idempotency keys at 256 characters.
    dedupe_key          text        NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
    kind                text        NOT NULL,
    recipient           bytea       NOT NULL, -- sealed, purpose mail_outbox.recipient
    message             bytea       NOT NULL, -- sealed, purpose mail_outbox.message
    created_at          timestamptz NOT NULL,
    sent_at             timestamptz,
    provider_message_id text,
    attempts            integer     NOT NULL DEFAULT 0,
    last_error          text,       -- redacted before it is stored
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, dedupe_key)
);
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mail_outbox USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
-- No DELETE: a sent mail stays as the record that it was sent; deleting the tenant removes its mails.
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO profitline_app;

-- +goose Down
DROP TABLE mail_outbox;
