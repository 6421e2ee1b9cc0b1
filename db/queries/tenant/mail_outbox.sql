-- name: InsertMailOutbox :one
-- A repeated dedupe key inserts nothing and returns no row, so the caller enqueues no second job.
INSERT INTO mail_outbox (user_id, dedupe_key, kind, recipient, message, created_at)
VALUES (@user_id, @dedupe_key, @kind, @recipient, @message, @created_at)
ON CONFLICT (user_id, dedupe_key) DO NOTHING
RETURNING id;

-- name: GetMailOutbox :one
SELECT id, dedupe_key, kind, recipient, message, sent_at FROM mail_outbox WHERE user_id = @user_id AND id = @id;

-- name: MarkMailSent :execrows
-- Only an unsent row: a mail marked sent stays as it was, whatever a late retry reports.
UPDATE mail_outbox
SET sent_at = @sent_at::timestamptz, provider_message_id = @provider_message_id::text, attempts = attempts + 1,
    last_error = NULL
WHERE user_id = @user_id AND id = @id AND sent_at IS NULL;

-- name: RecordMailFailure :exec
UPDATE mail_outbox SET attempts = attempts + 1, last_error = @last_error::text
WHERE user_id = @user_id AND id = @id AND sent_at IS NULL;
