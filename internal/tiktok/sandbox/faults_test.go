package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestARateLimitBurstAnswers429WithRetryAfter(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults = Faults{RateLimitNext: 2, RetryAfter: 3 * time.Second} })
	r := ordersReq(e, 0, "10", nil)
	for range 2 {
		res := e.wantCode(r, codeRateLimited)
		if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "3" {
			t.Fatalf("HTTP %d Retry-After %q, want 429 and 3", res.status, res.header.Get("Retry-After"))
		}
	}
	e.ok(r, nil)
}

func TestARateLimitCanHitOneShopOnly(t *testing.T) {
	e := newEnv(t, nil)
	e.sb.SetFaults(Faults{RateLimitNext: 1, OnlyShop: e.shops[1].Cipher})
	e.ok(ordersReq(e, 0, "10", nil), nil)
	e.wantCode(ordersReq(e, 1, "10", nil), codeRateLimited)
	e.ok(ordersReq(e, 1, "10", nil), nil)
}

func TestServerErrorsAnswer503ForTheNextRequests(t *testing.T) {
	e := newEnv(t, nil)
	e.sb.SetFaults(Faults{ServerErrorNext: 1})
	if res := e.wantCode(ordersReq(e, 0, "10", nil), codeServerError); res.status != http.StatusServiceUnavailable {
		t.Fatalf("HTTP %d, want 503", res.status)
	}
	e.ok(ordersReq(e, 0, "10", nil), nil)
	if f := e.sb.CurrentFaults(); f.ServerErrorNext != 0 {
		t.Fatalf("counter left at %d", f.ServerErrorNext)
	}
}

func TestSlowPagesTakeTheirDelay(t *testing.T) {
	e := newEnv(t, nil)
	e.sb.SetFaults(Faults{PageDelay: 60 * time.Millisecond})
	start := time.Now()
	e.ok(ordersReq(e, 0, "10", nil), nil)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("answered in %v, want at least 60ms", d)
	}
}

func TestAnExpiredAccessTokenFaultLastsUntilRefreshed(t *testing.T) {
	e := newEnv(t, nil)
	tok := mustTokens(t, e.sb)
	e.token = tok.AccessToken
	e.sb.SetFaults(Faults{ExpireAccessTokens: true})
	e.wantCode(ordersReq(e, 0, "10", nil), codeTokenExpired)
	e.wantCode(ordersReq(e, 0, "10", nil), codeTokenExpired)
	res, fresh := e.refresh(tok.RefreshToken)
	if res.Code != 0 {
		t.Fatalf("refresh: %d %s", res.Code, res.Message)
	}
	e.token = fresh.AccessToken
	e.ok(ordersReq(e, 0, "10", nil), nil)
}

func TestARefreshFailureFaultAnswers36004001(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults.RefreshFails = true })
	tok := mustTokens(t, e.sb)
	if res, _ := e.refresh(tok.RefreshToken); res.Code != codeRefreshExpired {
		t.Fatalf("refresh: code %d, want %d", res.Code, codeRefreshExpired)
	}
	e.sb.SetFaults(Faults{})
	if res, _ := e.refresh(tok.RefreshToken); res.Code != 0 {
		t.Fatalf("refresh after the fault: code %d", res.Code)
	}
}

func TestARevokedShopAnswers36004005AndDisappearsFromShops(t *testing.T) {
	e := newEnv(t, nil)
	e.sb.SetFaults(Faults{RevokedShops: []string{e.shops[1].ID}})
	e.ok(ordersReq(e, 0, "10", nil), nil)
	e.wantCode(ordersReq(e, 1, "10", nil), codeRevoked)
	var shops struct{ Shops []shopView }
	e.ok(req{method: "GET", path: "/authorization/202309/shops"}, &shops)
	if len(shops.Shops) != 1 || shops.Shops[0].ID != e.shops[0].ID {
		t.Fatalf("shops = %+v", shops.Shops)
	}
}

func TestDeauthorizingAShopStopsItsCalls(t *testing.T) {
	e := newEnv(t, nil)
	e.ok(req{method: "DELETE", path: "/authorization/202403/shops", cipher: e.shops[0].Cipher}, nil)
	e.wantCode(ordersReq(e, 0, "10", nil), codeRevoked)
	e.ok(ordersReq(e, 1, "10", nil), nil)
	// Authorizing again brings it back.
	if _, err := e.sb.Authorize(""); err != nil {
		t.Fatal(err)
	}
	e.ok(ordersReq(e, 0, "10", nil), nil)
}

func TestAMalformedOrderCarriesANumberWhereMoneyBelongs(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults.MalformedOrder = true })
	id := e.sb.MalformedOrderID()
	var detail struct {
		Orders []struct {
			ID      string
			Payment map[string]any
		}
	}
	e.ok(req{method: "GET", path: "/order/202309/orders", params: map[string]string{"ids": id + "," + e.sb.shops[0].orders[0].id}, cipher: e.shops[0].Cipher}, &detail)
	if len(detail.Orders) != 2 {
		t.Fatalf("detail returned %d orders", len(detail.Orders))
	}
	for _, o := range detail.Orders {
		_, isString := o.Payment["total_amount"].(string)
		if isString == (o.ID == id) {
			t.Fatalf("order %s: total_amount = %#v", o.ID, o.Payment["total_amount"])
		}
	}
	// It also turns up while paging, once.
	raw, _, _ := pageAll[json.RawMessage](e, ordersReq(e, 0, "100", nil), "orders")
	bad := 0
	for _, r := range raw {
		var o struct {
			Payment struct {
				TotalAmount any `json:"total_amount"`
			}
		}
		if err := json.Unmarshal(r, &o); err != nil {
			t.Fatal(err)
		}
		if _, ok := o.Payment.TotalAmount.(string); !ok {
			bad++
		}
	}
	if bad != 1 {
		t.Fatalf("%d malformed orders while paging, want 1", bad)
	}
}

func TestUpdateTimeSlopReturnsOrdersJustOutsideTheWindow(t *testing.T) {
	e := newEnv(t, nil)
	since := testStart.Add(-5 * 24 * time.Hour).Unix()
	body := map[string]any{"update_time_ge": since}
	_, exact, _ := pageAll[testOrder](e, ordersReq(e, 0, "100", body), "orders")
	e.sb.SetFaults(Faults{UpdateTimeSlop: 12 * time.Hour})
	loose, wide, _ := pageAll[testOrder](e, ordersReq(e, 0, "100", body), "orders")
	outside := 0
	for _, o := range loose {
		if o.UpdateTime < since {
			outside++
		}
	}
	if wide <= exact || outside == 0 {
		t.Fatalf("with slop: %d orders (%d outside), without: %d", wide, outside, exact)
	}
}

func TestCallsAreCountedPerShopAndSinceATime(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Faults.RateLimitNext = 1 })
	e.call(ordersReq(e, 0, "10", nil)) // rate limited, still counted
	e.ok(ordersReq(e, 0, "10", nil), nil)
	e.ok(req{method: "GET", path: "/authorization/202309/shops"}, nil)
	cut := e.clk.Now().Add(time.Second)
	e.clk.Advance(10 * time.Second)
	e.ok(ordersReq(e, 1, "10", nil), nil)
	if got := [...]int{e.sb.Calls(e.shops[0].Cipher), e.sb.Calls(e.shops[1].Cipher), e.sb.Calls(""),
		e.sb.CallsSince(e.shops[0].Cipher, cut), e.sb.CallsSince(e.shops[1].Cipher, cut)}; got != [...]int{2, 1, 1, 0, 1} {
		t.Fatalf("calls = %v", got)
	}
}

func TestInvalidParametersAreNamed(t *testing.T) {
	e := newEnv(t, nil)
	res := e.wantCode(ordersReq(e, 0, "10", []byte(`{"create_time_ge":"yesterday"}`)), codeInvalidParam)
	if !strings.Contains(res.Message, "body") {
		t.Fatalf("message %q", res.Message)
	}
	r := ordersReq(e, 0, "10", nil)
	r.params["sort_field"] = "price"
	e.wantCode(r, codeInvalidParam)
}
