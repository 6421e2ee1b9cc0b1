package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

func TestTheDocumentedSigningExampleVerifies(t *testing.T) {
	const want = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
	params := map[string]string{"app_key": "29a39d", "timestamp": "1623812664"}
	if got := testSign("e59af819cc", "/authorization/202309/shops", params, nil); got != want {
		t.Fatalf("test client sign = %s, want %s", got, want)
	}
	if got := sign("e59af819cc", "/authorization/202309/shops", url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}}, nil); got != want {
		t.Fatalf("sandbox sign = %s, want %s", got, want)
	}

	e := newEnv(t, func(c *Config) {
		c.AppKey, c.AppSecret = "29a39d", "e59af819cc"
		c.Clock = clock.NewFake(time.Unix(1623812664, 0))
		c.Days, c.OrdersPerDay = 1, 1
	})
	e.clk = e.cfg.Clock.(*clock.Fake)
	res := e.ok(req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{"sign": want}}, nil)
	if !strings.Contains(string(res.Data), e.shops[0].Cipher) {
		t.Fatalf("shops answer lacks the first shop: %s", res.Data)
	}
}

func TestAnUpperCaseSignIsRejected(t *testing.T) {
	e := newEnv(t, nil)
	params := map[string]string{"app_key": e.cfg.AppKey, "timestamp": strconv.FormatInt(e.clk.Now().Unix(), 10)}
	good := testSign(e.cfg.AppSecret, "/authorization/202309/shops", params, nil)
	e.ok(req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{"sign": good}}, nil)
	e.wantCode(req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{"sign": strings.ToUpper(good)}}, codeInvalidSign)
}

func TestAStaleOrFutureTimestampIsRejected(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clk.Now().Unix()
	for _, c := range []struct {
		ts int64
		ok bool
	}{{now - 299, true}, {now - 301, false}, {now + 29, true}, {now + 31, false}} {
		r := req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{"timestamp": strconv.FormatInt(c.ts, 10)}}
		if c.ok {
			e.ok(r, nil)
			continue
		}
		res := e.wantCode(r, codeOverloaded)
		if !strings.Contains(res.Message, "timestamp") {
			t.Errorf("timestamp %d: message %q does not say which check failed", c.ts-now, res.Message)
		}
	}
}

func TestAShopCipherOnAuthorizationPathsIsRejected(t *testing.T) {
	e := newEnv(t, nil)
	res := e.wantCode(req{method: "GET", path: "/authorization/202309/shops", cipher: e.shops[0].Cipher}, codeOverloaded)
	if !strings.Contains(res.Message, "shop_cipher") {
		t.Fatalf("message %q does not name shop_cipher", res.Message)
	}
}

func TestATamperedBodyIsRejected(t *testing.T) {
	e := newEnv(t, nil)
	body := []byte(`{"order_status":"COMPLETED"}`)
	params := map[string]string{"app_key": e.cfg.AppKey, "timestamp": strconv.FormatInt(e.clk.Now().Unix(), 10),
		"shop_cipher": e.shops[0].Cipher, "page_size": "10"}
	sig := testSign(e.cfg.AppSecret, "/order/202309/orders/search", params, body)
	e.ok(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10", "sign": sig}, cipher: e.shops[0].Cipher, body: body}, nil)
	tampered := []byte(`{"order_status":"CANCELLED"}`)
	e.wantCode(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10", "sign": sig}, cipher: e.shops[0].Cipher, body: tampered}, codeInvalidSign)
	// An empty body is signed as nothing at all, never as "{}".
	e.wantCode(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10",
		"sign": testSign(e.cfg.AppSecret, "/order/202309/orders/search", params, []byte("{}"))}, cipher: e.shops[0].Cipher}, codeInvalidSign)
}

func TestShopScopedCallsWithoutShopCipherAnswer106013(t *testing.T) {
	e := newEnv(t, nil)
	e.wantCode(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10"}}, codeMissingCipher)
}

func TestAccessTokenShopIDAndVersionInTheQueryAreRejected(t *testing.T) {
	e := newEnv(t, nil)
	for _, k := range []string{"access_token", "shop_id", "version"} {
		res := e.wantCode(req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{k: "x"}}, codeOverloaded)
		if !strings.Contains(res.Message, k) {
			t.Errorf("%s: message %q does not name it", k, res.Message)
		}
	}
}

func TestAWrongAppKeyOrTokenIsRejected(t *testing.T) {
	e := newEnv(t, nil)
	e.wantCode(req{method: "GET", path: "/authorization/202309/shops", params: map[string]string{"app_key": "other"}}, codeOverloaded)
	e.wantCode(req{method: "GET", path: "/authorization/202309/shops", token: "ROW_not-a-token"}, codeInvalidToken)
	e.wantCode(req{method: "GET", path: "/authorization/202309/shops", noSign: true}, codeInvalidSign)
}

func TestAScopeTheSellerDidNotGrantAnswers105005(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.GrantedScopes = ReadScopes[:5] })
	e.ok(req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": "10"}, cipher: e.shops[0].Cipher}, nil)
	res := e.wantCode(req{method: "GET", path: "/finance/202309/statements", params: map[string]string{"sort_field": "statement_time"}, cipher: e.shops[0].Cipher}, codeScopeMissing)
	if !strings.Contains(res.Message, "seller.finance.info") {
		t.Fatalf("message %q does not name the scope", res.Message)
	}
}

func TestAnUnknownPathAnswersAnEnvelopeWith404(t *testing.T) {
	e := newEnv(t, nil)
	res := e.call(req{method: "GET", path: "/order/202309/nothing"})
	if res.status != http.StatusNotFound || res.Code == 0 {
		t.Fatalf("HTTP %d code %d, want 404 and a non-zero code", res.status, res.Code)
	}
}
