-- name: RevokedSessionsAlive :many
SELECT user_id::bigint, id_hash::bytea, expires_at::timestamptz
FROM system.revoked_sessions_alive(@at, @only_unsynced) AS t(user_id, id_hash, expires_at);
