-- name: UsersByShop :many
SELECT user_id::bigint FROM system.users_by_shop(@shop_id) AS t(user_id);

-- name: ActiveShops :many
SELECT user_id::bigint, shop_id::text FROM system.active_shops() AS t(user_id, shop_id);
