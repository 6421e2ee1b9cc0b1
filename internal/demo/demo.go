// Package demo prepares `make run`'s demo seller: an account with a confirmed address and the sandbox's demo shops
// connected. It is for dev only: nothing in production imports it.
package demo

import (
	"context"
	"fmt"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// TimeZone is the demo seller's time zone.
const TimeZone = "America/Los_Angeles"

// Seller makes sure the demo account exists and holds a fresh grant for the sandbox's first seller, and returns the
// account and the shops connected. The sandbox keeps its tokens in memory, so every start issues new ones; its shops
// and data are the same every time.
func Seller(ctx context.Context, st *store.Store, accounts *account.Service, sb *sandbox.Sandbox, email, password string) (int64, []string, error) {
	userID, err := accounts.CreateConfirmed(ctx, email, password)
	if err != nil {
		return 0, nil, fmt.Errorf("demo: account: %w", err)
	}
	tokens, err := sb.IssueTokens("")
	if err != nil {
		return 0, nil, err
	}
	grant := shops.Grant{OpenID: tokens.OpenID, Scopes: sandbox.ReadScopes, Tokens: shops.Tokens{
		Access: tokens.AccessToken, AccessExpiresAt: tokens.AccessExpires, Refresh: tokens.RefreshToken, RefreshExpiresAt: tokens.RefreshExpires,
	}}
	for _, s := range sb.Sellers() {
		if s.OpenID == tokens.OpenID {
			grant.SellerName, grant.SellerBaseRegion = s.Name, s.Region
		}
	}
	var list []shops.Shop
	var ids []string
	for _, sh := range sb.Shops() {
		if sh.OpenID == tokens.OpenID {
			list = append(list, shops.Shop{ID: sh.ID, Name: sh.Name, Region: sh.Region, SellerType: sh.SellerType, Cipher: sh.Cipher, Code: sh.Code})
			ids = append(ids, sh.ID)
		}
	}
	err = st.InTenant(ctx, userID, func(tx *store.Tx) error {
		if _, err := shops.Save(ctx, tx, grant, list); err != nil {
			return err
		}
		// The demo shops sell in the US: their days begin at Pacific midnight, as TikTok's Seller Center shows
		// them, unless the seller picked another zone.
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil || zone.String() != "UTC" {
			return err
		}
		_, err = rollup.SetTimeZone(ctx, tx, TimeZone)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("demo: connect the sandbox shops: %w", err)
	}
	return userID, ids, nil
}
