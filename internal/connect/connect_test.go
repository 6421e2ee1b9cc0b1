package connect_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

type fixture struct {
	*accounttest.Stack
	tt  *tiktoktest.Env
	svc *connect.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := accounttest.New(t)
	tt := tiktoktest.New(t, st.Env.Clock, nil)
	return &fixture{Stack: st, tt: tt, svc: connect.New(st.Env.Store, tt.Client, st.Env.Clock, slog.New(slog.DiscardHandler))}
}

// signIn creates a seller (once) and returns a fresh session of theirs.
func (f *fixture) signIn(t *testing.T, email string) *session.Session {
	t.Helper()
	ctx := context.Background()
	_ = f.Accounts.SignUp(ctx, email, "a long enough passphrase", account.Client{IP: "192.0.2.1"})
	c, err := f.Accounts.SignIn(ctx, email, "a long enough passphrase", account.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	s, _, err := f.Sessions.Load(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) start(t *testing.T, sess *session.Session) string {
	t.Helper()
	u, err := f.svc.Start(context.Background(), sess)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	if parsed.Query().Get("service_id") != f.tt.Config.ServiceID || parsed.Query().Get("redirect_uri") != "" {
		t.Fatalf("authorize URL %s: want service_id and state only", u)
	}
	return parsed.Query().Get("state")
}

func (f *fixture) code(t *testing.T) string {
	t.Helper()
	code, err := f.tt.Sandbox.Authorize("")
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestConnectingAShopSavesItsGrantAndShopsAndTheTokensWork(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.signIn(t, "seller@example.com")
	got, err := f.svc.Callback(ctx, sess, f.code(t), f.start(t, sess), "192.0.2.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Shops) != 2 || len(got.MissingScopes) != 0 {
		t.Fatalf("connected %d shops, missing scopes %v; want the sandbox seller's 2 shops and none missing", len(got.Shops), got.MissingScopes)
	}
	var listed []shops.Connected
	_ = f.Env.Store.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		listed, err = shops.List(ctx, tx)
		return err
	})
	if len(listed) != 2 || listed[0].Revoked {
		t.Fatalf("Settings would list %+v", listed)
	}
	again, err := f.tt.Client.Seller(f.svc.TokenSource(sess.UserID, got.GrantID)).AuthorizedShops(ctx)
	if err != nil || len(again) != 2 {
		t.Fatalf("a call with the stored tokens: %d shops, %v", len(again), err)
	}
}

func TestAStateIsSingleUseBoundToItsSessionAndExpires(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.signIn(t, "seller@example.com")
	other := f.signIn(t, "seller@example.com") // the same seller in another browser
	foreign := f.signIn(t, "someone.else@example.com")

	state := f.start(t, sess)
	if _, err := f.svc.Callback(ctx, other, f.code(t), state, ""); !errors.Is(err, connect.ErrBadState) {
		t.Errorf("state from another session: %v; want ErrBadState", err)
	}
	if _, err := f.svc.Callback(ctx, foreign, f.code(t), state, ""); !errors.Is(err, connect.ErrBadState) {
		t.Errorf("state from another seller: %v; want ErrBadState", err)
	}
	if _, err := f.svc.Callback(ctx, sess, f.code(t), state, ""); err != nil {
		t.Fatalf("the right session: %v", err)
	}
	if _, err := f.svc.Callback(ctx, sess, f.code(t), state, ""); !errors.Is(err, connect.ErrBadState) {
		t.Errorf("the state replayed: %v; want ErrBadState", err)
	}
	late := f.start(t, sess)
	f.Env.Clock.Advance(10*time.Minute + time.Second)
	if _, err := f.svc.Callback(ctx, sess, f.code(t), late, ""); !errors.Is(err, connect.ErrBadState) {
		t.Errorf("a state after 10 minutes: %v; want ErrBadState", err)
	}
}

func TestAReplayedCodeIsRefusedByTikTokAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.signIn(t, "seller@example.com")
	code := f.code(t)
	got, err := f.svc.Callback(ctx, sess, code, f.start(t, sess), "")
	if err != nil {
		t.Fatal(err)
	}
	ts := f.svc.TokenSource(sess.UserID, got.GrantID)
	before, _ := ts.Token(ctx)
	_, err = f.svc.Callback(ctx, sess, code, f.start(t, sess), "")
	var apiErr *tiktok.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("a replayed code: %v; want TikTok's refusal", err)
	}
	if after, _ := ts.Token(ctx); after != before {
		t.Fatal("the refused replay replaced the stored tokens")
	}
}

func TestDisconnectDeletesTheTokensAndDeauthorizesAtTikTok(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.signIn(t, "seller@example.com")
	got, err := f.svc.Callback(ctx, sess, f.code(t), f.start(t, sess), "")
	if err != nil {
		t.Fatal(err)
	}
	cipher := got.Shops[0].Cipher
	before := f.tt.Sandbox.Calls(cipher)
	if err := f.svc.Disconnect(ctx, sess.UserID, got.GrantID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TokenSource(sess.UserID, got.GrantID).Token(ctx); !errors.Is(err, shops.ErrRevoked) {
		t.Fatalf("tokens after disconnect: %v; want them gone", err)
	}
	if f.tt.Sandbox.Calls(cipher) != before+1 {
		t.Fatalf("TikTok saw %d calls for the shop during the disconnect; want the one deauthorization", f.tt.Sandbox.Calls(cipher)-before)
	}
	if err := f.svc.Disconnect(ctx, sess.UserID, got.GrantID, ""); err != nil {
		t.Fatalf("a second disconnect: %v; want nothing to do", err)
	}
}

func TestTheClientRidesOutSandboxFaultsAndTellsAGoneGrantApart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.signIn(t, "seller@example.com")
	got, err := f.svc.Callback(ctx, sess, f.code(t), f.start(t, sess), "")
	if err != nil {
		t.Fatal(err)
	}
	ts := f.svc.TokenSource(sess.UserID, got.GrantID)
	seller := f.tt.Client.Seller(ts)
	shop := got.Shops[0]
	search := func() error {
		_, err := seller.SearchOrders(ctx, shop, tiktok.OrderQuery{PageSize: 10})
		return err
	}

	calls := f.tt.Sandbox.Calls(shop.Cipher)
	f.tt.Sandbox.SetFaults(sandbox.Faults{RateLimitNext: 3, RetryAfter: time.Second})
	if err := search(); err != nil {
		t.Fatalf("through a burst of three 429s: %v", err)
	}
	if n := f.tt.Sandbox.Calls(shop.Cipher) - calls; n != 4 {
		t.Errorf("the burst took %d calls; want 3 refused and 1 answered", n)
	}
	f.tt.Sandbox.SetFaults(sandbox.Faults{ServerErrorNext: 2})
	if err := search(); err != nil {
		t.Fatalf("through two 503s: %v", err)
	}

	before, _ := ts.Token(ctx)
	f.tt.Sandbox.SetFaults(sandbox.Faults{ExpireAccessTokens: true})
	if err := search(); err != nil {
		t.Fatalf("with an expired access token: %v", err)
	}
	after, _ := ts.Token(ctx)
	if after == before {
		t.Fatal("the expired token was not replaced in storage")
	}
	if err := search(); err != nil {
		t.Fatalf("with the refreshed token: %v", err)
	}

	f.tt.Sandbox.SetFaults(sandbox.Faults{RevokedShops: []string{shop.ID}})
	if err := search(); tiktok.ClassOf(err) != tiktok.ClassGrantGone {
		t.Fatalf("a revoked shop: %v (class %v); want ClassGrantGone", err, tiktok.ClassOf(err))
	}
	f.tt.Sandbox.SetFaults(sandbox.Faults{ExpireAccessTokens: true, RefreshFails: true})
	if err := search(); tiktok.ClassOf(err) != tiktok.ClassGrantGone {
		t.Fatalf("an expired token whose refresh fails: %v; want ClassGrantGone", err)
	}
}
