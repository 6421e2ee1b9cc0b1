package dashboard

import (
	"strconv"
	"strings"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
)

// Change is how a figure moved from the previous period to the current one.
type Change struct {
	Delta int64 // current − previous
	// Tenths is Delta in tenths of a percent of |previous|, rounded half away from zero. It means nothing when
	// HasPercent is false: a previous value of zero is no base to compare with.
	Tenths     int64
	HasPercent bool
}

// Compare is the change from previous to current.
func Compare(current, previous int64) Change {
	c := Change{Delta: current - previous}
	if previous != 0 {
		c.Tenths, c.HasPercent = ratio(c.Delta, 1000, abs(previous)), true
	}
	return c
}

// ratio is x × per / of, rounded half away from zero (of > 0). Inputs are sums of bounded amounts, far below the
// size where x × per would overflow.
func ratio(x, per, of int64) int64 {
	n := x * per
	q, r := n/of, n%of
	if 2*abs(r) >= of {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Percent writes the relative change: "+5.2%", "−12.0%", "0.0%".
func (c Change) Percent() string { return signed(c.Tenths, tenths) }

// Kind is how a figure is written.
type Kind int

// The kinds of figures.
const (
	Amount Kind = iota // minor units of the currency
	Count              // a plain number
	Bps                // basis points, written as a percentage
)

// Figure is one tile: a measure of the current period beside the previous period's.
type Figure struct {
	Key      string // names the tile in the page (data-figure)
	Label    string
	Kind     Kind
	Current  int64
	Previous int64
	// Cost is true for figures the seller wants lower (fees, refunds, costs): their rise is bad news.
	Cost bool
}

// Figures are the dashboard's tiles for the current period's totals and the previous period's, both in one
// currency.
func Figures(cur, prev profit.Totals) []Figure {
	type measure struct {
		key, label string
		kind       Kind
		cost       bool
		of         func(t profit.Totals) int64
	}
	measures := []measure{
		{"net_sales", "Net sales", Amount, false, func(t profit.Totals) int64 { return t.NetSales.Minor }},
		{"net_profit", "Net profit", Amount, false, func(t profit.Totals) int64 { return t.NetProfit.Minor }},
		{"margin", "Margin", Bps, false, func(t profit.Totals) int64 { return t.MarginBps() }},
		{"orders", "Orders", Count, false, func(t profit.Totals) int64 { return t.Orders }},
		{"units", "Units sold", Count, false, func(t profit.Totals) int64 { return t.Units }},
		{"refunds", "Refunds", Amount, true, func(t profit.Totals) int64 { return t.Refunds.Minor }},
		{"fees", "Platform fees", Amount, true, func(t profit.Totals) int64 { return t.Fees.Total().Minor }},
		{"cost_of_goods", "Cost of goods", Amount, true, func(t profit.Totals) int64 { return CostOfGoodsSold(t.Amounts) }},
		{"shipping", "Shipping cost", Amount, true, func(t profit.Totals) int64 { return ShippingCost(t.Amounts) }},
		{"affiliate", "Affiliate commissions", Amount, true, func(t profit.Totals) int64 { return t.Affiliate.Total().Minor }},
	}
	out := make([]Figure, len(measures))
	for i, m := range measures {
		out[i] = Figure{Key: m.key, Label: m.label, Kind: m.kind, Cost: m.cost, Current: m.of(cur), Previous: m.of(prev)}
	}
	return out
}

// CostOfGoodsSold is the cost of the units sold less the cost of those that came back.
func CostOfGoodsSold(a profit.Amounts) int64 { return a.CostOfGoods.Minor - a.CostReturned.Minor }

// ShippingCost is what the seller paid for shipping: labels and fulfilment, and return labels.
func ShippingCost(a profit.Amounts) int64 { return a.ShippingCost.Minor + a.ReturnShippingCost.Minor }

// Value writes the current value.
func (f Figure) Value(currency string) string { return write(f.Kind, f.Current, currency) }

// PreviousValue writes the previous period's value.
func (f Figure) PreviousValue(currency string) string { return write(f.Kind, f.Previous, currency) }

// Change is the figure's change against the previous period.
func (f Figure) Change() Change { return Compare(f.Current, f.Previous) }

// ChangeText writes the change: "+$12.34 (+5.2%)", "+$12.34 (new)" when there was nothing before, "No change";
// a margin's change is in percentage points ("+1.5 pts").
func (f Figure) ChangeText(currency string) string {
	c := f.Change()
	switch {
	case c.Delta == 0:
		return "No change"
	case f.Kind == Bps:
		return signed(c.Delta, bpsPoints) + " pts"
	}
	delta := signed(c.Delta, func(n int64) string { return write(f.Kind, n, currency) })
	if !c.HasPercent {
		return delta + " (new)"
	}
	return delta + " (" + c.Percent() + ")"
}

// Trend is "up", "down" or "flat".
func (f Figure) Trend() string {
	switch d := f.Current - f.Previous; {
	case d > 0:
		return "up"
	case d < 0:
		return "down"
	}
	return "flat"
}

// Sentiment is "good", "bad" or "neutral": whether the change is good news for the seller.
func (f Figure) Sentiment() string {
	d := f.Current - f.Previous
	if d == 0 {
		return "neutral"
	}
	if (d > 0) != f.Cost {
		return "good"
	}
	return "bad"
}

func write(k Kind, n int64, currency string) string {
	switch k {
	case Count:
		return Thousands(n)
	case Bps:
		return bpsPercent(n)
	}
	return money.Amount{Minor: n, Currency: currency}.Format()
}

// signed writes n with an explicit sign, "+" or "−" (a minus sign), through w, which writes a magnitude.
func signed(n int64, w func(int64) string) string {
	if n < 0 {
		return "−" + w(-n)
	}
	return "+" + w(n)
}

// Thousands writes n with thousands separators: 1,234,567.
func Thousands(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// tenths writes tenths of a percent: 52 is "5.2%".
func tenths(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + Thousands(n/10) + "." + strconv.FormatInt(n%10, 10) + "%"
}

// bpsPercent writes basis points as a percentage with one decimal: 1234 is "12.3%".
func bpsPercent(bps int64) string { return tenths(ratio(bps, 1, 10)) }

// bpsPoints writes basis points as percentage points with one decimal, without the unit: 150 is "1.5".
func bpsPoints(bps int64) string { return strings.TrimSuffix(bpsPercent(bps), "%") }

// Step is one bar of the waterfall from gross sales to net profit.
type Step struct {
	Key    string // names the step in the page (data-step)
	Label  string
	Amount int64 // a change: signed, positive when the seller gains; a total: the total
	Total  bool  // gross sales and net profit: bars from zero
	// From and To are the running total before and after a change; a total runs from zero to itself.
	From, To int64
}

// Waterfall walks from gross sales to net profit in the steps of internal/profit's formula, so it adds up
// exactly: each change's To is the next one's From, and the last change ends at NetProfit. Were the stored
// figures ever to disagree with the formula, the difference is shown as a step of its own ("Not itemised"),
// never hidden.
func Waterfall(a profit.Amounts) []Step {
	changes := []struct {
		key, label string
		amount     int64
	}{
		{"seller_discount", "Seller discounts", -a.SellerDiscount.Minor},
		{"refunds", "Refunds", -a.Refunds.Minor},
		{"shipping", "Shipping, net", a.ShippingCharged.Minor - a.ShippingCost.Minor - a.ReturnShippingCost.Minor},
		{"fees", "Platform fees", -a.Fees.Total().Minor},
		{"affiliate", "Affiliate commissions", -a.Affiliate.Total().Minor},
		{"tax_on_fees", "Tax on fees", -a.TaxOnFees.Minor},
		{"adjustments", "Adjustments and other revenue", a.Adjustments.Minor + a.OtherRevenue.Minor},
		{"cost_of_goods", "Cost of goods, net of returns", -CostOfGoodsSold(a)},
		{"marketing", "Samples (marketing)", -a.MarketingGoods.Minor - a.MarketingShipping.Minor},
	}
	steps := []Step{{Key: "gross_sales", Label: "Gross sales", Amount: a.GrossSales.Minor, Total: true, To: a.GrossSales.Minor}}
	run := a.GrossSales.Minor
	add := func(key, label string, amount int64) {
		steps = append(steps, Step{Key: key, Label: label, Amount: amount, From: run, To: run + amount})
		run += amount
	}
	for _, c := range changes {
		add(c.key, c.label, c.amount)
	}
	if rest := a.NetProfit.Minor - run; rest != 0 {
		add("not_itemised", "Not itemised", rest)
	}
	return append(steps, Step{Key: "net_profit", Label: "Net profit", Amount: a.NetProfit.Minor, Total: true, To: a.NetProfit.Minor})
}
