-- The orders whose profit rows are behind their synced rows (internal/rollup: Queue and Catch up). A sync page
-- adds the ids of the orders it wrote anything of to this queue, in its transaction, instead of computing their
-- profit there; a catch-up takes ids off it and refreshes them, in the transaction that writes their profit rows.
-- So a page never waits on the shop's profit lock, a shop's first backfill computes each order once (after its
-- order, returns and settlement rows are all stored) in batches of thousands rather than twice in batches of a
-- page, and no change is lost: an id leaves the queue only with the rows computed from what it stood for.
--
-- Rows are never updated, only added and taken: an id queued again while a catch-up holds it is a new row (its own
-- seq), left for the next catch-up, where a key on the order alone would have let the catch-up take it away.

-- +goose Up
CREATE TABLE profit_queue (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shop_id  text   NOT NULL,
    seq      bigint GENERATED ALWAYS AS IDENTITY,
    order_id text   NOT NULL,
    PRIMARY KEY (user_id, shop_id, seq)
);
-- A catch-up takes every entry of the orders it computes, wherever they are in the queue (TakeQueuedOrders).
CREATE INDEX profit_queue_by_order ON profit_queue (user_id, shop_id, order_id);

ALTER TABLE profit_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE profit_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profit_queue USING (user_id = tenant_id()) WITH CHECK (user_id = tenant_id());
GRANT SELECT, INSERT, DELETE ON profit_queue TO profitline_app;

-- +goose Down
DROP TABLE profit_queue;
