package shops_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

func grant(openID, access, refresh string, now time.Time) shops.Grant {
	return shops.Grant{OpenID: openID, SellerName: "Glow Beauty", SellerBaseRegion: "US",
		Scopes: []string{"seller.order.info"},
		Tokens: shops.Tokens{Access: access, AccessExpiresAt: now.Add(7 * 24 * time.Hour), Refresh: refresh, RefreshExpiresAt: now.Add(365 * 24 * time.Hour)}}
}

func save(t *testing.T, env *testenv.Env, userID int64, g shops.Grant) int64 {
	t.Helper()
	var id int64
	err := env.Store.InTenant(context.Background(), userID, func(tx *store.Tx) error {
		var err error
		id, err = shops.Save(context.Background(), tx, g, []shops.Shop{{ID: "7001", Name: "Glow US", Region: "US", Cipher: "ROW_abc"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTokensExistInTheDatabaseOnlyAsCiphertext(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	save(t, env, alice, grant("open-1", "TTP_access_canary_123", "TTP_refresh_canary_456", env.Clock.Now()))
	dump, err := exec.CommandContext(ctx, "pg_dump", "--dbname="+env.DB.OwnerURL, "--data-only").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte("open-1")) {
		t.Fatal("the dump does not hold the grant; the test is not looking at it")
	}
	for _, secret := range []string{"TTP_access_canary_123", "TTP_refresh_canary_456"} {
		if bytes.Contains(dump, []byte(secret)) {
			t.Errorf("the dump holds the token %q in clear", secret)
		}
	}
}

func TestATokenCopiedIntoAnotherSellersGrantFailsToOpenAndCallsNothing(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	bob, _ := env.Store.CreateTenant(ctx, nil)
	save(t, env, alice, grant("open-a", "alice-access", "alice-refresh", env.Clock.Now()))
	bobGrant := save(t, env, bob, grant("open-b", "bob-access", "bob-refresh", env.Clock.Now()))
	owner := testenv.Connect(t, env.DB.OwnerURL)
	_, err := owner.Exec(ctx, `UPDATE tiktok_grants b SET access_token_sealed = a.access_token_sealed, refresh_token_sealed = a.refresh_token_sealed
		FROM tiktok_grants a WHERE a.user_id = $1 AND b.user_id = $2`, alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	ts := shops.NewTokenSource(env.Store, bob, bobGrant, func(context.Context, string) (shops.Tokens, error) {
		calls.Add(1)
		return shops.Tokens{}, nil
	}, env.Clock)
	if tok, err := ts.Token(ctx); err == nil {
		t.Fatalf("bob's grant opened alice's copied token: %q", tok)
	}
	if _, err := ts.Refresh(ctx, "anything"); err == nil {
		t.Fatal("a refresh with the copied refresh token went ahead")
	}
	if calls.Load() != 0 {
		t.Fatalf("TikTok was called %d times with a token that does not belong to the grant", calls.Load())
	}
}

func TestConcurrentRefreshesCallTikTokOnceAndSaveTheRotatedTokens(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	id := save(t, env, alice, grant("open-1", "old-access", "old-refresh", env.Clock.Now()))
	var calls atomic.Int32
	refresh := func(_ context.Context, rt string) (shops.Tokens, error) {
		calls.Add(1)
		if rt != "old-refresh" {
			return shops.Tokens{}, errors.New("wrong refresh token")
		}
		time.Sleep(50 * time.Millisecond) // widen the window for a second refresher
		now := env.Clock.Now()
		return shops.Tokens{Access: "new-access", AccessExpiresAt: now.Add(time.Hour), Refresh: "new-refresh", RefreshExpiresAt: now.Add(time.Hour)}, nil
	}
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := shops.NewTokenSource(env.Store, alice, id, refresh, env.Clock) // one per "instance"
			tok, err := ts.Refresh(ctx, "old-access")
			if err != nil {
				t.Errorf("refresh %d: %v", i, err)
			}
			got[i] = tok
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("TikTok's refresh was called %d times; want once", calls.Load())
	}
	for i, tok := range got {
		if tok != "new-access" {
			t.Errorf("caller %d got %q", i, tok)
		}
	}
	// The rotated refresh token was saved: the next expiry refreshes with it.
	ts := shops.NewTokenSource(env.Store, alice, id, func(_ context.Context, rt string) (shops.Tokens, error) {
		if rt != "new-refresh" {
			t.Errorf("second refresh used %q; want the rotated refresh token", rt)
		}
		return shops.Tokens{Access: "third", Refresh: "third-refresh"}, nil
	}, env.Clock)
	if tok, err := ts.Refresh(ctx, "new-access"); err != nil || tok != "third" {
		t.Fatalf("second refresh = %q, %v", tok, err)
	}
}

func TestRevokingDeletesTheTokensAndAReconnectRestoresAccess(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	id := save(t, env, alice, grant("open-1", "access-1", "refresh-1", env.Clock.Now()))
	revoke := func() bool {
		var changed bool
		err := env.Store.InTenant(ctx, alice, func(tx *store.Tx) error {
			var err error
			changed, err = shops.Revoke(ctx, tx, id, "disconnected in Settings")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	if !revoke() || revoke() {
		t.Fatal("revoke twice: want the first to change the grant and the second to change nothing")
	}
	var nulls bool
	if err := testenv.Connect(t, env.DB.OwnerURL).QueryRow(ctx, `SELECT access_token_sealed IS NULL AND refresh_token_sealed IS NULL FROM tiktok_grants`).Scan(&nulls); err != nil || !nulls {
		t.Fatalf("tokens after revocation: deleted=%v (err %v)", nulls, err)
	}
	ts := shops.NewTokenSource(env.Store, alice, id, nil, env.Clock)
	if _, err := ts.Token(ctx); !errors.Is(err, shops.ErrRevoked) {
		t.Fatalf("Token after revocation: %v; want ErrRevoked", err)
	}
	if again := save(t, env, alice, grant("open-1", "access-2", "refresh-2", env.Clock.Now())); again != id {
		t.Fatalf("reconnecting the same authorization made grant %d; want %d reused", again, id)
	}
	if tok, err := ts.Token(ctx); err != nil || tok != "access-2" {
		t.Fatalf("Token after reconnect = %q, %v", tok, err)
	}
}

func TestATokenCloseToItsExpiryIsRefreshedBeforeUse(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	g := grant("open-1", "soon-stale", "refresh-1", env.Clock.Now())
	g.Tokens.AccessExpiresAt = env.Clock.Now().Add(time.Hour)
	id := save(t, env, alice, g)
	var calls atomic.Int32
	ts := shops.NewTokenSource(env.Store, alice, id, func(context.Context, string) (shops.Tokens, error) {
		calls.Add(1)
		now := env.Clock.Now()
		return shops.Tokens{Access: "fresh", AccessExpiresAt: now.Add(7 * 24 * time.Hour), Refresh: "refresh-2", RefreshExpiresAt: now.Add(time.Hour)}, nil
	}, env.Clock)
	if tok, _ := ts.Token(ctx); tok != "soon-stale" || calls.Load() != 0 {
		t.Fatalf("an hour before expiry: %q after %d refreshes; want the stored token, no refresh", tok, calls.Load())
	}
	env.Clock.Advance(55 * time.Minute)
	if tok, err := ts.Token(ctx); err != nil || tok != "fresh" || calls.Load() != 1 {
		t.Fatalf("five minutes before expiry: %q, %v after %d refreshes; want one refresh and the new token", tok, err, calls.Load())
	}
	if tok, _ := ts.Token(ctx); tok != "fresh" || calls.Load() != 1 {
		t.Fatalf("afterwards: %q after %d refreshes", tok, calls.Load())
	}
}
