package tiktoktest_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
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

// connect issues a token for the sandbox's seller and returns the client's view of the sandbox's first shop.
func connect(t *testing.T, env *tiktoktest.Env) (*tiktok.Seller, tiktok.Shop) {
	t.Helper()
	tokens, err := env.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	seller := env.Client.Seller(tiktoktest.StaticToken(tokens.AccessToken))
	shops, err := seller.AuthorizedShops(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := env.Sandbox.Shops()[0].ID
	for _, sh := range shops {
		if sh.ID == first {
			return seller, sh
		}
	}
	t.Fatalf("shop %s is not among the authorized %v", first, shops)
	return nil, tiktok.Shop{}
}

func TestTheSandboxsMalformedOrderIsSetAsideAndTheRestOfItsPageRead(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	env := tiktoktest.New(t, clk, func(c *sandbox.Config) { c.Faults.MalformedOrder = true })
	seller, shop := connect(t, env)
	bad := env.Sandbox.MalformedOrderID()
	if bad == "" {
		t.Fatal("the sandbox names no malformed order")
	}

	var read []string
	var malformed []tiktok.Malformed
	for page, err := range seller.OrderPages(ctx, shop, tiktok.OrderQuery{PageSize: 10}) {
		if err != nil {
			t.Fatalf("a page failed: %v", err)
		}
		if len(page.Malformed) > 0 && len(page.Orders) == 0 {
			t.Error("the page holding the malformed order served no other order")
		}
		for _, o := range page.Orders {
			read = append(read, o.ID)
		}
		malformed = append(malformed, page.Malformed...)
	}
	if len(malformed) != 1 || malformed[0].ID != bad {
		t.Fatalf("set aside %+v; want order %s alone", malformed, bad)
	}
	if m := malformed[0]; m.Err == nil || !strings.Contains(m.Err.Error(), "order "+bad+": payment.total_amount: not a string") || !json.Valid(m.Raw) {
		t.Errorf("malformed error %v, raw %.80s", m.Err, m.Raw)
	}
	if slices.Contains(read, bad) || len(read) != env.Sandbox.Totals(shop.ID).Orders-1 {
		t.Errorf("read %d orders (the malformed one among them: %v); the shop holds %d", len(read), slices.Contains(read, bad), env.Sandbox.Totals(shop.ID).Orders)
	}

	orders, malformed, err := seller.GetOrders(ctx, shop, []string{read[0], bad})
	if err != nil || len(orders) != 1 || orders[0].ID != read[0] || len(malformed) != 1 || malformed[0].ID != bad {
		t.Fatalf("GetOrders = %d orders, %+v, %v; want %s read and %s set aside", len(orders), malformed, err, read[0], bad)
	}
}

// The sandbox's page log is what a sync test uses to prove no page was fetched twice: here two workers read one
// search each, so every page of it shows twice, and a lone reader's pages once.
func TestTwoWorkersReadingOneSearchShowEveryPageTwice(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	env := tiktoktest.New(t, clk, nil)
	seller, shop := connect(t, env)
	q := tiktok.OrderQuery{PageSize: 5, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: clk.Now().Add(-30 * 24 * time.Hour), UpdateTimeLT: clk.Now()}
	readAll := func() int {
		pages := 0
		for _, err := range seller.OrderPages(ctx, shop, q) {
			if err != nil {
				t.Error(err)
				return pages
			}
			pages++
		}
		return pages
	}

	pages := readAll()
	if dup := env.Sandbox.DuplicatePages(shop.Cipher); len(dup) != 0 || pages < 2 {
		t.Fatalf("one reader of %d pages: duplicates %q", pages, dup)
	}
	var wg sync.WaitGroup
	wg.Go(func() { readAll() })
	wg.Go(func() { readAll() })
	wg.Wait()
	log := env.Sandbox.PageRequests(shop.Cipher)
	if len(log) != pages {
		t.Errorf("%d pages logged, want %d: %v", len(log), pages, log)
	}
	for k, n := range log {
		if n != 3 {
			t.Errorf("%s fetched %d times, want 3", k, n)
		}
	}
	if dup := env.Sandbox.DuplicatePages(shop.Cipher); len(dup) != pages {
		t.Errorf("%d duplicate pages, want %d", len(dup), pages)
	}
}
