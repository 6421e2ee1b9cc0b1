-- name: InsertEmailToken :exec
INSERT INTO email_tokens (user_id, token_hash, purpose, new_email_sealed, new_email_index, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ConsumeEmailToken :one
-- Marks a live token used and returns it; no row when it is unknown, used, expired or for another purpose.
UPDATE email_tokens SET used_at = @now::timestamptz
WHERE user_id = @user_id AND token_hash = @token_hash AND purpose = @purpose
  AND used_at IS NULL AND expires_at > @now::timestamptz
RETURNING new_email_sealed, new_email_index;
