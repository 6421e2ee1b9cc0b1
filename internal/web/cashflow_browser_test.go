package web_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
)

// A seller on a phone opens Cash flow from the menu, sees the buckets, the charts and the forecast, follows
// Statements to a statement and its checks, then Payouts; every page fits the screen and obeys the CSP.
func TestASellerFollowsTheirCashFromTheBucketsToAStatementAndItsPayout(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port

	const email = "cash-browser@example.com"
	s.syncedSeller(t, email)

	b := browsertest.New(t, 375, 800)
	fits := func(page string) {
		t.Helper()
		if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
			t.Errorf("at 375 px the %s page is %d px wider than the screen", page, overflow)
		}
		unlabelled := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
			.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
			.map(e => e.outerHTML)`)
		if len(unlabelled) > 0 {
			t.Errorf("the %s page has controls without a label: %v", page, unlabelled)
		}
	}
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "a long enough passphrase"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), chromedp.WaitVisible(`a.nav-link[href="/cashflow"]`),
		chromedp.Click(`a.nav-link[href="/cashflow"]`), browsertest.Shown("#cashflow-title"))
	buckets := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('.cash-tile')].map(e => e.dataset.bucket)`)
	if strings.Join(buckets, ",") != "on_hold,processing,paid" {
		t.Errorf("the buckets are %q; want on hold, processing and paid", buckets)
	}
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('svg.chart-cash, svg.chart-forecast').length`); n != 2 {
		t.Errorf("%d charts; want the balance and the forecast", n)
	}
	// Known and estimated weeks look different: solid against hatched with a dashed outline.
	styles := browsertest.Eval[[]string](t, b, `['.fc-known', '.fc-estimated'].map(q => { const e = document.querySelector('svg.chart-forecast ' + q); return e ? getComputedStyle(e).fill + '|' + getComputedStyle(e).strokeDasharray : '' })`)
	if styles[0] == "" || styles[1] == "" || styles[0] == styles[1] {
		t.Errorf("known and estimated bars look alike (or are missing): %q", styles)
	}
	fits("cash flow")

	b.Do(t, chromedp.Click(`.cash-nav a[href^="/cashflow/statements"]`), browsertest.Shown("#statements-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.statements-table tbody tr').length`); n == 0 {
		t.Fatal("the statements page lists no statement")
	}
	fits("statements")
	b.Do(t, chromedp.Click(`.statements-table tbody tr .statement-link`), browsertest.Shown("#statement-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.cash-checks li').length`); n < 3 {
		t.Errorf("the statement shows %d checks", n)
	}
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.txns-table tbody tr').length`); n == 0 {
		t.Error("the statement lists no transactions")
	}
	fits("statement")

	b.Do(t, chromedp.Navigate(base+"/cashflow/payouts"), browsertest.Shown("#payouts-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.payouts-table tbody tr').length`); n == 0 {
		t.Error("the payouts page lists no payout")
	}
	if bank := browsertest.Eval[string](t, b, `document.querySelector('.payouts-table tbody td[data-label=Bank]').textContent.trim()`); !strings.HasPrefix(bank, "•••• ") || len(bank) != len("•••• 1234") {
		t.Errorf("the bank column shows %q; want the last four digits", bank)
	}
	fits("payouts")

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
