-- name: SystemCallJoinedToTable :many
SELECT system.create_user(now())::bigint, k.wrapped FROM data_keys k;
