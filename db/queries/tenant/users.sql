-- name: GetUser :one
SELECT id, created_at FROM users WHERE users.id = $1;
