-- name: UsersWithReturnDeadlines :many
SELECT user_id::bigint FROM system.users_with_return_deadlines() AS t(user_id);
