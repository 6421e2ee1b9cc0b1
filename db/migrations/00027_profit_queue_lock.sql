-- A page that queues an order already queued locks the order's entry instead of adding another (QueueProfitOrders:
-- FOR KEY SHARE SKIP LOCKED), and locking a row needs UPDATE on one of its columns. The app role gets it on seq
-- alone, an identity column GENERATED ALWAYS: no statement updates the queue, and none could give an entry a seq of
-- its choosing.

-- +goose Up
GRANT UPDATE (seq) ON profit_queue TO profitline_app;

-- +goose Down
REVOKE UPDATE (seq) ON profit_queue FROM profitline_app;
