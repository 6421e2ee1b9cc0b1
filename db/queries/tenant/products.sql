-- name: UpsertProducts :execrows
INSERT INTO products (user_id, shop_id, product_id, title, status, create_time, update_time, payload_sealed, synced_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@product_ids::text[]), unnest(@titles::text[]),
    unnest(@statuses::text[]), unnest(@create_times::timestamptz[]), unnest(@update_times::timestamptz[]),
    unnest(@payloads::bytea[]), @synced_at::timestamptz
ON CONFLICT (user_id, shop_id, product_id) DO UPDATE SET
    title = EXCLUDED.title, status = EXCLUDED.status, update_time = EXCLUDED.update_time,
    payload_sealed = EXCLUDED.payload_sealed, synced_at = EXCLUDED.synced_at
WHERE products.update_time < EXCLUDED.update_time;

-- name: UpsertSKUs :execrows
INSERT INTO skus (user_id, shop_id, sku_id, product_id, seller_sku, currency, sale_price, inventory)
SELECT @user_id::bigint, @shop_id::text, unnest(@sku_ids::text[]), unnest(@product_ids::text[]),
    unnest(@seller_skus::text[]), unnest(@currencies::text[]), unnest(@sale_prices::bigint[]),
    unnest(@inventories::bigint[])
ON CONFLICT (user_id, shop_id, sku_id) DO UPDATE SET
    product_id = EXCLUDED.product_id, seller_sku = EXCLUDED.seller_sku, currency = EXCLUDED.currency,
    sale_price = EXCLUDED.sale_price, inventory = EXCLUDED.inventory
WHERE (skus.product_id, skus.seller_sku, skus.currency, skus.sale_price, skus.inventory)
    IS DISTINCT FROM (EXCLUDED.product_id, EXCLUDED.seller_sku, EXCLUDED.currency, EXCLUDED.sale_price, EXCLUDED.inventory);

-- name: ProductTotals :one
SELECT count(*)::bigint AS products,
    (SELECT count(*) FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id)::bigint AS skus
FROM products WHERE user_id = @user_id AND shop_id = @shop_id;
