package web_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
)

// A seller watching Settings -> Shops during a sync sees the bar move as pages commit, without reloading, on a phone,
// with the CSP enforced.
func TestTheShopsPageShowsSyncProgressAdvancingWithoutAReload(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port // Chromium keeps Secure (__Host-) cookies on localhost over plain http

	const email = "watcher@example.com"
	_, userID := s.seller(t, email)
	s.connectShop(t, userID, "7001", "Glow US", "US")
	run := s.startRun(t, userID, "7001", syncer.ResourceOrders, 10, 3)

	b := browsertest.New(t, 375, 800)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "a long enough passphrase"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"),
		chromedp.Navigate(base+"/settings/shops"), browsertest.Shown("#shops-title"))

	const orders = `document.querySelector('[data-sync-shop="7001"] [data-sync-resource="orders"]')`
	if v := browsertest.Eval[[]float64](t, b, `[`+orders+`.querySelector("progress").value, `+orders+`.querySelector("progress").max]`); len(v) != 2 || v[0] != 3 || v[1] != 10 {
		t.Fatalf("the orders bar shows %v; want 3 of 10", v)
	}
	// A reload would lose this mark.
	browsertest.Eval[bool](t, b, `window.sameDocument = true`)

	s.recordPages(t, userID, run, 2)
	browsertest.WaitFor(t, b, orders+`.querySelector("progress").value === 5 && `+orders+`.textContent.includes("5 of 10 pages")`)

	// An order set aside, its profit refused, shows on the shop's card as the rest does.
	const note = `document.querySelector('[data-sync-shop="7001"] [data-shop-show="profit_note"]')`
	if display := browsertest.Eval[string](t, b, `getComputedStyle(`+note+`).display`); display != "none" {
		t.Fatalf("the profit note shows (display %s) with no order set aside", display)
	}
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		return tx.Q.RecordProfitRefusals(ctx, tenantdb.RecordProfitRefusalsParams{UserID: userID, ShopID: "7001",
			OrderIds: []string{"576001"}, Reasons: []string{"line 1 appears twice"}, Now: tx.Now()})
	})
	browsertest.WaitFor(t, b, `getComputedStyle(`+note+`).display !== "none" && `+note+`.textContent.includes("The profit of 1 order could not be worked out")`)

	s.finishRun(t, userID, run, "7001", syncer.ResourceOrders)
	browsertest.WaitFor(t, b, orders+`.dataset.state === "succeeded" && `+orders+`.querySelector(".sync-progress").hidden`)
	if text := browsertest.Eval[string](t, b, orders+`.querySelector(".sync-status").textContent`); text != "Synced" {
		t.Errorf("the finished run's status reads %q; want Synced", text)
	}
	if same := browsertest.Eval[bool](t, b, `window.sameDocument === true`); !same {
		t.Fatal("the page was reloaded to show the progress")
	}

	if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		t.Errorf("at 375 px Settings -> Shops is %d px wider than the screen", overflow)
	}
	if bars := browsertest.Eval[int](t, b, `[...document.querySelectorAll("progress")].filter(p => !p.labels.length && !p.getAttribute("aria-labelledby")).length`); bars > 0 {
		t.Errorf("%d progress bars have no accessible name", bars)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
