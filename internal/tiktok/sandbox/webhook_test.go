package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

type received struct {
	body []byte
	auth string
}

func webhookReceiver(t *testing.T) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{b, r.Header.Get("Authorization")})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func TestWebhookSignatureVerifies(t *testing.T) {
	srv, got := webhookReceiver(t)
	e := newEnv(t, func(c *Config) { c.WebhookURL = srv.URL })
	data := map[string]any{"order_id": e.sb.shops[0].orders[0].id, "order_status": "IN_TRANSIT", "update_time": 1773576000}
	if err := e.sb.SendWebhook(context.Background(), WebhookOrderStatusChange, e.shops[0].ID, data); err != nil {
		t.Fatal(err)
	}
	r := got()[0]
	m := hmac.New(sha256.New, []byte(e.cfg.AppSecret))
	m.Write([]byte(e.cfg.AppKey))
	m.Write(r.body)
	if want := hex.EncodeToString(m.Sum(nil)); r.auth != want {
		t.Fatalf("Authorization = %q, want %q", r.auth, want)
	}
	d := json.NewDecoder(bytesReader(r.body))
	d.UseNumber()
	var n struct {
		Type              json.Number `json:"type"`
		TTSNotificationID string      `json:"tts_notification_id"`
		ShopID            string      `json:"shop_id"`
		Timestamp         json.Number `json:"timestamp"`
		Data              map[string]any
	}
	if err := d.Decode(&n); err != nil {
		t.Fatal(err)
	}
	if n.Type != "1" || n.TTSNotificationID == "" || n.ShopID != e.shops[0].ID || n.Timestamp.String() == "" || n.Data["order_status"] != "IN_TRANSIT" {
		t.Fatalf("notification = %+v", n)
	}
}

func TestADuplicateDeliveryRepeatsTheSameNotification(t *testing.T) {
	srv, got := webhookReceiver(t)
	e := newEnv(t, func(c *Config) { c.WebhookURL = srv.URL })
	id, err := e.sb.SendWebhookTwice(context.Background(), WebhookReturnStatusChange, e.shops[0].ID, map[string]any{"return_id": "1"})
	if err != nil {
		t.Fatal(err)
	}
	r := got()
	if len(r) != 2 || string(r[0].body) != string(r[1].body) || r[0].auth != r[1].auth {
		t.Fatalf("deliveries = %d, identical = %v", len(r), len(r) == 2 && string(r[0].body) == string(r[1].body))
	}
	var n struct {
		TTSNotificationID string `json:"tts_notification_id"`
	}
	if err := json.Unmarshal(r[0].body, &n); err != nil || n.TTSNotificationID != id {
		t.Fatalf("notification id %q, want %q (%v)", n.TTSNotificationID, id, err)
	}
}

func TestASellerDeauthorizationWebhookRevokesTheGrant(t *testing.T) {
	srv, _ := webhookReceiver(t)
	e := newEnv(t, func(c *Config) { c.WebhookURL = srv.URL })
	tok := mustTokens(t, e.sb)
	e.ok(ordersReq(e, 0, "10", nil), nil)
	if err := e.sb.SendWebhook(context.Background(), WebhookSellerDeauthorization, e.shops[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	e.wantCode(ordersReq(e, 0, "10", nil), codeRevoked)
	e.wantCode(ordersReq(e, 1, "10", nil), codeRevoked)
	if res, _ := e.refresh(tok.RefreshToken); res.Code != codeRevoked {
		t.Fatalf("refresh after deauthorization: code %d, want %d", res.Code, codeRevoked)
	}
}

func TestAWebhookThatIsNotAcceptedIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	t.Cleanup(srv.Close)
	e := newEnv(t, func(c *Config) { c.WebhookURL = srv.URL })
	if err := e.sb.SendWebhook(context.Background(), WebhookAuthorizationExpiring, e.shops[0].ID, map[string]any{"expiration_time": 1}); err == nil {
		t.Fatal("a 401 answer was not reported")
	}
}
