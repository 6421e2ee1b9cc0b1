-- Cash flow reads the orders TikTok has not settled yet on every /cashflow and /dashboard view. unsettled_orders
-- keeps every order it ever listed (those settled since get left_at), so without this index that read scans the
-- shop's whole history to find the few weeks still open.

-- +goose Up
CREATE INDEX unsettled_orders_open ON unsettled_orders (user_id, shop_id) WHERE left_at IS NULL;

-- +goose Down
DROP INDEX unsettled_orders_open;
