-- name: SyncCursorsOfActiveShops :many
SELECT shop_id::text, resource::text, synced_to::timestamptz
FROM system.sync_cursors_of_active_shops() AS t(shop_id, resource, synced_to);

-- name: JobCounts :many
SELECT state::text, kind::text, jobs::bigint FROM system.job_counts() AS t(state, kind, jobs);
