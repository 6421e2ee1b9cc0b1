package main_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/testenv"
)

// The whole account flow as a seller's browser runs it, against the real binary in dev: sign up, open the
// confirmation mail from the dev outbox, confirm, sign in, sign out, sign in, open Settings -> Security, and sign
// out everywhere, which also ends a second browser's session.
func TestASellerSignsUpConfirmsSignsInAndSignsOutEverywhereInABrowser(t *testing.T) {
	db := testenv.NewDB(t)
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	startDev(t, t.TempDir(), db, "redis://"+testenv.Redis(t).Options().Addr+"/0", port)
	base := fmt.Sprintf("http://localhost:%d", port)
	const email, pw = "browser.seller@example.com", "a long browser passphrase"

	b := browsertest.New(t, 390, 900)
	signIn := func(br *browsertest.Browser) {
		br.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
			chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", pw),
			chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"))
	}

	b.Do(t, chromedp.Navigate(base+"/signup"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", pw),
		chromedp.Click(`form[action="/signup"] button[type=submit]`))
	// Both pages have a main h1: wait for the new page's words, not for an element the old page had too.
	browsertest.WaitFor(t, b, `/inbox/i.test(document.querySelector("main h1")?.textContent ?? "")`)

	var link string
	deadline := time.Now().Add(20 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		b.Do(t, chromedp.Navigate(base+"/dev/mail"), chromedp.WaitVisible("main h1"))
		body := browsertest.Eval[string](t, b, `document.body.textContent`)
		link = regexp.MustCompile(`http://localhost:\d+/verify-email\?\S+`).FindString(body)
		if link == "" {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if link == "" {
		t.Fatal("the confirmation mail never reached /dev/mail")
	}
	b.Do(t, chromedp.Navigate(strings.ReplaceAll(link, "&amp;", "&")), chromedp.WaitVisible(`form[action="/verify-email"] button`),
		chromedp.Click(`form[action="/verify-email"] button`))
	browsertest.WaitFor(t, b, `(document.querySelector("main h1")?.textContent ?? "").includes("confirmed")`)

	signIn(b)
	b.Do(t, chromedp.Click(`form[action="/logout"] button`), browsertest.Shown("#login-title"))
	signIn(b)

	other := browsertest.New(t, 1280, 900)
	signIn(other)

	b.Do(t, chromedp.Navigate(base+"/settings/security"), browsertest.Shown("#security-title"))
	if rows := browsertest.Eval[int](t, b, `document.querySelectorAll("table tbody tr").length`); rows != 2 {
		t.Fatalf("the Security page lists %d sessions; want this browser and the other", rows)
	}
	b.Do(t, chromedp.Click(`form[action="/settings/security/sign-out-everywhere"] button`), browsertest.Shown("#login-title"))

	for name, br := range map[string]*browsertest.Browser{"this browser": b, "the other browser": other} {
		br.Do(t, chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible("main h1"))
		if on := browsertest.Eval[string](t, br, `location.pathname`); on != "/login" {
			t.Errorf("%s after sign-out-everywhere opened %s; want /login", name, on)
		}
		if p := br.Problems(); len(p) > 0 {
			t.Errorf("%s reported:\n%s", name, strings.Join(p, "\n"))
		}
	}
}

// The demo seller of `make run` signs in with the printed password, sees the sandbox's demo shops connected, and
// connects again through TikTok's consent page (the sandbox's), coming back to Settings -> Shops.
func TestTheDemoSellerSeesTheirShopsAndConnectsThroughTheConsentPage(t *testing.T) {
	db := testenv.NewDB(t)
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	startDev(t, t.TempDir(), db, "redis://"+testenv.Redis(t).Options().Addr+"/0", port)
	base := fmt.Sprintf("http://localhost:%d", port)

	b := browsertest.New(t, 390, 900)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "demo@profitline.test"), chromedp.SendKeys("#password", "sell-smarter-every-day"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"),
		chromedp.Navigate(base+"/settings/shops"), browsertest.Shown("#shops-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll(".badge-success").length`); n != 2 {
		t.Fatalf("Settings -> Shops shows %d connected shops; want the 2 demo shops", n)
	}
	if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		t.Errorf("the signed-in Shops page is %d px wider than a 390 px phone", overflow)
	}

	b.Do(t, chromedp.Click(`form[action="/connect/tiktok"] button`))
	// The Shops page has form buttons too: wait for the consent page itself.
	browsertest.WaitFor(t, b, `location.pathname === "/open/authorize" && document.readyState === "complete"`)
	b.Do(t, chromedp.Click(`form button`), browsertest.Shown("#shops-title"))
	if u := browsertest.Eval[string](t, b, `location.pathname + location.search`); u != "/settings/shops?done=connected" {
		t.Fatalf("after the consent page the browser is at %s", u)
	}

	// The sandbox's second seller: their two shops join the demo seller's.
	b.Do(t, chromedp.Click(`form[action="/connect/tiktok"] button`), chromedp.WaitVisible("p.note a"))
	first := browsertest.Eval[string](t, b, `document.querySelector("h1").textContent`)
	b.Do(t, chromedp.Click("p.note a"))
	browsertest.WaitFor(t, b, `document.readyState === "complete" && (document.querySelector("h1")?.textContent ?? "") !== `+strconv.Quote(first))
	b.Do(t, chromedp.Click(`form button`))
	browsertest.WaitFor(t, b, `location.pathname === "/settings/shops" && document.readyState === "complete"`)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll(".badge-success").length`); n != 4 {
		t.Fatalf("after connecting the second seller %d shops are connected; want 4", n)
	}

	// Disconnect the last shop's authorization: it and its sibling (one grant) show access revoked.
	b.Do(t, chromedp.Click(chromedp.Search(`(//form[@action="/settings/shops/disconnect"])[last()]//button`)))
	browsertest.WaitFor(t, b, `location.search === "?done=disconnected" && document.readyState === "complete"`)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll(".badge-warning").length`); n != 2 {
		t.Fatalf("%d shops show access revoked; want the 2 of the disconnected authorization", n)
	}
	if frozen := browsertest.Eval[int](t, b, `[...document.querySelectorAll(".banner-warning")].filter(e => e.textContent.includes("frozen")).length`); frozen != 2 {
		t.Fatalf("%d shops say their data is frozen; want the 2 disconnected ones", frozen)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}

// Issue 6's walk through the demo seller's profit, against the real binary in dev: once the demo shop's backfill
// has landed, the dashboard changes range, an order opens to its breakdown, a costs sheet with one bad row is
// refused with that row's problem and nothing applied, the fixed sheet applies, and the dashboard's profit for the
// same range falls by what the goods cost.
func TestTheDemoSellerFollowsTheirProfitFromTheDashboardToAnOrderAndThroughACostsSheet(t *testing.T) {
	db := testenv.NewDB(t)
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	startDev(t, t.TempDir(), db, "redis://"+testenv.Redis(t).Options().Addr+"/0", port)
	base := fmt.Sprintf("http://localhost:%d", port)

	b := browsertest.New(t, 1280, 900)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "demo@profitline.test"), chromedp.SendKeys("#password", "sell-smarter-every-day"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), browsertest.Shown("#dashboard-title"),
		chromedp.Navigate(base+"/settings/costs"), browsertest.Shown("#costs-title"))
	shop := browsertest.Eval[string](t, b, `new URL(document.querySelector('a[href^="/settings/costs/export.csv"]').href).searchParams.get("shop")`)

	// The shops' backfills run in the background: wait until Settings -> Shops says nothing is syncing or being
	// worked out (the profit of what synced included), with profit in the last 90 days that stays put.
	dash := base + "/dashboard?range=90d&shop=" + shop
	const netProfit = `(document.querySelector('[data-figure="net_profit"] .tile-value')?.textContent ?? "").trim()`
	settled := func() (string, bool) {
		b.Do(t, chromedp.Navigate(base+"/settings/shops"), browsertest.Shown("#shops-title"))
		if browsertest.Eval[string](t, b, `document.querySelector("[data-sync-status]").dataset.syncRunning`) != "false" {
			return "", false
		}
		b.Do(t, chromedp.Navigate(dash), browsertest.Shown("#dashboard-title"))
		orders := browsertest.Eval[string](t, b, `(document.querySelector('[data-figure="orders"] .tile-value')?.textContent ?? "0").trim()`)
		figure := browsertest.Eval[string](t, b, netProfit)
		return figure, orders != "0" && figure != ""
	}
	deadline := time.Now().Add(2 * time.Minute)
	var before string
	for {
		var ok bool
		if before, ok = settled(); ok {
			time.Sleep(3 * time.Second) // a run the first one started may begin a moment later
			if again, ok := settled(); ok && again == before {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo shops did not sync, their profit included, within 2 minutes (net profit %q)", before)
		}
		time.Sleep(time.Second)
	}

	// A shorter range shows other figures.
	browsertest.Eval[bool](t, b, `(() => { const r = document.querySelector("#dash-range"); r.value = "7d"; r.dispatchEvent(new Event("change")); return true; })()`)
	browsertest.WaitFor(t, b, `location.search.includes("range=7d") && document.readyState === "complete" && document.querySelector("[data-figure]") !== null`)
	if week := browsertest.Eval[string](t, b, netProfit); week == before {
		t.Errorf("the 7-day net profit is the 90-day one (%s)", week)
	}

	// An order's breakdown.
	b.Do(t, chromedp.Navigate(base+"/orders?shop="+shop), browsertest.Shown("#orders-title"),
		chromedp.Click(`.orders-table tbody tr .order-link`), browsertest.Shown("#order-title"))
	if labels := browsertest.Eval[string](t, b, `document.querySelector('.breakdown-table').innerText`); !strings.Contains(labels, "Net profit") {
		t.Errorf("the order's breakdown has no net profit line:\n%s", labels)
	}

	// A costs sheet for the best-selling SKU: refused whole with its bad row named, then applied once fixed.
	b.Do(t, chromedp.Navigate(base+"/settings/costs?shop="+shop), browsertest.Shown("#costs-title"))
	sku := browsertest.Eval[string](t, b, `document.querySelector('tr[data-sku]').dataset.sku`)
	dir := t.TempDir()
	bad, good := dir+"/costs.csv", dir+"/costs-fixed.csv"
	currency := browsertest.Eval[string](t, b, `document.body.innerText.match(/Costs are in ([A-Z]{3})/)[1]`)
	sheet := "seller_sku,sku_id,cost,currency,effective_from\n," + sku + ",5.00," + currency + ",2020-01-01\n," + sku + ",6.OO," + currency + ",2020-02-01\n"
	if err := os.WriteFile(bad, []byte(sheet), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(strings.Replace(sheet, "6.OO", "6.00", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(t, chromedp.SetUploadFiles("#costs-file", []string{bad}), chromedp.Click(`form[action="/settings/costs/import"] button[type=submit]`))
	browsertest.WaitFor(t, b, `document.querySelector("#import-problems-title") !== null`)
	if problem := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('.import-table tbody tr')].map(r => r.innerText.replace(/\s+/g, " ").trim())`); len(problem) != 1 || !strings.HasPrefix(problem[0], "3 cost") {
		t.Errorf("the problems listed: %q; want one, on line 3, column cost", problem)
	}
	b.Do(t, chromedp.Navigate(dash), browsertest.Shown("#dashboard-title"))
	if same := browsertest.Eval[string](t, b, netProfit); same != before {
		t.Fatalf("the refused sheet changed the net profit from %s to %s", before, same)
	}
	b.Do(t, chromedp.Navigate(base+"/settings/costs?shop="+shop), browsertest.Shown("#costs-title"),
		chromedp.SetUploadFiles("#costs-file", []string{good}), chromedp.Click(`form[action="/settings/costs/import"] button[type=submit]`))
	browsertest.WaitFor(t, b, `(document.querySelector('[role=status]')?.textContent ?? "").includes("2 costs applied")`)
	b.Do(t, chromedp.Navigate(dash), browsertest.Shown("#dashboard-title"))
	after := browsertest.Eval[string](t, b, netProfit)
	if money(t, after) >= money(t, before) {
		t.Errorf("net profit %s before the costs, %s after; want it lower", before, after)
	}
	// The refused sheet's page comes with a 422, which the browser reports; nothing else may be.
	problems := slices.DeleteFunc(b.Problems(), func(p string) bool { return strings.Contains(p, "status of 422") })
	if len(problems) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(problems, "\n"))
	}
}

// money reads an amount as the pages write it ("$1,234.56", "−$12.00") in cents.
func money(t *testing.T, s string) int64 {
	t.Helper()
	neg := strings.ContainsAny(s, "-−")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		t.Fatalf("not an amount: %q", s)
	}
	if neg {
		n = -n
	}
	return n
}
