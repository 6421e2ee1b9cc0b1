package web_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
)

// A seller signs in, sees the last 30 days of their profit, picks the last 7 days and sees that week's figures,
// and reads a day's figures by pointing at the chart.
func TestASellerChangesTheDashboardsRangeAndSeesItsFigures(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port // Chromium keeps Secure (__Host-) cookies on localhost over plain http

	const email = "range@example.com"
	a := s.syncedSeller(t, email)
	today := s.today(t)
	month := s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-29), today)
	week := s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-6), today)
	if month.netSales == week.netSales {
		t.Fatal("the sandbox sold nothing outside the last week: the test proves nothing")
	}
	usd := func(m int64) string { return money.Amount{Minor: m, Currency: "USD"}.Format() }

	b := browsertest.New(t, 390, 900)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "a long enough passphrase"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"))
	// The seller sells in two currencies; they pick dollars.
	b.Do(t, chromedp.Click(`.dash-currencies a[href*="currency=USD"]`))
	browsertest.WaitFor(t, b, `location.search.includes("currency=USD") && document.readyState === "complete"`)
	netSales := `document.querySelector('[data-figure="net_sales"] .tile-value').textContent`
	if got := browsertest.Eval[string](t, b, netSales); got != usd(month.netSales) {
		t.Fatalf("the last 30 days' net sales show %q; want %q", got, usd(month.netSales))
	}
	if custom := browsertest.Eval[bool](t, b, `document.querySelector("#dash-from").closest("[data-custom]").hidden`); !custom {
		t.Error("the custom dates show while a preset is chosen")
	}

	// Choosing a preset shows it at once (the page's script submits the form).
	browsertest.Eval[bool](t, b, `(() => { const r = document.querySelector("#dash-range"); r.value = "7d"; r.dispatchEvent(new Event("change")); return true; })()`)
	browsertest.WaitFor(t, b, `location.search.includes("range=7d") && document.readyState === "complete" && document.querySelector("[data-figure]") !== null`)
	if got := browsertest.Eval[string](t, b, netSales); got != usd(week.netSales) {
		t.Errorf("the last 7 days' net sales show %q; want %q", got, usd(week.netSales))
	}
	if got, want := browsertest.Eval[string](t, b, `document.querySelector("[data-range]").textContent`),
		(dashboard.Range{First: today.AddDays(-6), Last: today}).Text(); got != want {
		t.Errorf("the range reads %q; want %q", got, want)
	}
	if cur := browsertest.Eval[string](t, b, `document.querySelector(".dash-currencies [aria-current]").textContent`); cur != "USD" {
		t.Errorf("after the range changed the page shows %s; want the USD the seller picked", cur)
	}

	// Each day's figures are the title of its column of the chart, shown on hover.
	hover := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll(".chart-daily .chart-hit title")].map(t => t.textContent)`)
	if len(hover) != 7 || !strings.Contains(hover[6], "Net sales $") || !strings.Contains(hover[6], "Net profit") {
		t.Errorf("the chart's hover figures: %q; want one per day of the week", hover)
	}
	if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		t.Errorf("at 390 px the dashboard is %d px wider than the screen", overflow)
	}
	unlabelled := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('input:not([type=hidden]), select, button')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
		.map(e => e.outerHTML)`)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a label: %v", unlabelled)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
