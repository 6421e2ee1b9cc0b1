package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

const (
	accessTokenLife  = 7 * 24 * time.Hour
	refreshTokenLife = 365 * 24 * time.Hour
	authCodeLife     = 30 * time.Minute
)

type authCode struct {
	seller  *seller
	expires int64
	used    bool
}

type token struct {
	refresh bool
	seller  *seller
	seq     int
	expires int64
	scopes  []string
	rotated bool // a refresh token already used
}

func base64Std(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}

func base64URL(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secretFor derives codes and tokens from the seed and a counter: unguessable without the app secret, and the
// same on every run so failures reproduce.
func (s *Sandbox) secretFor(kind string, n int) string {
	m := hmac.New(sha256.New, []byte(s.cfg.AppSecret))
	fmt.Fprintf(m, "%d|%s|%d", s.cfg.Seed, kind, n)
	return "ROW_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

func (s *Sandbox) sellerByParam(v string) *seller {
	if v == "" {
		return s.sellers[0]
	}
	for _, sel := range s.sellers {
		if sel.openID == v {
			return sel
		}
	}
	if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(s.sellers) {
		return s.sellers[i]
	}
	return nil
}

// Authorize issues an authorization code for a seller (OpenID, index, or "" for the first), as if the seller had
// pressed Authorize on the consent page. Tests that do not care about the page start here.
func (s *Sandbox) Authorize(sellerParam string) (string, error) {
	sel := s.sellerByParam(sellerParam)
	if sel == nil {
		return "", fmt.Errorf("sandbox: no seller %q", sellerParam)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newCodeLocked(sel), nil
}

func (s *Sandbox) newCodeLocked(sel *seller) string {
	s.tokenSeq++
	code := s.secretFor("code", s.tokenSeq)
	s.codes[code] = &authCode{seller: sel, expires: s.clk.Now().Add(authCodeLife).Unix()}
	sel.revoked = false
	for _, sh := range sel.shops {
		delete(s.revokedShops, sh.id)
	}
	return code
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize Profitline</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#161823}
button{background:#fe2c55;color:#fff;border:0;padding:.7rem 1.6rem;border-radius:4px;font-size:1rem}
.note{color:#666;font-size:.85rem}</style></head>
<body>
<p class="note">TikTok Shop sandbox (not the real TikTok)</p>
<h1>Authorize Profitline for {{.Seller}}?</h1>
<p>Shops: {{range $i, $s := .Shops}}{{if $i}}, {{end}}{{$s}}{{end}}</p>
<p>Profitline will be able to read:</p>
<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
<form method="post" action="/open/authorize">
<input type="hidden" name="service_id" value="{{.ServiceID}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="seller" value="{{.OpenID}}">
<button type="submit">Authorize</button>
</form>
{{if .Others}}<p class="note">Sign in as another seller: {{range .Others}}<a href="{{.URL}}">{{.Name}}</a> {{end}}</p>{{end}}
</body></html>
`))

type consentView struct {
	Seller, OpenID, ServiceID, State string
	Shops, Scopes                    []string
	Others                           []struct{ Name, URL string }
}

// consent serves the seller's consent page (GET) and its Authorize button (POST), which redirects to the app's
// fixed redirect URL with code and state.
func (s *Sandbox) consent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if r.Form.Get("service_id") != s.cfg.ServiceID || s.cfg.ServiceID == "" {
		http.Error(w, "Unknown service_id: this app is not registered.", http.StatusBadRequest)
		return
	}
	sel := s.sellerByParam(r.Form.Get("seller"))
	if sel == nil {
		http.Error(w, "Unknown seller.", http.StatusBadRequest)
		return
	}
	state := r.Form.Get("state")
	if r.Method == http.MethodPost {
		if s.cfg.RedirectURL == "" {
			http.Error(w, "The app has no redirect URL registered.", http.StatusBadRequest)
			return
		}
		u, err := url.Parse(s.cfg.RedirectURL)
		if err != nil {
			http.Error(w, "The app's redirect URL is invalid.", http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		code := s.newCodeLocked(sel)
		s.mu.Unlock()
		q := u.Query()
		q.Set("code", code)
		q.Set("state", state)
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	v := consentView{Seller: sel.name, OpenID: sel.openID, ServiceID: s.cfg.ServiceID, State: state, Scopes: s.cfg.GrantedScopes}
	for _, sh := range sel.shops {
		v.Shops = append(v.Shops, sh.name+" ("+sh.region+")")
	}
	for _, o := range s.sellers {
		if o != sel {
			q := url.Values{"service_id": {s.cfg.ServiceID}, "state": {state}, "seller": {o.openID}}
			v.Others = append(v.Others, struct{ Name, URL string }{o.name, "/open/authorize?" + q.Encode()})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := consentPage.Execute(w, v); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
	}
}

// Token error codes. The spec documents 36004001 for an expired refresh token; the others are the sandbox's
// choice for requests the spec says nothing about.
const (
	codeRefreshExpired  = 36004001
	codeInvalidAuthCode = 36004002
	codeBadAppCreds     = 36004003
	codeBadGrantType    = 36004006
)

// tokenGet exchanges an authorization code: single use, valid 30 minutes, grant_type=authorized_code.
func (s *Sandbox) tokenGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkAppCreds(q); e != nil {
		s.writeLocked(w, nil, e)
		return
	}
	if q.Get("grant_type") != "authorized_code" {
		s.writeLocked(w, nil, &apiError{code: codeBadGrantType, msg: fmt.Sprintf("invalid grant_type %q: want authorized_code", q.Get("grant_type"))})
		return
	}
	c := s.codes[q.Get("auth_code")]
	switch {
	case c == nil:
		s.writeLocked(w, nil, &apiError{code: codeInvalidAuthCode, msg: "auth_code is invalid"})
		return
	case c.used:
		s.writeLocked(w, nil, &apiError{code: codeInvalidAuthCode, msg: "auth_code has already been used"})
		return
	case s.now() >= c.expires:
		s.writeLocked(w, nil, &apiError{code: codeInvalidAuthCode, msg: "auth_code has expired"})
		return
	}
	c.used = true
	s.writeLocked(w, s.issueLocked(c.seller, s.cfg.GrantedScopes), nil)
}

// tokenRefresh issues a new access token and a new refresh token; the old refresh token stops working unless
// Config.KeepOldRefreshToken.
func (s *Sandbox) tokenRefresh(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkAppCreds(q); e != nil {
		s.writeLocked(w, nil, e)
		return
	}
	if q.Get("grant_type") != "refresh_token" {
		s.writeLocked(w, nil, &apiError{code: codeBadGrantType, msg: fmt.Sprintf("invalid grant_type %q: want refresh_token", q.Get("grant_type"))})
		return
	}
	t := s.tokens[q.Get("refresh_token")]
	switch {
	case s.faults.RefreshFails:
		s.writeLocked(w, nil, &apiError{code: codeRefreshExpired, msg: "refresh_token is expired (injected fault)"})
		return
	case t == nil || !t.refresh:
		s.writeLocked(w, nil, &apiError{code: codeRefreshExpired, msg: "refresh_token is invalid"})
		return
	case t.rotated:
		s.writeLocked(w, nil, &apiError{code: codeRefreshExpired, msg: "refresh_token has already been used"})
		return
	case s.now() >= t.expires:
		s.writeLocked(w, nil, &apiError{code: codeRefreshExpired, msg: "refresh_token is expired"})
		return
	case t.seller.revoked:
		s.writeLocked(w, nil, &apiError{code: codeRevoked, msg: "no authorization record: the seller revoked access"})
		return
	}
	if !s.cfg.KeepOldRefreshToken {
		t.rotated = true
	}
	s.writeLocked(w, s.issueLocked(t.seller, t.scopes), nil)
}

func (s *Sandbox) checkAppCreds(q url.Values) *apiError {
	if !hmac.Equal([]byte(q.Get("app_key")), []byte(s.cfg.AppKey)) || !hmac.Equal([]byte(q.Get("app_secret")), []byte(s.cfg.AppSecret)) {
		return &apiError{code: codeBadAppCreds, msg: "invalid app_key or app_secret"}
	}
	return nil
}

type tokenData struct {
	AccessToken          string   `json:"access_token"`
	AccessTokenExpireIn  int64    `json:"access_token_expire_in"`
	RefreshToken         string   `json:"refresh_token"`
	RefreshTokenExpireIn int64    `json:"refresh_token_expire_in"`
	OpenID               string   `json:"open_id"`
	SellerName           string   `json:"seller_name"`
	SellerBaseRegion     string   `json:"seller_base_region"`
	UserType             int      `json:"user_type"`
	GrantedScopes        []string `json:"granted_scopes"`
}

func (s *Sandbox) issueLocked(sel *seller, scopes []string) tokenData {
	now := s.clk.Now()
	s.tokenSeq++
	access := &token{seller: sel, seq: s.tokenSeq, expires: now.Add(accessTokenLife).Unix(), scopes: slices.Clone(scopes)}
	accessValue := s.secretFor("access", s.tokenSeq)
	s.tokenSeq++
	refresh := &token{refresh: true, seller: sel, seq: s.tokenSeq, expires: now.Add(refreshTokenLife).Unix(), scopes: access.scopes}
	refreshValue := s.secretFor("refresh", s.tokenSeq)
	s.tokens[accessValue] = access
	s.tokens[refreshValue] = refresh
	return tokenData{
		AccessToken: accessValue, AccessTokenExpireIn: access.expires,
		RefreshToken: refreshValue, RefreshTokenExpireIn: refresh.expires,
		OpenID: sel.openID, SellerName: sel.name, SellerBaseRegion: sel.region, UserType: 0,
		GrantedScopes: access.scopes,
	}
}

// Tokens are a grant's tokens as the token endpoints return them.
type Tokens struct {
	AccessToken    string
	AccessExpires  time.Time
	RefreshToken   string
	RefreshExpires time.Time
	OpenID         string
}

// IssueTokens grants tokens for a seller (OpenID, index, or "" for the first) without the consent page and code
// exchange, for tests that start from a connected shop.
func (s *Sandbox) IssueTokens(sellerParam string) (Tokens, error) {
	sel := s.sellerByParam(sellerParam)
	if sel == nil {
		return Tokens{}, fmt.Errorf("sandbox: no seller %q", sellerParam)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.issueLocked(sel, s.cfg.GrantedScopes)
	return Tokens{AccessToken: d.AccessToken, AccessExpires: time.Unix(d.AccessTokenExpireIn, 0).UTC(),
		RefreshToken: d.RefreshToken, RefreshExpires: time.Unix(d.RefreshTokenExpireIn, 0).UTC(), OpenID: d.OpenID}, nil
}
