package dashboard_test

import (
	"strings"
	"testing"

	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
)

func TestAChangeIsAbsoluteAndRelativeToThePreviousPeriod(t *testing.T) {
	cases := []struct {
		name        string
		kind        dashboard.Kind
		cost        bool
		cur, prev   int64
		want        string
		trend, mood string
	}{
		{"a rise", dashboard.Amount, false, 110_00, 100_00, "+$10.00 (+10.0%)", "up", "good"},
		{"a fall", dashboard.Amount, false, 50_00, 100_00, "−$50.00 (−50.0%)", "down", "bad"},
		{"rounded half away from zero", dashboard.Amount, false, 2, 3, "−$0.01 (−33.3%)", "down", "bad"},
		{"from nothing", dashboard.Amount, false, 5_00, 0, "+$5.00 (new)", "up", "good"},
		{"to nothing", dashboard.Amount, false, 0, 5_00, "−$5.00 (−100.0%)", "down", "bad"},
		{"nothing either time", dashboard.Amount, false, 0, 0, "No change", "flat", "neutral"},
		{"from a loss to a profit", dashboard.Amount, false, 90_00, -100_00, "+$190.00 (+190.0%)", "up", "good"},
		{"a cost that rose", dashboard.Amount, true, 120_00, 100_00, "+$20.00 (+20.0%)", "up", "bad"},
		{"a count", dashboard.Count, false, 1234, 1000, "+234 (+23.4%)", "up", "good"},
		{"a margin in points", dashboard.Bps, false, 1250, 1100, "+1.5 pts", "up", "good"},
		{"a margin that fell", dashboard.Bps, false, -250, 1000, "−12.5 pts", "down", "bad"},
	}
	for _, c := range cases {
		f := dashboard.Figure{Kind: c.kind, Cost: c.cost, Current: c.cur, Previous: c.prev}
		if got := f.ChangeText("USD"); got != c.want {
			t.Errorf("%s: %q; want %q", c.name, got, c.want)
		}
		if f.Trend() != c.trend || f.Sentiment() != c.mood {
			t.Errorf("%s: %s and %s; want %s and %s", c.name, f.Trend(), f.Sentiment(), c.trend, c.mood)
		}
	}
	if got := (dashboard.Figure{Kind: dashboard.Bps, Current: -250}).Value("USD"); got != "-2.5%" {
		t.Errorf("a negative margin reads %q", got)
	}
}

// amounts builds Amounts whose derived figures follow internal/profit's formula.
func amounts(currency string, v map[string]int64) profit.Amounts {
	m := func(k string) money.Amount { return money.Amount{Minor: v[k], Currency: currency} }
	a := profit.Amounts{Currency: currency, GrossSales: m("gross"), SellerDiscount: m("discount"), Refunds: m("refunds"),
		OtherRevenue: m("other"), ShippingCharged: m("ship_charged"), ShippingCost: m("ship_cost"),
		ReturnShippingCost: m("return_ship"), TaxOnFees: m("tax_on_fees"), Adjustments: m("adjustments"),
		CostOfGoods: m("cogs"), CostReturned: m("cost_returned"), MarketingGoods: m("sample_goods"),
		MarketingShipping: m("sample_ship")}
	a.Fees.Referral, a.Fees.Transaction, a.Fees.Other = m("referral"), m("transaction"), m("fee_other")
	a.Affiliate.Standard, a.Affiliate.Ads = m("affiliate"), m("ads")
	a.NetSales = money.Amount{Minor: a.GrossSales.Minor - a.SellerDiscount.Minor, Currency: currency}
	settlement := a.NetSales.Minor - a.Refunds.Minor + a.OtherRevenue.Minor + a.ShippingCharged.Minor - a.ShippingCost.Minor -
		a.ReturnShippingCost.Minor - a.Fees.Total().Minor - a.Affiliate.Total().Minor - a.TaxOnFees.Minor +
		a.Adjustments.Minor - a.MarketingShipping.Minor
	a.Settlement = money.Amount{Minor: settlement, Currency: currency}
	a.NetProfit = money.Amount{Minor: settlement - a.CostOfGoods.Minor + a.CostReturned.Minor - a.MarketingGoods.Minor, Currency: currency}
	return a
}

func TestTheWaterfallAddsUpFromGrossSalesToNetProfit(t *testing.T) {
	for name, v := range map[string]map[string]int64{
		"a profitable month": {"gross": 1_000_000, "discount": 50_000, "refunds": 30_000, "other": 1_234, "ship_charged": 80_000,
			"ship_cost": 95_000, "return_ship": 4_000, "referral": 60_000, "transaction": 25_000, "fee_other": 999, "affiliate": 70_000,
			"ads": 5_000, "tax_on_fees": 3_000, "adjustments": -2_500, "cogs": 400_000, "cost_returned": 12_000, "sample_goods": 9_000, "sample_ship": 1_500},
		"a loss":  {"gross": 10_000, "ship_cost": 5_000, "referral": 800, "cogs": 12_000},
		"nothing": {},
	} {
		a := amounts("USD", v)
		steps := dashboard.Waterfall(a)
		if first, last := steps[0], steps[len(steps)-1]; first.Key != "gross_sales" || first.Amount != a.GrossSales.Minor ||
			last.Key != "net_profit" || last.Amount != a.NetProfit.Minor {
			t.Fatalf("%s: the waterfall runs from %+v to %+v", name, first, last)
		}
		run := steps[0].To
		for _, s := range steps[1 : len(steps)-1] {
			if s.Total || s.From != run || s.To != s.From+s.Amount {
				t.Errorf("%s: step %+v does not start where the last ended (%d)", name, s, run)
			}
			if s.Key == "not_itemised" {
				t.Errorf("%s: figures that follow the formula needed a %q step", name, s.Label)
			}
			run = s.To
		}
		if run != a.NetProfit.Minor {
			t.Errorf("%s: the steps end at %d; net profit is %d", name, run, a.NetProfit.Minor)
		}
	}

	// Figures that do not follow the formula show the difference as a step of its own, and still add up.
	a := amounts("USD", map[string]int64{"gross": 10_000, "cogs": 4_000})
	a.NetProfit.Minor += 7
	steps := dashboard.Waterfall(a)
	odd := steps[len(steps)-2]
	if odd.Key != "not_itemised" || odd.Amount != 7 || odd.To != a.NetProfit.Minor {
		t.Errorf("the step before net profit is %+v; want the 7 not itemised", odd)
	}
}

func TestTheWaterfallChartNamesEveryStepWithItsAmount(t *testing.T) {
	a := amounts("GBP", map[string]int64{"gross": 1_000_00, "discount": 100_00, "referral": 50_00, "cogs": 300_00, "adjustments": 12_34})
	c := dashboard.WaterfallChart(dashboard.Waterfall(a), "GBP")
	for _, want := range []string{`role="img"`, "<title id=\"waterfall-title\">", "Gross sales", "£1,000.00", "Seller discounts", "-£100.00",
		"+£12.34", "Net profit", "£562.34", `data-step="cost_of_goods"`} {
		if !strings.Contains(c.SVG+c.Table, want) {
			t.Errorf("the waterfall lacks %q", want)
		}
	}
	if n := strings.Count(c.Table, "<tr data-step="); n != 11 {
		t.Errorf("the waterfall's table has %d steps; want 11", n)
	}
}
