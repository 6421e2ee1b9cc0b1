-- name: ReadUsersDirectly :many
SELECT id FROM users;
