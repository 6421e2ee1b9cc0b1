-- name: InsertWebhookEvent :execrows
-- 0 rows: this notification was received before (a retry or a duplicate delivery).
INSERT INTO webhook_events (user_id, notification_id, type, shop_id, received_at, payload_sealed)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id, notification_id) DO NOTHING;

-- name: MarkWebhookProcessed :exec
UPDATE webhook_events SET processed_at = @now::timestamptz WHERE user_id = @user_id AND notification_id = @notification_id;
