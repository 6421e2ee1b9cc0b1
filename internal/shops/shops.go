// Package shops keeps the TikTok Shop authorizations a seller connected: each grant's tokens, sealed with the
// tenant's data key, refreshed under a row lock so two instances never refresh one grant at once, and deleted the
// moment access is revoked; and the shops each grant covers.
//
// It must never hold a token in clear outside a transaction that needs it, log one, or call TikTok itself: the
// refresh call is passed in.
package shops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Tokens are a grant's OAuth tokens. Refresh rotates both.
type Tokens struct {
	Access           string
	AccessExpiresAt  time.Time
	Refresh          string
	RefreshExpiresAt time.Time
}

// Grant is one seller authorization, as the token exchange returned it.
type Grant struct {
	OpenID           string
	SellerName       string
	SellerBaseRegion string
	Scopes           []string
	Tokens           Tokens
}

// Shop is one shop a grant covers.
type Shop struct {
	ID, Name, Region, SellerType, Cipher, Code string
}

// Sealing purposes; the row key is the grant's open_id, so a token copied to another grant or tenant fails to open.
const (
	purposeAccess  vault.Purpose = "tiktok_grants.access_token"
	purposeRefresh vault.Purpose = "tiktok_grants.refresh_token"
)

// ErrRevoked means the grant's access is gone: the seller must connect again.
var ErrRevoked = errors.New("shops: access to this shop was revoked; the seller must reconnect")

// Save stores a grant (replacing the tokens of the same authorization connected before) and its shops, in tx.
func Save(ctx context.Context, tx *store.Tx, g Grant, shops []Shop) (grantID int64, err error) {
	access, err := tx.Seal(ctx, purposeAccess, g.OpenID, []byte(g.Tokens.Access))
	if err != nil {
		return 0, err
	}
	refresh, err := tx.Seal(ctx, purposeRefresh, g.OpenID, []byte(g.Tokens.Refresh))
	if err != nil {
		return 0, err
	}
	now := tx.Now()
	grantID, err = tx.Q.UpsertGrant(ctx, tenantdb.UpsertGrantParams{
		UserID: tx.UserID, OpenID: g.OpenID, SellerName: g.SellerName, SellerBaseRegion: g.SellerBaseRegion,
		GrantedScopes: g.Scopes, AccessTokenSealed: access, AccessTokenExpiresAt: &g.Tokens.AccessExpiresAt,
		RefreshTokenSealed: refresh, RefreshTokenExpiresAt: &g.Tokens.RefreshExpiresAt, Now: now,
	})
	if err != nil {
		return 0, fmt.Errorf("shops: save grant: %w", err)
	}
	for _, s := range shops {
		err := tx.Q.UpsertShop(ctx, tenantdb.UpsertShopParams{
			UserID: tx.UserID, ShopID: s.ID, GrantID: grantID, Name: s.Name, Region: s.Region,
			SellerType: s.SellerType, Cipher: s.Cipher, Code: s.Code, Now: now,
		})
		if err != nil {
			return 0, fmt.Errorf("shops: save shop %s: %w", s.ID, err)
		}
	}
	return grantID, nil
}

// Revoke deletes a grant's tokens and marks it and its shops revoked, in tx. It reports whether the grant was
// still active (a second revocation, e.g. a duplicate webhook, changes nothing).
func Revoke(ctx context.Context, tx *store.Tx, grantID int64, reason string) (bool, error) {
	n, err := tx.Q.RevokeGrant(ctx, tenantdb.RevokeGrantParams{Now: tx.Now(), Reason: reason, UserID: tx.UserID, ID: grantID})
	if err != nil {
		return false, fmt.Errorf("shops: revoke grant %d: %w", grantID, err)
	}
	return n == 1, nil
}

// Refresher exchanges a refresh token for new tokens (TikTok's token refresh).
type Refresher func(ctx context.Context, refreshToken string) (Tokens, error)

// TokenSource hands out one grant's access token and refreshes it when TikTok rejects it.
type TokenSource struct {
	st      *store.Store
	userID  int64
	grantID int64
	refresh Refresher
	clock   clock.Clock
}

// NewTokenSource returns the token source of a grant.
func NewTokenSource(st *store.Store, userID, grantID int64, refresh Refresher, clk clock.Clock) *TokenSource {
	return &TokenSource{st: st, userID: userID, grantID: grantID, refresh: refresh, clock: clk}
}

// refreshAhead is how long before its expiry an access token is replaced, so calls never start with a token about
// to lapse.
const refreshAhead = 10 * time.Minute

// Token returns the current access token, or ErrRevoked. A token close to its expiry is refreshed first.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	var token string
	var expires *time.Time
	err := ts.st.InTenant(ctx, ts.userID, func(tx *store.Tx) error {
		var err error
		token, expires, err = ts.tokenIn(ctx, tx)
		return err
	})
	if err != nil || ts.refresh == nil || expires == nil || ts.clock.Now().Add(refreshAhead).Before(*expires) {
		return token, err
	}
	return ts.Refresh(ctx, token)
}

// TokenIn is the stored access token, read inside the caller's transaction (of the grant's tenant), as it is:
// without refreshing.
func (ts *TokenSource) TokenIn(ctx context.Context, tx *store.Tx) (string, error) {
	token, _, err := ts.tokenIn(ctx, tx)
	return token, err
}

func (ts *TokenSource) tokenIn(ctx context.Context, tx *store.Tx) (string, *time.Time, error) {
	g, err := tx.Q.GetGrant(ctx, tenantdb.GetGrantParams{UserID: ts.userID, ID: ts.grantID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, ErrRevoked
	}
	if err != nil {
		return "", nil, err
	}
	if g.Status != "active" || g.AccessTokenSealed == nil {
		return "", nil, ErrRevoked
	}
	b, err := tx.Open(ctx, purposeAccess, g.OpenID, g.AccessTokenSealed)
	return string(b), g.AccessTokenExpiresAt, err
}

// Refresh returns a fresh access token after TikTok rejected `rejected`. It holds the grant's row lock while it
// refreshes, so concurrent callers wait, then find the token already replaced and use it: one refresh per expiry,
// and the rotated refresh token is saved in the same transaction that read the old one.
func (ts *TokenSource) Refresh(ctx context.Context, rejected string) (string, error) {
	var token string
	err := ts.st.InTenant(ctx, ts.userID, func(tx *store.Tx) error {
		g, err := tx.Q.GetGrantForUpdate(ctx, tenantdb.GetGrantForUpdateParams{UserID: ts.userID, ID: ts.grantID})
		if err != nil {
			return err
		}
		if g.Status != "active" || g.AccessTokenSealed == nil || g.RefreshTokenSealed == nil {
			return ErrRevoked
		}
		current, err := tx.Open(ctx, purposeAccess, g.OpenID, g.AccessTokenSealed)
		if err != nil {
			return err
		}
		if string(current) != rejected {
			token = string(current) // another caller refreshed while we waited for the lock
			return nil
		}
		refresh, err := tx.Open(ctx, purposeRefresh, g.OpenID, g.RefreshTokenSealed)
		if err != nil {
			return err
		}
		fresh, err := ts.refresh(ctx, string(refresh))
		if err != nil {
			return fmt.Errorf("shops: refresh grant %d: %w", ts.grantID, err)
		}
		access, err := tx.Seal(ctx, purposeAccess, g.OpenID, []byte(fresh.Access))
		if err != nil {
			return err
		}
		rotated, err := tx.Seal(ctx, purposeRefresh, g.OpenID, []byte(fresh.Refresh))
		if err != nil {
			return err
		}
		err = tx.Q.SaveGrantTokens(ctx, tenantdb.SaveGrantTokensParams{
			AccessTokenSealed: access, AccessTokenExpiresAt: &fresh.AccessExpiresAt,
			RefreshTokenSealed: rotated, RefreshTokenExpiresAt: &fresh.RefreshExpiresAt,
			Now: ts.clock.Now(), UserID: ts.userID, ID: ts.grantID,
		})
		token = fresh.Access
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrRevoked
	}
	return token, err
}

// Connected is a shop as the seller's Settings -> Shops page shows it.
type Connected struct {
	ShopID, Name, Region, Cipher string
	GrantID                      int64
	ConnectedAt                  time.Time
	Revoked                      bool
	RevokedAt                    *time.Time
	// ReconnectBy is when TikTok said the authorization expires (UPCOMING_AUTHORIZATION_EXPIRATION).
	ReconnectBy *time.Time
	// DataAsOf is where the shop's sync has got to; nil before its first sync completes.
	DataAsOf      *time.Time
	GrantedScopes []string
}

// List returns tx's tenant's shops, revoked ones included (their data stays, frozen at the last sync).
func List(ctx context.Context, tx *store.Tx) ([]Connected, error) {
	rows, err := tx.Q.ListShops(ctx, tx.UserID)
	if err != nil {
		return nil, fmt.Errorf("shops: list: %w", err)
	}
	out := make([]Connected, 0, len(rows))
	for _, r := range rows {
		out = append(out, Connected{
			ShopID: r.ShopID, Name: r.Name, Region: r.Region, Cipher: r.Cipher, GrantID: r.GrantID, ConnectedAt: r.ConnectedAt,
			Revoked: r.GrantStatus != "active" || r.DisconnectedAt != nil, RevokedAt: r.RevokedAt,
			ReconnectBy: r.AuthorizationExpiresAt, GrantedScopes: r.GrantedScopes, DataAsOf: r.DataAsOf,
		})
	}
	return out, nil
}

// RevokeShop revokes the grant that covers shopID (a SELLER_DEAUTHORIZATION names a shop, not a grant). It reports
// whether anything changed; an unknown shop changes nothing.
func RevokeShop(ctx context.Context, tx *store.Tx, shopID, reason string) (bool, error) {
	grantID, err := tx.Q.GrantOfShop(ctx, tenantdb.GrantOfShopParams{UserID: tx.UserID, ShopID: shopID})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("shops: grant of shop %s: %w", shopID, err)
	}
	return Revoke(ctx, tx, grantID, reason)
}

// SetReconnectBy records when TikTok will end the authorization covering shopID.
func SetReconnectBy(ctx context.Context, tx *store.Tx, shopID string, at time.Time) error {
	grantID, err := tx.Q.GrantOfShop(ctx, tenantdb.GrantOfShopParams{UserID: tx.UserID, ShopID: shopID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return tx.Q.SetAuthorizationExpiry(ctx, tenantdb.SetAuthorizationExpiryParams{ExpiresAt: &at, Now: tx.Now(), UserID: tx.UserID, ID: grantID})
}
