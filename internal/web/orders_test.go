package web_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/costs/coststest"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

// The range the order tests look at: inside the sandbox's 70 days, so orders fall outside it on both sides.
const ordersFrom, ordersTo = "2026-01-20", "2026-03-10"

// ordersSeller is syncedSeller with its days in Los Angeles, so a day is not a UTC day, and costs for every SKU
// of its US shop only, so "missing cost" picks out some orders and not others.
func (s *shopSite) ordersSeller(t *testing.T, email string) profitSeller {
	t.Helper()
	p := s.syncedSeller(t, email)
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		if _, err := rollup.SetTimeZone(ctx, tx, "America/Los_Angeles"); err != nil {
			return err
		}
		var skus []string
		rows, err := tx.PgxTx().Query(ctx, `SELECT DISTINCT sku_id FROM order_lines WHERE user_id = $1 AND shop_id = $2 ORDER BY 1`, p.userID, p.us.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			skus = append(skus, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range skus {
			if _, _, err := costs.Set(ctx, tx, p.us.ID, costs.Edit{SKUID: id, EffectiveFrom: "2025-01-01", ProductCost: "2.50"}); err != nil {
				return err
			}
		}
		_, err = rollup.CostsChanged(ctx, tx, p.us.ID, skus, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		return err
	})
	return p
}

// listedOrder is one order of the list as the page shows it.
type listedOrder struct {
	shop, order                    string
	created, netSales, profit, bps int64
}

var listedOrderPattern = regexp.MustCompile(`<tr data-shop="([^"]+)" data-order="([^"]+)" data-created="(-?\d+)" data-net-sales="(-?\d+)" data-net-profit="(-?\d+)" data-margin-bps="(-?\d+)">`)
var nextPagePattern = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// walkOrders opens /orders?query and follows Next to the last page, returning every order listed and the pages.
func (s *shopSite) walkOrders(t *testing.T, cookie *http.Cookie, query url.Values) ([]listedOrder, int) {
	t.Helper()
	var out []listedOrder
	path, pages := "/orders?"+query.Encode(), 0
	for path != "" {
		w := s.get(path, cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, w.Code, w.Body)
		}
		pages++
		body := w.Body.String()
		for _, m := range listedOrderPattern.FindAllStringSubmatch(body, -1) {
			n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
			out = append(out, listedOrder{shop: m[1], order: m[2], created: n(3), netSales: n(4), profit: n(5), bps: n(6)})
		}
		path = ""
		if m := nextPagePattern.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages > 200 {
			t.Fatal("more than 200 pages: the cursor does not move on")
		}
	}
	return out, pages
}

// ordersWhere are the seller's orders placed on the days ordersFrom..ordersTo (their day in the seller's zone, as
// the rollup wrote it) that match cond, a condition on order_profits p and orders o.
func (s *shopSite) ordersWhere(t *testing.T, userID int64, cond string, args ...any) []string {
	t.Helper()
	var out []string
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		q := `SELECT p.shop_id || '/' || p.order_id FROM order_profits p
			JOIN orders o ON o.user_id = p.user_id AND o.shop_id = p.shop_id AND o.order_id = p.order_id
			WHERE p.user_id = $1 AND p.sku_id = '' AND p.day BETWEEN $2::text::date AND $3::text::date AND ` + cond + ` ORDER BY 1`
		rows, err := tx.PgxTx().Query(ctx, q, append([]any{userID, ordersFrom, ordersTo}, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out
}

func keysOf(list []listedOrder) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.shop + "/" + o.order
	}
	return out
}

// onceEach fails unless list holds each of want exactly once.
func onceEach(t *testing.T, what string, list []listedOrder, want []string) {
	t.Helper()
	got := keysOf(list)
	seen := map[string]int{}
	for _, k := range got {
		if seen[k]++; seen[k] == 2 {
			t.Errorf("%s: order %s is listed twice", what, k)
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d orders listed; want %d", what, len(got), len(want))
	}
}

func TestWalkingEveryPageOfOrdersYieldsEachOrderOnceInTheSortsOrder(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "walk@example.com")
	want := s.ordersWhere(t, p.userID, "true")
	if len(want) < 3*50 {
		t.Fatalf("only %d orders in range: too few to page through", len(want))
	}
	byTime := func(a, b listedOrder) int { return cmp.Compare(a.created, b.created) }
	byID := func(a, b listedOrder) int { return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.order, b.order)) }
	// Each sort's order, as the seller would state it: the figure, then ties by shop and order id.
	sorts := map[string]func(a, b listedOrder) int{
		"newest":      func(a, b listedOrder) int { return cmp.Or(-byTime(a, b), byID(a, b)) },
		"oldest":      func(a, b listedOrder) int { return cmp.Or(byTime(a, b), -byID(a, b)) },
		"profit_desc": func(a, b listedOrder) int { return cmp.Or(-cmp.Compare(a.profit, b.profit), byID(a, b)) },
		"profit_asc":  func(a, b listedOrder) int { return cmp.Or(cmp.Compare(a.profit, b.profit), byID(a, b)) },
		"sales_desc":  func(a, b listedOrder) int { return cmp.Or(-cmp.Compare(a.netSales, b.netSales), byID(a, b)) },
		"sales_asc":   func(a, b listedOrder) int { return cmp.Or(cmp.Compare(a.netSales, b.netSales), byID(a, b)) },
		"margin_desc": func(a, b listedOrder) int { return cmp.Or(-cmp.Compare(a.bps, b.bps), byID(a, b)) },
		"margin_asc":  func(a, b listedOrder) int { return cmp.Or(cmp.Compare(a.bps, b.bps), byID(a, b)) },
	}
	for sort, order := range sorts {
		q := url.Values{"from": {ordersFrom}, "to": {ordersTo}}
		if sort != "newest" {
			q.Set("sort", sort)
		}
		list, pages := s.walkOrders(t, p.cookie, q)
		if pages < 3 {
			t.Errorf("%s: %d pages for %d orders", sort, pages, len(list))
		}
		onceEach(t, sort, list, want)
		for i := 1; i < len(list); i++ {
			if order(list[i-1], list[i]) > 0 {
				t.Errorf("%s: %s/%s comes before %s/%s", sort, list[i-1].shop, list[i-1].order, list[i].shop, list[i].order)
				break
			}
		}
	}
	// The margin shown is the model's: net profit per net sales, rounded half away from zero.
	list, _ := s.walkOrders(t, p.cookie, url.Values{"from": {ordersFrom}, "to": {ordersTo}})
	for _, o := range list {
		a := profit.Amounts{NetSales: money.Amount{Minor: o.netSales}, NetProfit: money.Amount{Minor: o.profit}}
		if o.bps != a.MarginBps() {
			t.Errorf("order %s: margin %d bps; the model says %d", o.order, o.bps, a.MarginBps())
		}
	}
}

func TestTheOrderFiltersListExactlyTheOrdersThatMatch(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "filters@example.com")
	// The SKU sold most often, in orders of it alone (whose own row stands for it) and in orders with others.
	var sku string
	var alone, withOthers int
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		return tx.PgxTx().QueryRow(ctx, `SELECT l.seller_sku,
				count(DISTINCT l.order_id) FILTER (WHERE p.sole_seller_sku = l.seller_sku),
				count(DISTINCT l.order_id) FILTER (WHERE p.sole_seller_sku = '')
			FROM order_lines l JOIN order_profits p ON p.user_id = l.user_id AND p.shop_id = l.shop_id
				AND p.order_id = l.order_id AND p.sku_id = ''
			WHERE l.user_id = $1 AND l.shop_id = $2
			GROUP BY l.seller_sku ORDER BY count(DISTINCT l.order_id) DESC, l.seller_sku LIMIT 1`,
			p.userID, p.gb.ID).Scan(&sku, &alone, &withOthers)
	})
	if alone == 0 || withOthers == 0 {
		t.Fatalf("SKU %s is sold in %d orders alone and %d with others: the SKU filter is not put to the test", sku, alone, withOthers)
	}
	costFlags := int(profit.FlagCostMissing | profit.FlagCostFallback)
	cases := []struct {
		name  string
		query url.Values
		cond  string
		args  []any
	}{
		{"shop", url.Values{"shop": {p.gb.ID}}, "p.shop_id = $4", []any{p.gb.ID}},
		{"status", url.Values{"status": {"COMPLETED"}}, "o.status = 'COMPLETED'", nil},
		{"settled", url.Values{"state": {"settled"}}, "p.state = 'settled'", nil},
		{"estimated", url.Values{"state": {"estimated"}}, "p.state = 'estimated'", nil},
		{"missing cost", url.Values{"cost": {"missing"}}, "p.flags & $4 <> 0", []any{costFlags}},
		{"sku", url.Values{"sku": {sku}}, `EXISTS (SELECT 1 FROM order_lines l WHERE l.user_id = p.user_id AND l.shop_id = p.shop_id
			AND l.order_id = p.order_id AND l.seller_sku = $4)`, []any{sku}},
		{"US shop, settled, missing cost, by profit", url.Values{"shop": {p.us.ID}, "state": {"settled"}, "cost": {"missing"}, "sort": {"profit_asc"}},
			"p.shop_id = $4 AND p.state = 'settled' AND p.flags & $5 <> 0", []any{p.us.ID, costFlags}},
	}
	all := s.ordersWhere(t, p.userID, "true")
	for _, c := range cases {
		want := s.ordersWhere(t, p.userID, c.cond, c.args...)
		if c.name != "US shop, settled, missing cost, by profit" && (len(want) == 0 || len(want) == len(all)) {
			t.Errorf("%s: %d of %d orders match: the filter is not put to the test", c.name, len(want), len(all))
		}
		q := url.Values{"from": {ordersFrom}, "to": {ordersTo}}
		for k, v := range c.query {
			q[k] = v
		}
		list, _ := s.walkOrders(t, p.cookie, q)
		onceEach(t, c.name, list, want)
	}
	if w := s.get("/orders?shop=9999", p.cookie); w.Code != http.StatusNotFound {
		t.Errorf("a shop that is not the seller's: %d; want 404", w.Code)
	}
}

func TestAPageLinkThatWasTamperedWithOrIsOfAnotherSortIsRefused(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "cursor@example.com")
	w := s.get("/orders?from="+ordersFrom+"&to="+ordersTo, p.cookie)
	m := nextPagePattern.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("no next page")
	}
	next, _ := url.Parse(html.UnescapeString(m[1]))
	after := next.Query().Get("after")
	for name, q := range map[string]url.Values{
		"garbage":      {"after": {"not a cursor"}},
		"another sort": {"after": {after}, "sort": {"profit_desc"}},
		"bad json":     {"after": {base64.RawURLEncoding.EncodeToString([]byte(`{"s":"newest"`))}},
		"bad sort":     {"sort": {"id; DROP TABLE orders"}},
	} {
		if w := s.get("/orders?"+q.Encode(), p.cookie); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d; want 400", name, w.Code)
		}
	}
}

// cellPattern reads a breakdown row's figures: its measure, and each column's state and model value.
var (
	breakdownRowPattern  = regexp.MustCompile(`(?s)<tr class="breakdown-\w+" data-component="(\w+)">(.*?)</tr>`)
	breakdownCellPattern = regexp.MustCompile(`data-state="(\w+)" data-value="(-?\d+)">([^<]*)<`)
)

func TestAnOrdersBreakdownHasTheModelsFiguresWithEveryFeeNamed(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "breakdown@example.com")
	ctx := context.Background()
	// A settled order with a referral fee, and one still estimated, of each shop.
	var picks [][2]string
	for _, shop := range []string{p.us.ID, p.gb.ID} {
		for _, state := range []string{"settled", "estimated"} {
			var id string
			s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
				return tx.PgxTx().QueryRow(ctx, `SELECT order_id FROM order_profits WHERE user_id = $1 AND shop_id = $2 AND sku_id = ''
					AND state = $3 AND units > 0 ORDER BY fee_referral DESC, order_id LIMIT 1`, p.userID, shop, state).Scan(&id)
			})
			picks = append(picks, [2]string{shop, id})
		}
	}
	names := profit.MeasureNames()
	for _, pick := range picks {
		var res profit.Result
		if err := s.env.Store.InTenant(ctx, p.userID, func(tx *store.Tx) error {
			var err error
			res, err = rollup.Compute(ctx, tx, pick[0], pick[1])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		w := s.get("/orders/"+pick[0]+"/"+pick[1], p.cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("order %s: %d\n%s", pick[1], w.Code, w.Body)
		}
		body := w.Body.String()
		want := map[string][]int64{}
		for state, b := range map[string]profit.Breakdown{"estimated": res.Estimated, "settled": res.Settled, "difference": {Amounts: res.Difference}} {
			if state != "estimated" && res.State != profit.Settled {
				continue
			}
			tot, err := profit.Of(b)
			if err != nil {
				t.Fatal(err)
			}
			want[state] = tot.Measures()
		}
		rows := breakdownRowPattern.FindAllStringSubmatch(body, -1)
		if len(rows) < 30 {
			t.Fatalf("order %s: %d breakdown rows", pick[1], len(rows))
		}
		for _, r := range rows {
			i := slices.Index(names, r[1])
			if i < 0 {
				t.Errorf("row %s is not a measure", r[1])
				continue
			}
			cells := breakdownCellPattern.FindAllStringSubmatch(r[2], -1)
			if len(cells) != len(want) {
				t.Errorf("order %s, %s: %d columns; want %d", pick[1], r[1], len(cells), len(want))
			}
			for _, c := range cells {
				v, _ := strconv.ParseInt(c[2], 10, 64)
				if ws, ok := want[c[1]]; !ok || ws[i] != v {
					t.Errorf("order %s, %s, %s: the page has %d; the model %v", pick[1], r[1], c[1], v, ws[i])
				}
			}
		}
		for _, label := range []string{"Gross sales", "Seller discounts", "Platform-funded discounts", "Net sales", "Refunds",
			"Shipping charged", "Shipping cost", "Return shipping", "Referral fee", "Platform commission", "Transaction fee",
			"SFP service fee", "Flash sale service fee", "LIVE specials fee", "Voucher Xtra service fee", "Refund administration fee",
			"Other fees", "Tax on fees", "Affiliate commission", "Affiliate partner commission", "Affiliate ads commission",
			"Adjustments", "Payout", "Cost of goods", "Net profit", "Sales tax collected", "Unreconciled"} {
			if !strings.Contains(body, ">"+label+"<") {
				t.Errorf("order %s: no row %q", pick[1], label)
			}
		}
		if !strings.Contains(body, `id="order-net-profit">`+html.EscapeString(res.Order.NetProfit.Format())+"<") {
			t.Errorf("order %s: the net profit tile is not %s", pick[1], res.Order.NetProfit.Format())
		}
		if n := strings.Count(body, "data-cost-source="); n != len(res.Lines) {
			t.Errorf("order %s: %d lines show a cost source; the order has %d lines", pick[1], n, len(res.Lines))
		}
		wantSource := "known"
		if pick[0] == p.gb.ID {
			wantSource = "missing"
		}
		if !strings.Contains(body, `data-cost-source="`+wantSource+`"`) {
			t.Errorf("order %s: no line's cost is %s", pick[1], wantSource)
		}
		if wantSource == "missing" && !strings.Contains(body, `href="/settings/costs?missing=1&amp;shop=`+pick[0]+`"`) {
			t.Errorf("order %s: a line without a cost does not link to its shop's costs", pick[1])
		}
	}
}

// An order the profit model refuses is set aside by the catch-up: the dashboard says its shop's figures leave one
// order out and where to see why, and the order's own page says why (422), not a server error.
func TestAnOrderWhoseProfitIsRefusedSaysWhy(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "refused-order@example.com")
	if body := s.get("/dashboard", p.cookie).Body.String(); strings.Contains(body, "data-set-aside") {
		t.Fatal("the dashboard says orders are left out before any is")
	}
	order := strings.SplitN(s.ordersWhere(t, p.userID, "true")[0], "/", 2)
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PgxTx().Exec(ctx, `UPDATE order_lines SET currency = 'EUR' WHERE user_id = $1 AND shop_id = $2 AND order_id = $3`,
			p.userID, order[0], order[1])
		if err != nil {
			return err
		}
		return rollup.Queue(ctx, tx, order[0], []string{order[1]})
	})
	if c, _, err := rollup.CatchUp(context.Background(), s.env.Store, p.userID, order[0]); err != nil || c.Refused != 1 {
		t.Fatalf("catch-up: %+v, %v; want the order set aside", c, err)
	}
	dash := html.UnescapeString(s.get("/dashboard", p.cookie).Body.String())
	if !strings.Contains(dash, "The profit of 1 order could not be worked out, so it is left out of these figures.") ||
		!strings.Contains(dash, `href="/settings/shops">See why`) {
		t.Errorf("the dashboard does not say an order is left out:\n%s", dash)
	}
	w := s.get("/orders/"+order[0]+"/"+order[1], p.cookie)
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "The profit of order "+order[1]+" could not be worked out") ||
		!strings.Contains(body, `is in "EUR", the order in USD: mixed currencies`) {
		t.Fatalf("GET the refused order: %d\n%s", w.Code, body)
	}
}

func TestAnotherSellerGets404ForAnOrderAndSeesNoneOfTheFirstSellersData(t *testing.T) {
	s := newShopSite(t)
	a := s.ordersSeller(t, "a@example.com")
	bCookie, b := s.seller(t, "b@example.com")
	s.connectShop(t, b, "7001", "B's shop", "US")
	sold := testenv.Epoch.Add(-72 * time.Hour)
	coststest.Seed(t, s.env.Store, b, "7001", "USD", coststest.SKU{ID: "b-1", SellerSKU: "B-ONLY", Listed: true, Sold: []time.Time{sold}})
	s.tenant(t, b, func(ctx context.Context, tx *store.Tx) error {
		_, err := rollup.ShopChanged(ctx, tx, "7001")
		return err
	})
	aOrders := s.ordersWhere(t, a.userID, "true")
	aOrder := strings.SplitN(aOrders[0], "/", 2)

	for _, path := range []string{"/orders/" + aOrders[0], "/orders/7001/" + aOrder[1], "/orders?shop=" + a.us.ID,
		"/skus?shop=" + a.gb.ID, "/exports/orders.csv?shop=" + a.us.ID, "/exports/skus.csv?shop=" + a.us.ID,
		"/exports/daily.csv?shop=" + a.gb.ID} {
		if w := s.get(path, bCookie); w.Code != http.StatusNotFound {
			t.Errorf("B: GET %s: %d; want 404", path, w.Code)
		}
	}
	wide := "?from=2025-01-01&to=2026-12-31"
	for _, path := range []string{"/orders" + wide, "/skus" + wide, "/exports/orders.csv" + wide, "/exports/skus.csv" + wide,
		"/exports/daily.csv" + wide} {
		w := s.get(path, bCookie)
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Fatalf("B: GET %s: %d", path, w.Code)
		}
		if strings.Contains(body, a.us.ID) || strings.Contains(body, a.gb.ID) || strings.Contains(body, aOrder[1]) {
			t.Errorf("B: GET %s shows seller A's shops or orders", path)
		}
		if !strings.Contains(body, "7001") && !strings.Contains(body, "B-ONLY") {
			t.Errorf("B: GET %s does not show B's own shop", path)
		}
	}
	if w := s.get("/orders"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("signed out: %d to %q; want the sign-in page", w.Code, w.Header().Get("Location"))
	}
}

// skuTotalPattern reads a currency's total row of /skus.
var skuTotalPattern = regexp.MustCompile(`data-currency="(\w+)">(?s:.*?)<tr class="skus-total" data-units="(-?\d+)" data-orders="(-?\d+)" data-net-sales="(-?\d+)" data-refunds="(-?\d+)" data-cost="(-?\d+)" data-fees="(-?\d+)" data-affiliate="(-?\d+)" data-net-profit="(-?\d+)">`)

func TestTheSKUTablesTotalsAreTheSumsOfTheDailySKURows(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "skus@example.com")
	w := s.get("/skus?from="+ordersFrom+"&to="+ordersTo, p.cookie)
	if w.Code != http.StatusOK {
		t.Fatalf("/skus: %d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	got := map[string][]int64{}
	for _, m := range skuTotalPattern.FindAllStringSubmatch(body, -1) {
		for _, v := range m[2:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			got[m[1]] = append(got[m[1]], n)
		}
	}
	want := map[string][]int64{}
	skus := map[string]int{}
	wholeOrders := map[string][2]int64{}
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.PgxTx().Query(ctx, `SELECT currency, sku_id = '', sum(units)::bigint, sum(orders)::bigint, sum(net_sales)::bigint,
				sum(refunds)::bigint, sum(cost_of_goods - cost_returned)::bigint,
				sum(fee_referral + fee_platform_commission + fee_transaction + fee_sfp + fee_flash_sale + fee_live + fee_voucher +
					fee_refund_administration + fee_other + tax_on_fees)::bigint,
				sum(affiliate_standard + affiliate_partner + affiliate_ads)::bigint, sum(net_profit)::bigint,
				count(DISTINCT (shop_id, sku_id)) FILTER (WHERE orders <> 0 OR units <> 0 OR net_sales <> 0)
			FROM daily_profit WHERE user_id = $1 AND day BETWEEN $2::text::date AND $3::text::date
			GROUP BY currency, sku_id = ''`, p.userID, ordersFrom, ordersTo)
		if err != nil {
			return err
		}
		for rows.Next() {
			var currency string
			var whole bool
			v := make([]int64, 8)
			var n int
			if err := rows.Scan(&currency, &whole, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &n); err != nil {
				return err
			}
			if whole {
				wholeOrders[currency] = [2]int64{v[2], v[7]}
			} else {
				want[currency], skus[currency] = v, n
			}
		}
		return rows.Err()
	})
	if len(want) != 2 {
		t.Fatalf("the daily SKU rows are in %d currencies; want USD and GBP", len(want))
	}
	for currency, v := range want {
		if !slices.Equal(got[currency], v) {
			t.Errorf("%s total: the page has %v; the daily SKU rows sum to %v (units, orders, net sales, refunds, cost, fees, affiliate, net profit)",
				currency, got[currency], v)
		}
		// The lines of an order sum exactly to it, so the SKUs' amounts are the whole orders' too.
		if w := wholeOrders[currency]; got[currency] == nil || w != [2]int64{got[currency][2], got[currency][7]} {
			t.Errorf("%s: SKUs' net sales and net profit %v; the whole orders' %v", currency, got[currency], w)
		}
		table := body[strings.Index(body, `data-currency="`+currency+`"`):]
		table = table[:strings.Index(table, "</table>")]
		if n := strings.Count(table, "<tr data-sku="); n != skus[currency] {
			t.Errorf("%s: %d SKU rows; the daily rows have %d SKUs", currency, n, skus[currency])
		}
	}
	// Flags: the GB shop has no costs, the US shop has every cost.
	gb := body[strings.Index(body, `data-currency="GBP"`):]
	us := body[strings.Index(body, `data-currency="USD"`):]
	if !strings.Contains(gb[:strings.Index(gb, "</table>")], `data-no-cost`) || !strings.Contains(gb, `href="/settings/costs?missing=1&amp;shop=`+p.gb.ID+`"`) {
		t.Error("the GBP SKUs, which have no cost, are not flagged with a link to their costs")
	}
	if strings.Contains(us[:strings.Index(us, "</table>")], `data-no-cost`) {
		t.Error("a USD SKU, every one of which has a cost, is flagged")
	}
	// Highest net profit first by default; a header turns it around.
	profits := func(body, currency string) []int64 {
		table := body[strings.Index(body, `data-currency="`+currency+`"`):]
		table = table[:strings.Index(table, "</table>")]
		var out []int64
		for _, m := range regexp.MustCompile(`<tr data-sku="[^"]*" data-net-profit="(-?\d+)"`).FindAllStringSubmatch(table, -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			out = append(out, n)
		}
		return out
	}
	if l := profits(body, "USD"); !slices.IsSortedFunc(l, func(a, b int64) int { return cmp.Compare(b, a) }) {
		t.Errorf("by default the SKUs are not by net profit, highest first: %v", l)
	}
	asc := s.get("/skus?from="+ordersFrom+"&to="+ordersTo+"&sort=net_profit&dir=asc", p.cookie).Body.String()
	if l := profits(asc, "USD"); !slices.IsSorted(l) || len(l) == 0 {
		t.Errorf("sorted by net profit ascending: %v", l)
	}
}

func TestExportsNeutraliseFormulasAndHoldEveryOrderInTheRange(t *testing.T) {
	s := newShopSite(t)
	p := s.ordersSeller(t, "export@example.com")
	s.connectShop(t, p.userID, "7001", "Formula shop", "US")
	sold := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	coststest.Seed(t, s.env.Store, p.userID, "7001", "USD",
		coststest.SKU{ID: "f-1", SellerSKU: `=HYPERLINK("http://evil.example","x")`, Listed: true, Sold: []time.Time{sold, sold}},
		coststest.SKU{ID: "f-2", SellerSKU: "@SUM(A1)", Listed: true, Sold: []time.Time{sold}})
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := rollup.ShopChanged(ctx, tx, "7001")
		return err
	})
	read := func(path string) [][]string {
		t.Helper()
		w := s.get(path, p.cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, w.Code, w.Body)
		}
		h := w.Header()
		if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" || h.Get("Cache-Control") != "no-store" ||
			!regexp.MustCompile(`^attachment; filename="[a-z]+-2026-01-20-to-2026-03-10\.csv"$`).MatchString(h.Get("Content-Disposition")) {
			t.Errorf("GET %s: Content-Type %q, Cache-Control %q, Content-Disposition %q", path, ct, h.Get("Cache-Control"), h.Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
		if err != nil {
			t.Fatalf("GET %s is not CSV: %v", path, err)
		}
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
					t.Errorf("GET %s: a cell a spreadsheet would run: %q", path, cell)
				}
				if strings.HasPrefix(cell, "-") {
					if _, err := strconv.ParseFloat(cell, 64); err != nil {
						t.Errorf("GET %s: a cell a spreadsheet would run: %q", path, cell)
					}
				}
			}
		}
		return recs
	}
	q := "?from=" + ordersFrom + "&to=" + ordersTo
	names := profit.MeasureNames()

	// Orders: every order of the range once, each figure its row's.
	orders := read("/exports/orders.csv" + q)
	head := orders[0]
	if !slices.Equal(head[9:9+len(names)], names) || head[0] != "order_id" || head[1] != "shop_id" || head[8] != "currency" {
		t.Fatalf("orders header %q", head)
	}
	want := s.ordersWhere(t, p.userID, "true")
	var got []string
	for _, rec := range orders[1:] {
		got = append(got, rec[1]+"/"+rec[0])
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the orders export holds %d orders; the range has %d", len(got), len(want))
	}
	stored := map[string]map[string]any{}
	s.tenant(t, p.userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.PgxTx().Query(ctx, `SELECT to_jsonb(p) FROM order_profits p WHERE user_id = $1 AND sku_id = ''`, p.userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m map[string]any
			if err := rows.Scan(&m); err != nil {
				return err
			}
			stored[fmt.Sprint(m["shop_id"], "/", m["order_id"])] = m
		}
		return rows.Err()
	})
	for _, rec := range orders[1:] {
		row := stored[rec[1]+"/"+rec[0]]
		for i, name := range names {
			v := int64(row[name].(float64))
			cell := rec[9+i]
			if cell != strconv.FormatInt(v, 10) && cell != (money.Amount{Minor: v, Currency: rec[8]}).Decimal() {
				t.Fatalf("order %s, %s: the export has %q; the row %d", rec[0], name, cell, v)
			}
		}
	}

	// SKUs: the formula SKUs come out behind an apostrophe.
	skus := read("/exports/skus.csv" + q)
	var sellerSKUs []string
	for _, rec := range skus[1:] {
		sellerSKUs = append(sellerSKUs, rec[3])
	}
	for _, sku := range []string{`'=HYPERLINK("http://evil.example","x")`, "'@SUM(A1)"} {
		if !slices.Contains(sellerSKUs, sku) {
			t.Errorf("the SKU export lacks %q", sku)
		}
	}

	// Daily: the whole-order figures of every day of the range, summing to the orders'.
	daily := read("/exports/daily.csv" + q)
	if !slices.Equal(daily[0][4:4+len(names)], names) || daily[0][0] != "day" {
		t.Fatalf("daily header %q", daily[0])
	}
	sum := map[string]int64{}
	for _, rec := range daily[1:] {
		if rec[0] < ordersFrom || rec[0] > ordersTo {
			t.Errorf("a day out of range: %s", rec[0])
		}
		n, _ := strconv.ParseInt(rec[4+slices.Index(names, "orders")], 10, 64)
		sum[rec[3]] += n
	}
	var exported int64
	for _, rec := range orders[1:] {
		if rec[9+slices.Index(names, "orders")] == "1" {
			exported++
		}
	}
	if sum["USD"]+sum["GBP"] != exported {
		t.Errorf("the daily export counts %v orders; the orders export %d sold", sum, exported)
	}

	if w := s.get("/exports/orders.csv?from=2026-03-10&to=2026-01-01", p.cookie); w.Code != http.StatusBadRequest {
		t.Errorf("an export of a backwards range: %d; want 400", w.Code)
	}
}
