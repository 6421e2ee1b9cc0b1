-- Return deadline alerts (internal/returns): the seller's alert settings and the planned steps of each open
-- return's deadline (return_alerts, migration 00015).

-- name: GetAlertSettings :one
SELECT steps_minutes, quiet_start, quiet_end, email, digest, updated_at
FROM alert_settings WHERE user_id = @user_id;

-- name: SaveAlertSettings :exec
INSERT INTO alert_settings (user_id, steps_minutes, quiet_start, quiet_end, email, digest, updated_at)
VALUES (@user_id, @steps_minutes::integer[], @quiet_start, @quiet_end, @email, @digest, @updated_at)
ON CONFLICT (user_id) DO UPDATE SET steps_minutes = EXCLUDED.steps_minutes, quiet_start = EXCLUDED.quiet_start,
    quiet_end = EXCLUDED.quiet_end, email = EXCLUDED.email, digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at;

-- name: LockAlertEvaluation :exec
-- Makes a second evaluation of the seller's alerts wait until this transaction ends. Two at once would plan the same
-- new steps together, and an INSERT ... ON CONFLICT on a table with two unique keys can then deadlock.
SELECT pg_advisory_xact_lock(hashtextextended('return_alerts:' || users.id::text, 0)) FROM users WHERE users.id = @user_id;

-- name: OpenReturnDeadlines :many
-- The returns of the seller's connected shops that wait for the seller, earliest deadline first, with their SKUs.
SELECT r.shop_id, r.return_id, r.order_id, r.return_type, r.reason, r.next_actions, r.next_deadline::timestamptz AS deadline,
    r.currency, r.refund_total, r.refund_tax, s.region, s.name AS shop_name,
    coalesce((SELECT array_agg(DISTINCT coalesce(nullif(l.seller_sku, ''), l.sku_id) ORDER BY coalesce(nullif(l.seller_sku, ''), l.sku_id))
              FROM return_lines l
              WHERE l.user_id = @user_id AND l.shop_id = r.shop_id AND l.return_id = r.return_id), '{}')::text[] AS skus
FROM returns r
JOIN tiktok_shops s ON s.user_id = r.user_id AND s.shop_id = r.shop_id
JOIN tiktok_grants g ON g.user_id = s.user_id AND g.id = s.grant_id
WHERE r.user_id = @user_id AND r.next_deadline IS NOT NULL AND s.disconnected_at IS NULL AND g.status = 'active'
ORDER BY r.next_deadline, r.shop_id, r.return_id;

-- name: AlertSteps :many
-- The seller's steps still pending, and every step of deadlines since @since (what planning needs to know).
SELECT shop_id, return_id, deadline, before_minutes, state, due_at, done_at
FROM return_alerts
WHERE user_id = @user_id AND (state = 'pending' OR deadline >= @since)
ORDER BY shop_id, return_id, deadline, before_minutes DESC;

-- name: PlanAlertSteps :execrows
-- New steps of open deadlines. A cancelled step comes back when the plan has it again (new settings, emails on
-- again, a deadline back where it was); a step sent or skipped stays as it is.
INSERT INTO return_alerts (user_id, shop_id, return_id, deadline, before_minutes, action, due_at, state, dedupe_key, planned_at)
SELECT @user_id::bigint, unnest(@shop_ids::text[]), unnest(@return_ids::text[]), unnest(@deadlines::timestamptz[]),
    unnest(@before_minutes::integer[]), unnest(@actions::text[]), unnest(@due_ats::timestamptz[]), 'pending',
    unnest(@dedupe_keys::text[]), @now::timestamptz
ON CONFLICT (user_id, shop_id, return_id, deadline, before_minutes) DO UPDATE SET
    state = 'pending', reason = '', done_at = NULL, due_at = EXCLUDED.due_at, action = EXCLUDED.action,
    planned_at = EXCLUDED.planned_at
WHERE return_alerts.state = 'cancelled';

-- name: CancelAlertDeadlines :execrows
-- Cancels the pending steps of the given (shop, return, deadline)s.
UPDATE return_alerts a SET state = 'cancelled', reason = @reason::text, done_at = @now::timestamptz
FROM (SELECT unnest(@shop_ids::text[]) AS shop_id, unnest(@return_ids::text[]) AS return_id,
        unnest(@deadlines::timestamptz[]) AS deadline) k
WHERE a.user_id = @user_id AND a.state = 'pending'
  AND a.shop_id = k.shop_id AND a.return_id = k.return_id AND a.deadline = k.deadline;

-- name: CancelPendingAlerts :execrows
-- Cancels every pending step of the seller (their settings changed: planning starts again).
UPDATE return_alerts SET state = 'cancelled', reason = @reason::text, done_at = @now::timestamptz
WHERE user_id = @user_id AND state = 'pending';

-- name: DueAlertSteps :many
-- The pending steps due at @now, locked: a second evaluator running at once skips them.
SELECT shop_id, return_id, deadline, before_minutes, action, due_at, dedupe_key
FROM return_alerts
WHERE user_id = @user_id AND state = 'pending' AND due_at <= @now
ORDER BY shop_id, return_id, deadline, before_minutes DESC
FOR UPDATE SKIP LOCKED;

-- name: FinishAlertStep :execrows
-- Marks a pending step sent or skipped; 0 rows when another evaluator finished it first.
UPDATE return_alerts SET state = @state::text, reason = @reason::text, done_at = @now::timestamptz
WHERE user_id = @user_id AND shop_id = @shop_id AND return_id = @return_id AND deadline = @deadline
  AND before_minutes = @before_minutes AND state = 'pending';

-- name: AlertRecipient :one
-- The seller's sealed address (purpose users.email) and whether it is confirmed: alerts go to confirmed ones only.
SELECT email_sealed, (email_verified_at IS NOT NULL)::boolean AS verified FROM users WHERE users.id = @user_id;
