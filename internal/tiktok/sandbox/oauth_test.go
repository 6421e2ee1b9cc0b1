package sandbox

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// tokenCall calls a token endpoint (unsigned, as the spec says) and returns the envelope and its data.
func (e *testEnv) tokenCall(path string, q url.Values) (*response, tokenData) {
	e.t.Helper()
	res := e.serve(httptest.NewRequest("GET", path+"?"+q.Encode(), nil))
	var d tokenData
	if res.Code == 0 {
		if err := json.Unmarshal(res.Data, &d); err != nil {
			e.t.Fatal(err)
		}
	}
	return res, d
}

func (e *testEnv) exchange(code string) (*response, tokenData) {
	return e.tokenCall("/api/v2/token/get", url.Values{"app_key": {e.cfg.AppKey}, "app_secret": {e.cfg.AppSecret},
		"auth_code": {code}, "grant_type": {"authorized_code"}})
}

func (e *testEnv) refresh(tok string) (*response, tokenData) {
	return e.tokenCall("/api/v2/token/refresh", url.Values{"app_key": {e.cfg.AppKey}, "app_secret": {e.cfg.AppSecret},
		"refresh_token": {tok}, "grant_type": {"refresh_token"}})
}

// consent opens the consent page and presses Authorize, returning the code and state it redirects with.
func (e *testEnv) consent(state, sellerParam string) (code, gotState, page string) {
	e.t.Helper()
	q := url.Values{"service_id": {e.cfg.ServiceID}, "state": {state}}
	if sellerParam != "" {
		q.Set("seller", sellerParam)
	}
	w := httptest.NewRecorder()
	e.sb.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/open/authorize?"+q.Encode(), nil))
	if w.Code != http.StatusOK {
		e.t.Fatalf("consent page: HTTP %d: %s", w.Code, w.Body)
	}
	page = w.Body.String()
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	post := httptest.NewRequest("POST", "/open/authorize", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	e.sb.Handler().ServeHTTP(w, post)
	if w.Code != http.StatusFound {
		e.t.Fatalf("authorize: HTTP %d, want 302", w.Code)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), e.cfg.RedirectURL+"?") {
		e.t.Fatalf("redirect to %s, want the app's fixed redirect URL %s", loc, e.cfg.RedirectURL)
	}
	return loc.Query().Get("code"), loc.Query().Get("state"), page
}

func TestTheWholeOAuthDance(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Shops = 3 })
	state := "st+/=&<x>"
	code, gotState, page := e.consent(state, "")
	if gotState != state {
		t.Fatalf("state came back as %q, want %q", gotState, state)
	}
	if !strings.Contains(page, "Authorize Profitline for "+html.EscapeString(e.sb.Sellers()[0].Name)) {
		t.Fatalf("consent page does not ask to authorize Profitline for the seller:\n%s", page)
	}
	for _, sc := range ReadScopes {
		if !strings.Contains(page, sc) {
			t.Errorf("consent page does not list scope %s", sc)
		}
	}

	res, _ := e.tokenCall("/api/v2/token/get", url.Values{"app_key": {e.cfg.AppKey}, "app_secret": {e.cfg.AppSecret},
		"auth_code": {code}, "grant_type": {"authorization_code"}})
	if res.Code == 0 {
		t.Fatal("grant_type=authorization_code was accepted; the literal is authorized_code")
	}
	now := e.clk.Now()
	res, tok := e.exchange(code)
	if res.Code != 0 {
		t.Fatalf("token get: %d %s", res.Code, res.Message)
	}
	if want := now.Add(7 * 24 * time.Hour).Unix(); tok.AccessTokenExpireIn != want {
		t.Errorf("access_token_expire_in = %d, want the absolute time %d", tok.AccessTokenExpireIn, want)
	}
	if tok.RefreshTokenExpireIn <= tok.AccessTokenExpireIn || tok.UserType != 0 || tok.OpenID != e.sb.Sellers()[0].OpenID ||
		tok.SellerName == "" || tok.SellerBaseRegion != "US" || !slices.Equal(tok.GrantedScopes, ReadScopes) {
		t.Errorf("token data = %+v", tok)
	}
	if res, _ := e.exchange(code); res.Code != codeInvalidAuthCode {
		t.Fatalf("second use of a code: code %d, want %d", res.Code, codeInvalidAuthCode)
	}

	// One grant covers two shops; the third shop belongs to another seller.
	var shops struct {
		Shops []shopView `json:"shops"`
	}
	e.ok(req{method: "GET", path: "/authorization/202309/shops", token: tok.AccessToken}, &shops)
	if len(shops.Shops) != 2 || shops.Shops[0].Cipher != e.shops[0].Cipher || shops.Shops[1].Cipher != e.shops[1].Cipher {
		t.Fatalf("shops = %+v", shops.Shops)
	}
	e.wantCode(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10"},
		cipher: e.shops[2].Cipher, token: tok.AccessToken}, codeOverloaded)

	e.clk.Advance(time.Hour)
	res, fresh := e.refresh(tok.RefreshToken)
	if res.Code != 0 {
		t.Fatalf("refresh: %d %s", res.Code, res.Message)
	}
	if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if res, _ := e.refresh(tok.RefreshToken); res.Code != codeRefreshExpired {
		t.Fatalf("old refresh token after rotation: code %d, want %d", res.Code, codeRefreshExpired)
	}
	e.ok(req{method: "GET", path: "/authorization/202309/shops", token: fresh.AccessToken}, nil)

	late, _, _ := e.consent("s2", "1")
	e.clk.Advance(30*time.Minute + time.Second)
	if res, _ := e.exchange(late); res.Code != codeInvalidAuthCode || !strings.Contains(res.Message, "expired") {
		t.Fatalf("code after 30 minutes: %d %q, want %d expired", res.Code, res.Message, codeInvalidAuthCode)
	}
}

func TestTheOldRefreshTokenCanBeKeptWorking(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.KeepOldRefreshToken = true })
	tok, _ := e.sb.IssueTokens("")
	if res, _ := e.refresh(tok.RefreshToken); res.Code != 0 {
		t.Fatalf("refresh: %d", res.Code)
	}
	if res, _ := e.refresh(tok.RefreshToken); res.Code != 0 {
		t.Fatalf("second refresh with the old token: %d, want 0 with KeepOldRefreshToken", res.Code)
	}
}

func TestAccessTokensExpireAfterSevenDays(t *testing.T) {
	e := newEnv(t, nil)
	r := req{method: "GET", path: "/authorization/202309/shops"}
	e.clk.Advance(7*24*time.Hour - time.Second)
	e.ok(r, nil)
	e.clk.Advance(time.Second)
	e.wantCode(r, codeTokenExpired)
}

func TestTheConsentPageRefusesAnUnknownServiceID(t *testing.T) {
	e := newEnv(t, nil)
	w := httptest.NewRecorder()
	e.sb.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/open/authorize?service_id=999&state=x", nil))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("HTTP %d, want 400", w.Code)
	}
}
