package web

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// skusShown is how many SKUs of one currency /skus lists; the export has them all.
const skusShown = 500

// skuChunk is how many SKUs one query reads.
const skuChunk = 1000

// skusView is /skus: per SKU, what it sold and earned over a range, one table per currency.
type skusView struct {
	From, To, Zone string
	RangeError     string
	Shops          []shopOption
	ShopID         string
	Columns        []skuColumn
	Currencies     []skuCurrency
	ExportURL      string
	DailyURL       string
}

// skuColumn is a sortable column's header: its link sorts by it (or turns its sort around).
type skuColumn struct {
	Key, Label string
	URL        string
	Sort       string // aria-sort: "ascending", "descending" or "" when not sorted by it
	Num        bool
}

// skuCurrency is the SKUs that sold in one currency, and their total: amounts of different currencies are never
// added together.
type skuCurrency struct {
	Currency string
	Rows     []skuRow
	Total    skuRow
	Count    string // how many SKUs
	Hidden   int    // beyond skusShown, in the export only
}

// skuRow is one SKU (or a currency's total). The Minor fields are the figures in minor units, for tests and
// scripts.
type skuRow struct {
	ShopName, SKUID, SellerSKU string
	Units, Orders              string
	NetSales, Cost, Fees       string
	Affiliate, Refunds         string
	NetProfit, Margin          string
	Loss                       bool
	CostFlag                   *badge // "No cost" or "Fallback cost" when some units had no cost of their own
	CostURL                    string
	UnitsN, OrdersN            int64
	NetSalesMinor, CostMinor   int64
	FeesMinor, AffiliateMinor  int64
	RefundsMinor               int64
	NetProfitMinor             int64
}

// skuColumns are /skus' sortable columns; a figure sorts highest first when first chosen.
var skuColumns = []skuColumnDef{
	{"sku", "SKU", false, nil},
	{"units", "Units", true, func(t profit.Totals) int64 { return t.Units }},
	{"orders", "Orders", true, func(t profit.Totals) int64 { return t.Orders }},
	{"net_sales", "Net sales", true, func(t profit.Totals) int64 { return t.NetSales.Minor }},
	{"refunds", "Refunds", true, func(t profit.Totals) int64 { return t.Refunds.Minor }},
	{"cost", "Cost of goods", true, func(t profit.Totals) int64 { return goodsCost(t.Amounts).Minor }},
	{"fees", "Fees", true, func(t profit.Totals) int64 { return t.Fees.Total().Minor + t.TaxOnFees.Minor }},
	{"affiliate", "Affiliate", true, func(t profit.Totals) int64 { return t.Affiliate.Total().Minor }},
	{"net_profit", "Net profit", true, func(t profit.Totals) int64 { return t.NetProfit.Minor }},
	{"margin", "Margin", true, func(t profit.Totals) int64 {
		if t.NetSales.Minor <= 0 {
			return 0
		}
		return t.MarginBps()
	}},
}

// skuColumnDef is a column: value is the figure it sorts by (nil sorts by seller SKU).
type skuColumnDef struct {
	key, label string
	num        bool
	value      func(profit.Totals) int64
}

// skuFigures is one SKU's figures over a range.
type skuFigures struct {
	shopID, skuID, sellerSKU string
	totals                   profit.Totals
}

// readSKUs calls f with every SKU of the shops over the days, a chunk at a time, in (shop, SKU, currency) order.
// SKUs whose figures are all zero (an order that moved to another day leaves such rows) are skipped.
func readSKUs(ctx context.Context, tx *store.Tx, shopIDs []string, days dayRange, f func([]skuFigures) error) error {
	params := tenantdb.SKUViewsParams{UserID: tx.UserID, ShopIds: shopIDs, FirstDay: days.First, LastDay: days.Last,
		MaxRows: skuChunk}
	for {
		rows, err := tx.Q.SKUViews(ctx, params)
		if err != nil {
			return fmt.Errorf("web: read SKUs from %s: %w", days.FirstText(), err)
		}
		chunk := make([]skuFigures, 0, len(rows))
		for _, r := range rows {
			if !slices.ContainsFunc(r.Measures, func(v int64) bool { return v != 0 }) {
				continue
			}
			t, err := totalsOf(r.Currency, r.Measures)
			if err != nil {
				return err
			}
			chunk = append(chunk, skuFigures{shopID: r.ShopID, skuID: r.SkuID, sellerSKU: r.SellerSku, totals: t})
		}
		if err := f(chunk); err != nil {
			return err
		}
		if len(rows) < skuChunk {
			return nil
		}
		last := rows[len(rows)-1]
		params.AfterShop, params.AfterSku, params.AfterCurrency = last.ShopID, last.SkuID, last.Currency
	}
}

func (s *Server) skusPage(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	shopID, sortKey, dir := q.Get("shop"), q.Get("sort"), q.Get("dir")
	if sortKey == "" {
		sortKey, dir = "net_profit", "desc"
	}
	col := slices.IndexFunc(skuColumns, func(c skuColumnDef) bool { return c.key == sortKey })
	if col < 0 || (dir != "asc" && dir != "desc") {
		return echo.NewHTTPError(http.StatusBadRequest, "SKUs cannot be sorted that way.")
	}
	var view skusView
	var days dayRange
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		days, view.RangeError = pageRange(q.Get("from"), q.Get("to"), s.opts.Clock.Now(), zone)
		sc, err := sellerShops(ctx, tx, shopID)
		if err != nil {
			return err
		}
		view.Shops = sc.options()
		fallback := map[string]bool{}
		for _, id := range sc.ids {
			f, err := costs.GetFallback(ctx, tx, id)
			if err != nil {
				return err
			}
			fallback[id] = f.Set
		}
		byCurrency := map[string][]skuFigures{}
		err = readSKUs(ctx, tx, sc.ids, days, func(chunk []skuFigures) error {
			for _, k := range chunk {
				byCurrency[k.totals.Currency] = append(byCurrency[k.totals.Currency], k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		view.Currencies, err = skuTables(byCurrency, col, dir == "desc", sc, fallback)
		return err
	})
	if err != nil {
		return err
	}
	view.From, view.To, view.Zone, view.ShopID = days.FirstText(), days.LastText(), days.Zone.String(), shopID
	base := url.Values{"from": {view.From}, "to": {view.To}}
	if shopID != "" {
		base.Set("shop", shopID)
	}
	for i, c := range skuColumns {
		next := "desc"
		if !c.num {
			next = "asc"
		}
		h := skuColumn{Key: c.key, Label: c.label, Num: c.num}
		if i == col {
			h.Sort = map[string]string{"asc": "ascending", "desc": "descending"}[dir]
			next = map[string]string{"asc": "desc", "desc": "asc"}[dir]
		}
		v := url.Values{"sort": {c.key}, "dir": {next}}
		for k, vs := range base {
			v[k] = vs
		}
		h.URL = "/skus?" + v.Encode()
		view.Columns = append(view.Columns, h)
	}
	view.ExportURL = "/exports/skus.csv?" + base.Encode()
	view.DailyURL = "/exports/daily.csv?" + base.Encode()
	return s.render(c, http.StatusOK, "skus", "SKUs", view)
}

// skuTables sorts each currency's SKUs by the column col and lays them out with their total.
func skuTables(byCurrency map[string][]skuFigures, col int, desc bool, sc shopScope, fallback map[string]bool) ([]skuCurrency, error) {
	var out []skuCurrency
	for _, currency := range slices.Sorted(maps.Keys(byCurrency)) {
		list := byCurrency[currency]
		var total profit.Totals
		for _, k := range list {
			if err := total.Merge(k.totals); err != nil {
				return nil, fmt.Errorf("web: SKU total in %s: %w", currency, err)
			}
		}
		slices.SortStableFunc(list, func(a, b skuFigures) int {
			var c int
			if v := skuColumns[col].value; v != nil {
				c = cmp.Compare(v(a.totals), v(b.totals))
			} else {
				c = cmp.Compare(a.sellerSKU, b.sellerSKU)
			}
			if desc {
				c = -c
			}
			return cmp.Or(c, cmp.Compare(a.shopID, b.shopID), cmp.Compare(a.skuID, b.skuID))
		})
		t := skuCurrency{Currency: currency, Count: count(int64(len(list))), Total: skuRowOf(total)}
		if len(list) > skusShown {
			t.Hidden = len(list) - skusShown
			list = list[:skusShown]
		}
		for _, k := range list {
			row := skuRowOf(k.totals)
			row.ShopName, row.SKUID, row.SellerSKU = sc.name(k.shopID), k.skuID, k.sellerSKU
			if k.totals.CostUnknownOrders > 0 {
				row.CostFlag = &badge{Label: "No cost", Kind: "warning", Title: "Some units sold have no cost: counted as zero."}
				if fallback[k.shopID] {
					row.CostFlag = &badge{Label: "Fallback cost", Kind: "warning", Title: "Some units sold are costed at the shop's default share of their price."}
				}
				row.CostURL = "/settings/costs?" + url.Values{"shop": {k.shopID}, "missing": {"1"}}.Encode()
			}
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	return out, nil
}

func skuRowOf(t profit.Totals) skuRow {
	fees := money.Amount{Minor: t.Fees.Total().Minor + t.TaxOnFees.Minor, Currency: t.Currency}
	aff, goods := t.Affiliate.Total(), goodsCost(t.Amounts)
	return skuRow{Units: count(t.Units), Orders: count(t.Orders), NetSales: t.NetSales.Format(),
		Cost: goods.Format(), Fees: fees.Format(), Affiliate: aff.Format(), Refunds: t.Refunds.Format(),
		NetProfit: t.NetProfit.Format(), Margin: marginText(t.Amounts), Loss: t.NetProfit.Minor < 0,
		UnitsN: t.Units, OrdersN: t.Orders, NetSalesMinor: t.NetSales.Minor, CostMinor: goods.Minor,
		FeesMinor: fees.Minor, AffiliateMinor: aff.Minor, RefundsMinor: t.Refunds.Minor, NetProfitMinor: t.NetProfit.Minor}
}
