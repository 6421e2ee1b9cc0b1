package web_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// profitSeller is a signed-in seller whose two sandbox shops, one selling in USD and one in GBP, were synced the
// way the app syncs them (orders, returns, products and finance), so their profit rows are the sync's own.
type profitSeller struct {
	cookie *http.Cookie
	userID int64
	us, gb sandbox.Shop
}

func (s *shopSite) syncedSeller(t *testing.T, email string) profitSeller {
	t.Helper()
	ctx := context.Background()
	cookie, userID := s.seller(t, email)
	tt := tiktoktest.New(t, s.env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 70, 6 })
	tokens, err := tt.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	both := tt.Sandbox.Shops()[:2] // one seller's: one grant covers both
	var list []shops.Shop
	for _, sh := range both {
		list = append(list, shops.Shop{ID: sh.ID, Name: sh.Name, Region: sh.Region, Cipher: sh.Cipher})
	}
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := shops.Save(ctx, tx, shops.Grant{OpenID: tokens.OpenID, Scopes: sandbox.ReadScopes, Tokens: shops.Tokens{
			Access: tokens.AccessToken, AccessExpiresAt: tokens.AccessExpires, Refresh: tokens.RefreshToken, RefreshExpiresAt: tokens.RefreshExpires,
		}}, list)
		return err
	})
	log := slog.New(slog.DiscardHandler)
	sy := syncer.New(s.env.Store, tt.Client, connect.New(s.env.Store, tt.Client, s.env.Clock, log), s.env.Clock,
		syncer.Config{Backfill: 80 * 24 * time.Hour, PageSize: 100, BuyerIndexKey: syncer.BuyerIndexKey([]byte("a test's blind-index key"))}, log)
	for _, sh := range both {
		for _, r := range syncer.Resources() {
			if _, err := sy.Sync(ctx, userID, sh.ID, r); err != nil {
				t.Fatalf("sync %s of %s: %v", r, sh.ID, err)
			}
		}
	}
	p := profitSeller{cookie: cookie, userID: userID, us: both[0], gb: both[1]}
	if p.us.Currency != "USD" || p.gb.Currency != "GBP" {
		t.Fatalf("the sandbox's shops sell in %s and %s; want USD and GBP", p.us.Currency, p.gb.Currency)
	}
	return p
}

// measured are the sums the tiles show, read straight from a profit table.
type measured struct {
	orders, units, grossSales, sellerDiscount, netSales, netProfit, refunds, fees, costOfGoods, shipping, affiliate int64
}

// sumOf sums table's whole-order rows (those with an empty sku_id) of the seller's shops in currency over the days first..last.
func (s *shopSite) sumOf(t *testing.T, userID int64, table, currency string, first, last dashboard.Day, shopIDs ...string) measured {
	t.Helper()
	var m measured
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		q := `SELECT coalesce(sum(orders),0)::bigint, coalesce(sum(units),0)::bigint, coalesce(sum(gross_sales),0)::bigint,
			coalesce(sum(seller_discount),0)::bigint, coalesce(sum(net_sales),0)::bigint, coalesce(sum(net_profit),0)::bigint,
			coalesce(sum(refunds),0)::bigint,
			coalesce(sum(fee_referral + fee_platform_commission + fee_transaction + fee_sfp + fee_flash_sale + fee_live +
				fee_voucher + fee_refund_administration + fee_other),0)::bigint,
			coalesce(sum(cost_of_goods - cost_returned),0)::bigint, coalesce(sum(shipping_cost + return_shipping_cost),0)::bigint,
			coalesce(sum(affiliate_standard + affiliate_partner + affiliate_ads),0)::bigint
			FROM ` + table + ` WHERE user_id = $1 AND sku_id = '' AND currency = $2 AND day BETWEEN $3 AND $4
			AND (coalesce(cardinality($5::text[]), 0) = 0 OR shop_id = ANY($5))`
		return tx.PgxTx().QueryRow(ctx, q, userID, currency, pgtype.Date{Time: first.Time(), Valid: true},
			pgtype.Date{Time: last.Time(), Valid: true}, shopIDs).Scan(&m.orders, &m.units, &m.grossSales, &m.sellerDiscount,
			&m.netSales, &m.netProfit, &m.refunds, &m.fees, &m.costOfGoods, &m.shipping, &m.affiliate)
	})
	return m
}

// tile is one dashboard tile as the page shows it.
type tile struct{ value, change string }

var tilePattern = regexp.MustCompile(`(?s)data-figure="(\w+)"[^>]*>\s*<dt class="tile-label">[^<]*</dt>\s*<dd class="tile-value">([^<]*)</dd>\s*<dd class="tile-change"><span class="visually-hidden">[^<]*</span>([^<]*)</dd>`)

func tilesOf(t *testing.T, body string) map[string]tile {
	t.Helper()
	out := map[string]tile{}
	for _, m := range tilePattern.FindAllStringSubmatch(body, -1) {
		out[m[1]] = tile{value: html.UnescapeString(m[2]), change: html.UnescapeString(m[3])}
	}
	if len(out) != 10 {
		t.Fatalf("the dashboard shows %d tiles; want 10\n%s", len(out), body)
	}
	return out
}

// wantTiles are the tiles for a period's sums beside the previous period's.
func wantTiles(cur, prev measured, currency string) map[string]tile {
	fig := func(kind dashboard.Kind, cost bool, c, p int64) tile {
		f := dashboard.Figure{Kind: kind, Cost: cost, Current: c, Previous: p}
		return tile{value: f.Value(currency), change: f.ChangeText(currency)}
	}
	margin := func(m measured) int64 {
		if m.netSales <= 0 {
			return 0
		}
		n := m.netProfit * 10000
		q, r := n/m.netSales, n%m.netSales
		if 2*max(r, -r) >= m.netSales {
			if n < 0 {
				q--
			} else {
				q++
			}
		}
		return q
	}
	return map[string]tile{
		"net_sales":     fig(dashboard.Amount, false, cur.netSales, prev.netSales),
		"net_profit":    fig(dashboard.Amount, false, cur.netProfit, prev.netProfit),
		"margin":        fig(dashboard.Bps, false, margin(cur), margin(prev)),
		"orders":        fig(dashboard.Count, false, cur.orders, prev.orders),
		"units":         fig(dashboard.Count, false, cur.units, prev.units),
		"refunds":       fig(dashboard.Amount, true, cur.refunds, prev.refunds),
		"fees":          fig(dashboard.Amount, true, cur.fees, prev.fees),
		"cost_of_goods": fig(dashboard.Amount, true, cur.costOfGoods, prev.costOfGoods),
		"shipping":      fig(dashboard.Amount, true, cur.shipping, prev.shipping),
		"affiliate":     fig(dashboard.Amount, true, cur.affiliate, prev.affiliate),
	}
}

func sameTiles(t *testing.T, what string, got, want map[string]tile) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: tile %s shows %q (%q); want %q (%q)", what, k, got[k].value, got[k].change, w.value, w.change)
		}
	}
}

func (s *shopSite) today(t *testing.T) dashboard.Day {
	return dashboard.DayOf(s.env.Clock.Now(), time.UTC)
}

func TestTheTilesOfARangeAreTheSumsOfItsDaysAndOfItsOrders(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "tiles@example.com")
	today := s.today(t)

	for _, c := range []struct {
		query       string
		first, last dashboard.Day
	}{
		{"range=30d&currency=USD", today.AddDays(-29), today},
		{"range=7d&currency=USD", today.AddDays(-6), today},
		{"range=custom&from=" + today.AddDays(-40).String() + "&to=" + today.AddDays(-20).String() + "&currency=USD", today.AddDays(-40), today.AddDays(-20)},
	} {
		w := s.get("/dashboard?"+c.query, a.cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", c.query, w.Code, w.Body)
		}
		body := w.Body.String()
		n := c.last.Since(c.first) + 1
		cur := s.sumOf(t, a.userID, "daily_profit", "USD", c.first, c.last)
		prev := s.sumOf(t, a.userID, "daily_profit", "USD", c.first.AddDays(-n), c.first.AddDays(-1))
		if cur.orders == 0 || prev.orders == 0 {
			t.Fatalf("%s: the sandbox sold nothing in the range (%d orders) or before it (%d): the test proves nothing", c.query, cur.orders, prev.orders)
		}
		if byOrder := s.sumOf(t, a.userID, "order_profits", "USD", c.first, c.last); byOrder != cur {
			t.Errorf("%s: the daily rows sum to %+v, the orders to %+v", c.query, cur, byOrder)
		}
		sameTiles(t, c.query, tilesOf(t, body), wantTiles(cur, prev, "USD"))
		if text := (dashboard.Range{First: c.first, Last: c.last}).Text(); !strings.Contains(body, text) {
			t.Errorf("%s: the page does not name its range %q", c.query, text)
		}
		// Nothing is costed in the sandbox: every sale is without a known cost, and the page says so.
		if !strings.Contains(body, "data-confidence") || !strings.Contains(body, `href="/settings/costs"`) {
			t.Errorf("%s: the page does not say how much of its sales have no cost, with a link to add them", c.query)
		}
	}
}

func TestShopsInDifferentCurrenciesAreNeverSummed(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "currencies@example.com")
	today := s.today(t)
	first := today.AddDays(-29)
	usd := s.sumOf(t, a.userID, "daily_profit", "USD", first, today)
	gbp := s.sumOf(t, a.userID, "daily_profit", "GBP", first, today)
	if usd.netSales == 0 || gbp.netSales == 0 {
		t.Fatal("the sandbox's shops sold nothing in one currency: the test proves nothing")
	}

	body := s.get("/dashboard", a.cookie).Body.String()
	for _, want := range []string{`aria-label="Currency"`, "currency=GBP", "currency=USD", "never added together"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard of a seller selling in two currencies lacks %q", want)
		}
	}
	for currency, m := range map[string]measured{"USD": usd, "GBP": gbp} {
		got := tilesOf(t, s.get("/dashboard?range=30d&currency="+currency, a.cookie).Body.String())
		if want := (money.Amount{Minor: m.netSales, Currency: currency}).Format(); got["net_sales"].value != want {
			t.Errorf("%s net sales show %q; want %q, that currency's alone", currency, got["net_sales"].value, want)
		}
	}
	sum := fmt.Sprint(usd.netSales + gbp.netSales)
	for _, c := range []string{"USD", "GBP"} {
		page := s.get("/dashboard?range=30d&currency="+c, a.cookie).Body.String()
		for _, mixed := range []string{money.Amount{Minor: usd.netSales + gbp.netSales, Currency: "USD"}.Format(),
			money.Amount{Minor: usd.netSales + gbp.netSales, Currency: "GBP"}.Format()} {
			if strings.Contains(page, mixed) {
				t.Errorf("the %s page shows %s, both currencies' net sales summed (%s)", c, mixed, sum)
			}
		}
	}

	// One shop: its own currency, and no picker.
	page := s.get("/dashboard?range=30d&shop="+url.QueryEscape(a.gb.ID), a.cookie).Body.String()
	if strings.Contains(page, `aria-label="Currency"`) {
		t.Error("a single shop's dashboard offers a currency picker")
	}
	if got, want := tilesOf(t, page)["net_sales"].value, (money.Amount{Minor: gbp.netSales, Currency: "GBP"}).Format(); got != want {
		t.Errorf("the GB shop's net sales show %q; want %q", got, want)
	}
}

func TestAnotherSellerNeverSeesTheFirstSellersFigures(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "alpha@example.com")
	cookieB, userB := s.seller(t, "beta@example.com")
	s.connectShop(t, userB, "8001", "Beta Brew", "GB")

	pageA := s.get("/dashboard?range=30d&currency=USD", a.cookie).Body.String() // fills the cache for A's range
	tilesA := tilesOf(t, pageA)
	pageB := s.get("/dashboard?range=30d&currency=USD", cookieB).Body.String()
	for _, k := range []string{"net_sales", "net_profit", "fees", "shipping"} {
		if v := tilesA[k].value; strings.Contains(pageB, v) {
			t.Errorf("seller B's dashboard shows %s, seller A's %s", v, k)
		}
	}
	for _, leak := range []string{a.us.Name, a.gb.Name, a.us.ID, a.gb.ID, "data-figure"} {
		if strings.Contains(pageB, leak) {
			t.Errorf("seller B's dashboard shows %q", leak)
		}
	}
	if !strings.Contains(pageB, "No orders yet") {
		t.Error("seller B's dashboard does not say B has no orders")
	}
	if w := s.get("/dashboard?shop="+url.QueryEscape(a.us.ID), cookieB); w.Code != http.StatusNotFound {
		t.Errorf("seller B asking for seller A's shop: %d; want 404", w.Code)
	}
}

func TestTheDashboardNeverServesFiguresOlderThanTheProfitVersion(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "cache@example.com")
	today := s.today(t)
	path := "/dashboard?range=7d&currency=USD"
	before := tilesOf(t, s.get(path, a.cookie).Body.String())["net_sales"].value

	// A change behind the rollup's back (no version bump): the cached figures stand, which shows they are cached.
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PgxTx().Exec(ctx, `UPDATE daily_profit SET net_sales = net_sales + 100000
			WHERE user_id = $1 AND shop_id = $2 AND sku_id = '' AND day = (SELECT max(day) FROM daily_profit WHERE user_id = $1 AND shop_id = $2 AND day <= $3)`,
			a.userID, a.us.ID, pgtype.Date{Time: today.Time(), Valid: true})
		return err
	})
	if got := tilesOf(t, s.get(path, a.cookie).Body.String())["net_sales"].value; got != before {
		t.Fatalf("net sales went from %s to %s without a version bump: the figures are not cached", before, got)
	}
	// The version moves, as it does in every transaction that changes profit rows: the next page has the change.
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error { return tx.Q.BumpProfitVersion(ctx, a.userID) })
	want := money.Amount{Minor: s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-6), today).netSales, Currency: "USD"}.Format()
	if got := tilesOf(t, s.get(path, a.cookie).Body.String())["net_sales"].value; got != want || got == before {
		t.Fatalf("after the version moved net sales show %s; want %s (was %s)", got, want, before)
	}

	// The real path: a cost saved on Settings -> Costs recomputes profit and moves the version.
	profitBefore := tilesOf(t, s.get(path, a.cookie).Body.String())["net_profit"].value
	var skuID string
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		return tx.PgxTx().QueryRow(ctx, `SELECT sku_id FROM daily_profit WHERE user_id = $1 AND shop_id = $2 AND sku_id <> ''
			AND day >= $3 GROUP BY sku_id ORDER BY sum(units) DESC, sku_id LIMIT 1`, a.userID, a.us.ID,
			pgtype.Date{Time: today.AddDays(-6).Time(), Valid: true}).Scan(&skuID)
	})
	w := s.post("/settings/costs", url.Values{"shop": {a.us.ID}, "sku": {skuID}, "effective_from": {"2020-01-01"},
		"product_cost": {"3.00"}, "inbound_freight": {"0"}, "packaging": {"0"}}, a.cookie)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("saving a cost: %d\n%s", w.Code, w.Body)
	}
	after := tilesOf(t, s.get(path, a.cookie).Body.String())
	wantProfit := money.Amount{Minor: s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-6), today).netProfit, Currency: "USD"}.Format()
	if after["net_profit"].value != wantProfit || after["net_profit"].value == profitBefore {
		t.Errorf("after a cost was saved net profit shows %s; want %s (was %s)", after["net_profit"].value, wantProfit, profitBefore)
	}
}

var stepPattern = regexp.MustCompile(`<tr data-step="(\w+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>`)

// minorOf reads an amount as the page writes it ("-$1,234.50", "+£3.00") back into minor units.
func minorOf(t *testing.T, s, currency string) int64 {
	t.Helper()
	clean := strings.NewReplacer("$", "", "£", "", ",", "", "+", "", " "+currency, "").Replace(s)
	a, err := money.Parse(clean, currency)
	if err != nil {
		t.Fatalf("%q is not an amount: %v", s, err)
	}
	return a.Minor
}

func TestTheWaterfallOnThePageAddsUpToNetProfit(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "waterfall@example.com")
	for _, currency := range []string{"USD", "GBP"} {
		body := s.get("/dashboard?range=90d&currency="+currency, a.cookie).Body.String()
		steps := stepPattern.FindAllStringSubmatch(body, -1)
		if len(steps) < 11 || steps[0][1] != "gross_sales" || steps[len(steps)-1][1] != "net_profit" {
			t.Fatalf("%s: the waterfall's steps are %v", currency, steps)
		}
		run := minorOf(t, html.UnescapeString(steps[0][2]), currency)
		for _, st := range steps[1 : len(steps)-1] {
			if st[1] == "not_itemised" {
				t.Errorf("%s: the stored figures needed a step outside the formula", currency)
			}
			run += minorOf(t, html.UnescapeString(st[2]), currency)
		}
		netProfit := minorOf(t, html.UnescapeString(steps[len(steps)-1][2]), currency)
		if run != netProfit {
			t.Errorf("%s: the steps add up to %d; the waterfall ends at %d", currency, run, netProfit)
		}
		if tile := minorOf(t, tilesOf(t, body)["net_profit"].value, currency); tile != netProfit {
			t.Errorf("%s: the waterfall ends at %d; the net profit tile shows %d", currency, netProfit, tile)
		}
		if !strings.Contains(body, `role="img"`) || !strings.Contains(body, "<title id=\"daily-chart-title\">") {
			t.Errorf("%s: the charts are not labelled images", currency)
		}
	}
}

func TestTheSellersTimeZoneSetsWhereDaysBeginAndItsChangeIsAudited(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "zone@example.com")
	page := s.get("/settings/preferences", a.cookie)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `<option value="UTC" selected>`) {
		t.Fatalf("preferences: %d; want the form with UTC chosen\n%s", page.Code, page.Body)
	}

	if w := s.post("/settings/preferences", url.Values{"time_zone": {"Mars/Olympus_Mons"}}, a.cookie); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "not a time zone we know") {
		t.Errorf("an unknown zone: %d; want 422 saying so", w.Code)
	}
	if w := s.post("/settings/preferences", url.Values{"time_zone": {"Asia/Tokyo"}}, a.cookie); w.Code != http.StatusSeeOther ||
		w.Header().Get("Location") != "/settings/preferences?done=zone" {
		t.Fatalf("saving a zone: %d to %q", w.Code, w.Header().Get("Location"))
	}
	action, detail := s.lastAudit(t, a.userID)
	if action != "account.time_zone" || detail["from"] != "UTC" || detail["to"] != "Asia/Tokyo" || detail["changed"] != true {
		t.Errorf("the audit says %s %v; want account.time_zone from UTC to Asia/Tokyo", action, detail)
	}
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		z, err := rollup.TimeZone(ctx, tx)
		if err == nil && z.String() != "Asia/Tokyo" {
			err = fmt.Errorf("the zone is %s", z)
		}
		return err
	})

	// Days are Tokyo's now: the dashboard's 30 days end on Tokyo's today, and its figures are those days'.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	s.env.Clock.Set(time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)) // 15 March in Tokyo
	today := dashboard.DayOf(s.env.Clock.Now(), tokyo)
	if today.String() != "2026-03-15" {
		t.Fatalf("today in Tokyo is %s", today)
	}
	body := s.get("/dashboard?range=30d&currency=USD", a.cookie).Body.String()
	if !strings.Contains(body, "14 Feb – 15 Mar 2026") || !strings.Contains(body, "midnight in Asia/Tokyo") {
		t.Errorf("the dashboard's 30 days do not end on Tokyo's today, 15 March")
	}
	cur := s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-29), today)
	prev := s.sumOf(t, a.userID, "daily_profit", "USD", today.AddDays(-59), today.AddDays(-30))
	sameTiles(t, "Tokyo's 30 days", tilesOf(t, body), wantTiles(cur, prev, "USD"))
	if byOrder := s.sumOf(t, a.userID, "order_profits", "USD", today.AddDays(-29), today); byOrder != cur {
		t.Errorf("in Tokyo's days the daily rows sum to %+v, the orders to %+v", cur, byOrder)
	}

	if w := s.post("/settings/preferences", url.Values{"time_zone": {"Asia/Tokyo"}}, a.cookie); w.Header().Get("Location") != "/settings/preferences?done=same" {
		t.Errorf("saving the same zone again leads to %q", w.Header().Get("Location"))
	}
	// Without a CSRF token, and not same-origin, the form is refused.
	r := httptest.NewRequest(http.MethodPost, "/settings/preferences", strings.NewReader("time_zone=UTC"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(a.cookie)
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("a cross-site post of the zone form: %d; want 403", w.Code)
	}
}

func TestTheDashboardReadsEveryMeasureInTheProfitModelsOrder(t *testing.T) {
	sql, err := os.ReadFile("../../db/queries/tenant/dashboard.sql")
	if err != nil {
		t.Fatal(err)
	}
	q := string(sql)
	q = q[strings.Index(q, "-- name: DashboardTotals"):]
	q = q[strings.Index(q, "ARRAY["):strings.Index(q, "]::bigint[] AS measures")]
	var got []string
	for _, m := range regexp.MustCompile(`sum\(d\.(\w+)\)`).FindAllStringSubmatch(q, -1) {
		got = append(got, m[1])
	}
	if want := profit.MeasureNames(); !slices.Equal(got, want) {
		t.Errorf("DashboardTotals sums\n%v\nprofit.Totals.SetMeasures reads\n%v", got, want)
	}
}
