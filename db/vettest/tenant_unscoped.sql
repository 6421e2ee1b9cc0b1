-- name: ListKeysOfEveryone :many
SELECT key_id, wrapped FROM data_keys WHERE key_id = $1;
