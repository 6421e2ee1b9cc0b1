package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

type testServer struct {
	*Server
	logs *bytes.Buffer
}

func newTestServer(t *testing.T, mutate func(*Options)) testServer {
	t.Helper()
	logs := &bytes.Buffer{}
	opts := Options{
		Log:       slog.New(slog.NewTextHandler(logs, nil)),
		PublicURL: &url.URL{Scheme: "https", Host: "app.example.com"},
		BodyLimit: "1K",
		Ready:     map[string]Pinger{"database": pingerFunc(func(context.Context) error { return nil })},
	}
	if mutate != nil {
		mutate(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.echo.GET("/test/panic", func(echo.Context) error { panic("boom: access_token=tok_live_secret") })
	s.echo.GET("/test/fail", func(echo.Context) error { return errors.New("db exploded with password=hunter2") })
	s.echo.POST("/test/form", func(c echo.Context) error { return c.String(http.StatusOK, "accepted") })
	return testServer{Server: s, logs: logs}
}

type pingerFunc func(context.Context) error

func (f pingerFunc) Ping(ctx context.Context) error { return f(ctx) }

func (s testServer) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	s := newTestServer(t, nil)
	cases := map[string]*http.Request{
		"page":        httptest.NewRequest(http.MethodGet, "/", nil),
		"not found":   httptest.NewRequest(http.MethodGet, "/no/such/page", nil),
		"trace":       httptest.NewRequest(http.MethodTrace, "/", nil),
		"too large":   formRequest("/test/form", strings.Repeat("x", 4096)),
		"panic":       httptest.NewRequest(http.MethodGet, "/test/panic", nil),
		"error":       httptest.NewRequest(http.MethodGet, "/test/fail", nil),
		"csrf reject": formRequest("/test/form", "a=b"),
		"health":      httptest.NewRequest(http.MethodGet, "/healthz", nil),
	}
	wantStatus := map[string]int{"page": 200, "not found": 404, "trace": 405, "too large": 413, "panic": 500,
		"error": 500, "csrf reject": 403, "health": 200}
	nonces := map[string]bool{}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			w := s.do(r)
			if w.Code != wantStatus[name] {
				t.Fatalf("status %d; want %d", w.Code, wantStatus[name])
			}
			h := w.Header()
			checks := map[string]string{
				"Strict-Transport-Security": `^max-age=(\d{8,}); includeSubDomains$`,
				"Content-Security-Policy": `^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}';.*object-src 'none'; ` +
					`base-uri 'none'; frame-ancestors 'none'`,
				"X-Content-Type-Options": `^nosniff$`,
				"Referrer-Policy":        `^strict-origin-when-cross-origin$`,
				"X-Request-Id":           `^[0-9a-f]{24}$`,
				"Cache-Control":          `^no-store$`,
			}
			for header, pattern := range checks {
				if !regexp.MustCompile(pattern).MatchString(h.Get(header)) {
					t.Errorf("%s = %q; want %s", header, h.Get(header), pattern)
				}
			}
			nonces[h.Get("Content-Security-Policy")] = true
		})
	}
	if len(nonces) != len(cases) {
		t.Errorf("CSP nonces repeat across responses: %d distinct of %d", len(nonces), len(cases))
	}
}

func TestServerErrorsShowAGenericPageWithTheRequestID(t *testing.T) {
	s := newTestServer(t, nil)
	for _, path := range []string{"/test/panic", "/test/fail"} {
		w := s.do(httptest.NewRequest(http.MethodGet, path, nil))
		body := w.Body.String()
		id := w.Header().Get("X-Request-Id")
		if w.Code != 500 || !strings.Contains(body, id) || !strings.Contains(body, "Something went wrong") {
			t.Errorf("%s: status %d; body lacks the request id %s or the generic heading", path, w.Code, id)
		}
		for _, leak := range []string{"boom", "tok_live_secret", "exploded", "hunter2", "goroutine", ".go:"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the error page shows %q", path, leak)
			}
		}
		if !strings.Contains(s.logs.String(), id) {
			t.Errorf("%s: the log has no line with request id %s", path, id)
		}
		for _, secret := range []string{"tok_live_secret", "hunter2"} {
			if strings.Contains(s.logs.String(), secret) {
				t.Errorf("%s: the log holds the secret %q from the error", path, secret)
			}
		}
	}
}

func TestLogsNeverHoldQueryStringsCookiesOrBodies(t *testing.T) {
	s := newTestServer(t, nil)
	r := httptest.NewRequest(http.MethodPost, "/test/form?code=oauth-code-123&state=s", strings.NewReader("password=hunter2"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", "__Host-session=sealed-cookie-value")
	r.Header.Set("Authorization", "Bearer api-token-xyz")
	s.do(r)
	s.do(httptest.NewRequest(http.MethodGet, "/?code=oauth-code-123", nil))
	logs := s.logs.String()
	if !strings.Contains(logs, "path=/test/form") {
		t.Fatalf("no access log line for the request:\n%s", logs)
	}
	for _, secret := range []string{"oauth-code-123", "hunter2", "sealed-cookie-value", "api-token-xyz"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestStateChangingRequestsNeedTheCSRFToken(t *testing.T) {
	s := newTestServer(t, nil)
	page := s.do(httptest.NewRequest(http.MethodGet, "/", nil))
	var cookie *http.Cookie
	for _, c := range page.Result().Cookies() {
		if c.Name == "__Host-csrf" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.Path != "/" || cookie.SameSite != http.SameSiteLaxMode || cookie.Domain != "" {
		t.Fatalf("CSRF cookie = %+v; want __Host- prefixed, Secure, HttpOnly, Path=/, SameSite=Lax, no Domain", cookie)
	}
	post := func(token string, extra func(*http.Request)) int {
		r := formRequest("/test/form", "csrf_token="+url.QueryEscape(token))
		r.AddCookie(cookie)
		if extra != nil {
			extra(r)
		}
		return s.do(r).Code
	}
	if code := post("", nil); code != http.StatusForbidden {
		t.Errorf("POST without a token: %d; want 403", code)
	}
	if code := post("forged-token-value-of-32-chars!!", nil); code != http.StatusForbidden {
		t.Errorf("POST with a wrong token: %d; want 403", code)
	}
	if code := post(cookie.Value, nil); code != http.StatusOK {
		t.Errorf("POST with the cookie's token: %d; want 200", code)
	}
	crossSite := func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }
	if code := post("", crossSite); code != http.StatusForbidden {
		t.Errorf("cross-site POST without a token: %d; want 403", code)
	}
}

func TestPlainHTTPPagesRedirectToHTTPSButWebhooksDoNot(t *testing.T) {
	proxy := netip.MustParsePrefix("10.1.2.3/32")
	s := newTestServer(t, func(o *Options) { o.ForceHTTPS = true; o.TrustedProxies = []netip.Prefix{proxy} })
	s.echo.POST("/webhooks/test", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	w := s.do(httptest.NewRequest(http.MethodGet, "http://evil.example/orders?page=2", nil))
	if w.Code != http.StatusPermanentRedirect || w.Header().Get("Location") != "https://app.example.com/orders?page=2" {
		t.Errorf("plain http: %d to %q; want 308 to the public https address (not the Host header)", w.Code, w.Header().Get("Location"))
	}
	spoofed := httptest.NewRequest(http.MethodGet, "/", nil)
	spoofed.Header.Set("X-Forwarded-Proto", "https")
	if w := s.do(spoofed); w.Code != http.StatusPermanentRedirect {
		t.Errorf("X-Forwarded-Proto from an untrusted client was believed: %d", w.Code)
	}
	viaProxy := httptest.NewRequest(http.MethodGet, "/", nil)
	viaProxy.RemoteAddr = "10.1.2.3:4000"
	viaProxy.Header.Set("X-Forwarded-Proto", "https")
	if w := s.do(viaProxy); w.Code != http.StatusOK {
		t.Errorf("https via the trusted proxy: %d; want 200", w.Code)
	}
	if w := s.do(httptest.NewRequest(http.MethodPost, "/webhooks/test", strings.NewReader("{}"))); w.Code != http.StatusNoContent {
		t.Errorf("webhook over plain http: %d; want it served, not redirected", w.Code)
	}
}

func TestTheClientAddressComesFromForwardedHeadersOnlyViaTrustedProxies(t *testing.T) {
	s := newTestServer(t, func(o *Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	var seen string
	s.echo.GET("/test/ip", func(c echo.Context) error { seen = c.RealIP(); return nil })
	r := httptest.NewRequest(http.MethodGet, "/test/ip", nil)
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	s.do(r)
	if seen != "192.0.2.1" { // httptest's client address
		t.Errorf("untrusted peer's X-Forwarded-For was used: %s", seen)
	}
	r = httptest.NewRequest(http.MethodGet, "/test/ip", nil)
	r.RemoteAddr = "10.0.0.5:1234"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	s.do(r)
	if seen != "198.51.100.7" {
		t.Errorf("trusted proxy's X-Forwarded-For was ignored: %s", seen)
	}
}

func TestReadyzNamesTheDependencyThatIsDown(t *testing.T) {
	s := newTestServer(t, func(o *Options) {
		o.Ready["redis"] = pingerFunc(func(context.Context) error { return errors.New("dial tcp: connection refused") })
	})
	w := s.do(httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"redis":"unavailable"`) ||
		!strings.Contains(w.Body.String(), `"database":"ok"`) || strings.Contains(w.Body.String(), "refused") {
		t.Fatalf("readyz = %d %s", w.Code, w.Body)
	}
	if w := s.do(httptest.NewRequest(http.MethodGet, "/healthz", nil)); w.Code != http.StatusOK {
		t.Fatalf("healthz with redis down = %d; want 200 (the process is alive)", w.Code)
	}
}

func TestStaticFilesAreServedUnderContentHashesWithLongCaching(t *testing.T) {
	s := newTestServer(t, nil)
	u, err := s.assets.url("app.css")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^/static/app\.[0-9a-f]{8}\.css$`).MatchString(u) {
		t.Fatalf("app.css URL = %s", u)
	}
	w := s.do(httptest.NewRequest(http.MethodGet, u, nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") ||
		w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s = %d, %q, %q", u, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
	}
	if w := s.do(httptest.NewRequest(http.MethodGet, "/static/app.00000000.css", nil)); w.Code != 404 {
		t.Fatalf("a stale hash = %d; want 404", w.Code)
	}
	page := s.do(httptest.NewRequest(http.MethodGet, "/", nil)).Body.String()
	if !strings.Contains(page, u) {
		t.Fatalf("the landing page does not link %s", u)
	}
}

func TestEveryPageRendersWithItsOwnViewTypeOnly(t *testing.T) {
	s := newTestServer(t, nil)
	for name, view := range pageViews {
		buf, err := s.views.render(name, Page{Title: "t", Nonce: "n", CSRFToken: "c", RequestID: "r", Data: view})
		if err != nil {
			t.Errorf("page %s with its view: %v", name, err)
			continue
		}
		if !strings.Contains(buf.String(), "<title>") {
			t.Errorf("page %s rendered without the layout", name)
		}
		release(buf)
		if _, err := s.views.render(name, Page{Data: struct{ Other int }{}}); err == nil {
			t.Errorf("page %s accepted a view of the wrong type", name)
		}
	}
	if _, err := s.views.render("no-such-page", Page{}); err == nil {
		t.Error("rendering an unknown page succeeded")
	}
}

func TestATemplateErrorIsACleanServerErrorNotAHalfWrittenPage(t *testing.T) {
	s := newTestServer(t, nil)
	s.echo.GET("/test/bad-view", func(c echo.Context) error {
		return s.render(c, http.StatusOK, "landing", "t", errorView{}) // the wrong view type for this page
	})
	w := s.do(httptest.NewRequest(http.MethodGet, "/test/bad-view", nil))
	if w.Code != 500 || strings.Count(w.Body.String(), "<html") != 1 {
		t.Fatalf("status %d, %d documents in the body; want one clean 500 page", w.Code, strings.Count(w.Body.String(), "<html"))
	}
}

func TestHeadRequestsToMissingPagesHaveNoBody(t *testing.T) {
	s := newTestServer(t, nil)
	w := s.do(httptest.NewRequest(http.MethodHead, "/missing", nil))
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Fatalf("HEAD /missing = %d with %d bytes", w.Code, w.Body.Len())
	}
}

func formRequest(path, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, io.NopCloser(strings.NewReader(body)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ContentLength = int64(len(body))
	return r
}
