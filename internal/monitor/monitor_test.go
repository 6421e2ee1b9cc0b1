package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/monitor"
	"github.com/profitline/profitline/internal/web"
)

// fakeTransport records events instead of sending them.
type fakeTransport struct {
	mu     sync.Mutex
	events []*sentry.Event
}

func (f *fakeTransport) Configure(sentry.ClientOptions)        {}
func (f *fakeTransport) Flush(time.Duration) bool              { return true }
func (f *fakeTransport) FlushWithContext(context.Context) bool { return true }
func (f *fakeTransport) Close()                                {}
func (f *fakeTransport) SendEvent(e *sentry.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
}

func (f *fakeTransport) json(t *testing.T) []string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

var secrets = []string{
	"sealed-session-cookie", "bearer-token-123", "oauth-code-456", "buyer.jane@example.com",
	"tok_access_789", "hunter2", "tts-access-abc", "Jane Buyer 1 Main Street",
}

func TestErrorMonitoringReceivesNoSecretsOrPersonalData(t *testing.T) {
	transport := &fakeTransport{}
	mon, err := monitor.New(monitor.Options{DSN: "https://public@sentry.example.com/1", Environment: "test", Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{
		Log:       slog.New(slog.DiscardHandler),
		PublicURL: &url.URL{Scheme: "https", Host: "app.example.com"},
		Monitor:   mon,
	})
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]echo.HandlerFunc{
		"/test/panic": func(echo.Context) error {
			panic("sync failed: access_token=tok_access_789 for buyer.jane@example.com")
		},
		"/test/error": func(echo.Context) error {
			return errors.New("token refresh failed: refresh_token=tok_access_789 password=hunter2")
		},
	}
	for path, h := range handlers {
		web.AddTestRoute(srv, http.MethodPost, path, h)
		r := httptest.NewRequest(http.MethodPost, path+"?code=oauth-code-456&state=x", strings.NewReader("name=Jane Buyer 1 Main Street"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Cookie", "__Host-session=sealed-session-cookie")
		r.Header.Set("Authorization", "Bearer bearer-token-123")
		r.Header.Set("X-Tts-Access-Token", "tts-access-abc")
		r.Header.Set("Sec-Fetch-Site", "same-origin") // passes CSRF, so the handler runs
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 500 {
			t.Fatalf("%s: status %d; want 500", path, w.Code)
		}
		body, _ := io.ReadAll(w.Body)
		for _, s := range secrets {
			if strings.Contains(string(body), s) {
				t.Errorf("%s: the 500 page shows %q", path, s)
			}
		}
	}
	mon.Flush(time.Second)
	events := transport.json(t)
	if len(events) != 2 {
		t.Fatalf("monitoring received %d events; want 2 (the panic and the error)", len(events))
	}
	for _, e := range events {
		if !strings.Contains(e, "[redacted]") || !strings.Contains(e, "/test/") {
			t.Errorf("event lacks the redacted error or the request path, so the test is not looking at it: %s", e)
		}
		for _, s := range secrets {
			if strings.Contains(e, s) {
				t.Errorf("an event sent to monitoring contains %q:\n%s", s, e)
			}
		}
	}
}

func TestScrubKeepsOnlyHarmlessHeaders(t *testing.T) {
	e := monitor.Scrub(&sentry.Event{
		Request: &sentry.Request{
			URL:     "https://app.example.com/oauth/callback?code=abc",
			Headers: map[string]string{"User-Agent": "Mozilla", "Cookie": "x", "Authorization": "y", "X-Custom-Token": "z"},
			Cookies: "x", QueryString: "code=abc", Data: "body",
		},
		User: sentry.User{ID: "42", Email: "seller@example.com", IPAddress: "198.51.100.1"},
	}, nil)
	if e.Request.URL != "https://app.example.com/oauth/callback" || e.Request.Cookies != "" || e.Request.QueryString != "" || e.Request.Data != "" {
		t.Errorf("request not scrubbed: %+v", e.Request)
	}
	if len(e.Request.Headers) != 1 || e.Request.Headers["User-Agent"] != "Mozilla" {
		t.Errorf("headers = %v; want only User-Agent", e.Request.Headers)
	}
	if e.User.ID != "42" || e.User.Email != "" || e.User.IPAddress != "" {
		t.Errorf("user = %+v; want only the id", e.User)
	}
}
