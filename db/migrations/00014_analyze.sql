-- Statistics for the tables a sync fills, gathered on demand. The planner needs to know that a shop has many rows
-- to look an order up by its key instead of scanning the shop: a new seller's first backfill grows its share of
-- these tables from nothing, faster than autovacuum's thresholds (a share of the whole table) notice, and a server
-- may run with autovacuum off. The syncer calls this, as the owner, at log-spaced points of a backfill (see
-- syncer.analyzeAt). It returns nothing about any tenant.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION system.analyze_synced_tables() RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
    BEGIN
        ANALYZE public.orders, public.order_lines, public.returns, public.return_lines, public.statement_transactions,
            public.unsettled_orders, public.order_profits, public.daily_profit;
        RETURN true;
    END
    $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION system.analyze_synced_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system.analyze_synced_tables() TO profitline_app;

-- +goose Down
DROP FUNCTION system.analyze_synced_tables();
