package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Webhook notification types Profitline cares about.
const (
	WebhookOrderStatusChange        = 1
	WebhookSellerDeauthorization    = 6
	WebhookAuthorizationExpiring    = 7
	WebhookCancellationStatusChange = 11
	WebhookReturnStatusChange       = 12
)

type notification struct {
	Type              int    `json:"type"`
	TTSNotificationID string `json:"tts_notification_id"`
	ShopID            string `json:"shop_id"`
	Timestamp         int64  `json:"timestamp"`
	Data              any    `json:"data"`
}

// SendWebhook posts one notification to Config.WebhookURL, signed as TikTok signs them. A
// SELLER_DEAUTHORIZATION also revokes the shop's grant, so its calls answer 36004005 from then on.
func (s *Sandbox) SendWebhook(ctx context.Context, typ int, shopID string, data any) error {
	_, err := s.sendWebhook(ctx, typ, shopID, data, 1)
	return err
}

// SendWebhookTwice delivers the same notification (same tts_notification_id, same bytes) twice, as TikTok's
// retries do, and returns its id.
func (s *Sandbox) SendWebhookTwice(ctx context.Context, typ int, shopID string, data any) (string, error) {
	return s.sendWebhook(ctx, typ, shopID, data, 2)
}

// webhookSignature is the Authorization header TikTok sends with a notification body.
func webhookSignature(appKey, appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(appKey))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Sandbox) sendWebhook(ctx context.Context, typ int, shopID string, data any, times int) (string, error) {
	sh := s.shopByID(shopID)
	if sh == nil {
		return "", fmt.Errorf("sandbox: webhook for unknown shop %q", shopID)
	}
	if s.cfg.WebhookURL == "" {
		return "", errors.New("sandbox: Config.WebhookURL is not set")
	}
	if data == nil {
		data = struct{}{}
	}
	s.mu.Lock()
	s.notifications++
	id := s.secretFor("notification", s.notifications)[4:]
	if typ == WebhookSellerDeauthorization {
		s.sellers[sh.seller].revoked = true
	}
	s.mu.Unlock()
	body, err := json.Marshal(notification{Type: typ, TTSNotificationID: id, ShopID: sh.id, Timestamp: s.now(), Data: data})
	if err != nil {
		return "", fmt.Errorf("sandbox: encode webhook: %w", err)
	}
	for range times {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
		if err != nil {
			return id, fmt.Errorf("sandbox: webhook request: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", webhookSignature(s.cfg.AppKey, s.cfg.AppSecret, body))
		resp, err := s.cfg.HTTPClient.Do(req)
		if err != nil {
			return id, fmt.Errorf("sandbox: webhook type %d for shop %s: %w", typ, sh.id, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return id, fmt.Errorf("sandbox: webhook type %d for shop %s: HTTP %d", typ, sh.id, resp.StatusCode)
		}
	}
	return id, nil
}
