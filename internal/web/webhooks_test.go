package web_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
	"github.com/profitline/profitline/internal/web"
	"github.com/profitline/profitline/internal/webhook"
)

type hooked struct {
	st      *accounttest.Stack
	tt      *tiktoktest.Env
	conn    *connect.Service
	url     string
	userID  int64
	grantID int64
	shop    tiktok.Shop
}

// newHooked runs the web server with the webhook receiver and a seller who connected the sandbox's shops; the
// sandbox sends its webhooks to the server.
func newHooked(t *testing.T) *hooked {
	t.Helper()
	ctx := context.Background()
	st := accounttest.New(t)
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	tt := tiktoktest.New(t, st.Env.Clock, func(c *sandbox.Config) { c.WebhookURL = srv.URL + "/webhooks/tiktok" })
	log := slog.New(slog.DiscardHandler)
	conn := connect.New(st.Env.Store, tt.Client, st.Env.Clock, log)
	w, err := web.New(web.Options{Log: log, PublicURL: accounttest.PublicURL, Accounts: st.Accounts, Sessions: st.Sessions,
		Store: st.Env.Store, Clock: st.Env.Clock, Connect: conn,
		Webhooks: webhook.New(st.Env.Store, tt.Config.AppKey, tt.Config.AppSecret, log)})
	if err != nil {
		t.Fatal(err)
	}
	handler = w

	_ = st.Accounts.SignUp(ctx, "hooked@example.com", "a long enough passphrase", account.Client{IP: "192.0.2.1"})
	c, err := st.Accounts.SignIn(ctx, "hooked@example.com", "a long enough passphrase", account.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, _, err := st.Sessions.Load(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := conn.Start(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	code, _ := tt.Sandbox.Authorize("")
	got, err := conn.Callback(ctx, sess, code, u.Query().Get("state"), "")
	if err != nil {
		t.Fatal(err)
	}
	return &hooked{st: st, tt: tt, conn: conn, url: srv.URL, userID: sess.UserID, grantID: got.GrantID, shop: got.Shops[0]}
}

func (h *hooked) events(t *testing.T) int {
	t.Helper()
	var n int
	if err := testenv.Connect(t, h.st.Env.DB.OwnerURL).QueryRow(context.Background(), `SELECT count(*) FROM webhook_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (h *hooked) post(t *testing.T, body []byte, authorization string) int {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPost, h.url+"/webhooks/tiktok", bytes.NewReader(body))
	r.Header.Set("Authorization", authorization)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestAWebhookWithABadSignatureIsRefusedBeforeParsing(t *testing.T) {
	h := newHooked(t)
	body := []byte(`{"type":6,"tts_notification_id":"n-1","shop_id":"` + h.shop.ID + `","timestamp":1718305585,"data":{}}`)
	good := tiktok.WebhookSignature(h.tt.Config.AppKey, h.tt.Config.AppSecret, body)
	for name, auth := range map[string]string{"none": "", "upper-case hex": strings.ToUpper(good), "Bearer prefix": "Bearer " + good, "other secret": tiktok.WebhookSignature(h.tt.Config.AppKey, "wrong", body)} {
		if code := h.post(t, body, auth); code != http.StatusUnauthorized {
			t.Errorf("%s: %d; want 401", name, code)
		}
	}
	tampered := bytes.Replace(body, []byte("n-1"), []byte("n-2"), 1)
	if code := h.post(t, tampered, good); code != http.StatusUnauthorized {
		t.Errorf("a body changed after signing: %d; want 401", code)
	}
	if n := h.events(t); n != 0 {
		t.Fatalf("%d events recorded from refused webhooks", n)
	}
	if _, err := h.conn.TokenSource(h.userID, h.grantID).Token(context.Background()); err != nil {
		t.Fatalf("an unsigned deauthorization revoked the grant: %v", err)
	}
	big := append([]byte(`{"type":1,"data":"`), bytes.Repeat([]byte("x"), 70<<10)...)
	if code := h.post(t, big, tiktok.WebhookSignature(h.tt.Config.AppKey, h.tt.Config.AppSecret, big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB body: %d; want 413", code)
	}
}

func TestADuplicateDeliveryHasOneEffect(t *testing.T) {
	h := newHooked(t)
	if _, err := h.tt.Sandbox.SendWebhookTwice(context.Background(), webhook.TypeOrderStatusChange, h.shop.ID,
		map[string]any{"order_id": "576461413238887", "order_status": "IN_TRANSIT", "update_time": 1718305585}); err != nil {
		t.Fatal(err)
	}
	if n := h.events(t); n != 1 {
		t.Fatalf("two deliveries of one notification recorded %d events; want 1", n)
	}
}

func TestASellerDeauthorizationWebhookRevokesTheGrantAtOnce(t *testing.T) {
	h := newHooked(t)
	if err := h.tt.Sandbox.SendWebhook(context.Background(), webhook.TypeSellerDeauthorization, h.shop.ID, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.conn.TokenSource(h.userID, h.grantID).Token(context.Background()); !errors.Is(err, shops.ErrRevoked) {
		t.Fatalf("after SELLER_DEAUTHORIZATION the grant's token: %v; want ErrRevoked", err)
	}
}

func TestAnUpcomingExpirationIsRecordedForTheShopsPage(t *testing.T) {
	h := newHooked(t)
	expires := h.st.Env.Clock.Now().Add(5 * 24 * time.Hour).Truncate(time.Second)
	if err := h.tt.Sandbox.SendWebhook(context.Background(), webhook.TypeUpcomingAuthExpiration, h.shop.ID, map[string]any{"expiration_time": expires.Unix()}); err != nil {
		t.Fatal(err)
	}
	var at time.Time
	if err := testenv.Connect(t, h.st.Env.DB.OwnerURL).QueryRow(context.Background(), `SELECT authorization_expires_at FROM tiktok_grants`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if !at.Equal(expires) {
		t.Fatalf("authorization_expires_at = %v; want %v", at, expires)
	}
}
