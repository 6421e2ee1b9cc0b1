-- name: InsertSession :exec
INSERT INTO sessions (user_id, id_hash, created_at, last_seen_at, expires_at, user_agent, ip_hint)
VALUES ($1, $2, $3, $3, $4, $5, $6);

-- name: GetSession :one
SELECT id_hash, created_at, last_seen_at, expires_at, user_agent, ip_hint, revoked_at
FROM sessions WHERE user_id = $1 AND id_hash = $2;

-- name: TouchSession :exec
UPDATE sessions SET last_seen_at = @last_seen_at
WHERE user_id = @user_id AND id_hash = @id_hash AND revoked_at IS NULL;

-- name: ListActiveSessions :many
SELECT id_hash, created_at, last_seen_at, expires_at, user_agent, ip_hint
FROM sessions WHERE user_id = @user_id AND revoked_at IS NULL AND expires_at > @now
ORDER BY last_seen_at DESC;

-- name: RevokeSessions :many
-- Revokes the named sessions, or every live one when id_hashes is NULL, except keep (may be NULL). Returns what it
-- revoked, so the caller can raise the Redis flags.
UPDATE sessions SET revoked_at = @now::timestamptz, revocation_synced = false
WHERE user_id = @user_id AND revoked_at IS NULL
  AND (sqlc.narg(id_hashes)::bytea[] IS NULL OR id_hash = ANY (sqlc.narg(id_hashes)::bytea[]))
  AND (sqlc.narg(keep)::bytea IS NULL OR id_hash <> sqlc.narg(keep)::bytea)
RETURNING id_hash, expires_at;

-- name: MarkRevocationsSynced :exec
UPDATE sessions SET revocation_synced = true
WHERE user_id = @user_id AND id_hash = ANY (@id_hashes::bytea[]);
