-- TikTok Shop authorizations. A grant is one seller authorization (open_id) and may cover several shops; its tokens
-- exist only sealed, and are deleted (set to NULL) the moment access is revoked or disconnected.

-- +goose Up
CREATE TABLE tiktok_grants (
    user_id                  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id                       bigint      GENERATED ALWAYS AS IDENTITY,
    open_id                  text        NOT NULL,
    seller_name              text        NOT NULL DEFAULT '',
    seller_base_region       text        NOT NULL DEFAULT '',
    granted_scopes           text[]      NOT NULL DEFAULT '{}',
    access_token_sealed      bytea,
    access_token_expires_at  timestamptz,
    refresh_token_sealed     bytea,
    refresh_token_expires_at timestamptz,
    -- active, or revoked (by the seller in Settings, a SELLER_DEAUTHORIZATION webhook, or an auth error that a
    -- refresh could not fix): then the tokens are gone and the dashboard shows data as of the last sync.
    status                   text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    revoked_at               timestamptz,
    revoked_reason           text        NOT NULL DEFAULT '',
    -- From UPCOMING_AUTHORIZATION_EXPIRATION: when the seller must reconnect.
    authorization_expires_at timestamptz,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, open_id),
    CHECK (status = 'active' OR (access_token_sealed IS NULL AND refresh_token_sealed IS NULL))
);
ALTER TABLE tiktok_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tiktok_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tiktok_grants USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON tiktok_grants TO profitline_app;

CREATE TABLE tiktok_shops (
    user_id         bigint      NOT NULL,
    shop_id         text        NOT NULL,
    grant_id        bigint      NOT NULL,
    name            text        NOT NULL,
    region          text        NOT NULL DEFAULT '',
    seller_type     text        NOT NULL DEFAULT '',
    cipher          text        NOT NULL,
    code            text        NOT NULL DEFAULT '',
    connected_at    timestamptz NOT NULL,
    disconnected_at timestamptz,
    PRIMARY KEY (user_id, shop_id),
    FOREIGN KEY (user_id, grant_id) REFERENCES tiktok_grants (user_id, id) ON DELETE CASCADE
);
CREATE INDEX tiktok_shops_grant ON tiktok_shops (user_id, grant_id);
ALTER TABLE tiktok_shops ENABLE ROW LEVEL SECURITY;
ALTER TABLE tiktok_shops FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tiktok_shops USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON tiktok_shops TO profitline_app;

-- The OAuth state of a connect attempt: bound to the session that started it, single-use, short-lived.
CREATE TABLE oauth_states (
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state_hash   bytea       NOT NULL,
    session_hash bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    PRIMARY KEY (user_id, state_hash)
);
ALTER TABLE oauth_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_states USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE ON oauth_states TO profitline_app;

-- Webhooks name a shop, not a seller: the sellers who connected it (more than one Profitline account may have).
-- +goose StatementBegin
CREATE FUNCTION system.users_by_shop(shop text) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT user_id FROM public.tiktok_shops WHERE shop_id = shop AND disconnected_at IS NULL ORDER BY user_id $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.users_by_shop(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.users_by_shop(text) TO profitline_app;

-- +goose Down
DROP FUNCTION system.users_by_shop(text);
DROP TABLE oauth_states;
DROP TABLE tiktok_shops;
DROP TABLE tiktok_grants;
