-- The seller's outgoing webhook and its deliveries (internal/sellerhook, migration 00020).

-- name: GetSellerWebhook :one
SELECT url, secret, updated_at FROM seller_webhooks WHERE user_id = @user_id;

-- name: SaveSellerWebhook :exec
INSERT INTO seller_webhooks (user_id, url, secret, created_at, updated_at)
VALUES (@user_id, @url, @secret, @now::timestamptz, @now::timestamptz)
ON CONFLICT (user_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at;

-- name: DeleteSellerWebhook :execrows
DELETE FROM seller_webhooks WHERE user_id = @user_id;

-- name: InsertWebhookDelivery :one
-- A repeated dedupe key inserts nothing and returns no row, so the caller enqueues no second job.
INSERT INTO seller_webhook_deliveries (user_id, dedupe_key, kind, payload, created_at)
VALUES (@user_id, @dedupe_key, @kind, @payload, @created_at)
ON CONFLICT (user_id, dedupe_key) DO NOTHING
RETURNING id;

-- name: GetWebhookDelivery :one
SELECT id, dedupe_key, kind, payload, delivered_at, failed_at FROM seller_webhook_deliveries
WHERE user_id = @user_id AND id = @id;

-- name: MarkWebhookDelivered :execrows
-- Only an open row: a delivery marked delivered stays as it was, whatever a late retry reports.
UPDATE seller_webhook_deliveries
SET delivered_at = @delivered_at::timestamptz, last_status = @last_status::integer, attempts = attempts + 1, last_error = NULL
WHERE user_id = @user_id AND id = @id AND delivered_at IS NULL AND failed_at IS NULL;

-- name: RecordWebhookFailure :exec
-- @last_status is 0 when the endpoint never answered; @failed_at is set when the delivery is given up (NULL while
-- it is retried).
UPDATE seller_webhook_deliveries
SET attempts = attempts + 1, last_status = nullif(@last_status::integer, 0), last_error = @last_error::text,
    failed_at = sqlc.narg(failed_at)::timestamptz
WHERE user_id = @user_id AND id = @id AND delivered_at IS NULL AND failed_at IS NULL;

-- name: RecentWebhookDeliveries :many
-- The seller's latest deliveries, newest first (Settings -> Alerts shows how their endpoint answered).
SELECT dedupe_key, kind, created_at, delivered_at, failed_at, attempts,
    coalesce(last_status, 0)::integer AS last_status, coalesce(last_error, '')::text AS last_error
FROM seller_webhook_deliveries WHERE user_id = @user_id
ORDER BY created_at DESC, id DESC LIMIT @max_rows;
