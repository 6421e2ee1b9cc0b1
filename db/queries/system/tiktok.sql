-- name: UsersByShop :many
SELECT user_id::bigint FROM system.users_by_shop(@shop_id) AS t(user_id);
