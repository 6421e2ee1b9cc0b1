-- Everything else the sync engine copies from TikTok, following the orders table's pattern: the source record is
-- kept only sealed (associated data = table, user, natural key); the columns the dashboards aggregate (amounts in
-- minor units, currency, times, statuses, SKU ids) are plain; personal data never is. Rows TikTok stops returning
-- are kept. Plus the record of every sync run (progress, errors) and the records that could not be read.
--
-- A child row (an order's lines, a return's lines, a product's SKUs, a statement's transactions) is written in the
-- same transaction as its parent, so it has no foreign key to the parent: that key's check, run for every row of
-- every page, is the bulk load's most expensive step, and on a table the planner has no statistics for yet it
-- picks a prefix index and scans a third of the shop per row. Children reference users, for the account purge.

-- +goose Up
ALTER TABLE orders
    ADD COLUMN paid_time     timestamptz,
    ADD COLUMN delivery_time timestamptz,
    ADD COLUMN cancel_time   timestamptz,
    ADD COLUMN shipping_type text NOT NULL DEFAULT '';
CREATE INDEX orders_by_update_time ON orders (user_id, shop_id, update_time);

-- One unit of one SKU (TikTok has no quantity: a line is a unit).
CREATE TABLE order_lines (
    user_id           bigint  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id           text    NOT NULL,
    order_id          text    NOT NULL,
    line_id           text    NOT NULL,
    sku_id            text    NOT NULL,
    seller_sku        text    NOT NULL,
    product_id        text    NOT NULL,
    currency          text    NOT NULL,
    original_price    bigint  NOT NULL,
    sale_price        bigint  NOT NULL,
    seller_discount   bigint  NOT NULL,
    platform_discount bigint  NOT NULL,
    display_status    text    NOT NULL,
    is_gift           boolean NOT NULL,
    PRIMARY KEY (user_id, shop_id, order_id, line_id)
);
CREATE INDEX order_lines_by_sku ON order_lines (user_id, shop_id, sku_id);

CREATE TABLE returns (
    user_id            bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id            text        NOT NULL,
    return_id          text        NOT NULL,
    order_id           text        NOT NULL,
    return_type        text        NOT NULL,
    status             text        NOT NULL,
    arbitration_status text        NOT NULL,
    reason             text        NOT NULL, -- TikTok's reason code; the buyer's own words stay sealed
    create_time        timestamptz NOT NULL,
    update_time        timestamptz NOT NULL,
    currency           text        NOT NULL,
    refund_total       bigint      NOT NULL,
    refund_subtotal    bigint      NOT NULL,
    refund_shipping    bigint      NOT NULL,
    refund_tax         bigint      NOT NULL,
    -- What the seller must do and by when ([{"action": ..., "deadline": unix seconds}]); empty when nothing.
    next_actions       jsonb       NOT NULL,
    next_deadline      timestamptz, -- the earliest of next_actions' deadlines
    payload_sealed     bytea       NOT NULL,
    synced_at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, return_id)
);
CREATE INDEX returns_by_order ON returns (user_id, shop_id, order_id);
CREATE INDEX returns_open ON returns (user_id, next_deadline) WHERE next_deadline IS NOT NULL;

CREATE TABLE return_lines (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id       text   NOT NULL,
    return_id     text   NOT NULL,
    line_id       text   NOT NULL,
    order_line_id text   NOT NULL,
    sku_id        text   NOT NULL,
    seller_sku    text   NOT NULL,
    currency      text   NOT NULL,
    refund_total  bigint NOT NULL,
    PRIMARY KEY (user_id, shop_id, return_id, line_id)
);

CREATE TABLE products (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id        text        NOT NULL,
    product_id     text        NOT NULL,
    title          text        NOT NULL,
    status         text        NOT NULL,
    create_time    timestamptz NOT NULL,
    update_time    timestamptz NOT NULL,
    payload_sealed bytea       NOT NULL,
    synced_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, product_id)
);

CREATE TABLE skus (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id    text   NOT NULL,
    sku_id     text   NOT NULL,
    product_id text   NOT NULL,
    seller_sku text   NOT NULL,
    currency   text   NOT NULL,
    sale_price bigint NOT NULL,
    inventory  bigint NOT NULL,
    PRIMARY KEY (user_id, shop_id, sku_id)
);

-- A shop's daily settlement. Its transactions are read once it is first seen, and again whenever its amounts
-- change (transactions_synced_at goes back to NULL).
CREATE TABLE statements (
    user_id                bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id                text        NOT NULL,
    statement_id           text        NOT NULL,
    statement_time         timestamptz NOT NULL,
    currency               text        NOT NULL,
    revenue                bigint      NOT NULL,
    fee                    bigint      NOT NULL,
    adjustment             bigint      NOT NULL,
    shipping_cost          bigint      NOT NULL,
    net_sales              bigint      NOT NULL,
    settlement             bigint      NOT NULL,
    payment_status         text        NOT NULL,
    payment_id             text        NOT NULL,
    payload_sealed         bytea       NOT NULL,
    synced_at              timestamptz NOT NULL,
    transactions_synced_at timestamptz,
    PRIMARY KEY (user_id, shop_id, statement_id)
);
CREATE INDEX statements_by_time ON statements (user_id, shop_id, statement_time);

-- One settlement row of a statement, its money as typed columns (signed as TikTok sends them) for every fee this
-- version knows, and every other amount kept by its key in other_amounts ({"fee.new_fee": -123, ...}).
CREATE TABLE statement_transactions (
    user_id                         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id                         text        NOT NULL,
    statement_id                    text        NOT NULL,
    transaction_id                  text        NOT NULL,
    type                            text        NOT NULL,
    subtype                         text        NOT NULL,
    order_id                        text        NOT NULL,
    order_create_time               timestamptz,
    reserve_status                  text        NOT NULL,
    estimated_release_time          timestamptz,
    currency                        text        NOT NULL,
    settlement                      bigint      NOT NULL,
    revenue                         bigint      NOT NULL,
    shipping_cost                   bigint      NOT NULL,
    fee_tax                         bigint      NOT NULL,
    adjustment                      bigint      NOT NULL,
    reserve                         bigint      NOT NULL,
    subtotal_before_discount        bigint      NOT NULL,
    seller_discount                 bigint      NOT NULL,
    refund_subtotal_before_discount bigint      NOT NULL,
    seller_discount_refund          bigint      NOT NULL,
    actual_shipping_fee             bigint      NOT NULL,
    customer_paid_shipping_fee      bigint      NOT NULL,
    return_shipping_fee             bigint      NOT NULL,
    shipping_fee_discount           bigint      NOT NULL,
    fbt_fulfillment_fee             bigint      NOT NULL,
    referral_fee                    bigint      NOT NULL,
    transaction_fee                 bigint      NOT NULL,
    platform_commission             bigint      NOT NULL,
    affiliate_commission            bigint      NOT NULL,
    affiliate_partner_commission    bigint      NOT NULL,
    affiliate_ads_commission        bigint      NOT NULL,
    sfp_service_fee                 bigint      NOT NULL,
    flash_sales_service_fee         bigint      NOT NULL,
    live_specials_fee               bigint      NOT NULL,
    voucher_xtra_service_fee        bigint      NOT NULL,
    refund_administration_fee       bigint      NOT NULL,
    vat                             bigint      NOT NULL,
    gst                             bigint      NOT NULL,
    other_amounts                   jsonb       NOT NULL,
    payload_sealed                  bytea       NOT NULL,
    synced_at                       timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, statement_id, transaction_id)
);
CREATE INDEX statement_transactions_by_order ON statement_transactions (user_id, shop_id, order_id) WHERE order_id <> '';

CREATE TABLE payments (
    user_id                         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id                         text        NOT NULL,
    payment_id                      text        NOT NULL,
    create_time                     timestamptz NOT NULL,
    status                          text        NOT NULL,
    currency                        text        NOT NULL,
    amount                          bigint      NOT NULL,
    settlement_amount               bigint      NOT NULL,
    reserve_amount                  bigint      NOT NULL,
    amount_before_exchange          bigint      NOT NULL,
    amount_before_exchange_currency text        NOT NULL,
    exchange_rate                   text        NOT NULL,
    paid_time                       timestamptz,
    payload_sealed                  bytea       NOT NULL, -- the bank account, masked by TikTok, is only in here
    synced_at                       timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, payment_id)
);

CREATE TABLE withdrawals (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id        text        NOT NULL,
    withdrawal_id  text        NOT NULL,
    type           text        NOT NULL,
    status         text        NOT NULL,
    currency       text        NOT NULL,
    amount         bigint      NOT NULL,
    create_time    timestamptz NOT NULL,
    payload_sealed bytea       NOT NULL,
    synced_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, shop_id, withdrawal_id)
);

-- Orders TikTok has not settled yet, with its estimates. Each sync reads them all; one that no longer appears has
-- been settled (or cancelled) and gets left_at instead of being deleted.
CREATE TABLE unsettled_orders (
    user_id                   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id                   text        NOT NULL,
    order_id                  text        NOT NULL,
    order_create_time         timestamptz,
    estimated_settlement_time timestamptz,
    currency                  text        NOT NULL,
    settlement                bigint      NOT NULL,
    revenue                   bigint      NOT NULL,
    shipping_cost             bigint      NOT NULL,
    fee_tax                   bigint      NOT NULL,
    payload_sealed            bytea       NOT NULL,
    seen_at                   timestamptz NOT NULL, -- the start of the last sync that listed it
    left_at                   timestamptz,          -- the first sync that no longer listed it
    PRIMARY KEY (user_id, shop_id, order_id)
);

-- Each run of a shop's resource sync: what the Settings page shows, live while it runs.
CREATE TABLE sync_runs (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id             bigint      GENERATED ALWAYS AS IDENTITY,
    shop_id        text        NOT NULL,
    resource       text        NOT NULL,
    backfill       boolean     NOT NULL,
    status         text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'paused', 'failed', 'revoked')),
    started_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    pages_done     integer     NOT NULL DEFAULT 0,
    pages_expected integer     NOT NULL DEFAULT 0, -- from TikTok's total_count; 0 when unknown
    records        integer     NOT NULL DEFAULT 0,
    written        integer     NOT NULL DEFAULT 0,
    malformed      integer     NOT NULL DEFAULT 0,
    error          text        NOT NULL DEFAULT '', -- a class and a sentence, never a record's content
    PRIMARY KEY (user_id, id)
);
CREATE INDEX sync_runs_latest ON sync_runs (user_id, shop_id, resource, id DESC);
-- Only the latest runs of each shop's resource are kept (PruneSyncRuns): a shop runs about a thousand a day.

-- Records that could not be read, kept aside for inspection: the record and the reason, both sealed (a reason
-- may quote the record). Later syncs read them again by id, and mark them resolved once they read.
CREATE TABLE malformed_records (
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id        text        NOT NULL,
    resource       text        NOT NULL,
    record_id      text        NOT NULL,
    payload_sealed bytea       NOT NULL,
    reason_sealed  bytea       NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    times_seen     integer     NOT NULL DEFAULT 1,
    resolved_at    timestamptz, -- when a later read of the record succeeded
    PRIMARY KEY (user_id, shop_id, resource, record_id)
);

-- synced_to moves forward with every committed page of a time-sorted read (everything before it is stored), so a
-- crash resumes where the last page left off. backfill_done_at is when the first full read finished,
-- last_success_at when the latest did: the time the dashboard's data is "as of".
ALTER TABLE sync_cursors ADD COLUMN backfill_done_at timestamptz, ADD COLUMN last_success_at timestamptz;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['order_lines', 'returns', 'return_lines', 'products', 'skus', 'statements',
        'statement_transactions', 'payments', 'withdrawals', 'unsettled_orders', 'sync_runs', 'malformed_records']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO profitline_app', t);
    END LOOP;
END $$;
-- +goose StatementEnd
GRANT DELETE ON sync_runs TO profitline_app;

-- +goose Down
ALTER TABLE sync_cursors DROP COLUMN backfill_done_at, DROP COLUMN last_success_at;
DROP TABLE malformed_records, sync_runs, unsettled_orders, withdrawals, payments, statement_transactions, statements,
    skus, products, return_lines, returns, order_lines;
DROP INDEX orders_by_update_time;
ALTER TABLE orders DROP COLUMN paid_time, DROP COLUMN delivery_time, DROP COLUMN cancel_time, DROP COLUMN shipping_type;
