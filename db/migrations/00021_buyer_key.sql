-- Which orders one buyer placed, without the buyer in clear: /returns counts a buyer's returns over 90 days (a
-- serial returner is flagged at three). TikTok's buyer id (user_id) is in the sealed order record only; the syncer
-- stores beside it a keyed hash of it (HMAC-SHA256 under a key derived from EMAIL_INDEX_KEY, over the seller and the
-- buyer id, cut to 16 bytes), so equal buyers of one seller have equal keys, and a key tells nothing about the buyer
-- or links sellers' buyers. Orders synced before this migration have none until TikTok changes them.

-- +goose Up
ALTER TABLE orders ADD COLUMN buyer_key bytea;
ALTER TABLE orders ALTER COLUMN buyer_key SET STATISTICS 0;
CREATE INDEX orders_by_buyer ON orders (user_id, buyer_key) WHERE buyer_key IS NOT NULL;

-- +goose Down
DROP INDEX orders_by_buyer;
ALTER TABLE orders DROP COLUMN buyer_key;
