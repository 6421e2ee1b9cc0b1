// Package connect is how a seller connects a TikTok Shop and lets it go: the OAuth state bound to their session, the
// one-time code exchange, saving the grant and its shops, and disconnecting (tokens deleted first, then TikTok told).
//
// It must never retry a code exchange, accept a state from another session, or keep a token after a disconnect.
package connect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/tiktok"
)

// stateTTL is how long a seller has on TikTok's consent page.
const stateTTL = 10 * time.Minute

// ErrBadState means the callback's state is unknown, used, expired, or from another session: the connect attempt
// must start again.
var ErrBadState = errors.New("connect: this connection attempt expired or did not start here; please start again")

// Service connects and disconnects shops.
type Service struct {
	st     *store.Store
	client *tiktok.Client
	clock  clock.Clock
	log    *slog.Logger

	// OnConnect, if set, runs after a connection is saved (the app starts the shops' first sync there).
	OnConnect func(ctx context.Context, userID int64, shopIDs []string)
	// OnDisconnect, if set, runs after a grant's tokens are deleted (the app cancels its shops' syncs there).
	OnDisconnect func(ctx context.Context, userID int64, shopIDs []string)
}

// New builds the service.
func New(st *store.Store, client *tiktok.Client, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{st: st, client: client, clock: clk, log: log}
}

// Start records a fresh state for this session and returns TikTok's consent page URL.
func (s *Service) Start(ctx context.Context, sess *session.Session) (string, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails since Go 1.24
	state := base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	err := s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		return tx.Q.InsertOAuthState(ctx, tenantdb.InsertOAuthStateParams{
			UserID: sess.UserID, StateHash: hash(state), SessionHash: sess.IDHash, CreatedAt: now, ExpiresAt: now.Add(stateTTL),
		})
	})
	if err != nil {
		return "", fmt.Errorf("connect: start: %w", err)
	}
	return s.client.AuthorizeURL(state), nil
}

// Connected is what a successful callback connected.
type Connected struct {
	GrantID       int64
	Shops         []tiktok.Shop
	MissingScopes []string
}

// Callback finishes a connection: the state must be this session's, unused and fresh; the code is exchanged once.
// ipHint is the coarse client network written to the audit log (account.IPHint).
func (s *Service) Callback(ctx context.Context, sess *session.Session, code, state string, ipHint string) (Connected, error) {
	if code == "" || state == "" {
		return Connected{}, ErrBadState
	}
	err := s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		n, err := tx.Q.ConsumeOAuthState(ctx, tenantdb.ConsumeOAuthStateParams{
			Now: s.clock.Now(), UserID: sess.UserID, StateHash: hash(state), SessionHash: sess.IDHash,
		})
		if err == nil && n != 1 {
			return ErrBadState
		}
		return err
	})
	if err != nil {
		return Connected{}, err
	}
	token, err := s.client.ExchangeCode(ctx, code)
	if err != nil {
		return Connected{}, fmt.Errorf("connect: exchange the code: %w", err)
	}
	found, err := s.client.Seller(fixedToken(token.AccessToken)).AuthorizedShops(ctx)
	if err != nil {
		return Connected{}, fmt.Errorf("connect: list authorized shops: %w", err)
	}
	var out Connected
	err = s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		list := make([]shops.Shop, len(found))
		for i, sh := range found {
			list[i] = shops.Shop{ID: sh.ID, Name: sh.Name, Region: sh.Region, SellerType: sh.SellerType, Cipher: sh.Cipher, Code: sh.Code}
		}
		id, err := shops.Save(ctx, tx, shops.Grant{
			OpenID: token.OpenID, SellerName: token.SellerName, SellerBaseRegion: token.SellerBaseRegion, Scopes: token.GrantedScopes,
			Tokens: tokensOf(token),
		}, list)
		if err != nil {
			return err
		}
		out = Connected{GrantID: id, Shops: found, MissingScopes: tiktok.MissingScopes(token.GrantedScopes)}
		return tx.Audit(ctx, "shop_connected", ipHint, map[string]any{"grant": id, "shops": len(found)})
	})
	if err == nil && s.OnConnect != nil {
		ids := make([]string, len(found))
		for i, sh := range found {
			ids[i] = sh.ID
		}
		s.OnConnect(ctx, sess.UserID, ids)
	}
	return out, err
}

// Disconnect deletes the grant's tokens at once, then asks TikTok to deauthorize each of its shops. The tokens are
// gone even if TikTok cannot be reached; that failure is logged and the seller can also revoke in Seller Center.
func (s *Service) Disconnect(ctx context.Context, userID, grantID int64, ipHint string) error {
	var access string
	var covered []tiktok.Shop
	err := s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		token, err := shops.NewTokenSource(s.st, userID, grantID, nil, s.clock).TokenIn(ctx, tx)
		if err != nil && !errors.Is(err, shops.ErrRevoked) {
			return err
		}
		access = token
		list, err := shops.List(ctx, tx)
		if err != nil {
			return err
		}
		for _, sh := range list {
			if sh.GrantID == grantID {
				covered = append(covered, tiktok.Shop{ID: sh.ShopID, Cipher: sh.Cipher})
			}
		}
		changed, err := shops.Revoke(ctx, tx, grantID, "disconnected by the seller")
		if err != nil || !changed {
			return err
		}
		return tx.Audit(ctx, "shop_disconnected", ipHint, map[string]any{"grant": grantID})
	})
	if err != nil {
		return err
	}
	if s.OnDisconnect != nil {
		ids := make([]string, len(covered))
		for i, sh := range covered {
			ids[i] = sh.ID
		}
		s.OnDisconnect(ctx, userID, ids)
	}
	if access == "" {
		return nil
	}
	seller := s.client.Seller(fixedToken(access))
	for _, sh := range covered {
		if err := seller.Deauthorize(ctx, sh); err != nil {
			s.log.Warn("connect: TikTok did not confirm the deauthorization; our tokens are deleted already",
				"user_id", userID, "shop_id", sh.ID, "err", err)
		}
	}
	return nil
}

// TokenSource is the token source the client uses for a grant: tokens from storage, refreshed through TikTok.
func (s *Service) TokenSource(userID, grantID int64) *shops.TokenSource {
	return shops.NewTokenSource(s.st, userID, grantID, func(ctx context.Context, refresh string) (shops.Tokens, error) {
		t, err := s.client.RefreshToken(ctx, refresh)
		if err != nil {
			return shops.Tokens{}, err
		}
		return tokensOf(t), nil
	}, s.clock)
}

func tokensOf(t tiktok.Token) shops.Tokens {
	return shops.Tokens{Access: t.AccessToken, AccessExpiresAt: t.AccessTokenExpiresAt, Refresh: t.RefreshToken, RefreshExpiresAt: t.RefreshTokenExpiresAt}
}

// fixedToken serves one access token and cannot refresh: for the calls right after the exchange and for a
// deauthorization after the stored tokens are gone.
type fixedToken string

func (f fixedToken) Token(context.Context) (string, error) { return string(f), nil }
func (f fixedToken) Refresh(context.Context, string) (string, error) {
	return "", errors.New("connect: this token cannot be refreshed")
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
