-- name: UpdateAllUsers :exec
UPDATE data_keys SET ring_key_id = $1;
