package sandbox

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPageRequestsCountLogicalPagesAnsweredWithData(t *testing.T) {
	e := newEnv(t, nil)
	since := testStart.Add(-30 * 24 * time.Hour).Unix()
	first := ordersReq(e, 0, "10", map[string]any{"update_time_ge": since, "order_status": "COMPLETED"})
	first.params["sort_field"] = "update_time"
	var page struct {
		NextPageToken string `json:"next_page_token"`
	}
	e.ok(first, &page)
	if page.NextPageToken == "" {
		t.Fatal("one page only")
	}

	// The same page again, later (another timestamp and sign) and with the body's keys in another order and spaced.
	e.clk.Advance(5 * time.Second)
	again := first
	again.body = []byte(fmt.Sprintf(`{ "order_status": "COMPLETED",  "update_time_ge": %d }`, since))
	e.ok(again, nil)

	second := first
	second.params = maps.Clone(first.params)
	second.params["page_token"] = page.NextPageToken
	e.ok(second, nil)

	// Answers that are not pages: a rate-limit fault, a bad signature, a bad parameter, an expired token.
	e.sb.SetFaults(Faults{RateLimitNext: 1})
	e.wantCode(second, codeRateLimited)
	e.sb.SetFaults(Faults{})
	badSign := second
	badSign.params = maps.Clone(second.params)
	badSign.params["sign"] = strings.Repeat("0", 64)
	e.wantCode(badSign, codeInvalidSign)
	tooBig := second
	tooBig.params = maps.Clone(second.params)
	tooBig.params["page_size"] = "1000"
	e.wantCode(tooBig, codeInvalidParam)
	e.sb.SetFaults(Faults{ExpireAccessTokens: true})
	e.wantCode(second, codeTokenExpired)
	e.sb.SetFaults(Faults{})

	// Finance lists select by query alone; another shop counts apart.
	statements := req{method: "GET", path: "/finance/202309/statements", params: map[string]string{"sort_field": "statement_time", "page_size": "5"}, cipher: e.shops[0].Cipher}
	other := ordersReq(e, 1, "10", nil)
	e.token = mustTokens(t, e.sb).AccessToken
	e.ok(statements, nil)
	e.ok(other, nil)
	e.ok(other, nil)

	body := fmt.Sprintf(`{"order_status":"COMPLETED","update_time_ge":%d}`, since)
	firstKey := "POST /order/202309/orders/search?page_size=10&sort_field=update_time " + body
	secondKey := "POST /order/202309/orders/search?page_size=10&page_token=" + url.QueryEscape(page.NextPageToken) + "&sort_field=update_time " + body
	want := map[string]int{
		firstKey:  2,
		secondKey: 1,
		"GET /finance/202309/statements?page_size=5&sort_field=statement_time": 1,
	}
	if got := e.sb.PageRequests(e.shops[0].Cipher); !maps.Equal(got, want) {
		t.Errorf("page requests of shop 0:\n got %v\nwant %v", got, want)
	}
	if got := e.sb.DuplicatePages(e.shops[0].Cipher); !slices.Equal(got, []string{firstKey}) {
		t.Errorf("duplicate pages of shop 0: %q", got)
	}
	if got := e.sb.PageRequests(e.shops[1].Cipher); len(got) != 1 || got["POST /order/202309/orders/search?page_size=10"] != 2 {
		t.Errorf("page requests of shop 1: %v", got)
	}
	if got := e.sb.DuplicatePages("ROW_unknown"); got != nil {
		t.Errorf("an unknown shop has duplicates %q", got)
	}
}
