-- The sync scheduler's one cross-tenant question: which shops have an active grant. Ids only.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION system.active_shops() RETURNS TABLE (user_id bigint, shop_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
        SELECT s.user_id, s.shop_id FROM public.tiktok_shops s
        JOIN public.tiktok_grants g ON g.user_id = s.user_id AND g.id = s.grant_id
        WHERE g.status = 'active' AND s.disconnected_at IS NULL
        ORDER BY s.user_id, s.shop_id
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.active_shops() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.active_shops() TO profitline_app;

-- +goose Down
DROP FUNCTION system.active_shops();
