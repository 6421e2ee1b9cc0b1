package tiktoktest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// The client and the sandbox were written apart from the one specification: the client must read everything the
// sandbox serves, and find exactly what the sandbox says it holds.
func TestTheClientReadsEverythingTheSandboxServesAndCountsMatch(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	env := tiktoktest.New(t, clk, func(c *sandbox.Config) { c.Days = 60 }) // long enough to hold the deliberate mismatch
	tokens, err := env.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	seller := env.Client.Seller(tiktoktest.StaticToken(tokens.AccessToken))
	shops, err := seller.AuthorizedShops(ctx)
	if err != nil || len(shops) == 0 {
		t.Fatalf("authorized shops: %v, %v", shops, err)
	}
	shop := shops[0]
	want := env.Sandbox.Totals(shop.ID)

	count := func(name string, n, want int) {
		t.Helper()
		if n != want {
			t.Errorf("%s: the client read %d; the sandbox holds %d", name, n, want)
		}
	}
	n := 0
	for page, err := range seller.OrderPages(ctx, shop, tiktok.OrderQuery{PageSize: 50}) {
		if err != nil {
			t.Fatalf("orders: %v", err)
		}
		n += len(page.Orders)
	}
	count("orders", n, want.Orders)

	n = 0
	for page, err := range seller.ReturnPages(ctx, shop, tiktok.ReturnQuery{PageSize: 50}) {
		if err != nil {
			t.Fatalf("returns: %v", err)
		}
		n += len(page.Returns)
	}
	count("returns", n, want.Returns)

	n = 0
	for page, err := range seller.ProductPages(ctx, shop, tiktok.ProductQuery{PageSize: 100}) {
		if err != nil {
			t.Fatalf("products: %v", err)
		}
		n += len(page.Products)
	}
	count("products", n, want.Products)

	var statementIDs []string
	for page, err := range seller.StatementPages(ctx, shop, tiktok.StatementQuery{}) {
		if err != nil {
			t.Fatalf("statements: %v", err)
		}
		for _, s := range page.Statements {
			statementIDs = append(statementIDs, s.ID)
		}
	}
	count("statements", len(statementIDs), want.Statements)

	transactions, unbalanced := 0, 0
	for _, id := range statementIDs {
		for page, err := range seller.StatementTransactionPages(ctx, shop, id, tiktok.TransactionQuery{}) {
			if err != nil {
				t.Fatalf("transactions of statement %s: %v", id, err)
			}
			transactions += len(page.Transactions)
			for _, tr := range page.Transactions {
				if diff, err := tr.Amounts.CheckSum(); err != nil || !diff.IsZero() {
					unbalanced++
				}
			}
		}
	}
	count("statement transactions", transactions, want.StatementTransactions)
	if stmt, _ := env.Sandbox.Mismatch(); !slices.Contains(statementIDs, stmt) {
		t.Errorf("the sandbox's deliberate mismatch (statement %s) is not among the %d statements served", stmt, len(statementIDs))
	}
	if unbalanced != 1 {
		t.Errorf("%d transactions do not add up to their settlement; want exactly the sandbox's one deliberate mismatch", unbalanced)
	}

	n = 0
	for page, err := range seller.PaymentPages(ctx, shop, tiktok.PaymentQuery{}) {
		if err != nil {
			t.Fatalf("payments: %v", err)
		}
		n += len(page.Payments)
	}
	count("payments", n, want.Payments)

	n = 0
	for page, err := range seller.WithdrawalPages(ctx, shop, tiktok.WithdrawalQuery{}) {
		if err != nil {
			t.Fatalf("withdrawals: %v", err)
		}
		n += len(page.Withdrawals)
	}
	count("withdrawals", n, want.Withdrawals)

	n = 0
	for page, err := range seller.UnsettledOrderPages(ctx, shop, tiktok.UnsettledOrderQuery{}) {
		if err != nil {
			t.Fatalf("unsettled orders: %v", err)
		}
		n += len(page.Orders)
	}
	count("unsettled orders", n, want.UnsettledOrders)
}
