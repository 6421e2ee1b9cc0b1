package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// pageOf100 repeats a fixture's records to a page of 100, each with its own id.
func pageOf100(b *testing.B, name, listKey string) string {
	var env map[string]json.RawMessage
	var data map[string]json.RawMessage
	var recs []json.RawMessage
	if json.Unmarshal([]byte(fixture(b, name)), &env) != nil || json.Unmarshal(env["data"], &data) != nil || json.Unmarshal(data[listKey], &recs) != nil {
		b.Fatal("fixture")
	}
	var page []json.RawMessage
	for i := range 100 {
		r := string(recs[i%len(recs)])
		page = append(page, json.RawMessage(strings.Replace(r, `"id":"`, fmt.Sprintf(`"id":"%03d`, i), 1)))
	}
	data[listKey], _ = json.Marshal(page)
	env["data"], _ = json.Marshal(data)
	out, _ := json.Marshal(env)
	return string(out)
}

// BenchmarkReadingAPageOf100 times the client's read of one full page, through HTTP to a fake that answers at once.
func BenchmarkReadingAPageOf100(b *testing.B) {
	ctx := context.Background()
	b.Run("orders", func(b *testing.B) {
		h := newHarness(b, ok(pageOf100(b, "orders_search.json", "orders")))
		b.ReportAllocs()
		for b.Loop() {
			if p, err := h.seller.SearchOrders(ctx, testShop, OrderQuery{}); err != nil || len(p.Orders) != 100 {
				b.Fatal(len(p.Orders), err)
			}
		}
	})
	b.Run("statement transactions", func(b *testing.B) {
		h := newHarness(b, ok(pageOf100(b, "statement_transactions.json", "transactions")))
		b.ReportAllocs()
		for b.Loop() {
			if p, err := h.seller.StatementTransactions(ctx, testShop, "7374112533222123000", TransactionQuery{}); err != nil || len(p.Transactions) != 100 {
				b.Fatal(len(p.Transactions), err)
			}
		}
	})
}
