package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// The dashboard's caches. Figures are cached under everything they depend on, the seller's profit version
// included (rollup bumps it in the transaction that changes their profit rows), so a change is never served
// stale; the budget bounds memory (a 365-day page's entry is about 150 KiB). What the sync stored per shop (counts
// over the raw tables, too costly to read per request) is also kept under the version, and for a minute at most,
// since a sync can add returns or statements that change no profit.
const (
	dashboardCacheBytes = 32 << 20
	storedCacheBytes    = 1 << 20
	storedFiguresTTL    = time.Minute
	dashboardSKUs       = 5 // the dashboard lists this many SKUs with the most, and the least, profit
	// dailyTableDays is the longest range whose days the page also lists as a table; a longer one links to the
	// days as CSV instead (a year of rows doubled the page's bytes, and its p99 with them).
	dailyTableDays = 92
)

// dashboardPage serves /dashboard with its caches.
type dashboardPage struct {
	s       *Server
	figures *lru[figuresKey, *dashboardFigures]
	stored  *lru[storedKey, map[string]dashboardShop]
}

// figuresKey is everything the figures of a dashboard depend on.
type figuresKey struct {
	userID, version int64
	zone            string
	preset          dashboard.Preset
	first, last     string // days
	shop            string // "" for every shop
	currency        string // as asked; "" lets the data choose
}

type storedKey struct{ userID, version int64 }

// dashboardRoutes adds the dashboard and the time zone setting to the signed-in group.
func (s *Server) dashboardRoutes(in *echo.Group) {
	d := &dashboardPage{s: s, figures: newLRU[figuresKey, *dashboardFigures](dashboardCacheBytes),
		stored: newLRU[storedKey, map[string]dashboardShop](storedCacheBytes)}
	in.GET("/dashboard", d.show)
	in.GET(preferencesPath, s.preferencesPage)
	in.POST(preferencesPath, s.setTimeZone)
}

// dashboardView is the dashboard: the seller's profit for a range of days, and each shop's sync state (a revoked
// shop's figures stay readable, frozen, under a banner that offers to reconnect).
type dashboardView struct {
	Email    string
	Verified bool
	Shops    []dashboardShop
	Zone     string // the seller's time zone, in which days begin
	Filter   dashboardFilter
	Figures  *dashboardFigures // nil before any shop is connected

	// CashAlerts are the banners of failed, negative or late payouts (cashflow_alerts.go).
	CashAlerts template.HTML
}

// dashboardShop is what the sync has stored so far for one shop. Counts are written out ("1,234").
type dashboardShop struct {
	ShopID      string
	Name        string
	Region      string
	Revoked     bool
	RevokedAt   *time.Time
	DataAsOf    *time.Time // nil before anything was synced
	Orders      string
	OrdersTotal string // "$1,234.50"; empty when the shop's market currency is unknown
	Returns     string
	Statements  string
	SetAside    string // "2 orders" whose profit the model refused, left out of the figures (rollup.Refusal); "" for none
}

// dashboardFilter is the range and shop form, as the request set it.
type dashboardFilter struct {
	Presets     []dashboardOption
	Shops       []dashboardOption // "" is every shop
	Custom      bool
	First, Last string // 2006-01-02
	MaxDay      string // today in the seller's zone
	Error       string // a custom range that could not be shown
	RangeText   string // "1 Mar – 30 Mar 2026"
	CompareText string // the previous period, "30 Jan – 28 Feb 2026"
	Days        string
}

type dashboardOption struct {
	Value    string
	Label    string
	Selected bool
}

// dashboardFigures is the cached part of the page: every figure of one range, shop filter and currency, written
// out, the charts as markup.
type dashboardFigures struct {
	Currency     string // "" when there is nothing in either period
	Currencies   []currencyLink
	Empty        bool // no orders in the range
	Tiles        []dashboardTile
	Confidence   confidence
	Estimated    string // a note when some orders are not settled yet
	Unreconciled string // a note when settlement rows of some orders do not sum

	DailySVG, DailyTable         template.HTML // DailyTable empty for ranges over dailyTableDays
	DaysCSVURL                   string        // the days of the range as CSV
	WaterfallSVG, WaterfallTable template.HTML
	WaterfallAddsUp              bool // no "Not itemised" step was needed

	SKULists  []skuList // the most profitable SKUs, then the least
	SKUCount  string
	SKUsURL   string
	OrdersURL string

	size int // bytes, for the cache budget
}

// currencyLink picks one currency of a selection whose shops sell in several: amounts are never summed across
// currencies, so the page shows one at a time.
type currencyLink struct {
	Code     string
	URL      string
	Selected bool
}

type dashboardTile struct {
	Key       string
	Label     string
	Value     string
	Previous  string
	Change    string // "+$12.34 (+5.2%)"
	Trend     string // up, down, flat
	Sentiment string // good, bad, neutral
	Note      string
}

// confidence is how much of the profit rests on known costs.
type confidence struct {
	Percent     string // share of net sales with a known cost, "87.5%"
	WithoutCost string // net sales with no known cost, "$1,234.00"
	Missing     bool
	CostsURL    string
}

type skuList struct {
	ID    string // best, worst
	Title string
	Rows  []skuProfit
}

type skuProfit struct {
	SKUID     string
	SellerSKU string
	Shop      string // the shop's name, when the page shows every shop
	OrdersURL string
	Units     string
	NetSales  string
	NetProfit string
	Margin    string
	Loss      bool
	NoCost    bool // some of its net sales have no known cost
}

// dashboardQuery is what the request asks for.
type dashboardQuery struct {
	preset, first, last, shop, currency string
}

func (d *dashboardPage) show(c echo.Context) error {
	s := d.s
	ctx := c.Request().Context()
	p := c.QueryParams()
	q := dashboardQuery{preset: p.Get("range"), first: p.Get("from"), last: p.Get("to"), shop: p.Get("shop"), currency: p.Get("currency")}
	now := s.opts.Clock.Now()
	var view dashboardView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		acct, err := s.opts.Accounts.Get(ctx, tx)
		if err != nil {
			return err
		}
		view.Email, view.Verified = acct.Email, acct.Verified
		// The version first: whatever is read after it is at least as new, so an entry is never older than its key.
		zone, version, err := rollup.ZoneAndVersion(ctx, tx)
		if err != nil {
			return err
		}
		st, err := readShops(ctx, tx)
		if err != nil {
			return err
		}
		if q.shop != "" && !slices.ContainsFunc(st.shops, func(sh shops.Connected) bool { return sh.ShopID == q.shop }) {
			return echo.NewHTTPError(http.StatusNotFound, "That shop is not connected to your account.")
		}
		if view.Shops, err = d.shopCards(ctx, tx, st, version, now); err != nil {
			return err
		}
		if view.CashAlerts, err = s.dashboardCashAlerts(ctx, tx, now); err != nil {
			return err
		}
		view.Zone = zone.String()
		rng, rangeErr := dashboard.Resolve(q.preset, q.first, q.last, now, zone)
		view.Filter = newDashboardFilter(rng, rangeErr, q, st, dashboard.DayOf(now, zone))
		if len(st.shops) == 0 {
			return nil
		}
		key := figuresKey{userID: tx.UserID, version: version, zone: view.Zone, preset: rng.Preset,
			first: rng.First.String(), last: rng.Last.String(), shop: q.shop, currency: q.currency}
		if f, ok := d.figures.get(key, now); ok {
			view.Figures = f
			return nil
		}
		var shopIDs []string
		names := map[string]string{}
		for _, sh := range st.shops {
			if q.shop == "" || sh.ShopID == q.shop {
				shopIDs = append(shopIDs, sh.ShopID)
			}
			names[sh.ShopID] = sh.Name
		}
		if len(shopIDs) == 1 {
			names = nil // one shop: no need to name it on every SKU
		}
		f, err := computeFigures(ctx, tx, rng, shopIDs, q, names)
		if err != nil {
			return err
		}
		d.figures.put(key, f, f.size, time.Time{})
		view.Figures = f
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "dashboard", "Dashboard", view)
}

// shopCards are the seller's shops with their live sync state (revoked or not, data as of) and what the sync has
// stored, which is cached.
func (d *dashboardPage) shopCards(ctx context.Context, tx *store.Tx, st shopsState, version int64, now time.Time) ([]dashboardShop, error) {
	key := storedKey{tx.UserID, version}
	stored, ok := d.stored.get(key, now)
	if !ok {
		list, err := storedFigures(ctx, tx)
		if err != nil {
			return nil, err
		}
		stored = make(map[string]dashboardShop, len(list))
		for _, sh := range list {
			stored[sh.ShopID] = sh
		}
		d.stored.put(key, stored, 256+len(list)*256, now.Add(storedFiguresTTL))
	}
	out := make([]dashboardShop, 0, len(st.shops))
	for _, sh := range st.shops {
		card := dashboardShop{ShopID: sh.ShopID, Name: sh.Name, Region: sh.Region, Revoked: sh.Revoked,
			RevokedAt: utc(sh.RevokedAt), DataAsOf: st.dataAsOf(sh), Orders: "0", Returns: "0", Statements: "0"}
		if got, ok := stored[sh.ShopID]; ok {
			card.Orders, card.OrdersTotal, card.Returns, card.Statements = got.Orders, got.OrdersTotal, got.Returns, got.Statements
			card.SetAside = got.SetAside
		}
		out = append(out, card)
	}
	return out, nil
}

func newDashboardFilter(rng dashboard.Range, rangeErr error, q dashboardQuery, st shopsState, today dashboard.Day) dashboardFilter {
	f := dashboardFilter{Custom: rng.Preset == dashboard.Custom, First: rng.First.String(), Last: rng.Last.String(),
		MaxDay: today.String(), RangeText: rng.Text(), CompareText: rng.Previous().Text(), Days: plural(rng.Days(), "day")}
	if rangeErr != nil {
		f.Error = rangeErr.Error()
		f.Custom, f.First, f.Last = true, q.first, q.last // keep what was typed, to correct it
	}
	for _, p := range dashboard.Presets {
		f.Presets = append(f.Presets, dashboardOption{Value: string(p.Preset), Label: p.Label,
			Selected: p.Preset == rng.Preset || (rangeErr != nil && p.Preset == dashboard.Custom)})
	}
	f.Shops = append(f.Shops, dashboardOption{Value: "", Label: "All shops", Selected: q.shop == ""})
	for _, sh := range st.shops {
		f.Shops = append(f.Shops, dashboardOption{Value: sh.ShopID, Label: sh.Name, Selected: sh.ShopID == q.shop})
	}
	return f
}

// rangeValues are the query parameters that name rng and the shop filter, for links that keep them.
func rangeValues(rng dashboard.Range, shop string) url.Values {
	v := url.Values{}
	if rng.Preset == dashboard.Custom {
		v.Set("range", string(dashboard.Custom))
		v.Set("from", rng.First.String())
		v.Set("to", rng.Last.String())
	} else {
		v.Set("range", string(rng.Preset))
	}
	if shop != "" {
		v.Set("shop", shop)
	}
	return v
}

// computeFigures reads the range's and the previous period's figures of shopIDs from daily_profit and writes out
// the page's figures for one currency: the one asked for, else the one with the most orders in the range.
func computeFigures(ctx context.Context, tx *store.Tx, rng dashboard.Range, shopIDs []string, q dashboardQuery, shopNames map[string]string) (*dashboardFigures, error) {
	prev := rng.Previous()
	rows, err := tx.Q.DashboardTotals(ctx, tenantdb.DashboardTotalsParams{UserID: tx.UserID, ShopIds: shopIDs,
		FirstDay: pgDate(rng.First), LastDay: pgDate(rng.Last), PrevFirstDay: pgDate(prev.First)})
	if err != nil {
		return nil, fmt.Errorf("web: dashboard totals: %w", err)
	}
	type periods struct{ current, previous profit.Totals }
	byCurrency := map[string]*periods{}
	var currencies []string
	for _, r := range rows {
		p := byCurrency[r.Currency]
		if p == nil {
			p = &periods{}
			byCurrency[r.Currency] = p
			currencies = append(currencies, r.Currency)
		}
		t := &p.previous
		if r.Current {
			t = &p.current
		}
		if err := t.SetMeasures(r.Currency, r.Measures); err != nil {
			return nil, fmt.Errorf("web: dashboard totals in %s: %w", r.Currency, err)
		}
	}
	slices.Sort(currencies)
	f := &dashboardFigures{}
	if len(currencies) == 0 {
		f.Empty = true
		return f, nil
	}
	currency := q.currency
	if _, ok := byCurrency[currency]; !ok {
		currency = currencies[0]
		for _, c := range currencies[1:] {
			a, b := byCurrency[c], byCurrency[currency]
			if a.current.Orders > b.current.Orders || (a.current.Orders == b.current.Orders && a.previous.Orders > b.previous.Orders) {
				currency = c
			}
		}
	}
	f.Currency = currency
	if len(currencies) > 1 {
		for _, c := range currencies {
			v := rangeValues(rng, q.shop)
			v.Set("currency", c)
			f.Currencies = append(f.Currencies, currencyLink{Code: c, URL: "/dashboard?" + v.Encode(), Selected: c == currency})
		}
	}
	cur, before := byCurrency[currency].current, byCurrency[currency].previous
	f.Empty = cur.Orders == 0 && cur.UnsoldOrders == 0 && cur.NetSales.Minor == 0 && cur.NetProfit.Minor == 0
	fm := func(minor int64) string { return money.Amount{Minor: minor, Currency: currency}.Format() }
	for _, fig := range dashboard.Figures(cur, before) {
		t := dashboardTile{Key: fig.Key, Label: fig.Label, Value: fig.Value(currency), Previous: fig.PreviousValue(currency),
			Change: fig.ChangeText(currency), Trend: fig.Trend(), Sentiment: fig.Sentiment()}
		switch fig.Key {
		case "net_sales":
			t.Note = "Gross sales " + fm(cur.GrossSales.Minor) + ", less " + fm(cur.SellerDiscount.Minor) + " of your discounts"
		case "margin":
			t.Note = "Net profit as a share of net sales"
		case "orders":
			if cur.SampleOrders > 0 {
				t.Note = "Including " + plural(int(cur.SampleOrders), "creator sample")
			}
		case "refunds":
			t.Note = plural(int(cur.RefundedOrders), "order") + " refunded in full or in part"
		case "cost_of_goods":
			if cur.CostReturned.Minor > 0 {
				t.Note = "After " + fm(cur.CostReturned.Minor) + " of goods that came back"
			}
		case "shipping":
			t.Note = "Buyers and TikTok paid " + fm(cur.ShippingCharged.Minor) + " towards it"
		}
		f.Tiles = append(f.Tiles, t)
	}

	costsURL := "/settings/costs"
	if q.shop != "" {
		costsURL += "?" + url.Values{"shop": {q.shop}, "missing": {"1"}}.Encode()
	}
	f.Confidence = confidence{Percent: bpsText(cur.ProfitConfidenceBps()), WithoutCost: fm(cur.NetSalesWithoutCost.Minor),
		Missing: cur.NetSalesWithoutCost.Minor != 0, CostsURL: costsURL}
	if n := cur.Orders - cur.SettledOrders; n > 0 {
		f.Estimated = fmt.Sprintf("%s of %s are estimated: TikTok has not settled them yet, so their fees and shipping are estimates from your shop's recent rates until it does.",
			count(n), plural(int(cur.Orders), "order"))
	}
	if n := cur.UnreconciledOrders; n > 0 {
		f.Unreconciled = fmt.Sprintf("%s settled with rows whose parts do not add up to what TikTok reported paying (%s in all). Profit is built from the parts; the difference is shown, not hidden.",
			plural(int(n), "order"), fm(cur.Unreconciled.Minor))
	}

	daily, err := tx.Q.DashboardDaily(ctx, tenantdb.DashboardDailyParams{UserID: tx.UserID, ShopIds: shopIDs, Currency: currency,
		FirstDay: pgDate(rng.First), LastDay: pgDate(rng.Last)})
	if err != nil {
		return nil, fmt.Errorf("web: dashboard days: %w", err)
	}
	points := make([]dashboard.Point, len(daily))
	for i, r := range daily {
		points[i] = dashboard.Point{Day: dashboard.FromTime(r.Day.Time), NetSales: r.NetSales, NetProfit: r.NetProfit, Orders: r.Orders}
	}
	chart := dashboard.DailyChart(rng, points, currency)
	steps := dashboard.Waterfall(cur.Amounts)
	waterfall := dashboard.WaterfallChart(steps, currency)
	// Both are built by package dashboard, every text in them escaped.
	f.DailySVG = template.HTML(chart.SVG)
	if rng.Days() <= dailyTableDays {
		f.DailyTable = template.HTML(chart.Table)
	}
	f.WaterfallSVG, f.WaterfallTable = template.HTML(waterfall.SVG), template.HTML(waterfall.Table)
	f.WaterfallAddsUp = !slices.ContainsFunc(steps, func(s dashboard.Step) bool { return s.Key == "not_itemised" })

	skus, err := tx.Q.DashboardSKUs(ctx, tenantdb.DashboardSKUsParams{N: dashboardSKUs, UserID: tx.UserID, ShopIds: shopIDs,
		Currency: currency, FirstDay: pgDate(rng.First), LastDay: pgDate(rng.Last)})
	if err != nil {
		return nil, fmt.Errorf("web: dashboard SKUs: %w", err)
	}
	var best, worst []skuProfit
	for _, r := range skus {
		f.SKUCount = count(r.Skus)
		row := skuProfit{SKUID: r.SkuID, SellerSKU: r.SellerSku, Shop: shopNames[r.ShopID],
			OrdersURL: "/orders?" + url.Values{"sku": {r.SkuID}, "shop": {r.ShopID}}.Encode(),
			Units:     count(r.Units), NetSales: fm(r.NetSales), NetProfit: fm(r.NetProfit), Loss: r.NetProfit < 0,
			NoCost: r.NetSalesWithoutCost != 0}
		if r.NetSales > 0 {
			row.Margin = bpsText(profit.Amounts{NetSales: money.Amount{Minor: r.NetSales}, NetProfit: money.Amount{Minor: r.NetProfit}}.MarginBps())
		} else {
			row.Margin = "–"
		}
		// The top list first; the bottom list takes the rest, worst first, so a SKU is never listed twice.
		if r.Best <= dashboardSKUs {
			best = append(best, row)
		} else {
			worst = append(worst, row)
		}
	}
	slices.Reverse(worst)
	if len(best) > 0 {
		f.SKULists = append(f.SKULists, skuList{ID: "best", Title: "Most profitable", Rows: best})
	}
	if len(worst) > 0 {
		f.SKULists = append(f.SKULists, skuList{ID: "worst", Title: "Least profitable", Rows: worst})
	}
	links := rangeValues(rng, q.shop)
	f.SKUsURL = "/skus?" + links.Encode()
	f.OrdersURL = "/orders?" + links.Encode()
	days := url.Values{"from": {rng.First.String()}, "to": {rng.Last.String()}}
	if q.shop != "" {
		days.Set("shop", q.shop)
	}
	f.DaysCSVURL = "/exports/daily.csv?" + days.Encode()
	f.size = 4096 + len(f.DailySVG) + len(f.DailyTable) + len(f.WaterfallSVG) + len(f.WaterfallTable)
	return f, nil
}

// bpsText writes basis points as a percentage with one decimal: 1234 is "12.3%".
func bpsText(bps int64) string {
	return dashboard.Figure{Kind: dashboard.Bps, Current: bps}.Value("")
}

func pgDate(d dashboard.Day) pgtype.Date { return pgtype.Date{Time: d.Time(), Valid: true} }
