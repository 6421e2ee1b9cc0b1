-- name: InsertAudit :exec
INSERT INTO audit_log (user_id, at, action, ip_hint, detail) VALUES ($1, $2, $3, $4, $5);

-- name: ListAudit :many
SELECT id, at, action, ip_hint, detail FROM audit_log WHERE user_id = $1 ORDER BY id DESC LIMIT $2;
