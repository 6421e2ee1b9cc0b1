package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/mail"
)

func TestTheDevMailPageExistsOnlyWithADevOutboxAndListsItsMail(t *testing.T) {
	if w := newTestServer(t, nil).do(httptest.NewRequest(http.MethodGet, "/dev/mail", nil)); w.Code != http.StatusNotFound {
		t.Fatalf("/dev/mail without a dev outbox = %d; want 404", w.Code)
	}
	outbox := mail.NewDev(slog.New(slog.DiscardHandler), clock.NewFake(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)))
	_, err := outbox.Send(context.Background(), mail.Outgoing{IdempotencyKey: "1/verify", Message: mail.Message{
		To: "seller@example.com", Subject: "Confirm your email", Text: "Open https://localhost/verify?t=abc <tag>", HTML: "<p>x</p>",
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, func(o *Options) { o.DevMail = outbox })
	w := s.do(httptest.NewRequest(http.MethodGet, "/dev/mail", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Confirm your email") || !strings.Contains(body, "https://localhost/verify?t=abc") {
		t.Fatalf("/dev/mail = %d, missing the kept mail:\n%s", w.Code, body)
	}
	if strings.Contains(body, "<tag>") {
		t.Fatal("the mail body was not escaped")
	}
}
