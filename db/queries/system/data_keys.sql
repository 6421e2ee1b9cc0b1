-- name: TenantsWithKeysNotUnder :many
SELECT user_id::bigint FROM system.tenants_with_keys_not_under(@active_ring_key_id, @after_user_id, @max_rows) AS t(user_id);
