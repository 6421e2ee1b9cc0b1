package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/web"
)

// webhookSite is the shop site with production's webhook rules (no private addresses) and a job queue that takes
// webhook deliveries (insert-only, as the web process's).
func webhookSite(t *testing.T) *shopSite {
	t.Helper()
	s := newShopSite(t)
	pool, err := pgxpool.New(context.Background(), s.env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	workers := river.NewWorkers()
	river.AddWorker(workers, sellerhook.NewDeliverWorker(s.env.Store, sellerhook.NewTransport(sellerhook.TransportOptions{}), clock.System{}))
	q, err := jobs.NewClient(pool, workers, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.srv, err = web.New(web.Options{Log: slog.New(slog.DiscardHandler), PublicURL: accounttest.PublicURL, Accounts: s.st.Accounts,
		Sessions: s.st.Sessions, Store: s.env.Store, Clock: s.env.Clock, Limiter: s.st.Limiter, Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *shopSite) webhook(t *testing.T, userID int64) (sellerhook.Webhook, []sellerhook.Delivery) {
	t.Helper()
	var h sellerhook.Webhook
	var ds []sellerhook.Delivery
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if h, err = sellerhook.Get(ctx, tx); err != nil && err != sellerhook.ErrNotSet {
			return err
		}
		ds, err = sellerhook.Recent(ctx, tx, 10)
		return err
	})
	return h, ds
}

func TestABadWebhookAddressIsRefusedWithItsReason(t *testing.T) {
	s := webhookSite(t)
	cookie, userID := s.seller(t, "webhook-bad@example.com")
	for raw, want := range map[string]string{
		"":                                      "Enter the address of your webhook",
		"hooks.slack.com/services/T0/B0/x":      "is not a web address",
		"http://hooks.example.com/x":            "must start with https://",
		"https://admin:pw@hooks.example.com/x":  "must not contain a user name or password",
		"https://10.0.0.7/hook":                 "private or local network",
		"https://169.254.169.254/latest/meta":   "private or local network",
		"https://localhost:8080/hook":           "private or local network",
		"https://hooks.example.com/x#somewhere": "must not contain a # part",
	} {
		w := s.post("/settings/alerts/webhook", url.Values{"webhook_url": {raw}}, cookie)
		body := html.UnescapeString(w.Body.String())
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, want) || !strings.Contains(body, "The webhook was not saved.") {
			t.Errorf("%q: %d; want 422 saying %q", raw, w.Code, want)
		}
		if raw != "" && !strings.Contains(body, `value="`+raw+`"`) {
			t.Errorf("%q: the form does not show what was entered", raw)
		}
	}
	if h, _ := s.webhook(t, userID); h.URL != "" {
		t.Errorf("a webhook was saved: %q", h.URL)
	}
}

func TestTheWebhookIsSavedWithASecretShownToTheSellerThatRotates(t *testing.T) {
	s := webhookSite(t)
	cookie, userID := s.seller(t, "webhook@example.com")
	if body := s.get("/settings/alerts", cookie).Body.String(); !strings.Contains(body, "Webhook address") || strings.Contains(body, "Signing secret") {
		t.Fatal("the page does not offer a webhook, or shows a secret before there is one")
	}
	const hook = "https://hooks.slack.com/services/T000/B000/credential"
	w := s.post("/settings/alerts/webhook", url.Values{"webhook_url": {hook}}, cookie)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/alerts?done=webhook-saved" {
		t.Fatalf("saving: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	h, _ := s.webhook(t, userID)
	if h.URL != hook || !strings.HasPrefix(h.Secret, "plwhsec_") {
		t.Fatalf("stored %+v", h)
	}
	if body := s.get("/settings/alerts", cookie).Body.String(); !strings.Contains(body, `value="`+h.Secret+`"`) || !strings.Contains(body, sellerhook.SignatureHeader) {
		t.Error("the page does not show the signing secret and how to verify it")
	}
	// The audit names the host only: a Slack webhook's path is its credential.
	if action, detail := s.lastAudit(t, userID); action != "alerts.webhook" || detail["host"] != "hooks.slack.com" || strings.Contains(strings.Join(mapValues(detail), " "), "credential") {
		t.Errorf("audit %s %v", action, detail)
	}
	// The sealed columns hold neither the URL nor the secret in clear.
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var raw string
		err := tx.PgxTx().QueryRow(ctx, `SELECT encode(url, 'escape') || encode(secret, 'escape') FROM seller_webhooks WHERE user_id = $1`, userID).Scan(&raw)
		if strings.Contains(raw, "credential") || strings.Contains(raw, h.Secret) {
			t.Error("the webhook is stored in clear")
		}
		return err
	})

	// Saving another address keeps the secret; rotating replaces it, and the page shows the new one.
	if w := s.post("/settings/alerts/webhook", url.Values{"webhook_url": {hook + "2"}}, cookie); w.Code != http.StatusSeeOther {
		t.Fatalf("saving again: %d", w.Code)
	}
	if again, _ := s.webhook(t, userID); again.Secret != h.Secret {
		t.Error("changing the address changed the secret")
	}
	if w := s.post("/settings/alerts/webhook/rotate", nil, cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/alerts?done=webhook-rotated" {
		t.Fatalf("rotating: %d", w.Code)
	}
	rotated, _ := s.webhook(t, userID)
	body := s.get("/settings/alerts", cookie).Body.String()
	if rotated.Secret == h.Secret || !strings.Contains(body, `value="`+rotated.Secret+`"`) || strings.Contains(body, h.Secret) {
		t.Error("rotating did not replace the secret shown")
	}

	// Send a test: one delivery queued, then the rate limit.
	if w := s.post("/settings/alerts/webhook/test", nil, cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/alerts?done=webhook-test" {
		t.Fatalf("send a test: %d\n%s", w.Code, w.Body)
	}
	if _, ds := s.webhook(t, userID); len(ds) != 1 || ds[0].Kind != sellerhook.KindTest {
		t.Errorf("deliveries after a test: %+v", ds)
	}
	if !strings.Contains(s.get("/settings/alerts", cookie).Body.String(), "Latest deliveries") {
		t.Error("the page does not list the test delivery")
	}
	if w := s.post("/settings/alerts/webhook/test", nil, cookie); w.Code != http.StatusTooManyRequests {
		t.Errorf("a second test at once: %d", w.Code)
	}

	// Another seller sees none of it.
	other, otherID := s.seller(t, "webhook-other@example.com")
	if body := s.get("/settings/alerts", other).Body.String(); strings.Contains(body, rotated.Secret) || strings.Contains(body, "T000/B000") {
		t.Error("another seller sees the webhook")
	}
	if w := s.post("/settings/alerts/webhook/rotate", nil, other); w.Code != http.StatusConflict {
		t.Errorf("rotating without a webhook: %d", w.Code)
	}
	if w := s.post("/settings/alerts/webhook/test", nil, other); w.Code != http.StatusConflict {
		t.Errorf("testing without a webhook: %d", w.Code)
	}
	if h, _ := s.webhook(t, otherID); h.URL != "" {
		t.Error("the other seller has a webhook")
	}

	if w := s.post("/settings/alerts/webhook", url.Values{"remove": {"1"}}, cookie); w.Code != http.StatusSeeOther {
		t.Fatalf("removing: %d", w.Code)
	}
	if h, _ := s.webhook(t, userID); h.URL != "" || strings.Contains(s.get("/settings/alerts", cookie).Body.String(), "Signing secret") {
		t.Error("the webhook is still there after removing it")
	}
	if w := s.post("/settings/alerts/webhook", url.Values{"webhook_url": {hook}}); strings.Contains(w.Header().Get("Location"), "webhook-saved") {
		t.Error("a webhook saved without a session")
	}
}

func mapValues(m map[string]any) []string {
	var out []string
	for _, v := range m {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
