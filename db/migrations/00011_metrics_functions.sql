-- What /metrics reads across tenants, computed at scrape time: how far each active shop's sync lags, and how many
-- jobs the queue holds. Shop ids, resource names, job kinds and states, times and counts only: no user ids (a shop
-- connected by two sellers is one row, its oldest cursor), nothing sealed, nothing a seller typed.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION system.sync_cursors_of_active_shops() RETURNS TABLE (shop_id text, resource text, synced_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
        SELECT c.shop_id, c.resource, min(c.synced_to) FROM public.sync_cursors c
        JOIN public.tiktok_shops s ON s.user_id = c.user_id AND s.shop_id = c.shop_id
        JOIN public.tiktok_grants g ON g.user_id = s.user_id AND g.id = s.grant_id
        WHERE g.status = 'active' AND s.disconnected_at IS NULL
        GROUP BY c.shop_id, c.resource
        ORDER BY c.shop_id, c.resource
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.sync_cursors_of_active_shops() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.sync_cursors_of_active_shops() TO profitline_app;

-- plpgsql, not sql: River's migrator creates river.river_job after goose has run, so on a fresh database the table
-- does not exist yet when this function is created, and only plpgsql resolves its tables when it runs.
-- +goose StatementBegin
CREATE FUNCTION system.job_counts() RETURNS TABLE (state text, kind text, jobs bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
    AS $$
    BEGIN
        RETURN QUERY SELECT j.state::text, j.kind, count(*) FROM river.river_job j GROUP BY j.state, j.kind ORDER BY 1, 2;
    END
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.job_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.job_counts() TO profitline_app;

-- +goose Down
DROP FUNCTION system.job_counts();
DROP FUNCTION system.sync_cursors_of_active_shops();
