package tiktok

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/money"
)

func usd(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "USD"} }
func gbp(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "GBP"} }

func TestOrdersAreReadWithExactMoneyAndTheirRawJSON(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	page, err := h.seller.SearchOrders(context.Background(), testShop, OrderQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 2 || page.NextPageToken != "aDU2dGRsR3p+L3pYb2I=" || len(page.Orders) != 2 {
		t.Fatalf("page %+v", page)
	}
	o := page.Orders[0]
	if o.ID != "576461413038785752" || o.Status != "COMPLETED" || !o.CreateTime.Equal(time.Unix(1731000000, 0)) ||
		o.CreateTime.Location() != time.UTC || !o.CancelTime.IsZero() || o.ShippingType != "TIKTOK" {
		t.Errorf("order %+v", o)
	}
	p := o.Payment
	if p.SubTotal != usd(3998) || p.TotalAmount != usd(4157) || p.ShippingFeePlatformDiscount != usd(150) ||
		p.ShippingFeeSellerDiscount != usd(0) || p.Tax != usd(360) {
		t.Errorf("payment %+v", p)
	}
	if p.Other["buyer_service_fee"] != usd(29) || len(p.Other) != 1 {
		t.Errorf("unknown payment amounts %v (want buyer_service_fee kept, payment_method ignored)", p.Other)
	}
	if len(o.LineItems) != 2 || o.LineItems[0].SalePrice != usd(1999) || o.LineItems[0].SellerSku != "MUG-BLUE-12" {
		t.Errorf("line items %+v", o.LineItems)
	}
	if o.Recipient.PhoneNumber != "(+1)213-555-0142" || o.Recipient.PostalCode != "62704" {
		t.Errorf("recipient %+v", o.Recipient)
	}
	var raw map[string]any
	if err := json.Unmarshal(o.Raw, &raw); err != nil || raw["id"] != "576461413038785752" {
		t.Errorf("raw %s", o.Raw)
	}
	sample := page.Orders[1]
	if !sample.IsSampleOrder || sample.Payment.TotalAmount != usd(0) || sample.Payment.Tax != usd(0) {
		t.Errorf("sample order %+v", sample)
	}
}

func TestStatementTransactionsKeepUnknownFeesAndAddUp(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "statement_transactions.json")))
	page, err := h.seller.StatementTransactions(context.Background(), testShop, "7374112533222123000", TransactionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	r := h.fake.requests()[0]
	if r.Path != "/finance/202501/statements/7374112533222123000/statement_transactions" {
		t.Errorf("path %s", r.Path)
	}
	if len(page.Transactions) != 3 {
		t.Fatalf("%d transactions", len(page.Transactions))
	}
	order := page.Transactions[0]
	if order.Type != "ORDER" || order.OrderID != "576461413038785752" || order.Settlement != gbp(13000) ||
		order.Revenue != gbp(20000) || order.ShippingCost != gbp(-4000) || order.FeeTax != gbp(-3000) {
		t.Errorf("order row %+v", order.Amounts)
	}
	if order.Fees.ReferralFee != gbp(-1600) || order.Fees.AffiliateCommission != gbp(-800) || order.Fees.PlatformCommission != gbp(0) {
		t.Errorf("fees %+v", order.Fees)
	}
	if order.Fees.Other["smart_promotion_fee_amount"] != gbp(-150) || len(order.Fees.Other) != 1 {
		t.Errorf("unknown fee not kept: %v", order.Fees.Other)
	}
	if order.Taxes.VAT != gbp(-50) || order.Taxes.Other["digital_services_tax_amount"] != gbp(0) {
		t.Errorf("taxes %+v", order.Taxes)
	}
	if order.RevenueBreakdown.SellerDiscount != gbp(-1000) || order.ShippingCostBreakdown.ActualShippingFee != gbp(-4500) {
		t.Errorf("breakdowns %+v %+v", order.RevenueBreakdown, order.ShippingCostBreakdown)
	}
	skus, err := order.SKUs()
	if err != nil || len(skus) != 1 || skus[0].Quantity != 2 || skus[0].Fees.Other["smart_promotion_fee_amount"] != gbp(-150) {
		t.Errorf("sku rows %+v, %v", skus, err)
	}
	adj := page.Transactions[1]
	if adj.Type != "ADJUSTMENT" || adj.Subtype != "PLATFORM_PENALTY" || adj.Adjustment != gbp(-550) {
		t.Errorf("adjustment row %+v", adj)
	}
	reserve := page.Transactions[2]
	if reserve.Reserve != gbp(-2000) || reserve.ReserveStatus != "HELD" || reserve.EstimatedReleaseTime.IsZero() {
		t.Errorf("reserve row %+v", reserve)
	}
	for _, tr := range page.Transactions {
		if diff, err := tr.CheckSum(); err != nil || !diff.IsZero() {
			t.Errorf("transaction %s: CheckSum = %v, %v", tr.ID, diff, err)
		}
		skus, err := tr.SKUs()
		if err != nil {
			t.Errorf("transaction %s: SKUs: %v", tr.ID, err)
		}
		for _, sku := range skus {
			if diff, err := sku.CheckSum(); err != nil || !diff.IsZero() {
				t.Errorf("transaction %s sku %s: CheckSum = %v, %v", tr.ID, sku.SkuID, diff, err)
			}
		}
	}
}

func TestCheckSumReportsTheDifference(t *testing.T) {
	a := Amounts{Currency: "GBP", Settlement: gbp(13000), Revenue: gbp(20000), ShippingCost: gbp(-7000), FeeTax: gbp(-3000)}
	diff, err := a.CheckSum()
	if err != nil || diff != gbp(3000) {
		t.Fatalf("CheckSum = %v, %v; want 30.00 GBP", diff, err)
	}
	a.ShippingCost = gbp(-4000)
	if diff, err := a.CheckSum(); err != nil || !diff.IsZero() {
		t.Fatalf("CheckSum = %v, %v", diff, err)
	}
	a.FeeTax = usd(-3000)
	if _, err := a.CheckSum(); err == nil {
		t.Fatal("a row mixing currencies summed")
	}
}

func TestFinanceReadsParse(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, ok(fixture(t, "statements.json")))
	st, err := h.seller.Statements(ctx, testShop, StatementQuery{StatementTimeGE: time.Unix(1731542400, 0), StatementTimeLT: time.Unix(1731628801, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s := st.Statements[0]
	if s.Settlement != gbp(9450) || s.Fee != gbp(-3000) || s.PaymentStatus != "PAID" || s.StatementTime.Hour() != 0 {
		t.Errorf("statement %+v", s)
	}
	q := h.fake.requests()[0].Query
	if q.Get("sort_field") != "statement_time" || q.Get("statement_time_ge") != "1731542400" || q.Get("statement_time_lt") != "1731628801" {
		t.Errorf("statements query %v", q)
	}

	h = newHarness(t, ok(fixture(t, "payments.json")))
	pp, err := h.seller.Payments(ctx, testShop, PaymentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.Payments[0]
	if p.Amount != usd(124050) || p.ReserveAmount != usd(-5950) || p.AmountBeforeExchange != (money.Amount{Minor: 880235, Currency: "CNY"}) || p.ExchangeRate != "7.0958" {
		t.Errorf("payment %+v", p)
	}
	if h.fake.requests()[0].Query.Get("sort_field") != "create_time" {
		t.Error("payments without sort_field=create_time")
	}

	h = newHarness(t, ok(fixture(t, "withdrawals.json")))
	wp, err := h.seller.Withdrawals(ctx, testShop, WithdrawalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(wp.Withdrawals) != 2 || wp.Withdrawals[0].Amount != usd(-124050) {
		t.Errorf("withdrawals %+v", wp.Withdrawals)
	}
	if got := h.fake.requests()[0].Query.Get("types"); got != "WITHDRAW,SETTLE,TRANSFER,REVERSE" {
		t.Errorf("types %q", got)
	}

	h = newHarness(t, ok(fixture(t, "unsettled.json")))
	up, err := h.seller.UnsettledOrders(ctx, testShop, UnsettledOrderQuery{SearchTimeGE: time.Unix(1735689600, 0)})
	if err != nil {
		t.Fatal(err)
	}
	u := up.Orders[0]
	if u.OrderID != "576461413038785999" || u.Settlement != usd(1699) || u.Fees.ReferralFee != usd(-240) || u.EstimatedSettlementTime.IsZero() {
		t.Errorf("unsettled %+v", u)
	}
	if diff, err := u.CheckSum(); err != nil || !diff.IsZero() {
		t.Errorf("unsettled CheckSum %v %v", diff, err)
	}
	q = h.fake.requests()[0].Query
	if q.Get("sort_field") != "order_create_time" || q.Get("search_time_ge") != "1735689600" || q.Has("search_time_lt") {
		t.Errorf("unsettled query %v", q)
	}

	h = newHarness(t, ok(fixture(t, "statement_transactions.json")))
	if _, err := h.seller.OrderStatementTransactions(ctx, testShop, "576461413038785752", TransactionQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.requests()[0].Path; got != "/finance/202501/orders/576461413038785752/statement_transactions" {
		t.Errorf("path %s", got)
	}
}

func TestReturnsAndProductsParse(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, ok(fixture(t, "returns_search.json")))
	rp, err := h.seller.SearchReturns(ctx, testShop, ReturnQuery{ReturnTypes: []string{"RETURN_AND_REFUND"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rp.Returns[0]
	if r.ID != "4035230940361801234" || r.Refund.Total != usd(2179) || r.LineItems[0].Refund.Subtotal != usd(1999) ||
		r.ShippingFees[0].SellerPaidReturnShippingFee != usd(745) || r.ShippingFees[0].Other["platform_paid_return_shipping_fee"] != usd(0) {
		t.Errorf("return %+v", r)
	}
	if len(r.NextActions) != 1 || r.NextActions[0].Action != "SELLER_RESPOND_RECEIVE_PACKAGE" || !r.NextActions[0].Deadline.Equal(time.Unix(1732391200, 0)) {
		t.Errorf("next actions %+v", r.NextActions)
	}
	if got := string(h.fake.requests()[0].Body); got != `{"return_types":["RETURN_AND_REFUND"]}` {
		t.Errorf("body %s", got)
	}
	if got := h.fake.requests()[0].Query.Get("page_size"); got != "50" {
		t.Errorf("default return page size %s", got)
	}

	h = newHarness(t, ok(fixture(t, "products_search.json")))
	pp, err := h.seller.SearchProducts(ctx, testShop, ProductQuery{UpdateTimeGE: time.Unix(1731000000, 0), UpdateTimeLE: time.Unix(1731600000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if sku := pp.Products[0].SKUs[0]; sku.SalePrice != usd(2299) || sku.Inventory[0].Quantity != 118 {
		t.Errorf("sku %+v", sku)
	}
	if got := string(h.fake.requests()[0].Body); got != `{"update_time_ge":1731000000,"update_time_le":1731600000}` {
		t.Errorf("products body %s (the filter is _le)", got)
	}
}

func FuzzRecords(f *testing.F) {
	addFixtureRecords(f, "orders_search.json", "returns_search.json", "products_search.json", "statements.json",
		"payments.json", "withdrawals.json", "statement_transactions.json", "unsettled.json")
	f.Add([]byte(`{"payment":{"currency":"USD","sub_total":12}}`))
	f.Add([]byte(`{"fee_tax_breakdown":{"fee":{"x_amount":"1e9"}},"sku_transactions":[{"settlement_amount":"-"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Every parser of outside records refuses or reads; none panics.
		_, _ = parseOrder(raw)
		_, _ = parseReturn(raw)
		_, _ = parseProduct(raw)
		_, _ = parseStatement(raw)
		_, _ = parsePayment(raw)
		_, _ = parseWithdrawal(raw)
		if tr, err := parseTransaction(raw, "USD"); err == nil {
			_, _ = tr.CheckSum()
			_, _ = tr.SKUs()
		}
		_, _ = parseUnsettledOrder(raw, "JPY")
	})
}

func TestUnsettledEstimatesReadUnderTheirEstNames(t *testing.T) {
	raw := json.RawMessage(`{"order_id":"576461413038785001","currency":"USD","est_settlement_amount":"16.99",
		"est_revenue_amount":"25.00","est_shipping_cost_amount":"-5.01","est_fee_tax_amount":"-3.00","est_future_amount":"1.00"}`)
	u, err := parseUnsettledOrder(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Settlement != usd(1699) || u.Revenue != usd(2500) || u.ShippingCost != usd(-501) || u.FeeTax != usd(-300) {
		t.Fatalf("estimates %+v; want them in their fields", u.Amounts)
	}
	if _, moved := u.Other["est_settlement_amount"]; moved || u.Other["est_future_amount"] != usd(100) {
		t.Fatalf("other %v: want the read estimates gone and an unknown one kept", u.Other)
	}
}

// A settlement row's SKU split is read on demand: a part that cannot be read leaves the row's own figures read, and
// SKUs names the part and still reads the others.
func TestASettlementRowsSKUSplitIsReadOnDemand(t *testing.T) {
	raw := json.RawMessage(`{"id":"9","type":"ORDER","currency":"USD","settlement_amount":"10.00","revenue_amount":"10.00",
		"sku_transactions":[{"sku_id":"a","quantity":1,"settlement_amount":"-"},{"sku_id":"b","quantity":2,"settlement_amount":"4.00"}]}`)
	tr, err := parseTransaction(raw, "USD")
	if err != nil || tr.Settlement != usd(1000) {
		t.Fatalf("row: settlement %v, %v; want 10.00 read", tr.Settlement, err)
	}
	skus, err := tr.SKUs()
	if err == nil || !strings.Contains(err.Error(), "sku_transactions[0]") {
		t.Errorf("SKUs error %v; want it to name sku_transactions[0]", err)
	}
	if len(skus) != 2 || skus[1].SkuID != "b" || skus[1].Quantity != 2 || skus[1].Settlement != usd(400) {
		t.Errorf("SKUs %+v; want both parts, b's read whole", skus)
	}
}
