package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// ordersPageSize is how many orders /orders shows at once.
const ordersPageSize = 50

// orderRoutes are the seller's orders, SKUs and the CSV exports of their figures.
func (s *Server) orderRoutes(in *echo.Group) {
	in.GET("/orders", s.ordersPage)
	in.GET("/orders/:shop/:order", s.orderPage)
	in.GET("/skus", s.skusPage)
	in.GET("/exports/orders.csv", s.exportOrders)
	in.GET("/exports/skus.csv", s.exportSKUs)
	in.GET("/exports/daily.csv", s.exportDaily)
}

// ordersView is /orders: one page of the seller's orders in a range, filtered and sorted, with their profit.
type ordersView struct {
	From, To   string // the range, YYYY-MM-DD in the seller's zone
	Zone       string
	RangeError string
	Shops      []shopOption
	Status     string
	Statuses   []choice
	SKU        string
	States     []choice
	NoCost     bool
	Sorts      []choice
	Orders     []orderRow
	NextURL    string
	FirstURL   string // back to the first page, when this is a later one
	ExportURL  string // these orders, every page, as CSV
	DailyURL   string // the range's daily figures as CSV
	ClearURL   string // the range without its filters, when a filter is set
}

type choice struct {
	Value, Label string
	Selected     bool
}

// orderRow is one order of the list. The data fields are the figures in minor units, for tests and scripts.
type orderRow struct {
	URL, ShopID, OrderID string
	ShopName             string
	Placed, PlacedISO    string
	Status               string
	Units                string
	NetSales, Fees, Cost string
	NetProfit, Margin    string
	Loss                 bool
	Settled              bool
	Difference           string // settled − estimated net profit, "" when estimated or none
	Flags                []badge
	Created              int64 // unix microseconds
	NetSalesMinor        int64
	NetProfitMinor       int64
	MarginBps            int64
}

// badge is a flag as the seller reads it.
type badge struct {
	Label, Kind, Title string
}

// flagBadges name profit.Flags for the seller, in the order they show.
var flagBadges = []struct {
	flag profit.Flags
	badge
}{
	{profit.FlagCostMissing, badge{"No cost", "warning", "A unit has no cost of goods: its cost counts as zero."}},
	{profit.FlagCostFallback, badge{"Fallback cost", "warning", "A unit is costed at the shop's default share of its price."}},
	{profit.FlagSettlementDoesNotSum, badge{"Unreconciled", "danger", "TikTok's settlement does not add up to its parts."}},
	{profit.FlagSample, badge{"Sample", "info", "A creator sample: its goods and shipping are marketing."}},
	{profit.FlagRefunded, badge{"Refunded", "danger", "Refunded in full."}},
	{profit.FlagPartiallyRefunded, badge{"Partly refunded", "warning", "Part of it was refunded."}},
	{profit.FlagReturned, badge{"Returned", "info", "An item came back, and its cost with it."}},
	{profit.FlagCancelled, badge{"Cancelled", "", "Cancelled: nothing sold."}},
	{profit.FlagUnpaid, badge{"Unpaid", "", "Not paid yet: nothing sold."}},
	{profit.FlagRatesOnly, badge{"Fees from rates", "info", "TikTok gave no estimate: fees are estimated from your settled orders' rates."}},
	{profit.FlagFeesUnknown, badge{"Fees unknown", "warning", "No estimate and no settled orders to learn rates from: fees count as zero."}},
	{profit.FlagShippingUnknown, badge{"Shipping unknown", "warning", "No estimate and no shipping cost known: shipping counts as zero."}},
}

func badgesOf(f profit.Flags) []badge {
	var out []badge
	for _, b := range flagBadges {
		if f&b.flag != 0 {
			out = append(out, b.badge)
		}
	}
	return out
}

// orderStatuses are TikTok's order statuses, in the order an order goes through them.
var orderStatuses = []string{"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
	"IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"}

// statusText is a TikTok status in words: AWAITING_SHIPMENT is "Awaiting shipment".
func statusText(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

// orderSorts are the orders' sorts; the first is the default.
var orderSorts = []struct{ value, label string }{
	{"newest", "Newest first"},
	{"oldest", "Oldest first"},
	{"profit_desc", "Net profit, highest first"},
	{"profit_asc", "Net profit, lowest first"},
	{"sales_desc", "Net sales, highest first"},
	{"sales_asc", "Net sales, lowest first"},
	{"margin_desc", "Margin, highest first"},
	{"margin_asc", "Margin, lowest first"},
}

// orderStates are the settled-or-not filter's choices.
var orderStates = []struct{ value, label string }{
	{"", "Settled or not"},
	{"settled", "Settled"},
	{"estimated", "Estimated (not settled yet)"},
}

// ordersQuery is what a request for orders asks: the range and filters, the sort and the cursor.
type ordersQuery struct {
	from, to string // as given
	shop     string
	status   string
	sku      string
	state    string
	noCost   bool
	sort     string
	after    string
}

func ordersQueryOf(c echo.Context) (ordersQuery, error) {
	q := c.QueryParams()
	oq := ordersQuery{from: q.Get("from"), to: q.Get("to"), shop: q.Get("shop"), status: q.Get("status"),
		sku: strings.TrimSpace(q.Get("sku")), state: q.Get("state"), noCost: q.Get("cost") == "missing",
		sort: q.Get("sort"), after: q.Get("after")}
	if oq.sort == "" {
		oq.sort = orderSorts[0].value
	}
	if !slices.ContainsFunc(orderSorts, func(s struct{ value, label string }) bool { return s.value == oq.sort }) {
		return oq, echo.NewHTTPError(http.StatusBadRequest, "Orders cannot be sorted that way.")
	}
	if oq.state != "" && oq.state != profit.Settled.String() && oq.state != profit.Estimated.String() {
		return oq, echo.NewHTTPError(http.StatusBadRequest, "An order is either settled or estimated.")
	}
	return oq, nil
}

// values are the query's range and filters (and sort, unless it is the default), without the cursor.
func (q ordersQuery) values(r dayRange) url.Values {
	v := url.Values{"from": {r.FirstText()}, "to": {r.LastText()}}
	for k, s := range map[string]string{"shop": q.shop, "status": q.status, "sku": q.sku, "state": q.state} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.noCost {
		v.Set("cost", "missing")
	}
	if q.sort != orderSorts[0].value {
		v.Set("sort", q.sort)
	}
	return v
}

// orderFilter is an orders query resolved for the database: instants, shop ids, flags.
type orderFilter struct {
	sort          string
	shopIDs       []string
	from, to      time.Time
	status, state string
	sku           string
	costFlags     profit.Flags
}

func (q ordersQuery) filter(r dayRange, sc shopScope) orderFilter {
	f := orderFilter{sort: q.sort, shopIDs: sc.ids, from: r.Start(), to: r.End(), status: q.status, state: q.state, sku: q.sku}
	if q.noCost {
		f.costFlags = profit.FlagCostMissing | profit.FlagCostFallback
	}
	return f
}

// orderCursor is where a page of orders ends: the last order's sort key, create time and id. It goes into links
// as opaque base64 of JSON and is only ever a position: every filter, and the tenant, still apply to what it reads.
type orderCursor struct {
	Sort  string `json:"s"`
	Key   int64  `json:"k,omitempty"` // the figure sorted by (negated for a descending sort)
	Time  int64  `json:"t,omitempty"` // create time, unix microseconds (Postgres keeps microseconds)
	Shop  string `json:"h"`
	Order string `json:"o"`
}

func (c orderCursor) encode() string {
	b, _ := json.Marshal(c) // a struct of strings and ints always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of the sort given; nil for none.
func decodeCursor(s, sort string) (*orderCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := echo.NewHTTPError(http.StatusBadRequest, "This page link is no longer valid. Start again from the first page.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c orderCursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || c.Order == "" {
		return nil, bad
	}
	return &c, nil
}

func cursorAfter(sort string, r tenantdb.OrderViewsNewestRow) orderCursor {
	c := orderCursor{Sort: sort, Shop: r.ShopID, Order: r.OrderID}
	switch sort {
	case "newest", "oldest":
		c.Time = r.CreateTime.UnixMicro()
	default:
		c.Key = r.SortKey
	}
	return c
}

// listOrders reads up to limit orders of f after the cursor (nil: from the start), in f's sort.
func listOrders(ctx context.Context, tx *store.Tx, f orderFilter, after *orderCursor, limit int) ([]tenantdb.OrderViewsNewestRow, error) {
	first := after == nil
	if first {
		after = &orderCursor{}
	}
	var rows []tenantdb.OrderViewsNewestRow
	var err error
	switch f.sort {
	case "newest":
		at := time.UnixMicro(after.Time)
		if first {
			at = f.to
		}
		rows, err = tx.Q.OrderViewsNewest(ctx, tenantdb.OrderViewsNewestParams{UserID: tx.UserID, ShopIds: f.shopIDs,
			PlacedFrom: f.from, PlacedTo: f.to, AfterTime: at, First: first, AfterShop: after.Shop, AfterOrder: after.Order,
			Status: f.status, State: f.state, CostFlags: int32(f.costFlags), Sku: f.sku, MaxRows: int32(limit)})
	case "oldest":
		at := time.UnixMicro(after.Time)
		if first {
			at = f.from
		}
		var got []tenantdb.OrderViewsOldestRow
		got, err = tx.Q.OrderViewsOldest(ctx, tenantdb.OrderViewsOldestParams{UserID: tx.UserID, ShopIds: f.shopIDs,
			PlacedFrom: f.from, PlacedTo: f.to, AfterTime: at, First: first, AfterShop: after.Shop, AfterOrder: after.Order,
			Status: f.status, State: f.state, CostFlags: int32(f.costFlags), Sku: f.sku, MaxRows: int32(limit)})
		rows = make([]tenantdb.OrderViewsNewestRow, len(got))
		for i, r := range got {
			rows[i] = tenantdb.OrderViewsNewestRow(r)
		}
	default:
		var got []tenantdb.OrderViewsByFigureRow
		got, err = tx.Q.OrderViewsByFigure(ctx, tenantdb.OrderViewsByFigureParams{Sort: f.sort, UserID: tx.UserID,
			ShopIds: f.shopIDs, PlacedFrom: f.from, PlacedTo: f.to, First: first, AfterKey: after.Key,
			AfterShop: after.Shop, AfterOrder: after.Order, Status: f.status, State: f.state,
			CostFlags: int32(f.costFlags), Sku: f.sku, MaxRows: int32(limit)})
		rows = make([]tenantdb.OrderViewsNewestRow, len(got))
		for i, r := range got {
			rows[i] = tenantdb.OrderViewsNewestRow(r)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("web: list orders (%s): %w", f.sort, err)
	}
	return rows, nil
}

// totalsOf reads a row's measures (profit.MeasureNames' order) into Totals.
func totalsOf(currency string, measures []int64) (profit.Totals, error) {
	var t profit.Totals
	if err := t.SetMeasures(currency, measures); err != nil {
		return t, fmt.Errorf("web: measures in %s: %w", currency, err)
	}
	return t, nil
}

// feesOf is what TikTok and creators took: platform fees, the tax on them, and affiliate commissions.
func feesOf(a profit.Amounts) money.Amount {
	return money.Amount{Minor: a.Fees.Total().Minor + a.TaxOnFees.Minor + a.Affiliate.Total().Minor, Currency: a.Currency}
}

// goodsCost is the cost of the goods sold, net of those that came back.
func goodsCost(a profit.Amounts) money.Amount {
	return money.Amount{Minor: a.CostOfGoods.Minor - a.CostReturned.Minor, Currency: a.Currency}
}

// formatBps writes basis points as a percentage with one decimal, rounded half away from zero: 1234 is "12.3%".
func formatBps(bps int64) string {
	sign := ""
	if bps < 0 {
		sign, bps = "-", -bps
	}
	tenths := (bps + 5) / 10
	return fmt.Sprintf("%s%d.%d%%", sign, tenths/10, tenths%10)
}

// marginText is an amount's margin, or a dash when it has no net sales to be a share of.
func marginText(a profit.Amounts) string {
	if a.NetSales.Minor <= 0 {
		return "–"
	}
	return formatBps(a.MarginBps())
}

// signedText writes a difference with its sign: "+$1.20", "-$0.35".
func signedText(a money.Amount) string {
	if a.Minor > 0 {
		return "+" + a.Format()
	}
	return a.Format()
}

// orderURL is an order's breakdown page.
func orderURL(shopID, orderID string) string {
	return "/orders/" + url.PathEscape(shopID) + "/" + url.PathEscape(orderID)
}

func (s *Server) ordersPage(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := ordersQueryOf(c)
	if err != nil {
		return err
	}
	after, err := decodeCursor(q.after, q.sort)
	if err != nil {
		return err
	}
	var view ordersView
	var days dayRange
	err = s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		days, view.RangeError = pageRange(q.from, q.to, s.opts.Clock.Now(), zone)
		sc, err := sellerShops(ctx, tx, q.shop)
		if err != nil {
			return err
		}
		view.Shops = sc.options()
		rows, err := listOrders(ctx, tx, q.filter(days, sc), after, ordersPageSize+1)
		if err != nil {
			return err
		}
		if len(rows) > ordersPageSize {
			rows = rows[:ordersPageSize]
			v := q.values(days)
			v.Set("after", cursorAfter(q.sort, rows[len(rows)-1]).encode())
			view.NextURL = "/orders?" + v.Encode()
		}
		view.Orders, err = orderRows(rows, sc, zone)
		return err
	})
	if err != nil {
		return err
	}
	view.From, view.To, view.Zone = days.FirstText(), days.LastText(), days.Zone.String()
	view.Status, view.SKU, view.NoCost = q.status, q.sku, q.noCost
	if q.shop != "" || q.status != "" || q.sku != "" || q.state != "" || q.noCost {
		view.ClearURL = "/orders?" + url.Values{"from": {view.From}, "to": {view.To}}.Encode()
	}
	view.Statuses = []choice{{Value: "", Label: "Any status", Selected: q.status == ""}}
	for _, st := range orderStatuses {
		view.Statuses = append(view.Statuses, choice{Value: st, Label: statusText(st), Selected: st == q.status})
	}
	for _, st := range orderStates {
		view.States = append(view.States, choice{Value: st.value, Label: st.label, Selected: st.value == q.state})
	}
	for _, so := range orderSorts {
		view.Sorts = append(view.Sorts, choice{Value: so.value, Label: so.label, Selected: so.value == q.sort})
	}
	v := q.values(days)
	if after != nil {
		view.FirstURL = "/orders?" + v.Encode()
	}
	view.ExportURL = "/exports/orders.csv?" + v.Encode()
	daily := url.Values{"from": v["from"], "to": v["to"]}
	if q.shop != "" {
		daily.Set("shop", q.shop)
	}
	view.DailyURL = "/exports/daily.csv?" + daily.Encode()
	return s.render(c, http.StatusOK, "orders", "Orders", view)
}

// orderRows lays out a page of orders for the list.
func orderRows(rows []tenantdb.OrderViewsNewestRow, sc shopScope, zone *time.Location) ([]orderRow, error) {
	out := make([]orderRow, 0, len(rows))
	for _, r := range rows {
		t, err := totalsOf(r.Currency, r.Measures)
		if err != nil {
			return nil, err
		}
		a := t.Amounts
		placed := r.CreateTime.In(zone)
		row := orderRow{URL: orderURL(r.ShopID, r.OrderID), ShopID: r.ShopID, OrderID: r.OrderID, ShopName: sc.name(r.ShopID),
			Placed: placed.Format("2 Jan 2006 15:04"), PlacedISO: placed.Format(time.RFC3339), Status: statusText(r.Status),
			Units: count(t.Units), NetSales: a.NetSales.Format(), Fees: feesOf(a).Format(), Cost: goodsCost(a).Format(),
			NetProfit: a.NetProfit.Format(), Margin: marginText(a), Loss: a.NetProfit.Minor < 0,
			Settled: r.State == profit.Settled.String(), Flags: badgesOf(profit.Flags(r.Flags)),
			Created: r.CreateTime.UnixMicro(), NetSalesMinor: a.NetSales.Minor, NetProfitMinor: a.NetProfit.Minor,
			MarginBps: a.MarginBps()}
		if d := a.NetProfit.Minor - r.EstimatedNetProfit; row.Settled && d != 0 {
			row.Difference = signedText(money.Amount{Minor: d, Currency: r.Currency})
		}
		out = append(out, row)
	}
	return out, nil
}
