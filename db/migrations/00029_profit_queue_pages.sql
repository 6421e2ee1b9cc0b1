-- The profit queue holds a page's orders in one entry, an array of their ids, instead of one entry per order
-- (migrations 00023, 00026, 00027). A 100,000-order shop's first backfill queued 104,524 entries, one row, one index
-- entry and one foreign-key check each, and locked most of them a second time from its settlement pages: 2.2 s of
-- Postgres, the take another 0.4 s. A page now adds one row, whatever its size, and locks nothing.
--
-- An order queued again is in two entries; a catch-up merges the entries it takes (TakeProfitQueue). It takes every
-- entry it sees, computes the lowest ids (about as many as it is asked for) and queues the rest again, in its
-- transaction, as merged entries: disjoint, sorted, one take's worth each, in id order by seq. A catch-up that finds
-- only merged entries takes the first. So an order is still computed once in a first backfill, the oldest orders
-- first, and an order queued again while a catch-up holds the queue is in an entry that catch-up did not see, left
-- for the next: nothing waits, and a crash loses nothing.
--
-- No page needs the UPDATE that locking an entry needed (migration 00027): the app role keeps SELECT, INSERT and
-- DELETE. Entries queued before carry over, each shop's merged into one entry.

-- +goose Up
-- Row security is forced on the queue, for the owner too; lifted while each shop's entries are merged, inside the
-- migration's transaction.
ALTER TABLE profit_queue NO FORCE ROW LEVEL SECURITY;
ALTER TABLE profit_queue
    ADD COLUMN order_ids text[], -- distinct, in id order
    ADD COLUMN merged boolean NOT NULL DEFAULT false; -- queued again by a catch-up: disjoint from the other merged
WITH shops AS (
    SELECT user_id, shop_id, min(seq) AS seq, array_agg(DISTINCT order_id ORDER BY order_id) AS ids
    FROM profit_queue GROUP BY user_id, shop_id)
UPDATE profit_queue q SET order_ids = s.ids
FROM shops s WHERE q.user_id = s.user_id AND q.shop_id = s.shop_id AND q.seq = s.seq;
DELETE FROM profit_queue WHERE order_ids IS NULL;
ALTER TABLE profit_queue
    DROP CONSTRAINT profit_queue_pkey,
    DROP COLUMN order_id,
    ALTER COLUMN order_ids SET NOT NULL,
    ADD PRIMARY KEY (user_id, shop_id, seq);
ALTER TABLE profit_queue FORCE ROW LEVEL SECURITY;
REVOKE UPDATE (seq) ON profit_queue FROM profitline_app;

-- +goose Down
ALTER TABLE profit_queue NO FORCE ROW LEVEL SECURITY;
ALTER TABLE profit_queue ADD COLUMN order_id text;
INSERT INTO profit_queue (user_id, shop_id, order_ids, order_id)
SELECT DISTINCT user_id, shop_id, '{}'::text[], unnest(order_ids) FROM profit_queue;
DELETE FROM profit_queue WHERE order_id IS NULL;
ALTER TABLE profit_queue
    DROP CONSTRAINT profit_queue_pkey,
    DROP COLUMN order_ids,
    DROP COLUMN merged,
    ALTER COLUMN order_id SET NOT NULL,
    ADD PRIMARY KEY (user_id, shop_id, order_id, seq);
ALTER TABLE profit_queue FORCE ROW LEVEL SECURITY;
GRANT UPDATE (seq) ON profit_queue TO profitline_app;
