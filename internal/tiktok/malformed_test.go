package tiktok

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// badID is the id the tests give the one record they break, so it cannot be confused with the fixture's own.
const badID = "9000000000000000001"

// readPage calls the read whose response a fixture is and reports the ids it read and the records it set aside.
func readPage(h *harness, read string) (ids []string, malformed []Malformed, err error) {
	ctx := context.Background()
	switch read {
	case "SearchOrders":
		p, err := h.seller.SearchOrders(ctx, testShop, OrderQuery{})
		for _, o := range p.Orders {
			ids = append(ids, o.ID)
		}
		return ids, p.Malformed, err
	case "GetOrders":
		orders, malformed, err := h.seller.GetOrders(ctx, testShop, []string{"576461413038785752"})
		for _, o := range orders {
			ids = append(ids, o.ID)
		}
		return ids, malformed, err
	case "SearchReturns":
		p, err := h.seller.SearchReturns(ctx, testShop, ReturnQuery{})
		for _, r := range p.Returns {
			ids = append(ids, r.ID)
		}
		return ids, p.Malformed, err
	case "SearchProducts":
		p, err := h.seller.SearchProducts(ctx, testShop, ProductQuery{})
		for _, pr := range p.Products {
			ids = append(ids, pr.ID)
		}
		return ids, p.Malformed, err
	case "Statements":
		p, err := h.seller.Statements(ctx, testShop, StatementQuery{})
		for _, s := range p.Statements {
			ids = append(ids, s.ID)
		}
		return ids, p.Malformed, err
	case "Payments":
		p, err := h.seller.Payments(ctx, testShop, PaymentQuery{})
		for _, pm := range p.Payments {
			ids = append(ids, pm.ID)
		}
		return ids, p.Malformed, err
	case "Withdrawals":
		p, err := h.seller.Withdrawals(ctx, testShop, WithdrawalQuery{})
		for _, w := range p.Withdrawals {
			ids = append(ids, w.ID)
		}
		return ids, p.Malformed, err
	case "StatementTransactions":
		p, err := h.seller.StatementTransactions(ctx, testShop, "7374112533222123000", TransactionQuery{})
		for _, t := range p.Transactions {
			ids = append(ids, t.ID)
		}
		return ids, p.Malformed, err
	case "UnsettledOrders":
		p, err := h.seller.UnsettledOrders(ctx, testShop, UnsettledOrderQuery{})
		for _, u := range p.Orders {
			ids = append(ids, u.OrderID)
		}
		return ids, p.Malformed, err
	}
	panic(read)
}

// withBrokenCopy returns the fixture's page with one more record: a copy of the first, renamed badID under
// idKey and broken by replacing from with to, placed second so good records come before and after it. It also
// returns the ids of the fixture's own records, which must all still be read.
func withBrokenCopy(t *testing.T, fixture, listKey, idKey, from, to string) (body string, goodIDs []string) {
	t.Helper()
	var env map[string]json.RawMessage
	var data map[string]json.RawMessage
	var recs []json.RawMessage
	if err := json.Unmarshal([]byte(fixture), &env); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(env["data"], &data); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data[listKey], &recs); err != nil {
		t.Fatalf("%s: %v", listKey, err)
	}
	for _, r := range recs {
		var id map[string]any
		if err := json.Unmarshal(r, &id); err != nil {
			t.Fatal(err)
		}
		goodIDs = append(goodIDs, id[idKey].(string))
	}
	bad := string(recs[0])
	if !strings.Contains(bad, from) {
		t.Fatalf("the first record lacks %s", from)
	}
	bad = strings.Replace(bad, from, to, 1)
	oldID := `"` + idKey + `":"` + goodIDs[0] + `"`
	if !strings.Contains(bad, oldID) {
		t.Fatalf("the broken record lost %s", oldID)
	}
	bad = strings.Replace(bad, oldID, `"`+idKey+`":"`+badID+`"`, 1)
	recs = append(recs[:1], append([]json.RawMessage{json.RawMessage(bad)}, recs[1:]...)...)
	var err error
	if data[listKey], err = json.Marshal(recs); err != nil {
		t.Fatal(err)
	}
	if env["data"], err = json.Marshal(data); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), goodIDs
}

func TestAMalformedRecordIsSetAsideAndTheRestOfItsPageIsRead(t *testing.T) {
	tests := []struct {
		name, read, fixture, listKey, idKey string
		from, to                            string
		want                                string // in the Malformed's error
	}{
		{"order total as a number", "SearchOrders", "orders_search.json", "orders", "id",
			`"total_amount":"41.57"`, `"total_amount":41.57`, "SearchOrders: order " + badID + ": payment.total_amount: not a string: 41.57"},
		{"order payment garbage", "SearchOrders", "orders_search.json", "orders", "id",
			`"sub_total":"39.98"`, `"sub_total":"39.98.1"`, "order " + badID + ": payment.sub_total: money:"},
		{"order line item in exponent form", "SearchOrders", "orders_search.json", "orders", "id",
			`"sale_price":"19.99"`, `"sale_price":"1e3"`, "order " + badID + ": line_items[0].sale_price: money:"},
		{"order time as a string", "SearchOrders", "orders_search.json", "orders", "id",
			`"create_time":1731000000`, `"create_time":"yesterday"`, "order: json: cannot unmarshal string into Go struct field orderWire.create_time"},
		{"order read by id", "GetOrders", "orders_search.json", "orders", "id",
			`"total_amount":"41.57"`, `"total_amount":"abc"`, "GetOrders: order " + badID + ": payment.total_amount: money:"},
		{"return refund", "SearchReturns", "returns_search.json", "return_orders", "return_id",
			`"refund_tax":"1.80"}`, `"refund_tax":"+1.80"}`, "return " + badID + ": refund_amount.refund_tax: money:"},
		{"product price", "SearchProducts", "products_search.json", "products", "id",
			`"sale_price":"22.99"`, `"sale_price":"22,99"`, "product " + badID + ": skus[0].price.sale_price: money:"},
		{"statement with too many decimals", "Statements", "statements.json", "statements", "id",
			`"fee_amount":"-30.00"`, `"fee_amount":"-30.001"`, "statement " + badID + `: fee_amount: money: "-30.001" has more decimals than GBP allows`},
		{"payment object", "Payments", "payments.json", "payments", "id",
			`"value":"-59.50"`, `"value":"- 59.50"`, "payment " + badID + ": reserve_amount: money:"},
		{"withdrawal in an unknown currency", "Withdrawals", "withdrawals.json", "withdrawals", "id",
			`"currency":"USD"`, `"currency":"XBT"`, "withdrawal " + badID + `: amount: money: unknown currency "XBT"`},
		{"transaction fee not a string", "StatementTransactions", "statement_transactions.json", "transactions", "id",
			`"referral_fee_amount":"-16.00","transaction_fee_amount"`, `"referral_fee_amount":-16.0,"transaction_fee_amount"`,
			"transaction " + badID + ": fee_tax_breakdown.fee.referral_fee_amount: not a string"},
		{"transaction unknown fee garbage", "StatementTransactions", "statement_transactions.json", "transactions", "id",
			`"smart_promotion_fee_amount":"-1.50","refund`, `"smart_promotion_fee_amount":"NaN","refund`, "fee_tax_breakdown.fee.smart_promotion_fee_amount: money:"},
		{"unsettled order estimate", "UnsettledOrders", "unsettled.json", "transactions", "id",
			`"settlement_amount":"16.99"`, `"settlement_amount":"abc"`, "unsettled order " + badID + ": settlement_amount: money:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, goodIDs := withBrokenCopy(t, fixture(t, tt.fixture), tt.listKey, tt.idKey, tt.from, tt.to)
			h := newHarness(t, ok(body))
			ids, malformed, err := readPage(h, tt.read)
			if err != nil {
				t.Fatalf("the page failed: %v", err)
			}
			if strings.Join(ids, ",") != strings.Join(goodIDs, ",") {
				t.Errorf("read %v; want the good records %v", ids, goodIDs)
			}
			if len(malformed) != 1 {
				t.Fatalf("%d malformed records, want 1: %+v", len(malformed), malformed)
			}
			m := malformed[0]
			if m.ID != badID {
				t.Errorf("malformed ID %q, want %q", m.ID, badID)
			}
			if m.Err == nil || !strings.Contains(m.Err.Error(), tt.want) {
				t.Errorf("malformed error %v; want it to contain %q", m.Err, tt.want)
			}
			if !strings.Contains(string(m.Raw), tt.to) || !json.Valid(m.Raw) {
				t.Errorf("malformed raw %s is not the record as received", m.Raw)
			}
		})
	}
}

func TestEveryFixtureReadsWithNothingSetAside(t *testing.T) {
	for _, read := range []struct{ read, fixture string }{
		{"SearchOrders", "orders_search.json"}, {"GetOrders", "orders_search.json"}, {"SearchReturns", "returns_search.json"},
		{"SearchProducts", "products_search.json"}, {"Statements", "statements.json"}, {"Payments", "payments.json"},
		{"Withdrawals", "withdrawals.json"}, {"StatementTransactions", "statement_transactions.json"}, {"UnsettledOrders", "unsettled.json"},
	} {
		h := newHarness(t, ok(fixture(t, read.fixture)))
		ids, malformed, err := readPage(h, read.read)
		if err != nil || len(malformed) != 0 || len(ids) == 0 {
			t.Errorf("%s: read %d, set aside %+v, err %v", read.read, len(ids), malformed, err)
		}
	}
}

func TestAPageWhoseListCannotBeReadFailsWhole(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"list is an object", `{"next_page_token":"","orders":{"id":"1"}}`, "SearchOrders: orders: not a list"},
		{"data is a list", `[{"id":"1"}]`, "SearchOrders:"},
		{"paging of the wrong type", `{"next_page_token":7,"orders":[]}`, "SearchOrders:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, ok(`{"code":0,"message":"Success","request_id":"1","data":`+tt.data+`}`))
			_, malformed, err := readPage(h, "SearchOrders")
			if err == nil || !strings.Contains(err.Error(), tt.want) || malformed != nil {
				t.Fatalf("err = %v, malformed %v; want the page to fail with %q", err, malformed, tt.want)
			}
		})
	}
}

func TestAMalformedRecordIsNamedByItsOwnID(t *testing.T) {
	tests := []struct{ name, raw, ownID, want string }{
		{"id", `{"id":"1","order_id":"2"}`, "", "1"},
		{"numeric id", `{"id":576461413038785752}`, "", "576461413038785752"},
		{"order id when no id", `{"order_id":"2","product_id":"4"}`, "", "2"},
		{"return id", `{"return_id":"3"}`, "", "3"},
		{"a return's own id before its order's", `{"order_id":"2","return_id":"3"}`, "return_id", "3"},
		{"product id", `{"product_id":"4"}`, "", "4"},
		{"empty id falls through", `{"id":"","order_id":"2"}`, "", "2"},
		{"id of another type falls through", `{"id":{"x":1},"order_id":"2"}`, "", "2"},
		{"none", `{"name":"x"}`, "", ""},
		{"not an object", `[1]`, "", ""},
	}
	for _, tt := range tests {
		if got := recordID(json.RawMessage(tt.raw), tt.ownID); got != tt.want {
			t.Errorf("%s: recordID(%s) = %q, want %q", tt.name, tt.raw, got, tt.want)
		}
	}
}
