package sandbox

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

type testOrder struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"create_time"`
	UpdateTime    int64  `json:"update_time"`
	IsSampleOrder bool   `json:"is_sample_order"`
	Payment       struct {
		SubTotal                    string `json:"sub_total"`
		ShippingFee                 string `json:"shipping_fee"`
		SellerDiscount              string `json:"seller_discount"`
		PlatformDiscount            string `json:"platform_discount"`
		TotalAmount                 string `json:"total_amount"`
		Tax                         string `json:"tax"`
		OriginalTotalProductPrice   string `json:"original_total_product_price"`
		OriginalShippingFee         string `json:"original_shipping_fee"`
		ShippingFeeSellerDiscount   string `json:"shipping_fee_seller_discount"`
		ShippingFeePlatformDiscount string `json:"shipping_fee_platform_discount"`
		ProductTax                  string `json:"product_tax"`
		ShippingFeeTax              string `json:"shipping_fee_tax"`
	} `json:"payment"`
	LineItems []struct {
		OriginalPrice    string `json:"original_price"`
		SalePrice        string `json:"sale_price"`
		SellerDiscount   string `json:"seller_discount"`
		PlatformDiscount string `json:"platform_discount"`
	} `json:"line_items"`
	RecipientAddress struct {
		Name        string `json:"name"`
		PhoneNumber string `json:"phone_number"`
		FullAddress string `json:"full_address"`
	} `json:"recipient_address"`
	BuyerEmail string `json:"buyer_email"`
}

func ordersReq(e *testEnv, shop int, size string, body any) req {
	return req{method: "POST", path: "/order/202309/orders/search", params: map[string]string{"page_size": size}, cipher: e.shops[shop].Cipher, body: body}
}

func TestTwoSandboxesWithOneSeedServeIdenticalPages(t *testing.T) {
	a, b := newEnv(t, nil), newEnv(t, nil)
	reqs := func(e *testEnv) []req {
		return []req{
			ordersReq(e, 0, "100", map[string]any{"update_time_ge": testStart.Add(-20 * 24 * time.Hour).Unix()}),
			ordersReq(e, 1, "50", nil),
			{method: "POST", path: "/return_refund/202309/returns/search", params: map[string]string{"page_size": "50"}, cipher: e.shops[0].Cipher},
			{method: "POST", path: "/product/202309/products/search", params: map[string]string{"page_size": "100"}, cipher: e.shops[1].Cipher},
			{method: "GET", path: "/finance/202309/statements", params: map[string]string{"sort_field": "statement_time"}, cipher: e.shops[0].Cipher},
			{method: "GET", path: "/finance/202309/payments", params: map[string]string{"sort_field": "create_time"}, cipher: e.shops[0].Cipher},
			{method: "GET", path: "/finance/202507/orders/unsettled", params: map[string]string{"sort_field": "order_create_time"}, cipher: e.shops[0].Cipher},
		}
	}
	ra, rb := reqs(a), reqs(b)
	for i := range ra {
		pa, pb := a.ok(ra[i], nil), b.ok(rb[i], nil)
		if !bytes.Equal(pa.raw, pb.raw) {
			t.Fatalf("%s: pages differ:\n%s\n%s", ra[i].path, pa.raw, pb.raw)
		}
	}
	c := newEnv(t, func(c *Config) { c.Seed = 43 })
	if pa, pc := a.ok(ordersReq(a, 0, "100", nil), nil), c.ok(ordersReq(c, 0, "100", nil), nil); bytes.Equal(pa.Data, pc.Data) {
		t.Fatal("another seed served the same orders")
	}
}

func TestPageTokensWithPlusAndSlashPageThroughEveryOrder(t *testing.T) {
	e := newEnv(t, nil)
	orders, total, pages := pageAll[testOrder](e, ordersReq(e, 0, "7", nil), "orders")
	tot := e.sb.Totals(e.shops[0].ID)
	if total != tot.Orders || len(orders) != tot.Orders || pages != (tot.Orders+6)/7 {
		t.Fatalf("got %d orders in %d pages, total_count %d; sandbox holds %d", len(orders), pages, total, tot.Orders)
	}
	seen := map[string]bool{}
	for i, o := range orders {
		if seen[o.ID] {
			t.Fatalf("order %s served twice", o.ID)
		}
		seen[o.ID] = true
		if i > 0 && o.CreateTime > orders[i-1].CreateTime {
			t.Fatal("orders are not in the default create_time DESC order")
		}
	}
	var first struct {
		NextPageToken string `json:"next_page_token"`
	}
	e.ok(ordersReq(e, 0, "7", nil), &first)
	if !strings.ContainsAny(first.NextPageToken, "+") || !strings.Contains(first.NextPageToken, "/") {
		t.Fatalf("page token %q has no + and /", first.NextPageToken)
	}
	// A token sent without percent-encoding arrives with spaces for '+', so the signature no longer matches.
	hr := ordersReq(e, 0, "7", nil)
	hr.params["page_token"] = strings.ReplaceAll(first.NextPageToken, "+", " ")
	e.wantCode(hr, codeInvalidParam)
	// A token from another query is refused.
	other := ordersReq(e, 0, "7", map[string]any{"order_status": "COMPLETED"})
	other.params["page_token"] = first.NextPageToken
	e.wantCode(other, codeInvalidParam)
}

func TestPageSizeLimitsFollowTheSpec(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		r    req
		size string
		ok   bool
	}{
		{ordersReq(e, 0, "", nil), "100", true}, {ordersReq(e, 0, "", nil), "101", false}, {ordersReq(e, 0, "", nil), "0", false},
		{req{method: "POST", path: "/return_refund/202309/returns/search", cipher: e.shops[0].Cipher}, "9", false},
		{req{method: "POST", path: "/return_refund/202309/returns/search", cipher: e.shops[0].Cipher}, "50", true},
		{req{method: "POST", path: "/return_refund/202309/returns/search", cipher: e.shops[0].Cipher}, "51", false},
	} {
		c.r.params = map[string]string{"page_size": c.size}
		if res := e.call(c.r); (res.Code == 0) != c.ok {
			t.Errorf("%s page_size=%s: code %d %q", c.r.path, c.size, res.Code, res.Message)
		}
	}
	e.wantCode(req{method: "POST", path: "/order/202309/orders/search", cipher: e.shops[0].Cipher}, codeInvalidParam)
	e.wantCode(req{method: "GET", path: "/finance/202309/statements", cipher: e.shops[0].Cipher}, codeInvalidParam)
	e.wantCode(req{method: "GET", path: "/finance/202309/withdrawals", cipher: e.shops[0].Cipher}, codeInvalidParam)
}

func TestOrderPaymentsAgreeWithTheirLineItems(t *testing.T) {
	e := newEnv(t, nil)
	for s := range e.shops {
		orders, _, _ := pageAll[testOrder](e, ordersReq(e, s, "100", nil), "orders")
		statuses := map[string]int{}
		for _, o := range orders {
			statuses[o.Status]++
			var orig, sale, sd, pd int64
			for _, li := range o.LineItems {
				orig += parseMoney(t, li.OriginalPrice)
				sale += parseMoney(t, li.SalePrice)
				sd += parseMoney(t, li.SellerDiscount)
				pd += parseMoney(t, li.PlatformDiscount)
			}
			p := o.Payment
			m := func(v string) int64 { return parseMoney(t, v) }
			if m(p.OriginalTotalProductPrice) != orig || m(p.SellerDiscount) != sd || m(p.PlatformDiscount) != pd ||
				m(p.SubTotal) != sale || sale != orig-sd-pd ||
				m(p.ShippingFee) != m(p.OriginalShippingFee)-m(p.ShippingFeeSellerDiscount)-m(p.ShippingFeePlatformDiscount) ||
				m(p.Tax) != m(p.ProductTax)+m(p.ShippingFeeTax) ||
				m(p.TotalAmount) != m(p.SubTotal)+m(p.ShippingFee)+m(p.Tax) {
				t.Fatalf("order %s: payment %+v does not agree with its line items", o.ID, p)
			}
			if o.IsSampleOrder && m(p.TotalAmount) != 0 {
				t.Fatalf("sample order %s costs %s", o.ID, p.TotalAmount)
			}
			if o.RecipientAddress.Name == "" || o.RecipientAddress.PhoneNumber == "" || !strings.HasSuffix(o.BuyerEmail, ".invalid") {
				t.Fatalf("order %s: buyer %+v %s", o.ID, o.RecipientAddress, o.BuyerEmail)
			}
		}
		for _, st := range []string{"UNPAID", "AWAITING_SHIPMENT", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"} {
			if statuses[st] == 0 {
				t.Errorf("shop %d has no %s orders: %v", s, st, statuses)
			}
		}
	}
}

type testReturn struct {
	ReturnID     string `json:"return_id"`
	ReturnStatus string `json:"return_status"`
	CreateTime   int64  `json:"create_time"`
	UpdateTime   int64  `json:"update_time"`
	RefundAmount struct {
		RefundTotal string `json:"refund_total"`
	} `json:"refund_amount"`
	Actions []struct {
		Action   string `json:"action"`
		Deadline int64  `json:"deadline"`
	} `json:"seller_next_action_response"`
}

func TestOpenReturnsCarryTheirDeadline(t *testing.T) {
	e := newEnv(t, nil)
	returns, _, _ := pageAll[testReturn](e, req{method: "POST", path: "/return_refund/202309/returns/search",
		params: map[string]string{"page_size": "50"}, cipher: e.shops[0].Cipher}, "return_orders")
	open := 0
	for _, r := range returns {
		if r.ReturnStatus == "RETURN_OR_REFUND_REQUEST_PENDING" &&
			(len(r.Actions) != 1 || r.Actions[0].Deadline != r.CreateTime+48*3600) {
			t.Fatalf("pending return %s: actions %+v, want one deadline 48 h after %d", r.ReturnID, r.Actions, r.CreateTime)
		}
		if len(r.Actions) > 0 {
			open++
			if r.Actions[0].Deadline <= e.clk.Now().Unix() {
				t.Fatalf("open return %s is past its deadline", r.ReturnID)
			}
		}
	}
	if open == 0 {
		t.Fatal("no open return to act on")
	}
}

type testTxn struct {
	ID                 string            `json:"id"`
	Type               string            `json:"type"`
	OrderID            string            `json:"order_id"`
	SettlementAmount   string            `json:"settlement_amount"`
	RevenueAmount      string            `json:"revenue_amount"`
	ShippingCostAmount string            `json:"shipping_cost_amount"`
	FeeTaxAmount       string            `json:"fee_tax_amount"`
	AdjustmentAmount   string            `json:"adjustment_amount"`
	ReserveAmount      string            `json:"reserve_amount"`
	RevenueBreakdown   map[string]string `json:"revenue_breakdown"`
	ShippingBreakdown  map[string]string `json:"shipping_cost_breakdown"`
	FeeTaxBreakdown    struct {
		Fee map[string]string `json:"fee"`
		Tax map[string]string `json:"tax"`
	} `json:"fee_tax_breakdown"`
	SKUTransactions []struct {
		Quantity           int    `json:"quantity"`
		SettlementAmount   string `json:"settlement_amount"`
		RevenueAmount      string `json:"revenue_amount"`
		ShippingCostAmount string `json:"shipping_cost_amount"`
		FeeTaxAmount       string `json:"fee_tax_amount"`
	} `json:"sku_transactions"`
}

type testStatement struct {
	ID                 string `json:"id"`
	StatementTime      int64  `json:"statement_time"`
	RevenueAmount      string `json:"revenue_amount"`
	FeeAmount          string `json:"fee_amount"`
	AdjustmentAmount   string `json:"adjustment_amount"`
	ShippingCostAmount string `json:"shipping_cost_amount"`
	SettlementAmount   string `json:"settlement_amount"`
	PaymentStatus      string `json:"payment_status"`
	PaymentID          string `json:"payment_id"`
}

func statementsReq(e *testEnv, shop int) req {
	return req{method: "GET", path: "/finance/202309/statements", params: map[string]string{"sort_field": "statement_time", "page_size": "100"}, cipher: e.shops[shop].Cipher}
}

func txnsReq(e *testEnv, shop int, statementID string) req {
	return req{method: "GET", path: "/finance/202501/statements/" + statementID + "/statement_transactions",
		params: map[string]string{"page_size": "30"}, cipher: e.shops[shop].Cipher}
}

func TestStatementTransactionsSumToSettlementsExceptTheDeliberateMismatch(t *testing.T) {
	e := newEnv(t, nil)
	wantStatement, wantOrder := e.sb.Mismatch()
	var mismatches []string
	kinds := map[string]int{}
	fees := map[string]bool{}
	for s := range e.shops {
		statements, _, _ := pageAll[testStatement](e, statementsReq(e, s), "statements")
		if len(statements) < 20 {
			t.Fatalf("shop %d has only %d statements", s, len(statements))
		}
		for _, st := range statements {
			if st.StatementTime%86400 != 0 {
				t.Fatalf("statement %s at %d, not 00:00 UTC", st.ID, st.StatementTime)
			}
			txns, total, _ := pageAll[testTxn](e, txnsReq(e, s, st.ID), "transactions")
			if total != len(txns) {
				t.Fatalf("statement %s: total_count %d, got %d", st.ID, total, len(txns))
			}
			var settle, rev, ship, fee, adj int64
			for _, x := range txns {
				kinds[x.Type]++
				m := func(v string) int64 { return parseMoney(t, v) }
				settle += m(x.SettlementAmount)
				rev += m(x.RevenueAmount)
				ship += m(x.ShippingCostAmount)
				fee += m(x.FeeTaxAmount)
				adj += m(x.AdjustmentAmount)
				sumMap := func(mm map[string]string) (v int64) {
					for _, s := range mm {
						v += m(s)
					}
					return v
				}
				for k, v := range x.FeeTaxBreakdown.Fee {
					if m(v) != 0 {
						fees[k] = true
					}
				}
				if sumMap(x.RevenueBreakdown) != m(x.RevenueAmount) || sumMap(x.ShippingBreakdown) != m(x.ShippingCostAmount) ||
					sumMap(x.FeeTaxBreakdown.Fee)+sumMap(x.FeeTaxBreakdown.Tax) != m(x.FeeTaxAmount) {
					t.Fatalf("transaction %s: breakdowns do not sum to their amounts", x.ID)
				}
				if parts := m(x.RevenueAmount) + m(x.ShippingCostAmount) + m(x.FeeTaxAmount) + m(x.AdjustmentAmount); parts != m(x.SettlementAmount) {
					mismatches = append(mismatches, st.ID+"/"+x.OrderID)
				}
				if x.Type == "ORDER" {
					var skuSettle int64
					for _, k := range x.SKUTransactions {
						skuSettle += m(k.SettlementAmount)
						if k.Quantity < 1 || m(k.RevenueAmount)+m(k.ShippingCostAmount)+m(k.FeeTaxAmount) != m(k.SettlementAmount) {
							t.Fatalf("transaction %s: sku row %+v does not add up", x.ID, k)
						}
					}
					if skuSettle != m(x.SettlementAmount) && st.ID != wantStatement {
						t.Fatalf("transaction %s: sku rows sum to %d, transaction settles %s", x.ID, skuSettle, x.SettlementAmount)
					}
				}
			}
			m := func(v string) int64 { return parseMoney(t, v) }
			if settle != m(st.SettlementAmount) || rev != m(st.RevenueAmount) || ship != m(st.ShippingCostAmount) ||
				fee != m(st.FeeAmount) || adj != m(st.AdjustmentAmount) {
				t.Fatalf("statement %s does not equal the sum of its %d transactions", st.ID, len(txns))
			}
		}
	}
	if len(mismatches) != 1 || mismatches[0] != wantStatement+"/"+wantOrder {
		t.Fatalf("mismatched rows = %v, want exactly %s/%s", mismatches, wantStatement, wantOrder)
	}
	for _, k := range []string{"ORDER", "ADJUSTMENT", "RESERVE"} {
		if kinds[k] == 0 {
			t.Errorf("no %s transactions: %v", k, kinds)
		}
	}
	for _, f := range []string{"referral_fee_amount", "transaction_fee_amount", "affiliate_commission_amount", "sfp_service_fee_amount", "refund_administration_fee_amount"} {
		if !fees[f] {
			t.Errorf("no transaction charges %s", f)
		}
	}
}

type testPayment struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	Amount           struct{ Value string }
	SettlementAmount struct{ Value string } `json:"settlement_amount"`
	ReserveAmount    struct{ Value string } `json:"reserve_amount"`
	PaidTime         int64                  `json:"paid_time"`
	BankAccount      string                 `json:"bank_account"`
}

func TestStatementsAndPaymentsReconcile(t *testing.T) {
	e := newEnv(t, nil)
	statements, _, _ := pageAll[testStatement](e, statementsReq(e, 0), "statements")
	payments, _, _ := pageAll[testPayment](e, req{method: "GET", path: "/finance/202309/payments",
		params: map[string]string{"sort_field": "create_time", "page_size": "100"}, cipher: e.shops[0].Cipher}, "payments")
	byID := map[string]testPayment{}
	for _, p := range payments {
		byID[p.ID] = p
		m := func(v string) int64 { return parseMoney(t, v) }
		if m(p.Amount.Value) != m(p.SettlementAmount.Value)+m(p.ReserveAmount.Value) {
			t.Fatalf("payment %s: amount %s != settlement %s + reserve %s", p.ID, p.Amount.Value, p.SettlementAmount.Value, p.ReserveAmount.Value)
		}
		if (p.Status == "PAID") != (p.PaidTime != 0) || !strings.HasPrefix(p.BankAccount, "****") {
			t.Fatalf("payment %+v", p)
		}
	}
	paid, held := 0, 0
	for _, st := range statements {
		p, ok := byID[st.PaymentID]
		if !ok {
			t.Fatalf("statement %s names payment %s, which payments does not list", st.ID, st.PaymentID)
		}
		if p.SettlementAmount.Value != st.SettlementAmount || p.Status != st.PaymentStatus {
			t.Fatalf("statement %s (%s, %s) and payment %+v disagree", st.ID, st.SettlementAmount, st.PaymentStatus, p)
		}
		if p.Status == "PAID" {
			paid++
		}
		if parseMoney(t, p.ReserveAmount.Value) != 0 {
			held++
		}
	}
	if len(statements) != len(payments) || paid == 0 || paid == len(payments) || held == 0 {
		t.Fatalf("%d statements, %d payments, %d paid, %d with reserve", len(statements), len(payments), paid, held)
	}
}

func TestUnsettledOrdersForecastRecentOrders(t *testing.T) {
	e := newEnv(t, nil)
	type unsettled struct {
		OrderID                 string `json:"order_id"`
		EstSettlementAmount     string `json:"est_settlement_amount"`
		EstimatedSettlementTime int64  `json:"estimated_settlement_time"`
	}
	list, total, _ := pageAll[unsettled](e, req{method: "GET", path: "/finance/202507/orders/unsettled",
		params: map[string]string{"sort_field": "order_create_time", "page_size": "100"}, cipher: e.shops[0].Cipher}, "transactions")
	if len(list) == 0 || total != len(list) || total != e.sb.Totals(e.shops[0].ID).UnsettledOrders {
		t.Fatalf("%d unsettled orders, total_count %d, sandbox %d", len(list), total, e.sb.Totals(e.shops[0].ID).UnsettledOrders)
	}
	for _, u := range list {
		if u.EstimatedSettlementTime <= e.clk.Now().Unix() || u.EstimatedSettlementTime%86400 != 0 {
			t.Fatalf("unsettled %+v: estimated settlement not a future midnight", u)
		}
	}
}

func TestProductSearchStopsAtTenThousand(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ProductsPerShop, c.Shops, c.OrdersPerDay, c.Days = 10050, 1, 1, 2 })
	r := req{method: "POST", path: "/product/202309/products/search", params: map[string]string{"page_size": "100"}, cipher: e.shops[0].Cipher}
	products, total, _ := pageAll[struct{ ID string }](e, r, "products")
	if total != 10050 || len(products) != 10000 {
		t.Fatalf("total_count %d, reached %d products; want 10050 and 10000", total, len(products))
	}
	// Splitting by update time reaches the rest.
	r.body = map[string]any{"update_time_ge": testStart.Add(-24 * time.Hour).Unix(), "update_time_le": testStart.Unix()}
	some, total, _ := pageAll[struct{ ID string }](e, r, "products")
	if total == 0 || total >= 10000 || len(some) != total {
		t.Fatalf("windowed search: total_count %d, got %d", total, len(some))
	}
}

func TestTotalsEqualWhatPagingReturns(t *testing.T) {
	e := newEnv(t, nil)
	for s, sh := range e.shops {
		want := e.sb.Totals(sh.ID)
		var got Totals
		got.Currency = want.Currency
		got.OrdersByStatus = map[string]int{}
		orders, _, _ := pageAll[testOrder](e, ordersReq(e, s, "100", nil), "orders")
		for _, o := range orders {
			got.Orders++
			got.OrdersByStatus[o.Status]++
			got.LineItems += len(o.LineItems)
			got.OrderTotalAmount += parseMoney(t, o.Payment.TotalAmount)
			if o.IsSampleOrder {
				got.SampleOrders++
			}
		}
		returns, _, _ := pageAll[testReturn](e, req{method: "POST", path: "/return_refund/202309/returns/search",
			params: map[string]string{"page_size": "50"}, cipher: sh.Cipher}, "return_orders")
		for _, r := range returns {
			got.Returns++
			got.RefundTotal += parseMoney(t, r.RefundAmount.RefundTotal)
			if len(r.Actions) > 0 {
				got.OpenReturns++
			}
		}
		products, _, _ := pageAll[struct{ SKUs []any }](e, req{method: "POST", path: "/product/202309/products/search",
			params: map[string]string{"page_size": "100"}, cipher: sh.Cipher}, "products")
		for _, p := range products {
			got.Products++
			got.SKUs += len(p.SKUs)
		}
		statements, _, _ := pageAll[testStatement](e, statementsReq(e, s), "statements")
		for _, st := range statements {
			got.Statements++
			got.StatementSettlement += parseMoney(t, st.SettlementAmount)
			txns, _, _ := pageAll[testTxn](e, txnsReq(e, s, st.ID), "transactions")
			got.StatementTransactions += len(txns)
			for _, x := range txns {
				got.StatementReserve += parseMoney(t, x.ReserveAmount)
			}
		}
		payments, _, _ := pageAll[testPayment](e, req{method: "GET", path: "/finance/202309/payments",
			params: map[string]string{"sort_field": "create_time", "page_size": "100"}, cipher: sh.Cipher}, "payments")
		for _, p := range payments {
			got.Payments++
			got.PaymentAmount += parseMoney(t, p.Amount.Value)
			if p.Status == "PAID" {
				got.PaidPayments++
			}
		}
		withdrawals, _, _ := pageAll[struct{ ID string }](e, req{method: "GET", path: "/finance/202309/withdrawals",
			params: map[string]string{"types": "WITHDRAW,SETTLE,TRANSFER,REVERSE", "page_size": "100"}, cipher: sh.Cipher}, "withdrawals")
		got.Withdrawals = len(withdrawals)
		_, got.UnsettledOrders, _ = pageAll[struct{ ID string }](e, req{method: "GET", path: "/finance/202507/orders/unsettled",
			params: map[string]string{"sort_field": "order_create_time", "page_size": "100"}, cipher: sh.Cipher}, "transactions")
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("shop %d:\npaged   %+v\nTotals  %+v", s, got, want)
		}
	}
}

func TestOrdersProgressAsTheClockMoves(t *testing.T) {
	e := newEnv(t, nil)
	before := e.sb.Totals(e.shops[0].ID)
	since := e.clk.Now().Unix()
	e.clk.Advance(3 * 24 * time.Hour)
	after := e.sb.Totals(e.shops[0].ID)
	if after.Orders != before.Orders || after.OrdersByStatus["COMPLETED"] <= before.OrdersByStatus["COMPLETED"] || after.Statements <= before.Statements {
		t.Fatalf("before %+v\nafter %+v", before, after)
	}
	e.token = mustTokens(t, e.sb).AccessToken
	changed, total, _ := pageAll[testOrder](e, ordersReq(e, 0, "100", map[string]any{"update_time_ge": since}), "orders")
	if total == 0 || len(changed) != total {
		t.Fatalf("%d orders changed in three days (total_count %d)", len(changed), total)
	}
	for _, o := range changed {
		if o.UpdateTime < since {
			t.Fatalf("order %s updated at %d, before the window %d", o.ID, o.UpdateTime, since)
		}
	}
}

func mustTokens(t testing.TB, sb *Sandbox) Tokens {
	t.Helper()
	tok, err := sb.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
