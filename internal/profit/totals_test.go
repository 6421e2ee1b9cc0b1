package profit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/profitline/profitline/internal/money"
)

func compute(t *testing.T, in Input, costs Costs, rates FeeRates) Result {
	t.Helper()
	r, err := Compute(in, costs, rates)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTotalsSumOrdersAndSayHowSureTheProfitIs(t *testing.T) {
	fallback := costsUSD()
	fallback.FallbackBps = 4000
	cancelled := simpleOrder()
	cancelled.Transactions, cancelled.Order.Status = nil, StatusCancelled
	sample := Input{
		Order: func() Order { o := order("sample"); o.IsSample = true; return o }(),
		Lines: []Line{line("l1", "mug", 0, 0, 0)},
		Transactions: []Transaction{{ID: "t1", Type: "ADJUSTMENT", Subtype: SubtypeSampleShippingFee, Currency: "USD",
			Settlement: -550, Adjustment: -550}},
	}
	results := []Result{
		compute(t, simpleOrder(), costsUSD(), FeeRates{}),                                                                  // net sales 34.00, net profit 23.27
		compute(t, refundedCandle(ReturnTypeRefund, 0), costsUSD(), FeeRates{}),                                            // 14.40, -4.18
		compute(t, sample, costsUSD(), FeeRates{}),                                                                         // 0, -13.50
		compute(t, cancelled, costsUSD(), FeeRates{}),                                                                      // nothing sold
		compute(t, Input{Order: order("unknown"), Lines: []Line{line("l1", "mystery", 2500, 0, 0)}}, fallback, FeeRates{}), // 25.00 without a known cost, 15.00
	}
	var all, first, rest Totals
	for i, r := range results {
		if err := all.Add(r.Order); err != nil {
			t.Fatal(err)
		}
		part := &rest
		if i < 2 {
			part = &first
		}
		if err := part.Add(r.Order); err != nil {
			t.Fatal(err)
		}
	}
	// Net sales 34.00 + 14.40 + 25.00 = 73.40; net profit 23.27 - 4.18 - 13.50 + 15.00 = 20.59: a 28.05% margin.
	// 25.00 of the 73.40 has no known cost: 65.94% of the sales have a known cost.
	if all.NetSales.Minor != 7340 || all.NetProfit.Minor != 2059 || all.MarginBps() != 2805 ||
		all.NetSalesWithoutCost.Minor != 2500 || all.ProfitConfidenceBps() != 6594 || all.MarketingGoods.Minor != 800 {
		t.Errorf("net sales %v, net profit %v, margin %d, without cost %v, confidence %d, marketing %v",
			all.NetSales, all.NetProfit, all.MarginBps(), all.NetSalesWithoutCost, all.ProfitConfidenceBps(), all.MarketingGoods)
	}
	counts := []int64{all.Orders, all.Units, all.SettledOrders, all.SampleOrders, all.RefundedOrders, all.CostUnknownOrders, all.UnreconciledOrders, all.UnsoldOrders}
	if want := []int64{4, 4, 3, 1, 1, 1, 0, 1}; !slices.Equal(counts, want) {
		t.Errorf("orders, units, settled, samples, refunded, cost unknown, unreconciled, unsold = %v, want %v", counts, want)
	}

	if err := first.Merge(rest); err != nil {
		t.Fatal(err)
	}
	if first != all {
		t.Errorf("merged %+v, want %+v", first, all)
	}
}

func TestLinesAddUnitsButNoOrders(t *testing.T) {
	r := compute(t, multiSKUOrder(), costsUSD(), FeeRates{})
	var byLine Totals
	for _, l := range r.Lines {
		if err := byLine.Add(l.Breakdown); err != nil {
			t.Fatal(err)
		}
	}
	if byLine.Units != 3 || byLine.Orders != 0 || byLine.NetProfit != r.Order.NetProfit {
		t.Errorf("%d units, %d orders, net profit %v", byLine.Units, byLine.Orders, byLine.NetProfit)
	}
}

func TestTotalsRefuseAnotherCurrency(t *testing.T) {
	var usd Totals
	if err := usd.Add(compute(t, simpleOrder(), costsUSD(), FeeRates{}).Order); err != nil {
		t.Fatal(err)
	}
	gb := Input{Order: Order{ID: "gb", Currency: "GBP", Status: "COMPLETED"}, Lines: []Line{{ID: "l1", SkuID: "towel", Currency: "GBP", OriginalPrice: 2000}}}
	gbp := compute(t, gb, Costs{}, FeeRates{})
	if err := usd.Add(gbp.Order); err == nil {
		t.Error("added GBP to USD totals")
	}
	var gbpTotals Totals
	if err := gbpTotals.Add(gbp.Order); err != nil {
		t.Fatal(err)
	}
	if err := usd.Merge(gbpTotals); err == nil {
		t.Error("merged GBP totals into USD")
	}
	if err := usd.Add(Breakdown{}); err == nil {
		t.Error("added a breakdown without a currency")
	}
	if usd.NetProfit.Minor != 2327 || usd.Orders != 1 {
		t.Errorf("a refused add changed the totals: %v, %d orders", usd.NetProfit, usd.Orders)
	}
}

func TestRatesAreObservedInSettledOrders(t *testing.T) {
	var settled Totals
	for _, in := range []Input{simpleOrder(), multiSKUOrder()} {
		if err := settled.Add(compute(t, in, costsUSD(), FeeRates{}).Order); err != nil {
			t.Fatal(err)
		}
	}
	// Net sales 34.00 + 74.60 = 108.60: referral 2.04 + 4.48 = 6.52 is 6.00%, transaction 0.68 + 1.49 = 2.17
	// is 2.00%, affiliate 7.46 is 6.87%; labels 6.00 + 6.50 over two orders: 6.25 an order.
	got := RatesFrom(settled)
	want := FeeRates{Referral: 600, Transaction: 200, Affiliate: 687, ShippingCostPerOrder: money.Amount{Minor: 625, Currency: "USD"}}
	if got != want {
		t.Errorf("rates %+v, want %+v", got, want)
	}
	if (RatesFrom(Totals{}) != FeeRates{}) {
		t.Error("rates from nothing")
	}
}

// TestAppendMeasuresIsOfThenMeasures holds the rows' path to the Totals' one: for breakdowns of every kind, those
// Of refuses (no currency, an amount in another, an amount with no negative) included, AppendMeasures appends what
// Of and Measures give, or fails as Of does, leaving what dst held.
func TestAppendMeasuresIsOfThenMeasures(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	states := []State{Estimated, Settled}
	flags := []Flags{0, FlagSample, FlagCancelled, FlagUnpaid | FlagRefunded, FlagCostMissing | FlagSettlementDoesNotSum,
		FlagPartiallyRefunded | FlagCostFallback}
	refused := 0
	for i := range 5000 {
		var b Breakdown
		b.State, b.Flags = states[rnd.IntN(len(states))], flags[rnd.IntN(len(flags))]
		b.Orders, b.Units = rnd.Int64N(2), rnd.Int64N(4)
		b.setCurrency("USD")
		for _, k := range components {
			k.at(&b.Amounts).Minor = rnd.Int64N(2_000_001) - 1_000_000
		}
		switch i % 10 { // one breakdown in ten is irregular
		case 1:
			b.setCurrency("")
		case 2:
			k := components[rnd.IntN(len(components))]
			k.at(&b.Amounts).Currency = "EUR"
		case 3:
			k := components[rnd.IntN(len(components))]
			k.at(&b.Amounts).Minor = math.MinInt64
		case 4:
			k := components[rnd.IntN(len(components))]
			k.at(&b.Amounts).Minor = math.MaxInt64
		}
		dst := []int64{7, 8, 9}
		got, err := AppendMeasures(dst, &b)
		want, wantErr := Of(b)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("breakdown %d: error %v, Of's %v", i, err, wantErr)
		}
		if err != nil {
			refused++
			if !slices.Equal(got, []int64{7, 8, 9}) {
				t.Fatalf("breakdown %d: refused, but dst became %v", i, got)
			}
			continue
		}
		if !slices.Equal(got[:3], []int64{7, 8, 9}) || !slices.Equal(got[3:], want.Measures()) {
			t.Fatalf("breakdown %d:\n got %v\nwant %v", i, got[3:], want.Measures())
		}
	}
	if refused < 1000 || refused > 2000 { // the three kinds Of refuses, and nothing else
		t.Fatalf("%d of 5000 refused; want the 1,500 made irregular so", refused)
	}
}
