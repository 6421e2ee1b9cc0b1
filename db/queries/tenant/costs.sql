-- name: ListCostSKUs :many
-- Every SKU the shop lists (skus) or has sold (order_lines), most sold first, with its units sold (a line is a
-- unit), the product's title when known, and the cost in force on @today's UTC date (has_cost false: none).
-- Effective dates in these queries are dates in UTC: a time goes in as a timestamptz and becomes its UTC date in
-- the query, and a date comes out as the timestamptz of its UTC midnight, so no pgtype reaches the Go code.
WITH listed AS (
    SELECT s.sku_id, s.seller_sku, s.product_id FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id
), sold AS (
    -- Counted from the index alone. A SKU no longer listed takes its seller SKU from its lines (the greatest, so
    -- every query here names the same one).
    SELECT l.sku_id, count(*) AS units FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id GROUP BY l.sku_id
), every_sku AS (
    SELECT coalesce(c.sku_id, s.sku_id) AS sku_id, coalesce(c.seller_sku, x.seller_sku) AS seller_sku,
        coalesce(c.product_id, x.product_id) AS product_id, coalesce(s.units, 0) AS units
    FROM listed c FULL JOIN sold s ON s.sku_id = c.sku_id
    LEFT JOIN LATERAL (
        SELECT l.seller_sku, l.product_id FROM order_lines l
        WHERE l.user_id = @user_id AND l.shop_id = @shop_id AND l.sku_id = s.sku_id AND c.sku_id IS NULL
        ORDER BY l.seller_sku DESC LIMIT 1
    ) x ON true
)
SELECT e.sku_id::text AS sku_id, e.seller_sku::text AS seller_sku, coalesce(p.title, '')::text AS title,
    e.units::bigint AS units, (k.sku_id IS NOT NULL)::boolean AS has_cost,
    coalesce((k.effective_from::timestamp AT TIME ZONE 'UTC'), '0001-01-01 00:00:00Z')::timestamptz AS effective_from,
    coalesce(k.currency, '')::text AS currency, coalesce(k.product_cost, 0)::bigint AS product_cost,
    coalesce(k.inbound_freight, 0)::bigint AS inbound_freight, coalesce(k.packaging, 0)::bigint AS packaging,
    coalesce(k.landed_cost, 0)::bigint AS landed_cost
FROM every_sku e
LEFT JOIN products p ON p.user_id = @user_id AND p.shop_id = @shop_id AND p.product_id = e.product_id
LEFT JOIN LATERAL (
    SELECT c.sku_id, c.effective_from, c.currency, c.product_cost, c.inbound_freight, c.packaging, c.landed_cost
    FROM sku_costs c
    WHERE c.user_id = @user_id AND c.shop_id = @shop_id AND c.sku_id = e.sku_id
      AND c.effective_from <= timezone('UTC', @today::timestamptz)::date
    ORDER BY c.effective_from DESC LIMIT 1
) k ON true
WHERE NOT @only_missing::boolean OR k.sku_id IS NULL
ORDER BY e.units DESC, e.seller_sku, e.sku_id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountCostSKUs :one
-- How many SKUs the shop lists or has sold, and how many of them have no cost in force on @today's UTC date.
WITH every_sku AS (
    SELECT s.sku_id FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id
    UNION
    SELECT DISTINCT l.sku_id FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id
)
SELECT count(*)::bigint AS skus,
    count(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM sku_costs c WHERE c.user_id = @user_id AND c.shop_id = @shop_id AND c.sku_id = e.sku_id
          AND c.effective_from <= timezone('UTC', @today::timestamptz)::date))::bigint AS missing
FROM every_sku e;

-- name: CostableSKUs :many
-- Every SKU the shop lists or has sold, with its seller SKU (the listing's, else the greatest of its sold lines'): what a cost may be
-- set for.
SELECT s.sku_id::text AS sku_id, s.seller_sku::text AS seller_sku
FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id
UNION ALL
SELECT u.sku_id::text, x.seller_sku::text
FROM (
    SELECT DISTINCT l.sku_id FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id
) u
CROSS JOIN LATERAL (
    SELECT l.seller_sku FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id AND l.sku_id = u.sku_id
    ORDER BY l.seller_sku DESC LIMIT 1
) x
WHERE NOT EXISTS (SELECT 1 FROM skus k WHERE k.user_id = @user_id AND k.shop_id = @shop_id AND k.sku_id = u.sku_id);

-- name: ShopCurrency :one
-- The currency the shop sells in: its orders' (the most common), else its listings', else its sold lines'; empty
-- before anything was synced.
SELECT coalesce(
    (SELECT o.currency FROM orders o WHERE o.user_id = @user_id AND o.shop_id = @shop_id
        GROUP BY o.currency ORDER BY count(*) DESC, o.currency LIMIT 1),
    (SELECT s.currency FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id
        GROUP BY s.currency ORDER BY count(*) DESC, s.currency LIMIT 1),
    (SELECT l.currency FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id
        GROUP BY l.currency ORDER BY count(*) DESC, l.currency LIMIT 1),
    '')::text AS currency;

-- name: CostInForce :one
-- The cost of one SKU in force at @at (the row with the latest effective date on or before @at's UTC date).
SELECT (effective_from::timestamp AT TIME ZONE 'UTC')::timestamptz AS effective_from, currency, product_cost,
    inbound_freight, packaging, landed_cost
FROM sku_costs
WHERE user_id = @user_id AND shop_id = @shop_id AND sku_id = @sku_id
  AND effective_from <= timezone('UTC', @at::timestamptz)::date
ORDER BY effective_from DESC LIMIT 1;

-- name: ShopCosts :many
-- Every cost row of a shop, by SKU and date: what a Lookup answers "cost at time t" from, in memory.
SELECT sku_id, (effective_from::timestamp AT TIME ZONE 'UTC')::timestamptz AS effective_from, currency,
    product_cost, inbound_freight, packaging, landed_cost
FROM sku_costs WHERE user_id = @user_id AND shop_id = @shop_id
ORDER BY sku_id, effective_from;

-- name: ExportCosts :many
-- The shop's whole cost history for the CSV export, with each SKU's seller SKU (empty when the SKU is no longer
-- listed or sold).
SELECT c.sku_id, coalesce(
        (SELECT s.seller_sku FROM skus s WHERE s.user_id = @user_id AND s.shop_id = @shop_id AND s.sku_id = c.sku_id),
        (SELECT l.seller_sku FROM order_lines l WHERE l.user_id = @user_id AND l.shop_id = @shop_id AND l.sku_id = c.sku_id
            ORDER BY l.seller_sku DESC LIMIT 1),
        '')::text AS seller_sku,
    (c.effective_from::timestamp AT TIME ZONE 'UTC')::timestamptz AS effective_from, c.currency,
    c.product_cost, c.inbound_freight, c.packaging, c.landed_cost
FROM sku_costs c WHERE c.user_id = @user_id AND c.shop_id = @shop_id
ORDER BY c.sku_id, c.effective_from;

-- name: SetSKUCost :execrows
-- Sets one SKU's cost from a date: a new date adds a row, the same date replaces its values; the same values change
-- nothing (0 rows).
INSERT INTO sku_costs (user_id, shop_id, sku_id, effective_from, currency, product_cost, inbound_freight, packaging,
    created_at, updated_at)
VALUES (@user_id, @shop_id, @sku_id, timezone('UTC', @effective_from::timestamptz)::date, @currency,
    @product_cost, @inbound_freight, @packaging, @now, @now)
ON CONFLICT (user_id, shop_id, sku_id, effective_from) DO UPDATE SET
    currency = EXCLUDED.currency, product_cost = EXCLUDED.product_cost,
    inbound_freight = EXCLUDED.inbound_freight, packaging = EXCLUDED.packaging, updated_at = EXCLUDED.updated_at
WHERE (sku_costs.currency, sku_costs.product_cost, sku_costs.inbound_freight, sku_costs.packaging)
    IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.product_cost, EXCLUDED.inbound_freight, EXCLUDED.packaging);

-- name: ApplyCosts :execrows
-- An import's rows in one statement; only new or different rows are written, so re-importing a file changes 0.
INSERT INTO sku_costs (user_id, shop_id, sku_id, effective_from, currency, product_cost, inbound_freight, packaging,
    created_at, updated_at)
SELECT @user_id::bigint, @shop_id::text, unnest(@sku_ids::text[]),
    timezone('UTC', unnest(@effective_froms::timestamptz[]))::date, unnest(@currencies::text[]),
    unnest(@product_costs::bigint[]), unnest(@inbound_freights::bigint[]), unnest(@packagings::bigint[]),
    @now::timestamptz, @now::timestamptz
ON CONFLICT (user_id, shop_id, sku_id, effective_from) DO UPDATE SET
    currency = EXCLUDED.currency, product_cost = EXCLUDED.product_cost,
    inbound_freight = EXCLUDED.inbound_freight, packaging = EXCLUDED.packaging, updated_at = EXCLUDED.updated_at
WHERE (sku_costs.currency, sku_costs.product_cost, sku_costs.inbound_freight, sku_costs.packaging)
    IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.product_cost, EXCLUDED.inbound_freight, EXCLUDED.packaging);

-- name: GetCostFallback :one
-- The shop's fallback in basis points of the sale price; has_fallback false (or no row): none.
SELECT (fallback_bps IS NOT NULL)::boolean AS has_fallback, coalesce(fallback_bps, 0)::integer AS fallback_bps
FROM shop_cost_settings WHERE user_id = @user_id AND shop_id = @shop_id;

-- name: SetCostFallback :execrows
INSERT INTO shop_cost_settings (user_id, shop_id, fallback_bps, updated_at)
VALUES (@user_id, @shop_id, CASE WHEN @has_fallback::boolean THEN @fallback_bps::integer END, @now)
ON CONFLICT (user_id, shop_id) DO UPDATE SET fallback_bps = EXCLUDED.fallback_bps, updated_at = EXCLUDED.updated_at
WHERE shop_cost_settings.fallback_bps IS DISTINCT FROM EXCLUDED.fallback_bps;
