-- Seller accounts, their sessions, and the audit log.

-- +goose Up
-- The email exists only sealed (purpose users.email) and as a keyed blind index (HMAC of the normalised address),
-- which is globally unique: one account per address.
ALTER TABLE users
    ADD COLUMN email_index       bytea UNIQUE,
    ADD COLUMN email_sealed      bytea,
    ADD COLUMN password_hash     text NOT NULL DEFAULT '', -- argon2id PHC string; empty: no password set
    ADD COLUMN email_verified_at timestamptz;

-- A server-side session: the cookie carries its id sealed; the table holds only a hash of it, so a database leak
-- cannot mint cookies. Postgres is the truth about revocation; Redis holds fast flags (see internal/session).
CREATE TABLE sessions (
    user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_hash          bytea       NOT NULL,
    created_at       timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    user_agent       text        NOT NULL DEFAULT '',
    ip_hint          text        NOT NULL DEFAULT '',
    revoked_at       timestamptz,
    -- false while a revocation has not yet reached Redis (Redis was unreachable); the session sync retries it.
    revocation_synced boolean    NOT NULL DEFAULT true,
    PRIMARY KEY (user_id, id_hash)
);
CREATE INDEX sessions_unsynced ON sessions (revoked_at) WHERE NOT revocation_synced;
CREATE INDEX sessions_revoked_alive ON sessions (expires_at) WHERE revoked_at IS NOT NULL;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO profitline_app;

-- Append-only: the app role may add and read entries, never change or remove them.
CREATE TABLE audit_log (
    id      bigint      GENERATED ALWAYS AS IDENTITY,
    user_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL,
    action  text        NOT NULL,
    ip_hint text        NOT NULL DEFAULT '',
    detail  jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (user_id, id)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT ON audit_log TO profitline_app;

-- Sign-in knows an email before it knows the tenant: this returns the id behind a blind index, nothing else.
-- +goose StatementBegin
CREATE FUNCTION system.user_id_by_email_index(idx bytea) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT id FROM public.users WHERE email_index = idx $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.user_id_by_email_index(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.user_id_by_email_index(bytea) TO profitline_app;

-- Revoked sessions that have not expired yet, for rebuilding Redis's flags after Redis lost its data, and the
-- revocations that never reached Redis. Session id hashes are ids: they open nothing.
-- +goose StatementBegin
CREATE FUNCTION system.revoked_sessions_alive(at timestamptz, only_unsynced boolean)
    RETURNS TABLE (user_id bigint, id_hash bytea, expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
        SELECT s.user_id, s.id_hash, s.expires_at FROM public.sessions s
        WHERE s.revoked_at IS NOT NULL AND s.expires_at > at AND (NOT only_unsynced OR NOT s.revocation_synced)
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.revoked_sessions_alive(timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.revoked_sessions_alive(timestamptz, boolean) TO profitline_app;

-- +goose Down
DROP FUNCTION system.revoked_sessions_alive(timestamptz, boolean);
DROP FUNCTION system.user_id_by_email_index(bytea);
DROP TABLE audit_log;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN email_verified_at, DROP COLUMN password_hash, DROP COLUMN email_sealed, DROP COLUMN email_index;
