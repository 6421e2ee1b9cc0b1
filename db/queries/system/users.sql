-- name: CreateUser :one
SELECT system.create_user(@created_at)::bigint AS id;
