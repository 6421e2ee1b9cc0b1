package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// sandboxOf is the sandbox syncedSeller synced from: the same configuration on the same clock makes the same data,
// so its ground truth (Totals, Mismatch) is the synced seller's.
func (s *shopSite) sandboxOf(t *testing.T, p profitSeller) *sandbox.Sandbox {
	t.Helper()
	tt := tiktoktest.New(t, s.env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 70, 6 })
	if sh := tt.Sandbox.Shops(); sh[0].ID != p.us.ID || sh[1].ID != p.gb.ID {
		t.Fatalf("a sandbox made the same way has other shops: %v", sh[:2])
	}
	return tt.Sandbox
}

// allTime is a range from before the sandbox's first statement to today.
func (s *shopSite) allTime(t *testing.T, shopID string) url.Values {
	return url.Values{"from": {"2023-01-01"}, "to": {s.today(t).String()}, "shop": {shopID}}
}

var bucketPattern = regexp.MustCompile(`(?s)data-bucket="(\w+)">\s*<dt class="tile-label">[^<]*</dt>\s*<dd class="tile-value">([^<]*)</dd>\s*<dd class="tile-meta">([^<]*)</dd>`)

func bucketsOf(t *testing.T, body string) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, m := range bucketPattern.FindAllStringSubmatch(body, -1) {
		out[m[1]] = [2]string{cashUnescape(m[2]), cashUnescape(m[3])}
	}
	if len(out) < 3 {
		t.Fatalf("the cash-flow page shows %d buckets; want on hold, processing and paid\n%s", len(out), body)
	}
	return out
}

func cashUnescape(s string) string { return html.UnescapeString(s) }

func TestTheBucketsAddUpToTheSandboxsStatementsAndPayouts(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-buckets@example.com")
	sb := s.sandboxOf(t, a)
	for _, sh := range []sandbox.Shop{a.us, a.gb} {
		totals := sb.Totals(sh.ID)
		w := s.get("/cashflow?"+s.allTime(t, sh.ID).Encode(), a.cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", sh.ID, w.Code, w.Body)
		}
		b := bucketsOf(t, w.Body.String())
		var paid, processing, onHold, held int64
		var paidCount int
		s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.PgxTx().QueryRow(ctx, `SELECT coalesce(sum(amount) FILTER (WHERE status = 'PAID'), 0)::bigint,
				coalesce(sum(amount) FILTER (WHERE status <> 'PAID'), 0)::bigint, count(*) FILTER (WHERE status = 'PAID')
				FROM payments WHERE user_id = $1 AND shop_id = $2`, a.userID, sh.ID).Scan(&paid, &processing, &paidCount); err != nil {
				return err
			}
			if err := tx.PgxTx().QueryRow(ctx, `SELECT coalesce(sum(reserve), 0)::bigint FROM statement_transactions
				WHERE user_id = $1 AND shop_id = $2 AND type = 'RESERVE' AND reserve < 0`, a.userID, sh.ID).Scan(&held); err != nil {
				return err
			}
			return tx.PgxTx().QueryRow(ctx, `SELECT coalesce(sum(settlement), 0)::bigint FROM unsettled_orders
				WHERE user_id = $1 AND shop_id = $2 AND left_at IS NULL`, a.userID, sh.ID).Scan(&onHold)
		})
		fm := func(minor int64) string { return money.Amount{Minor: minor, Currency: sh.Currency}.Format() }
		if paid+processing != totals.PaymentAmount {
			t.Fatalf("%s: the stored payouts come to %d; the sandbox's to %d", sh.ID, paid+processing, totals.PaymentAmount)
		}
		// Every statement of the range is paid or processing: together they are what the sandbox's statements settled
		// plus their reserve movements; paid is what the paid payouts paid.
		processing = totals.StatementSettlement + totals.StatementReserve - paid
		if paidCount != totals.PaidPayments {
			t.Errorf("%s: %d paid payouts stored; the sandbox paid %d", sh.ID, paidCount, totals.PaidPayments)
		}
		if b["paid"][0] != fm(paid) || b["processing"][0] != fm(processing) {
			t.Errorf("%s: paid %s and processing %s; want %s and %s (together the sandbox's %s)", sh.ID, b["paid"][0], b["processing"][0],
				fm(paid), fm(processing), fm(totals.PaymentAmount))
		}
		if b["on_hold"][0] != fm(onHold) || !strings.HasPrefix(b["on_hold"][1], cashPlural(totals.UnsettledOrders, "order")) {
			t.Errorf("%s: on hold %q (%q); want %s over %d orders", sh.ID, b["on_hold"][0], b["on_hold"][1], fm(onHold), totals.UnsettledOrders)
		}
		if _, ok := b["failed"]; ok {
			t.Errorf("%s: the sandbox fails no payout, but the page shows a failed bucket", sh.ID)
		}
		body := w.Body.String()
		if want := `data-reserve="held">` + cashEscape(fm(-held)) + `<`; !strings.Contains(body, want) {
			t.Errorf("%s: the reserve held is not %s", sh.ID, fm(-held))
		}
		for _, want := range []string{`class="chart chart-cash"`, `class="chart chart-forecast"`, `class="fc-bar fc-known"`, `class="fc-bar fc-estimated"`,
			"data-backtest-error", "Assumptions"} {
			if sh.Currency == "GBP" && want == `class="fc-bar fc-known"` {
				continue // the second shop holds no reserve: it may have nothing known ahead
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page has no %s", sh.ID, want)
			}
		}
	}
}

// plural is how the page counts: "1 order", "12 orders".
func cashPlural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%s %ss", dashboard.Thousands(int64(n)), unit)
}

func cashEscape(s string) string { return html.EscapeString(s) }

var statementRowPattern = regexp.MustCompile(`<tr data-statement="(\d+)"[^>]*?( data-flagged)?>`)

func TestEveryStatementReconcilesButTheSandboxsMismatchWhichIsFlagged(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-statements@example.com")
	mismatch, order := s.sandboxOf(t, a).Mismatch()
	if mismatch == "" {
		t.Fatal("the sandbox planned no mismatch: the test proves nothing")
	}
	var flagged, listed []string
	for _, sh := range []sandbox.Shop{a.us, a.gb} {
		w := s.get("/cashflow/statements?"+s.allTime(t, sh.ID).Encode(), a.cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", sh.ID, w.Code, w.Body)
		}
		for _, m := range statementRowPattern.FindAllStringSubmatch(w.Body.String(), -1) {
			listed = append(listed, m[1])
			if m[2] != "" {
				flagged = append(flagged, m[1])
			}
		}
	}
	if len(listed) < 40 {
		t.Fatalf("only %d statements listed", len(listed))
	}
	if strings.Join(flagged, ",") != mismatch {
		t.Fatalf("flagged statements %q; want only the sandbox's mismatch %s", flagged, mismatch)
	}
	w := s.get("/cashflow/statements/"+a.us.ID+"/"+mismatch, a.cookie)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `data-verdict="flagged"`) {
		t.Fatalf("the mismatched statement's page (%d) is not flagged\n%s", w.Code, body)
	}
	if !regexp.MustCompile(`data-unbalanced>\s*<th[^>]*>Order: ?[^<]*<a href="/orders/`+a.us.ID+`/`+order+`">`).MatchString(body) &&
		!strings.Contains(body, `href="/orders/`+a.us.ID+`/`+order+`"`) {
		t.Errorf("the page does not name the order %s whose transaction does not add up", order)
	}
	if !strings.Contains(body, "$1.00") {
		t.Error("the page does not say the difference is $1.00")
	}
	var other string
	for _, id := range listed {
		if id != mismatch {
			other = id
			break
		}
	}
	w = s.get("/cashflow/statements/"+a.us.ID+"/"+other, a.cookie)
	if w.Code == http.StatusNotFound {
		w = s.get("/cashflow/statements/"+a.gb.ID+"/"+other, a.cookie)
	}
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `data-verdict="reconciled"`) {
		t.Errorf("statement %s (%d) is not shown reconciled", other, w.Code)
	}
}

func TestAnotherSellerNeverSeesTheFirstSellersCashFlow(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-a@example.com")
	mismatch, _ := s.sandboxOf(t, a).Mismatch()
	bCookie, _ := s.seller(t, "cash-b@example.com")
	q := s.allTime(t, a.us.ID).Encode()
	for _, path := range []string{"/cashflow?" + q, "/cashflow/statements?" + q, "/cashflow/payouts?" + q,
		"/cashflow/statements/" + a.us.ID + "/" + mismatch, "/exports/statements.csv?" + q, "/exports/transactions.csv?" + q,
		"/exports/payouts.csv?" + q} {
		w := s.get(path, bCookie)
		if w.Code != http.StatusNotFound {
			t.Errorf("B: GET %s: %d; want 404", path, w.Code)
		}
		if strings.Contains(w.Body.String(), mismatch) {
			t.Errorf("B: GET %s shows A's statement", path)
		}
	}
	for _, path := range []string{"/cashflow", "/cashflow/statements", "/cashflow/payouts"} {
		w := s.get(path, bCookie)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Connect") || strings.Contains(w.Body.String(), a.us.ID) {
			t.Errorf("B: GET %s: %d; want their own empty page, without A's shop", path, w.Code)
		}
	}
	// A sees it, so the 404s above are about B.
	if w := s.get("/cashflow/statements/"+a.us.ID+"/"+mismatch, a.cookie); w.Code != http.StatusOK {
		t.Errorf("A: their own statement: %d", w.Code)
	}
}

func TestTheExportsHoldEveryStatementTransactionAndPayout(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-exports@example.com")
	totals := s.sandboxOf(t, a).Totals(a.us.ID)
	q := s.allTime(t, a.us.ID).Encode()
	for _, c := range []struct {
		path, first string
		rows        int
	}{
		{"/exports/statements.csv", "statement_id", totals.Statements},
		{"/exports/transactions.csv", "statement_id", totals.StatementTransactions},
		{"/exports/payouts.csv", "payout_id", totals.Payments},
	} {
		w := s.get(c.path+"?"+q, a.cookie)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %q", c.path, w.Code, w.Header().Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(w.Body).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if recs[0][0] != c.first || len(recs)-1 != c.rows {
			t.Errorf("%s: header %q and %d rows; want %s and the sandbox's %d", c.path, recs[0][0], len(recs)-1, c.first, c.rows)
		}
		if c.path == "/exports/payouts.csv" && len(recs) > 1 && len(recs[1][12]) != 4 {
			t.Errorf("payouts: bank_last4 is %q; want the account's last four digits", recs[1][12])
		}
	}
}

func TestAFailedPayoutIsAlertedOnTheDashboardAndTheCashFlowPage(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-alert@example.com")
	var paymentID string
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		return tx.PgxTx().QueryRow(ctx, `UPDATE payments SET status = 'FAILED', paid_time = NULL
			WHERE user_id = $1 AND shop_id = $2 AND payment_id = (SELECT max(payment_id) FROM payments WHERE user_id = $1 AND shop_id = $2 AND status = 'PAID')
			RETURNING payment_id`, a.userID, a.us.ID).Scan(&paymentID)
	})
	for _, path := range []string{"/dashboard", "/cashflow?shop=" + a.us.ID, "/cashflow/payouts?" + s.allTime(t, a.us.ID).Encode()} {
		w := s.get(path, a.cookie)
		body := w.Body.String()
		if w.Code != http.StatusOK || !(strings.Contains(body, `data-alert="failed_payout"`) || strings.Contains(body, `data-failed`)) {
			t.Errorf("%s (%d) does not alert the failed payout %s", path, w.Code, paymentID)
		}
	}
	if body := s.get("/cashflow/payouts?"+s.allTime(t, a.us.ID).Encode(), a.cookie).Body.String(); !strings.Contains(body, `id="payout-`+paymentID+`" data-payout="`+paymentID+`" data-amount=`) ||
		!regexp.MustCompile(`id="payout-`+paymentID+`"[^>]*class="payout-failed"`).MatchString(body) {
		t.Errorf("the payouts page does not single out the failed payout %s", paymentID)
	}
}

// /cashflow is computed once per data version: a change the syncer has not committed yet (here written straight
// into the table) leaves the page as it was, and the version a sync page moves when it writes shows the change.
func TestTheCashFlowPageIsRecomputedWhenTheDataVersionMoves(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cash-cache@example.com")
	path := "/cashflow?shop=" + a.us.ID
	if body := s.get(path, a.cookie).Body.String(); strings.Contains(body, `data-alert="failed_payout"`) {
		t.Fatal("a failed payout before any failed")
	}
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PgxTx().Exec(ctx, `UPDATE payments SET status = 'FAILED', paid_time = NULL
			WHERE user_id = $1 AND shop_id = $2 AND payment_id = (SELECT max(payment_id) FROM payments WHERE user_id = $1 AND shop_id = $2 AND status = 'PAID')`,
			a.userID, a.us.ID)
		return err
	})
	if body := s.get(path, a.cookie).Body.String(); strings.Contains(body, `data-alert="failed_payout"`) {
		t.Fatal("the page was computed again although the data version did not move")
	}
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error { return tx.Q.BumpProfitVersion(ctx, a.userID) })
	if body := s.get(path, a.cookie).Body.String(); !strings.Contains(body, `data-alert="failed_payout"`) {
		t.Fatal("the page still shows the figures of the last version")
	}
}
