package web

import (
	"html/template"
	"time"
)

// dashboardExample fills every branch of the dashboard's figures, for TestEveryPageRendersWithEveryBranchFilled.
func dashboardExample(at time.Time) dashboardView {
	sku := func(id string, loss, noCost bool) skuProfit {
		return skuProfit{SKUID: id, SellerSKU: "TEE-" + id, Shop: "Glow US", OrdersURL: "/orders?sku=" + id, Units: "12",
			NetSales: "$120.00", NetProfit: "$30.00", Margin: "25.0%", Loss: loss, NoCost: noCost}
	}
	return dashboardView{Email: "a@b.co", Verified: true, Zone: "America/New_York",
		Shops: []dashboardShop{{ShopID: "1", Name: "Glow US", Region: "US", DataAsOf: &at, Orders: "1,204", Returns: "17", Statements: "12"},
			{ShopID: "2", Name: "Glow UK", Region: "GB", Revoked: true, RevokedAt: &at, Orders: "3", Returns: "0", Statements: "0"}},
		Filter: dashboardFilter{Custom: true, First: "2026-02-30", Last: "2026-03-01", MaxDay: "2026-03-14", Error: "The first day is not a date.",
			RangeText: "13 Feb – 14 Mar 2026", CompareText: "14 Jan – 12 Feb 2026", Days: "30 days",
			Presets: []dashboardOption{{Value: "30d", Label: "Last 30 days"}, {Value: "custom", Label: "Custom", Selected: true}},
			Shops:   []dashboardOption{{Value: "", Label: "All shops", Selected: true}, {Value: "1", Label: "Glow US"}, {Value: "2", Label: "Glow UK"}}},
		Figures: &dashboardFigures{Currency: "USD", Empty: true,
			Currencies: []currencyLink{{Code: "GBP", URL: "/dashboard?currency=GBP"}, {Code: "USD", URL: "/dashboard?currency=USD", Selected: true}},
			Tiles: []dashboardTile{{Key: "net_sales", Label: "Net sales", Value: "$1,000.00", Previous: "$900.00", Change: "+$100.00 (+11.1%)",
				Trend: "up", Sentiment: "good", Note: "Gross sales $1,100.00"}, {Key: "orders", Label: "Orders", Value: "3", Previous: "3", Change: "No change", Trend: "flat", Sentiment: "neutral"}},
			Confidence:   confidence{Percent: "87.5%", WithoutCost: "$125.00", Missing: true, CostsURL: "/settings/costs"},
			Estimated:    "2 of 3 orders are estimated.",
			Unreconciled: "1 order settled with rows that do not add up.",
			DailySVG:     template.HTML(`<svg role="img"></svg>`), DailyTable: template.HTML(`<table></table>`),
			WaterfallSVG: template.HTML(`<svg role="img"></svg>`), WaterfallTable: template.HTML(`<table></table>`), WaterfallAddsUp: true,
			SKULists: []skuList{{ID: "best", Title: "Most profitable", Rows: []skuProfit{sku("1001", false, true), {SKUID: "1002", Units: "1", Margin: "–"}}},
				{ID: "worst", Title: "Least profitable", Rows: []skuProfit{sku("1003", true, false)}}},
			SKUCount: "7", SKUsURL: "/skus?range=30d", OrdersURL: "/orders?range=30d"}}
}

// dashboardExamples are the dashboard's other states: figures of a range without orders, and no figures at all.
func dashboardExamples(at time.Time) []any {
	full := dashboardExample(at)
	quiet := full
	quiet.Filter.Error = ""
	quiet.Figures = &dashboardFigures{Currency: "GBP", Confidence: confidence{Percent: "100.0%"}, SKUsURL: "/skus", OrdersURL: "/orders"}
	none := full
	none.Figures = &dashboardFigures{Empty: true}
	return []any{full, quiet, none}
}

func preferencesExamples() []any {
	return []any{preferencesView{Zone: "UTC", Zones: zoneOptions("UTC", time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC))},
		preferencesView{Zone: "Asia/Kathmandu", Flash: "Saved.", Zones: zoneOptions("Asia/Kathmandu", time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)),
			Errors: formErrors{Form: "Not saved.", Fields: map[string]string{"time_zone": "Unknown."}}}}
}
