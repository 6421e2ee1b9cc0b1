package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/web"
)

type site struct {
	srv *web.Server
	env *testenv.Env
}

func newSite(t *testing.T) *site {
	t.Helper()
	st := accounttest.New(t)
	srv, err := web.New(web.Options{Log: slog.New(slog.DiscardHandler), PublicURL: accounttest.PublicURL,
		Accounts: st.Accounts, Sessions: st.Sessions, Store: st.Env.Store, Clock: st.Env.Clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Accounts.SignUp(context.Background(), "seller@example.com", "a long enough passphrase", account.Client{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	return &site{srv: srv, env: st.Env}
}

// post submits a form as a same-origin browser would (Sec-Fetch-Site passes CSRF), with the given cookies.
func (s *site) post(path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	return w
}

func (s *site) get(path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	return w
}

func sessionCookie(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == session.CookieName && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie in the response (status %d)", w.Code)
	return nil
}

func TestSignInAnswers429WithRetryAfterOnceLimited(t *testing.T) {
	s := newSite(t)
	var w *httptest.ResponseRecorder
	for i := range 6 {
		w = s.post("/login", url.Values{"email": {"seller@example.com"}, "password": {"wrong guess " + strconv.Itoa(i)}})
	}
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("sixth wrong password: %d; want 429", w.Code)
	}
	if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After = %q; want whole seconds", w.Header().Get("Retry-After"))
	}
}

func TestSensitiveActionsNeedASignInWithinFifteenMinutes(t *testing.T) {
	s := newSite(t)
	login := s.post("/login", url.Values{"email": {"seller@example.com"}, "password": {"a long enough passphrase"}})
	if login.Code != http.StatusSeeOther || login.Header().Get("Location") != "/dashboard" {
		t.Fatalf("sign in: %d to %q", login.Code, login.Header().Get("Location"))
	}
	c := sessionCookie(t, login)
	change := url.Values{"current_password": {"a long enough passphrase"}, "new_password": {"another long passphrase"}}

	s.env.Clock.Advance(16 * time.Minute)
	w := s.post("/settings/security/password", change, c)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/reauth") {
		t.Fatalf("changing the password 16 minutes after sign-in: %d to %q; want the re-authentication page", w.Code, w.Header().Get("Location"))
	}
	if fresh := w.Result().Cookies(); len(fresh) > 0 && fresh[0].Name == session.CookieName {
		c = fresh[0]
	}
	re := s.post("/reauth", url.Values{"password": {"a long enough passphrase"}, "next": {"https://evil.example/steal"}}, c)
	if re.Code != http.StatusSeeOther || re.Header().Get("Location") != "/settings/security" {
		t.Fatalf("reauth with a foreign next=: %d to %q; want the local fallback", re.Code, re.Header().Get("Location"))
	}
	c = sessionCookie(t, re)
	w = s.post("/settings/security/password", change, c)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/security?done=password" {
		t.Fatalf("changing the password after re-authenticating: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

func TestSignedInPagesSendVisitorsToSignInAndAreNeverCached(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/dashboard", "/settings/security"} {
		w := s.get(path)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out: %d to %q", path, w.Code, w.Header().Get("Location"))
		}
	}
	login := s.post("/login", url.Values{"email": {"seller@example.com"}, "password": {"a long enough passphrase"}})
	w := s.get("/settings/security", sessionCookie(t, login))
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-store" || !strings.Contains(w.Body.String(), "seller@example.com") {
		t.Fatalf("security page: %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
	form := s.get("/login?next=" + url.QueryEscape("/settings/security?tab=1")).Body.String()
	if !strings.Contains(form, `action="/login?next=%2fsettings%2fsecurity%3ftab%3d1"`) {
		t.Errorf("the sign-in form does not carry next= through")
	}
	if w := s.post("/login?next=/settings/security", url.Values{"email": {"seller@example.com"}, "password": {"a long enough passphrase"}}); w.Header().Get("Location") != "/settings/security" {
		t.Fatalf("after sign-in with next=: %q", w.Header().Get("Location"))
	}
	if w := s.post("/login?next=//evil.example/x", url.Values{"email": {"seller@example.com"}, "password": {"a long enough passphrase"}}); w.Header().Get("Location") != "/dashboard" {
		t.Fatalf("a protocol-relative next= was followed: %q", w.Header().Get("Location"))
	}
}

func TestAForgedOrExpiredSessionCookieIsClearedNotAnError(t *testing.T) {
	s := newSite(t)
	w := s.get("/dashboard", &http.Cookie{Name: session.CookieName, Value: "forged"})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("forged cookie: %d; want a redirect to sign in", w.Code)
	}
	cleared := false
	for _, c := range w.Result().Cookies() {
		cleared = cleared || (c.Name == session.CookieName && c.MaxAge < 0)
	}
	if !cleared {
		t.Fatal("the unusable cookie was not cleared")
	}
}
