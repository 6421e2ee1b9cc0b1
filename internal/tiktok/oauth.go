package tiktok

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"
)

// requiredScopes are the read scopes Profitline needs, and all it ever asks for (tiktok-shop-api.md section 7).
var requiredScopes = []string{
	"seller.authorization.info",
	"seller.shop.info",
	"seller.order.info",
	"seller.return_refund.basic",
	"seller.product.basic",
	"seller.finance.info",
}

// RequiredScopes returns the scopes Profitline needs: read scopes only.
func RequiredScopes() []string { return slices.Clone(requiredScopes) }

// MissingScopes returns the required scopes not in granted, in RequiredScopes order: what to show a seller who
// must re-authorize.
func MissingScopes(granted []string) []string {
	var missing []string
	for _, s := range requiredScopes {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// AuthorizeURL is the consent page to send a seller to. It names our service and carries state back; it has no
// redirect_uri (fixed in Partner Center) and no scope parameter (the scopes are the app's, set in Partner Center).
func (c *Client) AuthorizeURL(state string) string {
	return c.cfg.AuthorizeURL + "?" + url.Values{"service_id": {c.cfg.ServiceID}, "state": {state}}.Encode()
}

// Token is a seller's grant as TikTok returned it. Both expiry times come from TikTok as absolute Unix times.
type Token struct {
	AccessToken           string // secret
	AccessTokenExpiresAt  time.Time
	RefreshToken          string // secret
	RefreshTokenExpiresAt time.Time
	OpenID                string // the seller; one grant can cover several shops
	SellerName            string
	SellerBaseRegion      string
	UserType              int // 0 = seller
	GrantedScopes         []string
}

// String describes t without its tokens.
func (t Token) String() string {
	return fmt.Sprintf("tiktok.Token{OpenID:%s AccessTokenExpiresAt:%s RefreshTokenExpiresAt:%s GrantedScopes:%v}",
		t.OpenID, t.AccessTokenExpiresAt.Format(time.RFC3339), t.RefreshTokenExpiresAt.Format(time.RFC3339), t.GrantedScopes)
}

// GoString is String, for %#v.
func (t Token) GoString() string { return t.String() }

// LogValue keeps the tokens out of structured logs.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("open_id", t.OpenID),
		slog.Time("access_token_expires_at", t.AccessTokenExpiresAt),
		slog.Time("refresh_token_expires_at", t.RefreshTokenExpiresAt))
}

type tokenWire struct {
	AccessToken          string   `json:"access_token"`
	AccessTokenExpireIn  int64    `json:"access_token_expire_in"`
	RefreshToken         string   `json:"refresh_token"`
	RefreshTokenExpireIn int64    `json:"refresh_token_expire_in"`
	OpenID               string   `json:"open_id"`
	SellerName           string   `json:"seller_name"`
	SellerBaseRegion     string   `json:"seller_base_region"`
	UserType             int      `json:"user_type"`
	GrantedScopes        []string `json:"granted_scopes"`
}

// ExchangeCode trades the code TikTok sent back with the seller for the grant's tokens. It is sent once, never
// retried: the code is single-use, so a second try could only fail. The error never contains the code.
func (c *Client) ExchangeCode(ctx context.Context, code string) (Token, error) {
	if code == "" {
		return Token{}, errors.New("tiktok: exchange: empty code")
	}
	return c.token(ctx, epExchangeCode, url.Values{
		"app_key":    {c.cfg.AppKey},
		"app_secret": {c.cfg.AppSecret},
		"auth_code":  {code},
		"grant_type": {"authorized_code"}, // TikTok's literal, not OAuth's authorization_code
	})
}

// RefreshToken trades a refresh token for new tokens. TikTok rotates the refresh token too: the caller must store
// both, atomically, before using either.
func (c *Client) RefreshToken(ctx context.Context, refreshToken string) (Token, error) {
	if refreshToken == "" {
		return Token{}, errors.New("tiktok: refresh: empty refresh token")
	}
	return c.token(ctx, epRefreshToken, url.Values{
		"app_key":       {c.cfg.AppKey},
		"app_secret":    {c.cfg.AppSecret},
		"refresh_token": {refreshToken},
		"grant_type":    {"refresh_token"},
	})
}

func (c *Client) token(ctx context.Context, ep endpointID, q url.Values) (Token, error) {
	data, err := c.exec(ctx, nil, call{ep: ep, query: q})
	if err != nil {
		return Token{}, err
	}
	var w tokenWire
	if err := decodeData(data, &w); err != nil {
		return Token{}, fmt.Errorf("tiktok: %s: %w", endpoints[ep].Name, err)
	}
	if w.AccessToken == "" || w.RefreshToken == "" {
		return Token{}, fmt.Errorf("tiktok: %s: the response lacks a token", endpoints[ep].Name)
	}
	return Token{
		AccessToken:           w.AccessToken,
		AccessTokenExpiresAt:  unixTime(w.AccessTokenExpireIn),
		RefreshToken:          w.RefreshToken,
		RefreshTokenExpiresAt: unixTime(w.RefreshTokenExpireIn),
		OpenID:                w.OpenID,
		SellerName:            w.SellerName,
		SellerBaseRegion:      w.SellerBaseRegion,
		UserType:              w.UserType,
		GrantedScopes:         w.GrantedScopes,
	}, nil
}

// unixTime reads TikTok's Unix seconds; 0 means absent and gives the zero time.
func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
