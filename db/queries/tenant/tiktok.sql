-- name: UpsertGrant :one
-- A reconnect of the same seller authorization replaces its tokens and reactivates it.
INSERT INTO tiktok_grants (user_id, open_id, seller_name, seller_base_region, granted_scopes,
    access_token_sealed, access_token_expires_at, refresh_token_sealed, refresh_token_expires_at, created_at, updated_at)
VALUES (@user_id, @open_id, @seller_name, @seller_base_region, @granted_scopes,
    @access_token_sealed, @access_token_expires_at, @refresh_token_sealed, @refresh_token_expires_at, @now, @now)
ON CONFLICT (user_id, open_id) DO UPDATE SET
    seller_name = EXCLUDED.seller_name, seller_base_region = EXCLUDED.seller_base_region,
    granted_scopes = EXCLUDED.granted_scopes,
    access_token_sealed = EXCLUDED.access_token_sealed, access_token_expires_at = EXCLUDED.access_token_expires_at,
    refresh_token_sealed = EXCLUDED.refresh_token_sealed, refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
    status = 'active', revoked_at = NULL, revoked_reason = '', updated_at = EXCLUDED.updated_at
RETURNING id;

-- name: GetGrantForUpdate :one
-- Locks the grant: a token refresh holds this lock, so two instances never refresh one grant at once.
SELECT id, open_id, status, access_token_sealed, access_token_expires_at, refresh_token_sealed, refresh_token_expires_at
FROM tiktok_grants WHERE user_id = @user_id AND id = @id FOR UPDATE;

-- name: GetGrant :one
SELECT id, open_id, seller_name, status, granted_scopes, access_token_sealed, access_token_expires_at,
       refresh_token_expires_at, revoked_at, revoked_reason, authorization_expires_at
FROM tiktok_grants WHERE user_id = @user_id AND id = @id;

-- name: SaveGrantTokens :exec
UPDATE tiktok_grants SET access_token_sealed = @access_token_sealed, access_token_expires_at = @access_token_expires_at,
    refresh_token_sealed = @refresh_token_sealed, refresh_token_expires_at = @refresh_token_expires_at, updated_at = @now
WHERE user_id = @user_id AND id = @id AND status = 'active';

-- name: RevokeGrant :execrows
-- Deletes the tokens at once; the rows they synced stay, frozen at the last sync.
UPDATE tiktok_grants SET status = 'revoked', access_token_sealed = NULL, refresh_token_sealed = NULL,
    revoked_at = @now::timestamptz, revoked_reason = @reason, updated_at = @now::timestamptz
WHERE user_id = @user_id AND id = @id AND status = 'active';

-- name: SetAuthorizationExpiry :exec
UPDATE tiktok_grants SET authorization_expires_at = @expires_at, updated_at = @now WHERE user_id = @user_id AND id = @id;

-- name: UpsertShop :exec
INSERT INTO tiktok_shops (user_id, shop_id, grant_id, name, region, seller_type, cipher, code, connected_at)
VALUES (@user_id, @shop_id, @grant_id, @name, @region, @seller_type, @cipher, @code, @now)
ON CONFLICT (user_id, shop_id) DO UPDATE SET grant_id = EXCLUDED.grant_id, name = EXCLUDED.name,
    region = EXCLUDED.region, seller_type = EXCLUDED.seller_type, cipher = EXCLUDED.cipher, code = EXCLUDED.code,
    disconnected_at = NULL;

-- name: ListShops :many
SELECT s.shop_id, s.grant_id, s.name, s.region, s.seller_type, s.cipher, s.connected_at, s.disconnected_at,
       g.status AS grant_status, g.revoked_at, g.authorization_expires_at, g.granted_scopes, c.synced_to AS data_as_of
FROM tiktok_shops s JOIN tiktok_grants g ON g.user_id = s.user_id AND g.id = s.grant_id
LEFT JOIN sync_cursors c ON c.user_id = s.user_id AND c.shop_id = s.shop_id AND c.resource = 'orders'
WHERE s.user_id = @user_id ORDER BY s.name, s.shop_id;

-- name: DisconnectGrantShops :exec
UPDATE tiktok_shops SET disconnected_at = @now WHERE user_id = @user_id AND grant_id = @grant_id AND disconnected_at IS NULL;

-- name: InsertOAuthState :exec
INSERT INTO oauth_states (user_id, state_hash, session_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5);

-- name: ConsumeOAuthState :execrows
UPDATE oauth_states SET used_at = @now::timestamptz
WHERE user_id = @user_id AND state_hash = @state_hash AND session_hash = @session_hash
  AND used_at IS NULL AND expires_at > @now::timestamptz;

-- name: GrantOfShop :one
SELECT grant_id FROM tiktok_shops WHERE user_id = @user_id AND shop_id = @shop_id;

-- name: GetShopForSync :one
SELECT s.cipher, s.grant_id, g.status AS grant_status, s.disconnected_at
FROM tiktok_shops s JOIN tiktok_grants g ON g.user_id = s.user_id AND g.id = s.grant_id
WHERE s.user_id = @user_id AND s.shop_id = @shop_id;

-- name: GrantStatus :one
SELECT status FROM tiktok_grants WHERE user_id = @user_id AND id = @id;
