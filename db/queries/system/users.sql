-- name: CreateUser :one
SELECT system.create_user(@created_at)::bigint AS id;

-- name: UserIDByEmailIndex :one
SELECT system.user_id_by_email_index(@email_index)::bigint AS id;
