package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEnvelopeErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   int
		class  Class
	}{
		{"non-zero code with HTTP 200", 200, envelopeJSON(36004005, "no auth record"), 36004005, ClassGrantGone},
		{"expired token", 200, envelopeJSON(105002, "access token expired"), 105002, ClassAuthExpired},
		{"invalid token", 200, envelopeJSON(36004004, "invalid access token"), 36004004, ClassAuthInvalid},
		{"invalid token, old code", 200, envelopeJSON(101000, "invalid token"), 101000, ClassAuthInvalid},
		{"refresh token expired", 200, envelopeJSON(36004001, "refresh token expired"), 36004001, ClassGrantGone},
		{"scope missing", 200, envelopeJSON(105005, "scope not granted"), 105005, ClassScopeMissing},
		{"bad sign", 200, envelopeJSON(106001, "invalid sign"), 106001, ClassBug},
		{"missing shop cipher", 200, envelopeJSON(106013, "shop_cipher is required"), 106013, ClassBug},
		{"IP not allowed", 200, envelopeJSON(36009033, "ip not in allow list"), 36009033, ClassIPNotAllowed},
		{"rate limited by code", 200, envelopeJSON(36009002, "too many requests"), 36009002, ClassRateLimited},
		{"rate limited by status", 429, envelopeJSON(99999, "slow down"), 99999, ClassRateLimited},
		{"server error by code", 200, envelopeJSON(36009003, "internal error"), 36009003, ClassServer},
		{"HTTP 500 with an envelope", 500, envelopeJSON(36009003, "internal error"), 36009003, ClassServer},
		{"HTTP 503 with an unknown code", 503, envelopeJSON(12345, "overloaded"), 12345, ClassServer},
		{"HTTP 502 with HTML", 502, "<html>Bad Gateway</html>", 0, ClassServer},
		{"HTTP 200 with HTML", 200, "<html>captive portal</html>", 0, ClassOther},
		{"HTTP 200 with empty body", 200, "", 0, ClassOther},
		{"JSON without a code", 200, `{"data":{}}`, 0, ClassOther},
		{"code zero but HTTP 500", 500, envelopeJSON(0, "Success"), 0, ClassServer},
		{"36009004 signature", 200, envelopeJSON(36009004, "Invalid signature"), 36009004, ClassBug},
		{"36009004 timestamp", 200, envelopeJSON(36009004, "timestamp is expired"), 36009004, ClassBug},
		{"36009004 app_key", 200, envelopeJSON(36009004, "invalid app_key"), 36009004, ClassBug},
		{"36009004 shop_cipher", 200, envelopeJSON(36009004, "shop_cipher is not allowed for this api"), 36009004, ClassBug},
		{"36009004 token", 200, envelopeJSON(36009004, "access_token is invalid"), 36009004, ClassAuthInvalid},
		{"36009004 other", 200, envelopeJSON(36009004, "bad request"), 36009004, ClassOther},
		{"unknown code", 200, envelopeJSON(12019021, "order not found"), 12019021, ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseEnvelope(tt.status, http.Header{}, []byte(tt.body), testStart)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if ae.Code != tt.code || ae.Class != tt.class || ae.HTTPStatus != tt.status {
				t.Errorf("got code %d class %s status %d, want %d %s %d", ae.Code, ae.Class, ae.HTTPStatus, tt.code, tt.class, tt.status)
			}
			if tt.code != 0 && !strings.Contains(err.Error(), "20261122REQ") {
				t.Errorf("error %q lacks the request id", err)
			}
		})
	}
}

func TestEnvelopeSuccessReturnsData(t *testing.T) {
	data, err := parseEnvelope(200, http.Header{}, []byte(`{"code":0,"message":"Success","request_id":"r1","data":{"x":1}}`), testStart)
	if err != nil || string(data) != `{"x":1}` {
		t.Fatalf("data %s, err %v", data, err)
	}
}

func TestRetryAfterIsReadInSecondsOrAsADate(t *testing.T) {
	h := http.Header{}
	h.Set("Retry-After", "7")
	if got := retryAfter(h, testStart); got != 7*time.Second {
		t.Errorf("seconds: %v", got)
	}
	h.Set("Retry-After", testStart.Add(90*time.Second).Format(http.TimeFormat))
	if got := retryAfter(h, testStart); got != 90*time.Second {
		t.Errorf("date: %v", got)
	}
	h.Set("Retry-After", "soon")
	if got := retryAfter(h, testStart); got != 0 {
		t.Errorf("garbage: %v", got)
	}
}

func TestErrorsNeverCarryTokensOrSecrets(t *testing.T) {
	h := newHarness(t, reply{status: 200, body: envelopeJSON(36004001, "refresh_token=ROW_refresh_secret_value expired")})
	_, err := h.client.ExchangeCode(context.Background(), "CODE_single_use_abc123")
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{testAppSecret, "CODE_single_use_abc123", "ROW_refresh_secret_value"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}

func TestTransportErrorsNeverCarryTheURL(t *testing.T) {
	h := newHarness(t, ok("{}"))
	h.fake.srv.Close() // nothing listens: the dial fails
	_, err := h.client.ExchangeCode(context.Background(), "CODE_single_use_abc123")
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{testAppSecret, "CODE_single_use_abc123", "app_secret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}
	if ClassOf(err) != ClassOther {
		t.Errorf("a network error has class %s", ClassOf(err))
	}
}

func FuzzEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"code":0,"message":"Success","request_id":"r1","data":{"orders":[]}}`))
	f.Add(200, []byte(`{"code":105002,"message":"expired","request_id":"202611220507","data":null}`))
	f.Add(500, []byte(`{"code":36009003,"message":"x","request_id":"r"}`))
	f.Add(429, []byte(``))
	f.Add(502, []byte(`<html>`))
	f.Add(200, []byte(`{"code":1e99,"request_id":7}`))
	f.Add(200, []byte(`{"code":12345678901234567890}`))
	f.Add(200, []byte(`{"code":-1.5}`))
	f.Add(302, []byte(`null`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		data, err := parseEnvelope(status, http.Header{}, body, testStart)
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("HTTP %d accepted", status)
			}
			return
		}
		if data != nil {
			t.Fatal("data returned with an error")
		}
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("err %T is not an *APIError", err)
		}
		// Whatever a well-formed envelope says, the error repeats.
		var env struct {
			Code      *json.Number `json:"code"`
			RequestID string       `json:"request_id"`
		}
		if json.Unmarshal(body, &env) == nil && env.Code != nil {
			if code, err := strconv.ParseInt(env.Code.String(), 10, 32); err == nil {
				if int64(ae.Code) != code || ae.RequestID != env.RequestID {
					t.Fatalf("got code %d request id %q, want %d %q", ae.Code, ae.RequestID, code, env.RequestID)
				}
			}
		}
		_ = ae.Error()
	})
}
