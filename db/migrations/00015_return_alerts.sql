-- Return deadline alerts (internal/returns). TikTok auto-approves a return when the seller misses the deadline on
-- it; each open return's deadline gets a ladder of alert steps (24 h, 12 h, 4 h and 1 h before by default), planned
-- as rows here and sent as email through the outbox in the transaction that marks the step sent. A step is one row
-- per (return, deadline, step), and its dedupe_key is the outbox's, so a retry, a crash or two workers still send
-- one email per step. A deadline that moves gets new rows; the old deadline's pending rows are cancelled.

-- +goose Up
CREATE TABLE alert_settings (
    user_id        bigint      NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The ladder: minutes before a deadline at which a step fires, largest first.
    steps_minutes  integer[]   NOT NULL CHECK (cardinality(steps_minutes) BETWEEN 1 AND 8),
    -- Quiet hours in the seller's time zone, minutes after midnight; start = end means none.
    quiet_start    integer     NOT NULL CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end      integer     NOT NULL CHECK (quiet_end BETWEEN 0 AND 1439),
    email          boolean     NOT NULL,
    digest         boolean     NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE return_alerts (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id        text        NOT NULL,
    return_id      text        NOT NULL,
    deadline       timestamptz NOT NULL,
    before_minutes integer     NOT NULL, -- the step: how long before the deadline it is meant for
    action         text        NOT NULL, -- TikTok's expected action when it was planned
    due_at         timestamptz NOT NULL, -- when it fires: its time, held past quiet hours, or now for a catch-up
    state          text        NOT NULL CHECK (state IN ('pending', 'sent', 'cancelled', 'skipped')),
    reason         text        NOT NULL DEFAULT '', -- why it was cancelled or skipped, in words
    dedupe_key     text        NOT NULL,
    planned_at     timestamptz NOT NULL,
    done_at        timestamptz, -- sent, cancelled or skipped
    PRIMARY KEY (user_id, shop_id, return_id, deadline, before_minutes),
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX return_alerts_pending ON return_alerts (user_id, due_at) WHERE state = 'pending';
-- Planning reads the steps of recent deadlines (AlertSteps).
CREATE INDEX return_alerts_by_deadline ON return_alerts (user_id, deadline);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['alert_settings', 'return_alerts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO profitline_app', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The alert evaluator's one cross-tenant question: which sellers have a return with a deadline, or an alert step
-- still pending (to send or to cancel). Ids only.
-- +goose StatementBegin
CREATE FUNCTION system.users_with_return_deadlines() RETURNS TABLE (user_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
        SELECT r.user_id FROM public.returns r WHERE r.next_deadline IS NOT NULL
        UNION
        SELECT a.user_id FROM public.return_alerts a WHERE a.state = 'pending'
        ORDER BY 1
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.users_with_return_deadlines() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.users_with_return_deadlines() TO profitline_app;

-- +goose Down
DROP FUNCTION system.users_with_return_deadlines();
DROP TABLE return_alerts, alert_settings;
