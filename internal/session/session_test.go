package session_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/vault"
)

const day = 24 * time.Hour

type fixture struct {
	env    *testenv.Env
	rdb    *redis.Client
	proxy  *testenv.Proxy
	keys   *vault.KeyRing
	spec   string
	prefix string
	m      *session.Manager
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	rdb, proxy := testenv.RedisBehindProxy(t)
	spec, _ := vault.GenerateKeySpec(1)
	keys, err := vault.ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{env: env, rdb: rdb, proxy: proxy, keys: keys, spec: spec, prefix: testenv.RedisPrefix(t, env.DB)}
	f.m = f.manager(keys)
	if err := f.m.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) manager(keys *vault.KeyRing) *session.Manager {
	return session.NewManager(f.env.Store, f.rdb, keys, f.env.Clock, session.Config{KeyPrefix: f.prefix}, slog.New(slog.DiscardHandler))
}

// signIn creates a user (or uses userID) and starts a session, returning the cookie.
func (f *fixture) signIn(t *testing.T, userID int64) (int64, *http.Cookie) {
	t.Helper()
	ctx := context.Background()
	if userID == 0 {
		var err error
		if userID, err = f.env.Store.CreateTenant(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	var c *http.Cookie
	err := f.env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		var err error
		c, err = f.m.Start(ctx, tx, session.Meta{UserAgent: "Firefox on Linux", IPHint: "203.0.113.0/24"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return userID, c
}

func load(m *session.Manager, c *http.Cookie) (*session.Session, *http.Cookie, error) {
	r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	if c != nil {
		r.AddCookie(c)
	}
	return m.Load(context.Background(), r)
}

func mustBeSignedIn(t *testing.T, m *session.Manager, c *http.Cookie, why string) (*session.Session, *http.Cookie) {
	t.Helper()
	s, fresh, err := load(m, c)
	if err != nil {
		t.Fatalf("%s: signed out (%v); want signed in", why, err)
	}
	return s, fresh
}

func mustBeSignedOut(t *testing.T, m *session.Manager, c *http.Cookie, why string) {
	t.Helper()
	if _, _, err := load(m, c); !errors.Is(err, session.ErrSignedOut) {
		t.Fatalf("%s: err = %v; want ErrSignedOut", why, err)
	}
}

func TestTheSessionCookieIsHostPrefixedSecureHTTPOnlyLaxAndSmall(t *testing.T) {
	f := newFixture(t)
	_, c := f.signIn(t, 0)
	if c.Name != "__Host-session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie = %+v", c)
	}
	if n := len(c.String()); n >= 4096 {
		t.Fatalf("Set-Cookie is %d bytes; want under 4 KB", n)
	}
	if !c.Expires.Equal(testenv.Epoch.Add(7 * day)) {
		t.Fatalf("cookie expires %v; want at the idle limit %v", c.Expires, testenv.Epoch.Add(7*day))
	}
}

func TestSevenDaysIdleSignsOut(t *testing.T) {
	f := newFixture(t)
	_, c := f.signIn(t, 0)
	f.env.Clock.Advance(7*day - time.Second)
	mustBeSignedIn(t, f.m, c, "idle 7 days less a second")
	f.env.Clock.Advance(2 * time.Second)
	mustBeSignedOut(t, f.m, c, "idle 7 days and a second")
}

func TestAnActiveSessionEndsThirtyDaysAfterSignInAndResealingKeepsIssuedAt(t *testing.T) {
	f := newFixture(t)
	_, c := f.signIn(t, 0)
	var s *session.Session
	for elapsed := time.Duration(0); elapsed+6*day < 30*day; elapsed += 6 * day {
		f.env.Clock.Advance(6 * day)
		var fresh *http.Cookie
		s, fresh = mustBeSignedIn(t, f.m, c, fmt.Sprintf("active, day %d", (elapsed+6*day)/day))
		if fresh == nil {
			t.Fatal("activity after a day did not re-seal the cookie")
		}
		if !s.IssuedAt.Equal(testenv.Epoch) {
			t.Fatalf("re-sealing moved issued-at to %v", s.IssuedAt)
		}
		c = fresh
	}
	f.env.Clock.Set(testenv.Epoch.Add(30*day - time.Second))
	_, fresh := mustBeSignedIn(t, f.m, c, "30 days less a second")
	f.env.Clock.Set(testenv.Epoch.Add(30*day + time.Second))
	mustBeSignedOut(t, f.m, fresh, "active for 30 days and a second")
}

func TestAFlippedByteOrAForeignCookieIsSignedOutNotAnError(t *testing.T) {
	f := newFixture(t)
	_, c := f.signIn(t, 0)
	for i := 0; i < len(c.Value); i += 7 {
		bad := *c
		b := []byte(c.Value)
		b[i] ^= 0x01
		bad.Value = string(b)
		mustBeSignedOut(t, f.m, &bad, fmt.Sprintf("byte %d flipped", i))
	}
	mustBeSignedOut(t, f.m, nil, "no cookie")
	mustBeSignedOut(t, f.m, &http.Cookie{Name: session.CookieName, Value: strings.Repeat("A", 5000)}, "oversized cookie")
	// A value sealed with the same keys for another cookie name does not open as the session.
	codec := session.NewCodec(f.keys, "session.cookie")
	other, err := codec.Encode("__Host-csrf", map[string]any{"s": make([]byte, 32), "u": 1, "i": 0, "l": 0})
	if err != nil {
		t.Fatal(err)
	}
	mustBeSignedOut(t, f.m, &http.Cookie{Name: session.CookieName, Value: other}, "value sealed for another cookie")
}

func TestACookieSealedUnderTheOldKeyStillWorksDuringRotation(t *testing.T) {
	f := newFixture(t)
	_, old := f.signIn(t, 0)
	newSpec, _ := vault.GenerateKeySpec(2)
	rotated, err := vault.ParseKeyRing(newSpec + "," + f.spec)
	if err != nil {
		t.Fatal(err)
	}
	m2 := f.manager(rotated)
	f.env.Clock.Advance(time.Hour)
	_, fresh := mustBeSignedIn(t, m2, old, "old-key cookie after rotation")
	onlyNew, _ := vault.ParseKeyRing(newSpec)
	mustBeSignedIn(t, f.manager(onlyNew), fresh, "re-sealed cookie under the new key alone")
	mustBeSignedOut(t, f.manager(onlyNew), old, "old-key cookie once the old key is dropped")
}

func TestReplayAfterSignOutFailsAndSignOutEverywhereEndsOtherBrowsers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, laptop := f.signIn(t, 0)
	_, phone := f.signIn(t, alice)
	_, tablet := f.signIn(t, alice)
	s, _ := mustBeSignedIn(t, f.m, laptop, "laptop")

	if n, err := f.m.Revoke(ctx, alice, [][]byte{s.IDHash}, nil); err != nil || n != 1 {
		t.Fatalf("sign out = %d, %v", n, err)
	}
	mustBeSignedOut(t, f.m, laptop, "laptop cookie replayed after sign-out")
	mustBeSignedIn(t, f.m, phone, "phone after the laptop signed out")

	p, _ := mustBeSignedIn(t, f.m, phone, "phone")
	if n, err := f.m.Revoke(ctx, alice, nil, p.IDHash); err != nil || n != 1 {
		t.Fatalf("sign out everywhere else = %d, %v; want the tablet", n, err)
	}
	mustBeSignedOut(t, f.m, tablet, "tablet after sign-out-everywhere-else")
	mustBeSignedIn(t, f.m, phone, "the browser that signed the others out")
	if n, _ := f.m.Revoke(ctx, alice, nil, nil); n != 1 {
		t.Fatalf("sign out everywhere revoked %d; want the phone", n)
	}
	mustBeSignedOut(t, f.m, phone, "phone after sign-out-everywhere")
}

func TestRevocationHoldsAndValidSessionsStayWhileRedisIsUnreachable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, laptop := f.signIn(t, 0)
	_, phone := f.signIn(t, alice)
	p, _ := mustBeSignedIn(t, f.m, phone, "phone")

	f.proxy.Cut()
	mustBeSignedIn(t, f.m, laptop, "valid laptop with Redis unreachable")
	if n, err := f.m.Revoke(ctx, alice, [][]byte{p.IDHash}, nil); err != nil || n != 1 {
		t.Fatalf("revoke with Redis unreachable = %d, %v; want it recorded in Postgres", n, err)
	}
	mustBeSignedOut(t, f.m, phone, "revoked phone with Redis unreachable")
	if err := f.m.Sync(ctx); err == nil {
		t.Fatal("Sync reported success with Redis unreachable")
	}

	// Redis is back with its data, but without the flag it missed. The next sync raises it.
	f.proxy.Restore(t)
	if err := f.m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	flag, err := f.rdb.Exists(ctx, f.prefix+"session:revoked:"+fmt.Sprintf("%x", p.IDHash)).Result()
	if err != nil || flag != 1 {
		t.Fatalf("after the sync Redis has the revocation flag: %d, %v; want 1", flag, err)
	}
	mustBeSignedOut(t, f.m, phone, "revoked phone after Redis came back")
	mustBeSignedIn(t, f.m, laptop, "valid laptop after Redis came back")
}

func TestARedisThatLostItsDataFallsBackToPostgresUntilRebuilt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, laptop := f.signIn(t, 0)
	_, phone := f.signIn(t, alice)
	p, _ := mustBeSignedIn(t, f.m, phone, "phone")
	if _, err := f.m.Revoke(ctx, alice, [][]byte{p.IDHash}, nil); err != nil {
		t.Fatal(err)
	}
	testenv.DropRedisKeys(t, f.prefix) // as if Redis restarted empty
	mustBeSignedOut(t, f.m, phone, "revoked phone after Redis lost its flags")
	mustBeSignedIn(t, f.m, laptop, "valid laptop after Redis lost its flags")
	if err := f.m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.rdb.Exists(ctx, f.prefix+"session:ready", f.prefix+"session:revoked:"+fmt.Sprintf("%x", p.IDHash)).Result(); n != 2 {
		t.Fatalf("after the rebuild %d of the ready marker and the flag exist; want 2", n)
	}
	mustBeSignedOut(t, f.m, phone, "revoked phone after the rebuild")
}

func TestASellerSeesAndRevokesOnlyTheirOwnSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, aliceCookie := f.signIn(t, 0)
	bob, _ := f.signIn(t, 0)
	a, _ := mustBeSignedIn(t, f.m, aliceCookie, "alice")
	err := f.env.Store.InTenant(ctx, bob, func(tx *store.Tx) error {
		list, err := f.m.List(ctx, tx)
		if err != nil {
			return err
		}
		if len(list) != 1 {
			t.Errorf("bob lists %d sessions; want only his own 1", len(list))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.m.Revoke(ctx, bob, [][]byte{a.IDHash}, nil); err != nil || n != 0 {
		t.Fatalf("bob revoking alice's session = %d, %v; want 0", n, err)
	}
	mustBeSignedIn(t, f.m, aliceCookie, "alice after bob tried to revoke her session")
	_ = alice
}

func TestReenteringThePasswordRenewsAuthAtButNotIssuedAt(t *testing.T) {
	f := newFixture(t)
	_, c := f.signIn(t, 0)
	f.env.Clock.Advance(time.Hour)
	s, _ := mustBeSignedIn(t, f.m, c, "an hour later")
	if !s.AuthAt.Equal(testenv.Epoch) {
		t.Fatalf("AuthAt = %v; want the sign-in time", s.AuthAt)
	}
	fresh, err := f.m.Reauthenticated(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := mustBeSignedIn(t, f.m, fresh, "after re-entering the password")
	if !s2.AuthAt.Equal(testenv.Epoch.Add(time.Hour)) || !s2.IssuedAt.Equal(testenv.Epoch) {
		t.Fatalf("after reauth: AuthAt %v, IssuedAt %v; want now and the original sign-in", s2.AuthAt, s2.IssuedAt)
	}
}
