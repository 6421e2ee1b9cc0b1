package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

// testSign is the test client's own signing code, written from the spec, independent of the sandbox's.
func testSign(secret, path string, params map[string]string, body []byte) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" && k != "access_token" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	s := secret + path
	for _, k := range keys {
		s += k + params[k]
	}
	s += string(body) + secret
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

var testStart = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func testConfig(clk clock.Clock) Config {
	return Config{
		AppKey: "6test9key", AppSecret: "test-secret-0123", ServiceID: "7301", RedirectURL: "https://app.example/connect/callback",
		Seed: 42, Days: 45, OrdersPerDay: 12, Shops: 2, Clock: clk,
	}
}

type testEnv struct {
	t     testing.TB
	clk   *clock.Fake
	sb    *Sandbox
	cfg   Config
	token string
	shops []Shop
}

func newEnv(t testing.TB, change func(*Config)) *testEnv {
	t.Helper()
	clk := clock.NewFake(testStart)
	cfg := testConfig(clk)
	if change != nil {
		change(&cfg)
	}
	sb, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tok, err := sb.IssueTokens("")
	if err != nil {
		t.Fatalf("IssueTokens: %v", err)
	}
	return &testEnv{t: t, clk: clk, sb: sb, cfg: cfg, token: tok.AccessToken, shops: sb.Shops()}
}

type response struct {
	status    int
	header    http.Header
	raw       []byte
	Code      int             `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// req describes one API call; call signs it and sends it through the sandbox's handler.
type req struct {
	method, path string
	params       map[string]string
	body         any // marshalled once; []byte is sent as is
	cipher       string
	token        string // "" uses the env's token
	noSign       bool
}

func (e *testEnv) call(r req) *response {
	e.t.Helper()
	return e.serve(e.request(r))
}

// request builds the signed HTTP request for r.
func (e *testEnv) request(r req) *http.Request {
	e.t.Helper()
	params := map[string]string{"app_key": e.cfg.AppKey, "timestamp": strconv.FormatInt(e.clk.Now().Unix(), 10)}
	if r.cipher != "" {
		params["shop_cipher"] = r.cipher
	}
	for k, v := range r.params {
		params[k] = v
	}
	var body []byte
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	if !r.noSign {
		if _, ok := params["sign"]; !ok {
			params["sign"] = testSign(e.cfg.AppSecret, r.path, params, body)
		}
	}
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	hr := httptest.NewRequest(r.method, r.path+"?"+q.Encode(), bytes.NewReader(body))
	hr.Header.Set("Content-Type", "application/json")
	tok := r.token
	if tok == "" {
		tok = e.token
	}
	hr.Header.Set("x-tts-access-token", tok)
	return hr
}

func (e *testEnv) serve(hr *http.Request) *response {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.sb.Handler().ServeHTTP(w, hr)
	res := &response{status: w.Code, header: w.Header(), raw: w.Body.Bytes()}
	if err := json.Unmarshal(res.raw, res); err != nil {
		e.t.Fatalf("%s %s: not an envelope: %v: %s", hr.Method, hr.URL.Path, err, res.raw)
	}
	return res
}

// ok calls and fails the test unless the answer is code 0; it decodes data into dst.
func (e *testEnv) ok(r req, dst any) *response {
	e.t.Helper()
	res := e.call(r)
	if res.Code != 0 || res.status != http.StatusOK {
		e.t.Fatalf("%s %s: HTTP %d code %d %q", r.method, r.path, res.status, res.Code, res.Message)
	}
	if dst != nil {
		d := json.NewDecoder(bytes.NewReader(res.Data))
		d.UseNumber()
		if err := d.Decode(dst); err != nil {
			e.t.Fatalf("%s %s: decode data: %v", r.method, r.path, err)
		}
	}
	return res
}

func (e *testEnv) wantCode(r req, code int) *response {
	e.t.Helper()
	res := e.call(r)
	if res.Code != code {
		e.t.Fatalf("%s %s: code %d %q, want %d", r.method, r.path, res.Code, res.Message, code)
	}
	return res
}

// parseMoney turns a decimal string into minor units, exactly.
func parseMoney(t testing.TB, s string) int64 {
	t.Helper()
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	dot := len(s) - 3
	if dot < 1 || s[dot] != '.' {
		t.Fatalf("money %q is not a two-decimal string", s)
	}
	whole, err1 := strconv.ParseInt(s[:dot], 10, 64)
	frac, err2 := strconv.ParseInt(s[dot+1:], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("money %q: %v %v", s, err1, err2)
	}
	v := whole*100 + frac
	if neg {
		v = -v
	}
	return v
}

// pageAll follows next_page_token until it is empty, decoding each page's list under listKey.
func pageAll[T any](e *testEnv, r req, listKey string) (items []T, totalCount int, pages int) {
	e.t.Helper()
	token := ""
	for {
		rr := r
		rr.params = map[string]string{}
		for k, v := range r.params {
			rr.params[k] = v
		}
		if token != "" {
			rr.params["page_token"] = token
		}
		var data map[string]json.RawMessage
		e.ok(rr, &data)
		var list []T
		if err := json.Unmarshal(data[listKey], &list); err != nil {
			e.t.Fatalf("%s: %v", listKey, err)
		}
		items = append(items, list...)
		if raw, ok := data["total_count"]; ok {
			if err := json.Unmarshal(raw, &totalCount); err != nil {
				e.t.Fatal(err)
			}
		}
		pages++
		if err := json.Unmarshal(data["next_page_token"], &token); err != nil {
			e.t.Fatal(err)
		}
		if token == "" {
			return items, totalCount, pages
		}
		if pages > 100000 {
			e.t.Fatal("paging does not end")
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
