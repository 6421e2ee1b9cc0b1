-- Single-use links mailed to sellers: confirm an address, reset a password, confirm a new address. The link carries
-- a random token and the user id; only the token's SHA-256 is stored.

-- +goose Up
CREATE TABLE email_tokens (
    user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash       bytea       NOT NULL,
    purpose          text        NOT NULL CHECK (purpose IN ('verify', 'reset', 'change_email')),
    -- For change_email: the new address, sealed (purpose email_tokens.new_email) and as a blind index.
    new_email_sealed bytea,
    new_email_index  bytea,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    PRIMARY KEY (user_id, token_hash)
);
ALTER TABLE email_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_tokens USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON email_tokens TO profitline_app;

-- +goose Down
DROP TABLE email_tokens;
