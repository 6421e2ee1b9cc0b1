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

// A seller on a phone opens Orders, picks the settled ones, follows an order to its breakdown and sees the same
// net profit there, every fee by name, and then their SKUs; every page fits the screen and obeys the CSP.
func TestASellerFollowsAnOrderFromTheListToItsBreakdown(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port // Chromium keeps Secure (__Host-) cookies on localhost over plain http

	const email = "orders-browser@example.com"
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
		chromedp.Click(`form[action="/login"] button[type=submit]`), chromedp.WaitVisible(`a.nav-link[href="/orders"]`),
		chromedp.Click(`a.nav-link[href="/orders"]`), browsertest.Shown("#orders-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.orders-table tbody tr').length`); n != 50 {
		t.Fatalf("the first page of orders lists %d orders; want a full page of 50", n)
	}
	fits("orders")

	b.Do(t, chromedp.SetValue("#orders-state", "settled"), chromedp.Click(`form.report-filters button[type=submit]`))
	browsertest.WaitFor(t, b, `location.search.includes("state=settled") && document.readyState === "complete"`)
	b.Do(t, chromedp.WaitVisible(".orders-table"))
	states := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('.orders-table tbody td[data-label=State] .badge')].map(e => e.textContent)`)
	if len(states) == 0 || strings.Join(states, "") != strings.Repeat("Settled", len(states)) {
		t.Fatalf("after choosing settled orders the states are %q", states)
	}
	id := browsertest.Eval[string](t, b, `document.querySelector('.orders-table tbody tr').dataset.order`)
	listed := browsertest.Eval[string](t, b, `document.querySelector('.orders-table tbody tr td[data-label="Net profit"]').textContent.trim()`)

	b.Do(t, chromedp.Click(`.orders-table tbody tr .order-link`), browsertest.Shown("#order-title"))
	if h1 := browsertest.Eval[string](t, b, `document.querySelector('#order-title').textContent`); h1 != "Order "+id {
		t.Errorf("the breakdown's heading is %q; want the order %s", h1, id)
	}
	if shown := browsertest.Eval[string](t, b, `document.querySelector('#order-net-profit').textContent.trim()`); shown != listed {
		t.Errorf("the breakdown says net profit %s; the list said %s", shown, listed)
	}
	columns := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('.breakdown-table thead th')].map(e => e.textContent.trim())`)
	if strings.Join(columns, ",") != "Amount,Estimated,Settled,Difference" {
		t.Errorf("a settled order's breakdown has columns %q; want estimated and settled side by side with the difference", columns)
	}
	labels := browsertest.Eval[string](t, b, `document.querySelector('.breakdown-table').innerText`)
	for _, fee := range []string{"Referral fee", "Transaction fee", "Affiliate commission", "Shipping cost", "Cost of goods", "Net profit"} {
		if !strings.Contains(labels, fee) {
			t.Errorf("the breakdown does not name %q", fee)
		}
	}
	if lines := browsertest.Eval[int](t, b, `document.querySelectorAll('.lines-table tbody tr').length`); lines == 0 {
		t.Error("the breakdown lists no lines")
	}
	fits("order")

	b.Do(t, chromedp.Click(`a.nav-link[href="/skus"]`), browsertest.Shown("#skus-title"))
	if tables := browsertest.Eval[int](t, b, `document.querySelectorAll('.skus-table').length`); tables != 2 {
		t.Errorf("the SKUs page has %d tables; want one per currency (USD, GBP)", tables)
	}
	fits("SKUs")

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
