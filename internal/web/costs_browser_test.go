package web_test

import (
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
)

// A seller on a phone uploads a cost sheet with one bad row: they see the row's line, column and problem and that
// nothing was applied; they upload the fixed sheet and see the cost on the SKU.
func TestASellerFixesABadCostSheetAndSeesTheCostApplied(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port // Chromium keeps Secure (__Host-) cookies on localhost over plain http

	const email = "sheet@example.com"
	costSeller(t, s, email)
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "costs.csv"), filepath.Join(dir, "costs-fixed.csv")
	sheet := "seller_sku,sku_id,cost,currency,effective_from\nTEE-BLK-M,1001,4.20,USD,2026-01-01\nMUG-01,1002,1.9O,USD,2026-01-01\n"
	if err := os.WriteFile(bad, []byte(sheet), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(strings.Replace(sheet, "1.9O", "1.90", 1)), 0o600); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t, 375, 800)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "a long enough passphrase"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"),
		chromedp.Click(`a.nav-link[href="/settings/costs"]`), browsertest.Shown("#costs-title"))

	const tee = `document.querySelector('tr[data-sku="1001"]')`
	if noCost := browsertest.Eval[bool](t, b, tee+`.hasAttribute("data-no-cost")`); !noCost {
		t.Fatal("the T-shirt is not flagged as without a cost before the import")
	}

	b.Do(t, chromedp.SetUploadFiles("#costs-file", []string{bad}), chromedp.Click(`form[action="/settings/costs/import"] button[type=submit]`))
	browsertest.WaitFor(t, b, `document.querySelector("#import-problems-title") !== null`)
	problem := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('.import-table tbody tr')].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	if len(problem) != 1 || !strings.HasPrefix(problem[0], "3 cost") || !strings.Contains(problem[0], `"1.9O" is not a plain number`) {
		t.Errorf("the problems listed: %q; want line 3, column cost, saying 1.9O is not a number", problem)
	}
	if alert := browsertest.Eval[string](t, b, `document.querySelector('[role=alert]').textContent`); !strings.Contains(alert, "Nothing was applied") {
		t.Errorf("the alert reads %q; want it to say nothing was applied", alert)
	}
	if noCost := browsertest.Eval[bool](t, b, tee+`.hasAttribute("data-no-cost")`); !noCost {
		t.Error("the refused sheet applied the T-shirt's cost")
	}

	b.Do(t, chromedp.SetUploadFiles("#costs-file", []string{good}), chromedp.Click(`form[action="/settings/costs/import"] button[type=submit]`))
	browsertest.WaitFor(t, b, `document.querySelector('[role=status]') !== null && document.querySelector('[role=status]').textContent.includes("2 costs applied (2 changed)")`)
	if landed := browsertest.Eval[string](t, b, tee+`.querySelector(".cost-landed").textContent`); landed != "$4.20" {
		t.Errorf("the T-shirt's cost shows %q; want $4.20", landed)
	}
	if problems := browsertest.Eval[int](t, b, `document.querySelectorAll('.import-table').length`); problems != 0 {
		t.Error("the problems of the refused sheet are still shown")
	}

	if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		t.Errorf("at 375 px the costs page is %d px wider than the screen", overflow)
	}
	unlabelled := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
		.map(e => e.outerHTML)`)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a label: %v", unlabelled)
	}
	var problems []string
	for _, p := range b.Problems() {
		// The refused sheet's page is a 422, which Chromium logs as a failed load; that answer is the point.
		if !strings.Contains(p, "status of 422") {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(problems, "\n"))
	}
}
