-- name: ListDataKeys :many
SELECT key_id, ring_key_id, wrapped FROM data_keys WHERE user_id = $1 ORDER BY key_id DESC;

-- name: InsertDataKey :exec
INSERT INTO data_keys (user_id, key_id, ring_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5);

-- name: RewrapDataKey :execrows
-- Compare-and-swap on the old wrapping, so a concurrent or repeated rotation never overwrites a newer one.
UPDATE data_keys SET ring_key_id = @new_ring_key_id, wrapped = @new_wrapped
WHERE user_id = @user_id AND key_id = @key_id AND wrapped = @old_wrapped;
