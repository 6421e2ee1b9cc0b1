-- name: CreateUser :one
SELECT system.create_user(@created_at)::bigint AS id;

-- name: UserIDByEmailIndex :one
-- 0 when no account has this address.
SELECT coalesce(system.user_id_by_email_index(@email_index), 0)::bigint AS id;

-- name: UsersWithShops :many
SELECT u.user_id::bigint AS user_id FROM system.users_with_shops() u;
