-- name: GetUser :one
SELECT id, created_at FROM users WHERE users.id = $1;

-- name: GetAccount :one
SELECT email_sealed, password_hash, email_verified_at FROM users WHERE users.id = $1;

-- name: SetAccount :exec
UPDATE users SET email_index = @email_index, email_sealed = @email_sealed, password_hash = @password_hash
WHERE users.id = @user_id;

-- name: SetPasswordHash :exec
UPDATE users SET password_hash = @password_hash WHERE users.id = @user_id;

-- name: SetEmail :exec
UPDATE users SET email_index = @email_index, email_sealed = @email_sealed, email_verified_at = @verified_at
WHERE users.id = @user_id;

-- name: MarkEmailVerified :exec
UPDATE users SET email_verified_at = coalesce(email_verified_at, @verified_at::timestamptz) WHERE users.id = @user_id;
