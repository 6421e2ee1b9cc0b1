package tiktok

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRateLimitedReadIsRetriedRestampedAndResigned(t *testing.T) {
	h := newHarness(t,
		reply{status: 429, retryAfter: "3", body: envelopeJSON(36009002, "too many requests")},
		ok(fixture(t, "statements.json")))
	page, err := h.seller.Statements(context.Background(), testShop, StatementQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Statements) != 1 {
		t.Fatalf("%d statements", len(page.Statements))
	}
	reqs := h.fake.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if reqs[0].Query.Get("timestamp") == reqs[1].Query.Get("timestamp") {
		t.Error("the retry reused the first attempt's timestamp")
	}
	if reqs[0].Query.Get("sign") == reqs[1].Query.Get("sign") {
		t.Error("the retry reused the first attempt's sign")
	}
	var waited bool
	for _, d := range h.slept() {
		waited = waited || d >= 3*time.Second
	}
	if !waited {
		t.Errorf("slept %v, never the 3s Retry-After", h.slept())
	}
	if got := h.client.limiter.currentRate(testCipher); got >= 10 {
		t.Errorf("the shop's rate is %v after a 429; want it lowered", got)
	}
}

func TestServerErrorsAreRetriedUntilSuccess(t *testing.T) {
	h := newHarness(t,
		reply{status: 503, body: "<html>Service Unavailable</html>"},
		reply{status: 500, body: envelopeJSON(36009003, "internal error")},
		ok(fixture(t, "shops.json")))
	shops, err := h.seller.AuthorizedShops(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(shops) != 2 || len(h.fake.requests()) != 3 {
		t.Fatalf("%d shops after %d requests", len(shops), len(h.fake.requests()))
	}
	for i, d := range h.slept() {
		if ceiling := h.client.backoff.ceiling(i + 1); d > ceiling {
			t.Errorf("sleep %d was %v, above the backoff ceiling %v", i, d, ceiling)
		}
	}
}

func TestRetriesStopAtMaxAttempts(t *testing.T) {
	h := newHarness(t, reply{status: 500, body: envelopeJSON(36009003, "internal error")})
	_, err := h.seller.AuthorizedShops(context.Background())
	if ClassOf(err) != ClassServer {
		t.Fatalf("err = %v", err)
	}
	if n := len(h.fake.requests()); n != 5 {
		t.Errorf("%d attempts, want the default 5", n)
	}
}

func TestBugsAreNeverRetried(t *testing.T) {
	h := newHarness(t, ok(envelopeJSON(106001, "invalid sign")))
	_, err := h.seller.AuthorizedShops(context.Background())
	if ClassOf(err) != ClassBug || len(h.fake.requests()) != 1 {
		t.Fatalf("err %v after %d requests", err, len(h.fake.requests()))
	}
}

func TestExpiredTokenIsRefreshedOnceThenTheReadSucceeds(t *testing.T) {
	h := newHarness(t, ok(envelopeJSON(105002, "access token expired")), ok(fixture(t, "shops.json")))
	if _, err := h.seller.AuthorizedShops(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(h.tokens.rejected) != 1 || h.tokens.rejected[0] != testToken {
		t.Fatalf("refreshes: %v", h.tokens.rejected)
	}
	reqs := h.fake.requests()
	if len(reqs) != 2 || reqs[0].Header.Get("x-tts-access-token") != testToken ||
		reqs[1].Header.Get("x-tts-access-token") != "ROW_access_NEW_token_222" {
		t.Fatal("the retry did not carry the fresh token")
	}
}

func TestATokenRejectedTwiceIsRefreshedOnlyOnce(t *testing.T) {
	h := newHarness(t, ok(envelopeJSON(105002, "access token expired")))
	_, err := h.seller.AuthorizedShops(context.Background())
	if ClassOf(err) != ClassAuthExpired {
		t.Fatalf("err = %v", err)
	}
	if len(h.tokens.rejected) != 1 || len(h.fake.requests()) != 2 {
		t.Errorf("%d refreshes, %d requests", len(h.tokens.rejected), len(h.fake.requests()))
	}
}

func TestAFailedRefreshSurfacesGrantGone(t *testing.T) {
	// The app's TokenSource calls RefreshToken, which TikTok refuses: the grant is gone.
	h := newHarness(t, ok(envelopeJSON(36004001, "refresh token expired")))
	_, refreshErr := h.client.RefreshToken(context.Background(), "ROW_refresh_old")
	if ClassOf(refreshErr) != ClassGrantGone {
		t.Fatalf("RefreshToken: %v", refreshErr)
	}

	h = newHarness(t, ok(envelopeJSON(36004004, "invalid access token")))
	h.tokens.refreshErr = refreshErr
	_, err := h.seller.SearchOrders(context.Background(), testShop, OrderQuery{})
	if ClassOf(err) != ClassGrantGone {
		t.Fatalf("err = %v, want grant gone", err)
	}

	// A refresh token refused as invalid means the same.
	h = newHarness(t, ok(envelopeJSON(105002, "access token expired")))
	h.tokens.refreshErr = &APIError{Code: 36004004, Class: ClassAuthInvalid, HTTPStatus: 200}
	if _, err := h.seller.AuthorizedShops(context.Background()); ClassOf(err) != ClassGrantGone {
		t.Fatalf("err = %v, want grant gone", err)
	}

	// A refresh that failed for a network blip is not a lost grant.
	h = newHarness(t, ok(envelopeJSON(105002, "access token expired")))
	h.tokens.refreshErr = errors.New("connection reset")
	if _, err := h.seller.AuthorizedShops(context.Background()); err == nil || ClassOf(err) == ClassGrantGone {
		t.Fatalf("err = %v", err)
	}
}

func TestTheCodeExchangeIsNeverRetried(t *testing.T) {
	h := newHarness(t, reply{status: 503, body: envelopeJSON(36009003, "internal error")}, ok(fixture(t, "token.json")))
	_, err := h.client.ExchangeCode(context.Background(), "CODE_single_use_abc123")
	if ClassOf(err) != ClassServer {
		t.Fatalf("err = %v", err)
	}
	reqs := h.fake.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests for one code", len(reqs))
	}
	q := reqs[0].Query
	if reqs[0].Method != http.MethodGet || reqs[0].Path != "/api/v2/token/get" || q.Get("grant_type") != "authorized_code" ||
		q.Get("auth_code") != "CODE_single_use_abc123" || q.Get("app_key") != testAppKey || q.Get("app_secret") != testAppSecret {
		t.Errorf("exchange sent %s %s?%s", reqs[0].Method, reqs[0].Path, reqs[0].RawQuery)
	}
	if q.Has("sign") || reqs[0].Header.Get("x-tts-access-token") != "" {
		t.Error("the token call was signed or carried a token")
	}
}

func TestTheCodeExchangeReadsAbsoluteExpiryTimes(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "token.json")))
	tok, err := h.client.ExchangeCode(context.Background(), "CODE_single_use_abc123")
	if err != nil {
		t.Fatal(err)
	}
	if !tok.AccessTokenExpiresAt.Equal(time.Unix(1764403200, 0)) || !tok.RefreshTokenExpiresAt.Equal(time.Unix(1795939200, 0)) {
		t.Errorf("expiries %v %v", tok.AccessTokenExpiresAt, tok.RefreshTokenExpiresAt)
	}
	if tok.AccessToken != "ROW_access_TESTTOKEN_a1b2c3" || tok.RefreshToken != "ROW_refresh_TESTTOKEN_d4e5f6" ||
		tok.OpenID != "7010736057180325637" || tok.SellerBaseRegion != "US" || len(MissingScopes(tok.GrantedScopes)) != 0 {
		t.Errorf("token %v", tok)
	}
	for _, printed := range []string{tok.String(), tok.GoString()} {
		if strings.Contains(printed, "TESTTOKEN") {
			t.Errorf("printing a Token shows a token: %s", printed)
		}
	}
}

func TestRefreshSendsTheRefreshGrant(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "token.json")))
	if _, err := h.client.RefreshToken(context.Background(), "ROW_refresh_old"); err != nil {
		t.Fatal(err)
	}
	q := h.fake.requests()[0].Query
	if h.fake.requests()[0].Path != "/api/v2/token/refresh" || q.Get("grant_type") != "refresh_token" || q.Get("refresh_token") != "ROW_refresh_old" {
		t.Errorf("refresh sent %s", h.fake.requests()[0].RawQuery)
	}
}

func TestShopCipherGoesOnlyToShopCalls(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "shops.json")))
	if _, err := h.seller.AuthorizedShops(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.fake.replies = []reply{ok(fixture(t, "orders_search.json"))}
	if _, _, err := h.seller.GetOrders(context.Background(), testShop, []string{"576461413038785752"}); err != nil {
		t.Fatal(err)
	}
	reqs := h.fake.requests()
	if reqs[0].Query.Has("shop_cipher") {
		t.Error("shop_cipher sent to /authorization/202309/shops")
	}
	if reqs[1].Query.Get("shop_cipher") != testCipher {
		t.Error("shop_cipher missing on a shop call")
	}
	for _, r := range reqs {
		for _, p := range []string{"access_token", "shop_id", "version"} {
			if r.Query.Has(p) {
				t.Errorf("%s sent %s in the query", r.Path, p)
			}
		}
		if r.Query.Get("app_key") != testAppKey || r.Query.Get("timestamp") != "1795323600" {
			t.Errorf("%s: app_key %q timestamp %q", r.Path, r.Query.Get("app_key"), r.Query.Get("timestamp"))
		}
		if r.Header.Get("x-tts-access-token") != testToken || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s headers %v", r.Path, r.Header)
		}
	}
}

func TestEveryShopCallNeedsACipher(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	if _, err := h.seller.SearchOrders(context.Background(), Shop{ID: "1"}, OrderQuery{}); err == nil {
		t.Fatal("a call without a cipher was sent")
	}
	if len(h.fake.requests()) != 0 {
		t.Fatal("a request went out")
	}
}

func TestPageTokenIsSignedDecodedAndSentEncoded(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "returns_search.json")))
	const token = "aDU2dGRs+R3p/L3pYb2I="
	if _, err := h.seller.SearchReturns(context.Background(), testShop, ReturnQuery{PageToken: token}); err != nil {
		t.Fatal(err)
	}
	r := h.fake.requests()[0]
	if !strings.Contains(r.RawQuery, "page_token=aDU2dGRs%2BR3p%2FL3pYb2I%3D") {
		t.Errorf("page token not percent-encoded: %s", r.RawQuery)
	}
	if r.Query.Get("page_token") != token {
		t.Errorf("page token arrived as %q", r.Query.Get("page_token"))
	}
	// The fake already checked the sign over the decoded value; check it here too, explicitly.
	q := r.Query
	if want := Sign(testAppSecret, r.Path, q, r.Body); q.Get("sign") != want {
		t.Error("the sign is not over the decoded token")
	}
}

func TestSearchBodyIsSignedAsSent(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	q := OrderQuery{PageSize: 20, SortField: "update_time", SortOrder: "ASC", Status: "COMPLETED",
		UpdateTimeGE: time.Unix(1731000000, 0), UpdateTimeLT: time.Unix(1731600000, 0)}
	if _, err := h.seller.SearchOrders(context.Background(), testShop, q); err != nil {
		t.Fatal(err)
	}
	r := h.fake.requests()[0]
	if string(r.Body) != `{"order_status":"COMPLETED","update_time_ge":1731000000,"update_time_lt":1731600000}` {
		t.Errorf("body %s", r.Body)
	}
	if r.Query.Get("page_size") != "20" || r.Query.Get("sort_field") != "update_time" || r.Query.Get("sort_order") != "ASC" {
		t.Errorf("query %s", r.RawQuery)
	}
}

func TestQueriesOutOfRangeAreRefusedBeforeSending(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["order page size 101"] = h.seller.SearchOrders(ctx, testShop, OrderQuery{PageSize: 101})
	_, checks["order sort by price"] = h.seller.SearchOrders(ctx, testShop, OrderQuery{SortField: "price"})
	_, checks["return page size 5"] = h.seller.SearchReturns(ctx, testShop, ReturnQuery{PageSize: 5})
	_, _, checks["51 order ids"] = h.seller.GetOrders(ctx, testShop, make([]string, 51))
	_, _, checks["an id with a slash"] = h.seller.GetOrders(ctx, testShop, []string{"1/2"})
	_, checks["a statement id with ../"] = h.seller.StatementTransactions(ctx, testShop, "../../orders", TransactionQuery{})
	_, checks["withdrawal type DEPOSIT"] = h.seller.Withdrawals(ctx, testShop, WithdrawalQuery{Types: []string{"DEPOSIT"}})
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if n := len(h.fake.requests()); n != 0 {
		t.Errorf("%d requests went out", n)
	}
}

func TestGetOrdersJoinsIDsOnce(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	if _, _, err := h.seller.GetOrders(context.Background(), testShop, []string{"576461413038785752", "576461413038785999"}); err != nil {
		t.Fatal(err)
	}
	r := h.fake.requests()[0]
	if got := r.Query["ids"]; len(got) != 1 || got[0] != "576461413038785752,576461413038785999" {
		t.Errorf("ids sent as %v", got)
	}
	if r.Method != http.MethodGet || r.Path != "/order/202309/orders" || len(r.Body) != 0 {
		t.Errorf("%s %s with body %q", r.Method, r.Path, r.Body)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	h := newHarness(t, reply{status: http.StatusFound, body: ""})
	h.fake.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/authorization/202309/shops" {
			t.Errorf("followed a redirect to %s", r.URL.Path)
		}
		http.Redirect(w, r, "/elsewhere?stolen=1", http.StatusFound)
	})
	_, err := h.seller.AuthorizedShops(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusFound || strings.Contains(err.Error(), "elsewhere") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	h := newHarness(t, reply{status: 500, body: envelopeJSON(36009003, "internal error")})
	ctx, cancel := context.WithCancel(context.Background())
	h.client.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	if _, err := h.seller.AuthorizedShops(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(h.fake.requests()); n != 1 {
		t.Errorf("%d requests after cancellation", n)
	}
}

func TestConfigIsCheckedAndNeverPrintsTheSecret(t *testing.T) {
	if _, err := New(Config{APIBase: "ftp://x", AuthBase: "https://auth.tiktok-shops.com", AuthorizeURL: "https://services.tiktokshop.com/open/authorize?x=1"}, Options{}); err == nil ||
		!strings.Contains(err.Error(), "APIBase") || !strings.Contains(err.Error(), "AuthorizeURL") || !strings.Contains(err.Error(), "no app secret") {
		t.Errorf("New accepted or under-reported a bad config: %v", err)
	}
	cfg := Config{AppKey: "k", AppSecret: testAppSecret}
	for _, s := range []string{cfg.String(), cfg.GoString()} {
		if strings.Contains(s, testAppSecret) {
			t.Errorf("config prints the secret: %s", s)
		}
	}
}

func TestDeauthorizeIsTheOneDeleteAndNamesTheShop(t *testing.T) {
	h := newHarness(t, ok(`{"code":0,"message":"Success","request_id":"r1","data":{}}`))
	if err := h.seller.Deauthorize(context.Background(), testShop); err != nil {
		t.Fatal(err)
	}
	r := h.fake.requests()[0]
	if r.Method != http.MethodDelete || r.Path != "/authorization/202403/shops" || r.Query.Get("shop_cipher") != testCipher {
		t.Errorf("sent %s %s?%s", r.Method, r.Path, r.RawQuery)
	}
}
