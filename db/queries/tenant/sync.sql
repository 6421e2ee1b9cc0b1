-- name: GetSyncCursor :one
SELECT synced_to, backfill_done_at FROM sync_cursors WHERE user_id = @user_id AND shop_id = @shop_id AND resource = @resource;

-- name: AdvanceSyncCursor :exec
-- Moves the cursor forward only: a page that committed late never takes it back. done marks a finished read.
INSERT INTO sync_cursors (user_id, shop_id, resource, synced_to, updated_at, backfill_done_at, last_success_at)
VALUES (@user_id, @shop_id, @resource, @synced_to, @now, CASE WHEN @done::boolean THEN @now::timestamptz END,
    CASE WHEN @done::boolean THEN @now::timestamptz END)
ON CONFLICT (user_id, shop_id, resource) DO UPDATE SET
    synced_to = greatest(sync_cursors.synced_to, EXCLUDED.synced_to), updated_at = EXCLUDED.updated_at,
    backfill_done_at = coalesce(sync_cursors.backfill_done_at, EXCLUDED.backfill_done_at),
    last_success_at = coalesce(EXCLUDED.last_success_at, sync_cursors.last_success_at);

-- name: StartSyncRun :one
INSERT INTO sync_runs (user_id, shop_id, resource, backfill, started_at, updated_at)
VALUES (@user_id, @shop_id, @resource, @backfill, @now, @now)
RETURNING id;

-- name: RecordSyncPage :exec
-- One page committed, in the same transaction as its rows. expected is the page count TikTok's total_count implies
-- (0: keep what is known).
UPDATE sync_runs SET pages_done = pages_done + 1, records = records + @records::integer,
    written = written + @written::integer, malformed = malformed + @malformed::integer,
    pages_expected = greatest(pages_expected, @expected::integer, pages_done + 1), updated_at = @now::timestamptz
WHERE user_id = @user_id AND id = @id;

-- name: ExpectSyncPages :exec
UPDATE sync_runs SET pages_expected = @expected::integer, updated_at = @now::timestamptz WHERE user_id = @user_id AND id = @id;

-- name: FinishSyncRun :exec
UPDATE sync_runs SET status = @status::text, error = @error::text, finished_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE user_id = @user_id AND id = @id AND status = 'running';

-- name: AbandonSyncRuns :exec
-- Runs left 'running' by a worker that died: their job is being retried, so the new run supersedes them.
UPDATE sync_runs SET status = 'failed', error = 'interrupted: the worker stopped mid-run; resumed by a later run',
    finished_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE user_id = @user_id AND shop_id = @shop_id AND resource = @resource AND status = 'running';

-- name: PruneSyncRuns :exec
-- Keeps the latest runs of a shop's resource (the newest one plus as many older as the offset says).
DELETE FROM sync_runs r
WHERE r.user_id = @user_id AND r.shop_id = @shop_id AND r.resource = @resource AND r.id < (
    SELECT x.id FROM sync_runs x WHERE x.user_id = @user_id AND x.shop_id = @shop_id AND x.resource = @resource
    ORDER BY x.id DESC LIMIT 1 OFFSET @newer::integer);

-- name: LatestSyncRuns :many
-- Per shop and resource: the latest run (one index probe each, however many runs are kept), how far the data
-- reaches and when the last read finished.
SELECT s.shop_id, res.resource::text AS resource, r.id, r.backfill, r.status, r.started_at, r.updated_at, r.finished_at,
    r.pages_done, r.pages_expected, r.records, r.written, r.malformed, r.error,
    c.synced_to AS cursor_synced_to, c.last_success_at
FROM tiktok_shops s
CROSS JOIN unnest(@resources::text[]) AS res(resource)
JOIN LATERAL (
    SELECT * FROM sync_runs x
    WHERE x.user_id = s.user_id AND x.shop_id = s.shop_id AND x.resource = res.resource
    ORDER BY x.id DESC LIMIT 1
) r ON true
LEFT JOIN sync_cursors c ON c.user_id = s.user_id AND c.shop_id = s.shop_id AND c.resource = res.resource
WHERE s.user_id = @user_id
ORDER BY s.shop_id, res.resource;

-- name: KeepMalformedRecords :exec
INSERT INTO malformed_records (user_id, shop_id, resource, record_id, payload_sealed, reason_sealed, first_seen_at, last_seen_at)
SELECT @user_id::bigint, @shop_id::text, @resource::text, unnest(@record_ids::text[]), unnest(@payloads::bytea[]),
    unnest(@reasons::bytea[]), @now::timestamptz, @now::timestamptz
ON CONFLICT (user_id, shop_id, resource, record_id) DO UPDATE SET
    payload_sealed = EXCLUDED.payload_sealed, reason_sealed = EXCLUDED.reason_sealed,
    last_seen_at = EXCLUDED.last_seen_at, times_seen = malformed_records.times_seen + 1, resolved_at = NULL;

-- name: ListMalformedRecords :many
SELECT shop_id, resource, record_id, reason_sealed, first_seen_at, last_seen_at, times_seen, resolved_at
FROM malformed_records WHERE user_id = @user_id ORDER BY last_seen_at DESC, record_id LIMIT 100;

-- name: UnresolvedMalformedRecords :many
-- The records of a resource to read again, oldest first.
SELECT record_id FROM malformed_records
WHERE user_id = @user_id AND shop_id = @shop_id AND resource = @resource AND resolved_at IS NULL
    AND record_id NOT LIKE 'no-id-%'
ORDER BY first_seen_at, record_id LIMIT @max;

-- name: ResolveMalformedRecords :exec
UPDATE malformed_records SET resolved_at = @now::timestamptz
WHERE user_id = @user_id AND shop_id = @shop_id AND resource = @resource AND record_id = ANY(@record_ids::text[])
    AND resolved_at IS NULL;

-- name: DataAsOf :many
-- Per shop: when its last complete read of any resource finished (the time a frozen dashboard's data is as of).
SELECT shop_id, max(last_success_at)::timestamptz AS as_of FROM sync_cursors
WHERE user_id = @user_id AND last_success_at IS NOT NULL GROUP BY shop_id ORDER BY shop_id;

-- name: CountLiveBackfills :one
-- How many backfill runs of the shop's resources @resources other than run @id are running and committed a page
-- (or started) since @alive_since: a run left 'running' by a worker that died stops counting soon.
SELECT count(*) FROM sync_runs
WHERE user_id = @user_id AND shop_id = @shop_id AND resource = ANY(@resources::text[]) AND id <> @id
  AND backfill AND status = 'running' AND updated_at >= @alive_since;
