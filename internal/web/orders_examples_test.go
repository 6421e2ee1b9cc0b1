package web

import (
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
)

// ordersExamples fill every branch of /orders: filters, flags, settled with a difference, pages, and none.
func ordersExamples() []any {
	shops := []shopOption{{ShopID: "1", Name: "Glow US", Selected: true}, {ShopID: "2", Name: "Glow UK"}}
	return []any{
		ordersView{From: "2026-02-13", To: "2026-03-14", Zone: "UTC"},
		ordersView{From: "2026-02-13", To: "2026-03-14", Zone: "America/New_York", RangeError: "The first day is after the last. Showing the last 30 days instead.",
			Shops: shops, Status: "COMPLETED", SKU: "TEE", NoCost: true, ClearURL: "/orders?from=2026-02-13&to=2026-03-14",
			Statuses: []choice{{Value: "", Label: "Any status"}, {Value: "COMPLETED", Label: "Completed", Selected: true}},
			States:   []choice{{Value: "", Label: "Settled or not"}, {Value: "settled", Label: "Settled", Selected: true}},
			Sorts:    []choice{{Value: "newest", Label: "Newest first"}, {Value: "profit_desc", Label: "Net profit, highest first", Selected: true}},
			NextURL:  "/orders?after=x", FirstURL: "/orders", ExportURL: "/exports/orders.csv?from=2026-02-13", DailyURL: "/exports/daily.csv",
			Orders: []orderRow{
				{URL: "/orders/1/576", OrderID: "576", ShopName: "Glow US", Placed: "14 Mar 2026 09:12", PlacedISO: "2026-03-14T09:12:00Z",
					Status: "Completed", Units: "2", NetSales: "$31.00", Fees: "$4.10", Cost: "$8.40", NetProfit: "$12.05", Margin: "38.9%",
					Settled: true, Difference: "-$0.35", Flags: badgesOf(profit.FlagCostFallback | profit.FlagSample | profit.FlagCancelled)},
				{URL: "/orders/2/577", OrderID: "577", ShopName: "Glow UK", Placed: "13 Mar 2026 10:00", Status: "Awaiting shipment",
					Units: "1", NetSales: "£0.00", Fees: "£0.00", Cost: "£0.00", NetProfit: "-£1.20", Margin: "–", Loss: true}}},
	}
}

// orderExamples fill every branch of an order's breakdown: estimated only, and settled with an unreconciled
// settlement, notes, and lines costed each way.
func orderExamples() []any {
	usd := func(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "USD"} }
	amounts := profit.Amounts{Currency: "USD", GrossSales: usd(3000), SellerDiscount: usd(300), PlatformDiscount: usd(200),
		NetSales: usd(2700), ShippingCharged: usd(500), ShippingCost: usd(450), TaxCollected: usd(220),
		Fees: profit.PlatformFees{Referral: usd(162), Transaction: usd(81)}, Affiliate: profit.AffiliateCommissions{Standard: usd(270)},
		CostOfGoods: usd(900), Settlement: usd(2237), SettlementReported: usd(2240), Unreconciled: usd(3), NetProfit: usd(1337)}
	line := func(sku string, cost profit.CostSource, units int64) profit.LineBreakdown {
		a := amounts
		if units == 0 {
			a.CostReturned = usd(450)
		}
		return profit.LineBreakdown{Line: profit.Line{SkuID: sku, SellerSKU: "TEE-" + sku, OriginalPrice: 1500}, Cost: cost,
			Breakdown: profit.Breakdown{Amounts: a, State: profit.Settled, Units: units, Flags: profit.FlagRefunded}}
	}
	settled := profit.Breakdown{Amounts: amounts, State: profit.Settled, Orders: 1, Units: 2,
		Flags: profit.FlagSettlementDoesNotSum | profit.FlagCostMissing | profit.FlagSample}
	estimated := settled
	estimated.State, estimated.Flags = profit.Estimated, profit.FlagRatesOnly|profit.FlagShippingUnknown|profit.FlagFeesUnknown
	var settledView, estimatedView orderView
	settledView.fill(profit.Result{OrderID: "576", State: profit.Settled, Order: settled, Estimated: estimated, Settled: settled,
		Difference: amounts, Lines: []profit.LineBreakdown{line("1", profit.CostKnown, 1), line("2", profit.CostFallback, 1),
			line("3", profit.CostMissing, 0)}})
	estimatedView.fill(profit.Result{OrderID: "577", State: profit.Estimated, Order: estimated, Estimated: estimated,
		Lines: []profit.LineBreakdown{line("1", profit.CostKnown, 1)}})
	for _, v := range []*orderView{&settledView, &estimatedView} {
		v.ShopID, v.ShopName, v.Status, v.Placed, v.PlacedISO, v.Zone, v.Currency = "1", "Glow US", "Completed",
			"14 Mar 2026 09:12", "2026-03-14T09:12:00Z", "UTC", "USD"
		v.CostsURL, v.MissingCostsURL, v.BackURL = "/settings/costs?shop=1", "/settings/costs?missing=1&shop=1", "/orders?shop=1"
	}
	settledView.OrderID, estimatedView.OrderID = "576", "577"
	return []any{settledView, estimatedView}
}

// skusExamples fill every branch of /skus: two currencies, flagged SKUs, more than are shown, and none.
func skusExamples() []any {
	cols := []skuColumn{{Key: "sku", Label: "SKU", URL: "/skus?sort=sku&dir=asc"},
		{Key: "net_profit", Label: "Net profit", URL: "/skus?sort=net_profit&dir=asc", Sort: "descending", Num: true},
		{Key: "units", Label: "Units", URL: "/skus?sort=units&dir=desc", Sort: "ascending", Num: true}}
	row := skuRow{ShopName: "Glow US", SKUID: "1001", SellerSKU: "TEE-BLK-M", Units: "12", Orders: "10", NetSales: "$120.00",
		Cost: "$40.00", Fees: "$9.00", Affiliate: "$6.00", Refunds: "$0.00", NetProfit: "$50.00", Margin: "41.7%"}
	flagged := row
	flagged.SKUID, flagged.SellerSKU, flagged.Loss, flagged.NetProfit = "1002", "", true, "-$3.00"
	flagged.CostFlag, flagged.CostURL = &badge{Label: "No cost", Kind: "warning", Title: "t"}, "/settings/costs?shop=1&missing=1"
	return []any{
		skusView{From: "2026-02-13", To: "2026-03-14", Zone: "UTC", Columns: cols},
		skusView{From: "2026-02-13", To: "2026-03-14", Zone: "UTC", RangeError: "The last day is not a date (YYYY-MM-DD). Showing the last 30 days instead.",
			Shops: []shopOption{{ShopID: "1", Name: "Glow US", Selected: true}, {ShopID: "2", Name: "Glow UK"}}, ShopID: "1",
			Columns: cols, ExportURL: "/exports/skus.csv", DailyURL: "/exports/daily.csv",
			Currencies: []skuCurrency{{Currency: "GBP", Count: "1", Rows: []skuRow{row}, Total: row},
				{Currency: "USD", Count: "502", Rows: []skuRow{row, flagged}, Total: flagged, Hidden: 500}}},
	}
}
