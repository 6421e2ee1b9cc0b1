package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/testenv"
)

func TestVerifyEmailCarriesTheLinkInBothBodies(t *testing.T) {
	link := "https://profitline.test/verify?token=a&b=<c>"
	m, err := mail.Render(mail.KindVerifyEmail, recipient, mail.VerifyEmail{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	if m.To != recipient || m.Subject != "Confirm your email address for Profitline" {
		t.Errorf("To %q, Subject %q", m.To, m.Subject)
	}
	if !strings.Contains(m.Text, link) || strings.HasPrefix(m.Text, "\n") {
		t.Errorf("text body does not carry the link as is, or starts with a blank line:\n%s", m.Text)
	}
	// html/template escapes the link for the attribute and the text: no markup from data.
	if !strings.Contains(m.HTML, `href="https://profitline.test/verify?token=a&amp;b=%3cc%3e"`) || strings.Contains(m.HTML, "<c>") {
		t.Errorf("HTML body does not carry the escaped link:\n%s", m.HTML)
	}
	if _, err := mail.Render("no-such-kind", recipient, nil); err == nil {
		t.Error("Render of an unknown kind succeeded")
	}
	if _, err := mail.Render(mail.KindVerifyEmail, recipient, struct{}{}); err == nil {
		t.Error("Render with data lacking the link succeeded")
	}
}

func TestAKindWithoutSubjectOrHTMLBodyFailsToLoad(t *testing.T) {
	const body = "{{define \"subject\"}}Hi{{end}}Body"
	for name, fsys := range map[string]fstest.MapFS{
		"no HTML body": {"templates/k.txt": {Data: []byte(body)}},
		"no subject":   {"templates/k.txt": {Data: []byte("Body")}, "templates/k.html": {Data: []byte("<p>Body</p>")}},
		"bad syntax":   {"templates/k.txt": {Data: []byte(body + "{{")}, "templates/k.html": {Data: []byte("<p>Body</p>")}},
	} {
		if err := mail.ParseTemplates(fsys); err == nil {
			t.Errorf("%s: the templates loaded", name)
		}
	}
	ok := fstest.MapFS{"templates/k.txt": {Data: []byte(body)}, "templates/k.html": {Data: []byte("<p>Body</p>")}}
	if err := mail.ParseTemplates(ok); err != nil {
		t.Errorf("a complete kind failed to load: %v", err)
	}
}

func TestDevKeepsTheLast100MessagesAndLogsNoBody(t *testing.T) {
	var logs bytes.Buffer
	dev := mail.NewDev(slog.New(slog.NewTextHandler(&logs, nil)), clock.NewFake(testenv.Epoch))
	ctx := context.Background()
	for i := range 105 {
		out := mail.Outgoing{Message: verifyMessage(t), IdempotencyKey: "1/verify-email/" + strconv.Itoa(i)}
		if _, err := dev.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	kept := dev.Messages()
	if len(kept) != 100 || kept[0].IdempotencyKey != "1/verify-email/104" || kept[99].IdempotencyKey != "1/verify-email/5" {
		t.Fatalf("kept %d messages, newest %q, oldest %q; want 100, from 104 down to 5",
			len(kept), kept[0].IdempotencyKey, kept[len(kept)-1].IdempotencyKey)
	}
	id, err := dev.Send(ctx, mail.Outgoing{Message: verifyMessage(t), IdempotencyKey: "1/verify-email/104"})
	if err != nil || id != kept[0].ID || len(dev.Messages()) != 100 {
		t.Errorf("a repeated idempotency key got id %q (err %v); want the first answer %q and nothing kept twice", id, err, kept[0].ID)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 105 {
		t.Errorf("Dev logged %d lines for 105 messages; want one each", len(lines))
	}
	if !strings.Contains(lines[0], recipient) || !strings.Contains(lines[0], "Confirm your email address") {
		t.Errorf("log line lacks recipient or subject: %s", lines[0])
	}
	if strings.Contains(logs.String(), "s3cr3t") || strings.Contains(logs.String(), "Please confirm") {
		t.Error("Dev logged a body or a link")
	}
}

func TestResendRejectsA4xxAndRetriesA5xxOrAConcurrentRequest(t *testing.T) {
	for _, tt := range []struct {
		status    int
		name      string
		permanent bool
	}{
		{400, "validation_error", true},
		{403, "invalid_api_key", true},
		{409, "invalid_idempotent_request", true},
		{409, "concurrent_idempotent_requests", false},
		{429, "rate_limit_exceeded", false},
		{500, "internal_server_error", false},
		{503, "", false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(`{"statusCode":` + strconv.Itoa(tt.status) + `,"name":"` + tt.name + `","message":"no"}`))
		}))
		r, err := mail.NewResend(mail.ResendConfig{APIKey: apiKey, From: from, BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Send(context.Background(), mail.Outgoing{Message: verifyMessage(t), IdempotencyKey: "1/k"})
		srv.Close()
		if err == nil || errors.Is(err, mail.ErrRejected) != tt.permanent {
			t.Errorf("%d %s: err = %v; want an error, permanent = %v", tt.status, tt.name, err, tt.permanent)
		}
		if err != nil && strings.Contains(err.Error(), apiKey) {
			t.Errorf("%d: the error quotes the API key", tt.status)
		}
	}
}

func TestNewResendRefusesABadConfiguration(t *testing.T) {
	for _, cfg := range []mail.ResendConfig{
		{From: from},
		{APIKey: apiKey, From: "not an address"},
		{APIKey: apiKey, From: "mail@profitline.test\r\nBcc: x@example.com"},
		{APIKey: apiKey, From: from, BaseURL: "ftp://resend.example"},
	} {
		if _, err := mail.NewResend(cfg); err == nil {
			t.Errorf("NewResend(%+v) succeeded", cfg)
		}
	}
}
