package profit

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// The worked examples are in USD cents unless they say otherwise. The shop's costs: a mug lands at 8.00, a
// bottle at 9.00, a candle at 5.00; a "mystery" SKU has no cost. Settlement rows are written as TikTok sends them,
// costs negative.

var placed = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func costsUSD() Costs {
	return Costs{Lookup: func(sku string, _ time.Time) (money.Amount, bool) {
		c, ok := map[string]int64{"mug": 800, "bottle": 900, "candle": 500}[sku]
		return money.Amount{Minor: c, Currency: "USD"}, ok
	}}
}

func order(id string) Order {
	return Order{ID: id, Currency: "USD", Status: "COMPLETED", CreateTime: placed}
}

func line(id, sku string, original, sellerDiscount, platformDiscount int64) Line {
	return Line{ID: id, SkuID: sku, SellerSKU: strings.ToUpper(sku), Currency: "USD", OriginalPrice: original,
		SellerDiscount: sellerDiscount, PlatformDiscount: platformDiscount,
		SalePrice: original - sellerDiscount - platformDiscount}
}

// amounts is every amount of a by name, in minor units: a test's want lists the non-zero ones.
func amounts(a Amounts) map[string]int64 {
	m := map[string]int64{}
	for _, k := range components {
		if v := k.at(&a).Minor; v != 0 {
			m[k.name] = v
		}
	}
	return m
}

func checkAmounts(t *testing.T, what string, got Amounts, want map[string]int64, currency string) {
	t.Helper()
	g := amounts(got)
	for _, k := range components {
		if g[k.name] != want[k.name] {
			t.Errorf("%s %s = %d, want %d", what, k.name, g[k.name], want[k.name])
		}
		if c := k.at(&got).Currency; c != currency {
			t.Errorf("%s %s currency %q, want %s", what, k.name, c, currency)
		}
	}
	for name := range want {
		if !slices.ContainsFunc(components, func(k component) bool { return k.name == name }) {
			t.Errorf("%s: no component %s", what, name)
		}
	}
}

// checkInvariants holds for every result: the lines sum to the order, and a settled order reconciles with its
// transactions.
func checkInvariants(t *testing.T, in Input, r Result) {
	t.Helper()
	var lines Amounts
	lines.setCurrency(in.Order.Currency)
	var units int64
	for _, l := range r.Lines {
		var err error
		if lines, err = lines.combine(l.Amounts, 1); err != nil {
			t.Fatal(err)
		}
		units += l.Units
	}
	if len(r.Lines) > 0 {
		if g, w := amounts(lines), amounts(r.Order.Amounts); !sameMap(g, w) {
			t.Errorf("the lines sum to %v, the order is %v", g, w)
		}
	}
	if units != r.Order.Units {
		t.Errorf("lines have %d units, the order %d", units, r.Order.Units)
	}
	if r.State == Settled {
		var reported int64
		for _, tx := range in.Transactions {
			if tx.Type != TransactionReserve {
				reported += tx.Settlement
			}
		}
		o := r.Order
		if o.Settlement.Minor+o.Unreconciled.Minor != reported {
			t.Errorf("settlement %d + unreconciled %d != %d, the transactions' settlement", o.Settlement.Minor, o.Unreconciled.Minor, reported)
		}
		if (o.Unreconciled.Minor != 0) && !o.Flags.Has(FlagSettlementDoesNotSum) {
			t.Errorf("unreconciled %d but not flagged", o.Unreconciled.Minor)
		}
	}
}

func sameMap(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// simpleOrder is one mug at 34.00 with 5.99 shipping and 2.80 tax, settled by one ORDER row: revenue 34.00;
// shipping -0.01 (a 6.00 label less the buyer's 5.99); referral 6% = -2.04 and transaction 2% = -0.68, so
// fee_tax -2.72; settlement 34.00 - 0.01 - 2.72 = 31.27.
func simpleOrder() Input {
	o := order("simple")
	o.ShippingFee, o.Tax = 599, 280
	return Input{
		Order: o,
		Lines: []Line{line("l1", "mug", 3400, 0, 0)},
		Transactions: []Transaction{{ID: "t1", Type: "ORDER", Currency: "USD",
			Settlement: 3127, Revenue: 3400, ShippingCost: -1, FeeTax: -272,
			SubtotalBeforeDiscount: 3400, CustomerPaidShippingFee: 599, ReferralFee: -204, TransactionFee: -68}},
	}
}

// multiSKUOrder is a mug at 34.00 less a 10% seller discount (3.40), and two bottles at 22.00, one with a 2.20
// discount TikTok funds: gross 78.00, net sales 74.60 (the platform's discount is paid back). A 6.50 label;
// referral 6% of 74.60 = 4.476 -> 4.48, transaction 2% = 1.492 -> 1.49, affiliate 10% = 7.46: fee_tax -13.43;
// settlement 74.60 - 6.50 - 13.43 = 54.67.
func multiSKUOrder() Input {
	return Input{
		Order: order("multi"),
		Lines: []Line{line("l1", "mug", 3400, 340, 0), line("l2", "bottle", 2200, 0, 220), line("l3", "bottle", 2200, 0, 0)},
		Transactions: []Transaction{{ID: "t1", Type: "ORDER", Currency: "USD",
			Settlement: 5467, Revenue: 7460, ShippingCost: -650, FeeTax: -1343,
			SubtotalBeforeDiscount: 7800, SellerDiscount: -340,
			ReferralFee: -448, TransactionFee: -149, AffiliateCommission: -746}},
	}
}

// refundedCandle is a candle at 16.00 less a 1.60 seller discount (net 14.40), 5.99 shipping, a 5.00 label,
// refunded in full (14.40) by a completed return of the given type. TikTok takes back the revenue (-16.00 + 1.60):
// revenue 0; fees are on revenue, so only the refund administration fee, 1.2% of 14.40 = 0.17.
func refundedCandle(kind string, returnLabel int64) Input {
	o := order("refund-" + strings.ToLower(kind))
	o.ShippingFee = 599
	return Input{
		Order: o,
		Lines: []Line{line("l1", "candle", 1600, 160, 0)},
		Returns: []Return{{ID: "r1", Type: kind, Status: ReturnStatusComplete, Currency: "USD",
			RefundSubtotal: 1440, SellerPaidReturnShipping: returnLabel, LineIDs: []string{"l1"}}},
		Transactions: []Transaction{{ID: "t1", Type: "ORDER", Currency: "USD",
			// shipping: -5.00 label + 5.99 paid - the return label
			Settlement: 99 - returnLabel - 17, Revenue: 0, ShippingCost: 99 - returnLabel, FeeTax: -17,
			SubtotalBeforeDiscount: 1600, SellerDiscount: -160, RefundSubtotalBeforeDiscount: -1600, SellerDiscountRefund: 160,
			CustomerPaidShippingFee: 599, ReturnShippingFee: -returnLabel, RefundAdministrationFee: -17}},
	}
}

func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		costs  Costs
		rates  FeeRates
		state  State
		want   map[string]int64
		flags  Flags
		margin int64
		lines  []map[string]int64 // when the example works the split out too
	}{
		{
			// Net profit 31.27 - 8.00 = 23.27; margin 23.27 / 34.00 = 68.44%. The 2.80 tax is shown, not revenue.
			name: "one unit, settled", in: simpleOrder(), costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 3400, "net_sales": 3400, "shipping_charged": 599, "shipping_cost": 600,
				"fee_referral": 204, "fee_transaction": 68, "cost_of_goods": 800, "tax_collected": 280,
				"settlement": 3127, "settlement_reported": 3127, "net_profit": 2327},
			margin: 6844,
		},
		{
			// Goods 8.00 + 9.00 + 9.00 = 26.00; net profit 54.67 - 26.00 = 28.67; margin 28.67 / 74.60 = 38.43%.
			// Lines by net sales 30.60 : 22.00 : 22.00 (of 74.60), largest remainder:
			//   label 6.50:    266.62, 191.69, 191.69 -> 266, 191, 191 (648) + 2 to the largest remainders -> 266, 192, 192
			//   referral 4.48: 183.76, 132.12, 132.12 -> 183, 132, 132 (447) + 1 -> 184, 132, 132
			//   transaction 1.49: 61.12, 43.94, 43.94 -> 61, 43, 43 (147) + 2 -> 61, 44, 44
			//   affiliate 7.46: exactly 306, 220, 220
			// line 1: 30.60 - 2.66 - 1.84 - 0.61 - 3.06 = 22.43 settled, less the mug 8.00 = 14.43 (47.16%)
			// lines 2, 3: 22.00 - 1.92 - 1.32 - 0.44 - 2.20 = 16.12 settled, less a bottle 9.00 = 7.12 (32.36%)
			name: "multi-SKU, settled", in: multiSKUOrder(), costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 7800, "seller_discount": 340, "platform_discount": 220, "net_sales": 7460,
				"shipping_cost": 650, "fee_referral": 448, "fee_transaction": 149, "affiliate_standard": 746,
				"cost_of_goods": 2600, "settlement": 5467, "settlement_reported": 5467, "net_profit": 2867},
			margin: 3843,
			lines: []map[string]int64{
				{"gross_sales": 3400, "seller_discount": 340, "net_sales": 3060, "shipping_cost": 266, "fee_referral": 184,
					"fee_transaction": 61, "affiliate_standard": 306, "cost_of_goods": 800, "settlement": 2243,
					"settlement_reported": 2243, "net_profit": 1443},
				{"gross_sales": 2200, "platform_discount": 220, "net_sales": 2200, "shipping_cost": 192, "fee_referral": 132,
					"fee_transaction": 44, "affiliate_standard": 220, "cost_of_goods": 900, "settlement": 1612,
					"settlement_reported": 1612, "net_profit": 712},
				{"gross_sales": 2200, "net_sales": 2200, "shipping_cost": 192, "fee_referral": 132,
					"fee_transaction": 44, "affiliate_standard": 220, "cost_of_goods": 900, "settlement": 1612,
					"settlement_reported": 1612, "net_profit": 712},
			},
		},
		{
			// Refund only: the buyer keeps the candle, so its 5.00 stays a cost. Settlement 0 + 0.99 - 0.17 = 0.82;
			// net profit 0.82 - 5.00 = -4.18; margin -4.18 / 14.40 = -29.03%.
			name: "refunded, item not back", in: refundedCandle(ReturnTypeRefund, 0), costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 1600, "seller_discount": 160, "net_sales": 1440, "refunds": 1440,
				"shipping_charged": 599, "shipping_cost": 500, "fee_refund_administration": 17, "cost_of_goods": 500,
				"settlement": 82, "settlement_reported": 82, "net_profit": -418},
			flags: FlagRefunded, margin: -2903,
		},
		{
			// Returned and refunded, with a 4.00 return label: shipping -5.00 + 5.99 - 4.00 = -3.01, settlement
			// -3.01 - 0.17 = -3.18. The candle comes back, so its 5.00 is put back: net profit -3.18 - 5.00 + 5.00.
			name: "returned and refunded", in: refundedCandle(ReturnTypeReturnAndRefund, 400), costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 1600, "seller_discount": 160, "net_sales": 1440, "refunds": 1440,
				"shipping_charged": 599, "shipping_cost": 500, "return_shipping_cost": 400, "fee_refund_administration": 17,
				"cost_of_goods": 500, "cost_returned": 500, "settlement": -318, "settlement_reported": -318, "net_profit": -318},
			flags: FlagRefunded | FlagReturned, margin: -2208,
		},
		{
			// A mug (34.00) and a candle (16.00); the candle is refunded, not returned. Revenue 50.00 - 16.00 = 34.00;
			// a 6.00 label; referral 6% of 34.00 = 2.04, transaction 2% = 0.68, refund administration 1.2% of 16.00
			// = 0.19: settlement 34.00 - 6.00 - 2.91 = 25.09; goods 13.00; net profit 12.09 (24.18%).
			// The refund and its fee go to the candle; the rest by net sales 34 : 16:
			//   label 6.00 -> 4.08, 1.92; referral 2.04 -> 138.72, 65.28 -> 1.39, 0.65; transaction 0.68 -> 46.24, 21.76 -> 0.46, 0.22
			// mug: 34.00 - 4.08 - 1.39 - 0.46 = 28.07, less 8.00 = 20.07
			// candle: 16.00 - 16.00 - 1.92 - 0.65 - 0.22 - 0.19 = -2.98, less 5.00 = -7.98
			name: "partially refunded, multi-line",
			in: Input{
				Order:   order("partial"),
				Lines:   []Line{line("l1", "mug", 3400, 0, 0), line("l2", "candle", 1600, 0, 0)},
				Returns: []Return{{ID: "r1", Type: ReturnTypeRefund, Status: ReturnStatusComplete, Currency: "USD", RefundSubtotal: 1600, LineIDs: []string{"l2"}}},
				Transactions: []Transaction{{ID: "t1", Type: "ORDER", Currency: "USD",
					Settlement: 2509, Revenue: 3400, ShippingCost: -600, FeeTax: -291,
					SubtotalBeforeDiscount: 5000, RefundSubtotalBeforeDiscount: -1600,
					ReferralFee: -204, TransactionFee: -68, RefundAdministrationFee: -19}},
			},
			costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 5000, "net_sales": 5000, "refunds": 1600, "shipping_cost": 600,
				"fee_referral": 204, "fee_transaction": 68, "fee_refund_administration": 19, "cost_of_goods": 1300,
				"settlement": 2509, "settlement_reported": 2509, "net_profit": 1209},
			flags: FlagPartiallyRefunded, margin: 2418,
			lines: []map[string]int64{
				{"gross_sales": 3400, "net_sales": 3400, "shipping_cost": 408, "fee_referral": 139, "fee_transaction": 46,
					"cost_of_goods": 800, "settlement": 2807, "settlement_reported": 2807, "net_profit": 2007},
				{"gross_sales": 1600, "net_sales": 1600, "refunds": 1600, "shipping_cost": 192, "fee_referral": 65,
					"fee_transaction": 22, "fee_refund_administration": 19, "cost_of_goods": 500, "settlement": -298,
					"settlement_reported": -298, "net_profit": -798},
			},
		},
		{
			// A creator sample: a mug at zero, whose 5.50 shipping TikTok charges as a SAMPLE_SHIPPING_FEE adjustment.
			// No revenue; the mug (8.00) and the shipping are marketing, not cost of goods: net profit -13.50.
			name: "sample order",
			in: Input{
				Order: func() Order { o := order("sample"); o.IsSample = true; return o }(),
				Lines: []Line{line("l1", "mug", 0, 0, 0)},
				Transactions: []Transaction{{ID: "t1", Type: "ADJUSTMENT", Subtype: SubtypeSampleShippingFee, Currency: "USD",
					Settlement: -550, Adjustment: -550}},
			},
			costs: costsUSD(), state: Settled,
			want: map[string]int64{"marketing_goods": 800, "marketing_shipping": 550, "settlement": -550,
				"settlement_reported": -550, "net_profit": -1350},
			flags: FlagSample,
		},
		{
			// A bottle at 22.00 with 5.99 shipping: the ORDER row settles 22.00 - 0.01 - 1.32 - 0.44 = 20.23. Then
			// TikTok adjusts the shipping fee by +2.50 and reimburses 10.00: adjustments 12.50, settlement 32.73,
			// less the bottle 9.00: net profit 23.73 (107.86% of net sales).
			name: "with adjustments",
			in: Input{
				Order: func() Order { o := order("adjusted"); o.ShippingFee = 599; return o }(),
				Lines: []Line{line("l1", "bottle", 2200, 0, 0)},
				Transactions: []Transaction{
					{ID: "t1", Type: "ORDER", Currency: "USD", Settlement: 2023, Revenue: 2200, ShippingCost: -1, FeeTax: -176,
						SubtotalBeforeDiscount: 2200, CustomerPaidShippingFee: 599, ReferralFee: -132, TransactionFee: -44},
					{ID: "t2", Type: "ADJUSTMENT", Subtype: "SHIPPING_FEE_ADJUSTMENT", Currency: "USD", Settlement: 250, Adjustment: 250},
					{ID: "t3", Type: "ADJUSTMENT", Subtype: "PLATFORM_REIMBURSEMENT", Currency: "USD", Settlement: 1000, Adjustment: 1000},
				},
			},
			costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 2200, "net_sales": 2200, "shipping_charged": 599, "shipping_cost": 600,
				"fee_referral": 132, "fee_transaction": 44, "adjustments": 1250, "cost_of_goods": 900,
				"settlement": 3273, "settlement_reported": 3273, "net_profit": 2373},
			margin: 10786,
		},
		{
			// The one-unit order, but TikTok reports a settlement of 32.27 for parts that sum to 31.27: the model
			// keeps its 31.27 (and the profit on it), shows the 1.00 as unreconciled, and flags it.
			name: "settlement parts do not sum",
			in: func() Input {
				in := simpleOrder()
				in.Transactions[0].Settlement = 3227
				return in
			}(),
			costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 3400, "net_sales": 3400, "shipping_charged": 599, "shipping_cost": 600,
				"fee_referral": 204, "fee_transaction": 68, "cost_of_goods": 800, "tax_collected": 280,
				"settlement": 3127, "settlement_reported": 3227, "unreconciled": 100, "net_profit": 2327},
			flags: FlagSettlementDoesNotSum, margin: 6844,
		},
		{
			// Two rows each off, by +1.00 and -1.00: the order's sum reconciles, but each row is flagged all the same.
			name: "rows off in opposite directions",
			in: func() Input {
				in := simpleOrder()
				in.Transactions[0].Settlement = 3227
				in.Transactions = append(in.Transactions, Transaction{ID: "t2", Type: "ADJUSTMENT", Currency: "USD", Settlement: -100})
				return in
			}(),
			costs: costsUSD(), state: Settled,
			want: map[string]int64{"gross_sales": 3400, "net_sales": 3400, "shipping_charged": 599, "shipping_cost": 600,
				"fee_referral": 204, "fee_transaction": 68, "cost_of_goods": 800, "tax_collected": 280,
				"settlement": 3127, "settlement_reported": 3127, "net_profit": 2327},
			flags: FlagSettlementDoesNotSum, margin: 6844,
		},
		{
			// The multi-SKU order before settlement, with TikTok's estimate: shipping -6.50, fee_tax -13.43,
			// settlement 54.67. The shop's rates (referral 6%, transaction 2%) split the 13.43 by type:
			// 4.48 : 1.49 of 13.43 -> 1007.81, 335.19 -> 10.08, 3.35. Net profit 54.67 - 26.00 = 28.67.
			name: "estimated from TikTok's estimate",
			in: func() Input {
				in := multiSKUOrder()
				in.Transactions = nil
				in.Unsettled = &UnsettledEstimate{Currency: "USD", Settlement: 5467, ShippingCost: -650, FeeTax: -1343}
				return in
			}(),
			costs: costsUSD(), rates: FeeRates{Referral: 600, Transaction: 200}, state: Estimated,
			want: map[string]int64{"gross_sales": 7800, "seller_discount": 340, "platform_discount": 220, "net_sales": 7460,
				"shipping_cost": 650, "fee_referral": 1008, "fee_transaction": 335, "cost_of_goods": 2600,
				"settlement": 5467, "settlement_reported": 5467, "net_profit": 2867},
			margin: 3843,
		},
		{
			// The one-unit order before settlement, from the rates alone: referral 6% of 34.00 = 2.04, transaction
			// 2% = 0.68, a 6.25 label on average: 34.00 + 5.99 - 6.25 - 2.72 = 31.02; less the mug: 23.02 (67.71%).
			name: "estimated from the fee rates only",
			in: func() Input {
				in := simpleOrder()
				in.Transactions = nil
				return in
			}(),
			costs: costsUSD(), state: Estimated,
			rates: FeeRates{Referral: 600, Transaction: 200, ShippingCostPerOrder: money.Amount{Minor: 625, Currency: "USD"}},
			want: map[string]int64{"gross_sales": 3400, "net_sales": 3400, "shipping_charged": 599, "shipping_cost": 625,
				"fee_referral": 204, "fee_transaction": 68, "cost_of_goods": 800, "tax_collected": 280,
				"settlement": 3102, "settlement_reported": 3102, "net_profit": 2302},
			flags: FlagRatesOnly, margin: 6771,
		},
		{
			// In GBP, where TikTok charges 20% VAT on its fees: a 20.00 towel, referral 9% = 1.80, transaction 2.5%
			// = 0.50, VAT 20% of 2.30 = 0.46, a 3.20 label: 20.00 - 3.20 - 2.76 = 14.04; less the towel's 7.00 = 7.04.
			name: "estimated in GBP with tax on fees",
			in: Input{
				Order: Order{ID: "gb", Currency: "GBP", Status: "AWAITING_SHIPMENT", CreateTime: placed},
				Lines: []Line{{ID: "l1", SkuID: "towel", Currency: "GBP", OriginalPrice: 2000, SalePrice: 2000}},
			},
			costs: Costs{Lookup: func(string, time.Time) (money.Amount, bool) { return money.Amount{Minor: 700, Currency: "GBP"}, true }},
			rates: FeeRates{Referral: 900, Transaction: 250, TaxOnFees: 2000, ShippingCostPerOrder: money.Amount{Minor: 320, Currency: "GBP"}},
			state: Estimated,
			want: map[string]int64{"gross_sales": 2000, "net_sales": 2000, "shipping_cost": 320, "fee_referral": 180,
				"fee_transaction": 50, "tax_on_fees": 46, "cost_of_goods": 700, "settlement": 1404,
				"settlement_reported": 1404, "net_profit": 704},
			flags: FlagRatesOnly, margin: 3520,
		},
		{
			// Half of a candle's 14.40 refunded (7.20 of the 14.40 the buyer paid), before settlement: fees on
			// 14.40 - 7.20 = 7.20 (referral 0.432 -> 0.43, transaction 0.144 -> 0.14), refund administration 1.2%
			// of 7.20 = 0.0864 -> 0.09, a 5.00 label: 14.40 - 7.20 + 5.99 - 5.00 - 0.66 = 7.53; the candle stays
			// with the buyer: 7.53 - 5.00 = 2.53 (17.57%).
			name: "a partial refund of one unit, estimated",
			in: func() Input {
				in := refundedCandle(ReturnTypeRefund, 0)
				in.Transactions = nil
				in.Returns[0].RefundSubtotal = 720
				return in
			}(),
			costs: costsUSD(), state: Estimated,
			rates: FeeRates{Referral: 600, Transaction: 200, RefundAdministration: 120, ShippingCostPerOrder: money.Amount{Minor: 500, Currency: "USD"}},
			want: map[string]int64{"gross_sales": 1600, "seller_discount": 160, "net_sales": 1440, "refunds": 720,
				"shipping_charged": 599, "shipping_cost": 500, "fee_referral": 43, "fee_transaction": 14,
				"fee_refund_administration": 9, "cost_of_goods": 500, "settlement": 753, "settlement_reported": 753,
				"net_profit": 253},
			flags: FlagRatesOnly | FlagPartiallyRefunded, margin: 1757,
		},
		{
			// A SKU with no cost, costed at the shop's fallback, 40% of its 25.00 price = 10.00: flagged, and its
			// sales counted as sales without a known cost. No rates: fees and shipping unknown (zero), flagged.
			name: "cost missing, fallback used",
			in:   Input{Order: order("fallback"), Lines: []Line{line("l1", "mystery", 2500, 0, 0)}},
			costs: func() Costs {
				c := costsUSD()
				c.FallbackBps = 4000
				return c
			}(),
			state: Estimated,
			want: map[string]int64{"gross_sales": 2500, "net_sales": 2500, "cost_of_goods": 1000, "settlement": 2500,
				"settlement_reported": 2500, "net_sales_without_cost": 2500, "net_profit": 1500},
			flags:  FlagCostFallback | FlagRatesOnly | FlagFeesUnknown | FlagShippingUnknown,
			margin: 6000,
		},
		{
			// Without a fallback the SKU costs nothing, flagged as missing: the profit is overstated, and says so.
			name:  "cost missing, no fallback",
			in:    Input{Order: order("missing"), Lines: []Line{line("l1", "mystery", 2500, 0, 0)}},
			costs: costsUSD(), state: Estimated,
			want: map[string]int64{"gross_sales": 2500, "net_sales": 2500, "settlement": 2500,
				"settlement_reported": 2500, "net_sales_without_cost": 2500, "net_profit": 2500},
			flags:  FlagCostMissing | FlagRatesOnly | FlagFeesUnknown | FlagShippingUnknown,
			margin: 10000,
		},
		{
			// A cancelled order sold nothing: every amount is zero, whatever the order's prices said.
			name: "cancelled before settlement",
			in: func() Input {
				in := simpleOrder()
				in.Transactions = nil
				in.Order.Status = StatusCancelled
				return in
			}(),
			costs: costsUSD(), rates: FeeRates{Referral: 600}, state: Estimated,
			want:  map[string]int64{},
			flags: FlagCancelled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute(tt.in, tt.costs, tt.rates)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.state || r.Order.State != tt.state {
				t.Errorf("state %v (order %v), want %v", r.State, r.Order.State, tt.state)
			}
			checkAmounts(t, "order", r.Order.Amounts, tt.want, tt.in.Order.Currency)
			if r.Order.Flags != tt.flags {
				t.Errorf("flags %q, want %q", r.Order.Flags, tt.flags)
			}
			if m := r.Order.MarginBps(); m != tt.margin {
				t.Errorf("margin %d bps, want %d", m, tt.margin)
			}
			for i, want := range tt.lines {
				checkAmounts(t, "line "+r.Lines[i].Line.ID, r.Lines[i].Amounts, want, tt.in.Order.Currency)
			}
			checkInvariants(t, tt.in, r)
		})
	}
}

func TestMultiSKULinesCarryTheirOwnMargins(t *testing.T) {
	r, err := Compute(multiSKUOrder(), costsUSD(), FeeRates{})
	if err != nil {
		t.Fatal(err)
	}
	// 14.43 / 30.60 = 47.16%; 7.12 / 22.00 = 32.36%.
	for i, want := range []int64{4716, 3236, 3236} {
		if m := r.Lines[i].MarginBps(); m != want {
			t.Errorf("line %d margin %d, want %d", i+1, m, want)
		}
	}
	// Per SKU: the mug alone, the two bottles summed (units 2, net profit 14.24).
	skus := r.BySKU()
	if len(skus) != 2 || skus[0].SkuID != "mug" || skus[1].SkuID != "bottle" {
		t.Fatalf("by SKU %+v", skus)
	}
	if b := skus[1]; b.Units != 2 || b.Orders != 1 || b.NetProfit.Minor != 1424 || b.NetSales.Minor != 4400 || b.NetProfit.Currency != "USD" {
		t.Errorf("bottles: %d units, %d orders, net profit %v, net sales %v", b.Units, b.Orders, b.NetProfit, b.NetSales)
	}
	var sum Totals
	for _, s := range skus {
		if err := sum.Add(s.Breakdown); err != nil {
			t.Fatal(err)
		}
	}
	if !sameMap(amounts(sum.Amounts), amounts(r.Order.Amounts)) || sum.Units != 3 {
		t.Errorf("SKUs sum to %v (%d units), the order is %v", amounts(sum.Amounts), sum.Units, amounts(r.Order.Amounts))
	}
}

func TestSettledOrderShowsEstimateAndDifference(t *testing.T) {
	// The one-unit order, estimated from the rates (a 6.25 label on average: net profit 23.02) and settled (a
	// 6.00 label: net profit 23.27). The difference is the label: 0.25 less cost, 0.25 more settled and earned.
	rates := FeeRates{Referral: 600, Transaction: 200, ShippingCostPerOrder: money.Amount{Minor: 625, Currency: "USD"}}
	in := simpleOrder()
	r, err := Compute(in, costsUSD(), rates)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != Settled || r.Estimated.State != Estimated || r.Settled.State != Settled {
		t.Fatalf("states %v %v %v", r.State, r.Estimated.State, r.Settled.State)
	}
	if r.Estimated.NetProfit.Minor != 2302 || r.Settled.NetProfit.Minor != 2327 || r.Order.NetProfit != r.Settled.NetProfit {
		t.Errorf("estimated %v, settled %v, order %v", r.Estimated.NetProfit, r.Settled.NetProfit, r.Order.NetProfit)
	}
	if !r.Estimated.Flags.Has(FlagRatesOnly) || r.Settled.Flags.Has(FlagRatesOnly) {
		t.Errorf("flags: estimated %q, settled %q", r.Estimated.Flags, r.Settled.Flags)
	}
	checkAmounts(t, "difference", r.Difference, map[string]int64{"shipping_cost": -25, "settlement": 25,
		"settlement_reported": 25, "net_profit": 25}, "USD")
}

func TestOnlyApprovedOrCompletedRefundsCount(t *testing.T) {
	for _, tt := range []struct {
		kind, status string
		counts       bool
	}{
		{ReturnTypeRefund, ReturnStatusComplete, true},
		{ReturnTypeReturnAndRefund, ReturnStatusSuccess, true},
		{ReturnTypeRefund, "RETURN_OR_REFUND_REQUEST_PENDING", false},
		{ReturnTypeRefund, "REFUND_OR_RETURN_REQUEST_REJECT", false},
		{ReturnTypeReturnAndRefund, "AWAITING_BUYER_SHIP", false},
		{ReturnTypeReturnAndRefund, "BUYER_SHIPPED_ITEM", false},
		{ReturnTypeReturnAndRefund, "RETURN_OR_REFUND_REQUEST_CANCEL", false},
		{"REPLACEMENT", ReturnStatusComplete, false},
	} {
		in := refundedCandle(tt.kind, 0)
		in.Transactions = nil
		in.Returns[0].Status = tt.status
		r, err := Compute(in, costsUSD(), FeeRates{})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Order.Refunds.Minor == 1440; got != tt.counts {
			t.Errorf("%s %s: refunds %v, want counted %v", tt.kind, tt.status, r.Order.Refunds, tt.counts)
		}
		if got := r.Order.Flags.Has(FlagRefunded); got != tt.counts {
			t.Errorf("%s %s: flags %q", tt.kind, tt.status, r.Order.Flags)
		}
	}
}

func TestCostIsTheOneInForceWhenTheOrderWasPlaced(t *testing.T) {
	raised := placed.Add(time.Hour) // the mug's cost goes from 8.00 to 8.50 an hour after the order was placed
	var asked []time.Time
	costs := Costs{Lookup: func(sku string, at time.Time) (money.Amount, bool) {
		asked = append(asked, at)
		if at.Before(raised) {
			return money.Amount{Minor: 800, Currency: "USD"}, true
		}
		return money.Amount{Minor: 850, Currency: "USD"}, true
	}}
	r, err := Compute(simpleOrder(), costs, FeeRates{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Order.CostOfGoods.Minor != 800 || len(asked) != 1 || !asked[0].Equal(placed) {
		t.Errorf("cost of goods %v, asked at %v", r.Order.CostOfGoods, asked)
	}
}

func TestACancelledLineSellsNothing(t *testing.T) {
	in := multiSKUOrder()
	in.Transactions = nil
	in.Lines[2].Cancelled = true
	r, err := Compute(in, costsUSD(), FeeRates{})
	if err != nil {
		t.Fatal(err)
	}
	l := r.Lines[2]
	if l.Units != 0 || !l.NetSales.IsZero() || !l.CostOfGoods.IsZero() || !l.Flags.Has(FlagCancelled) {
		t.Errorf("cancelled line: %d units, net sales %v, cost %v, flags %q", l.Units, l.NetSales, l.CostOfGoods, l.Flags)
	}
	if r.Order.Units != 2 || r.Order.NetSales.Minor != 5260 || r.Order.Flags.Has(FlagCancelled) {
		t.Errorf("order: %d units, net sales %v, flags %q", r.Order.Units, r.Order.NetSales, r.Order.Flags)
	}
	checkInvariants(t, in, r)
}

// An order not sold (cancelled or unpaid) is estimated without the shop's rates, with or without TikTok's estimate,
// and its row says so (FlagCancelled or FlagUnpaid): new rates need not refresh it (rollup.ObserveRates does not).
// A sold order's estimate moves with them.
func TestAnOrderNotSoldIsEstimatedWithoutTheRates(t *testing.T) {
	rates := FeeRates{Referral: 600, Transaction: 200, TaxOnFees: 2000, ShippingCostPerOrder: money.Amount{Minor: 625, Currency: "USD"}}
	for _, tt := range []struct {
		status   string
		unsold   bool
		estimate bool
	}{
		{StatusCancelled, true, false}, {StatusCancelled, true, true}, {StatusUnpaid, true, false},
		{StatusUnpaid, true, true}, {"AWAITING_SHIPMENT", false, false}, {"AWAITING_SHIPMENT", false, true},
	} {
		in := multiSKUOrder()
		in.Transactions = nil
		in.Order.Status = tt.status
		if tt.estimate {
			in.Unsettled = &UnsettledEstimate{Currency: "USD", Settlement: 5400, ShippingCost: -650, FeeTax: -1300}
		}
		without, err := Compute(in, costsUSD(), FeeRates{})
		if err != nil {
			t.Fatal(err)
		}
		with, err := Compute(in, costsUSD(), rates)
		if err != nil {
			t.Fatal(err)
		}
		flagged := with.Order.Flags&(FlagCancelled|FlagUnpaid) != 0
		same := reflect.DeepEqual(without, with)
		if with.State != Estimated || flagged != tt.unsold || same != tt.unsold {
			t.Errorf("%s (TikTok's estimate: %v): state %v, flags %q, the same with and without rates: %v; want estimated, "+
				"flagged and the same only when not sold (%v)", tt.status, tt.estimate, with.State, with.Order.Flags, same, tt.unsold)
		}
	}
}

func TestMixedCurrenciesAreRefused(t *testing.T) {
	gbp := func(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "GBP"} }
	for name, tt := range map[string]struct {
		mutate func(*Input)
		costs  Costs
		rates  FeeRates
	}{
		"a line":       {mutate: func(in *Input) { in.Lines[0].Currency = "GBP" }},
		"a return":     {mutate: func(in *Input) { in.Returns = []Return{{ID: "r", Currency: "GBP"}} }},
		"a settlement": {mutate: func(in *Input) { in.Transactions[0].Currency = "GBP" }},
		"an estimate":  {mutate: func(in *Input) { in.Unsettled = &UnsettledEstimate{Currency: "GBP"} }},
		"a cost":       {costs: Costs{Lookup: func(string, time.Time) (money.Amount, bool) { return gbp(700), true }}},
		"a rate":       {rates: FeeRates{ShippingCostPerOrder: gbp(300)}},
		"the order":    {mutate: func(in *Input) { in.Order.Currency = "XXX" }},
	} {
		in := simpleOrder()
		if tt.mutate != nil {
			tt.mutate(&in)
		}
		_, err := Compute(in, tt.costs, tt.rates)
		if err == nil || !(strings.Contains(err.Error(), "mixed currencies") || strings.Contains(err.Error(), "unknown currency")) {
			t.Errorf("%s in another currency: %v", name, err)
		}
	}
}

func TestBadInputsAreRefused(t *testing.T) {
	for name, mutate := range map[string]func(*Input, *FeeRates){
		"an amount out of range": func(in *Input, _ *FeeRates) { in.Lines[0].OriginalPrice = MaxAmount + 1 },
		"a negative rate":        func(_ *Input, r *FeeRates) { r.Referral = -1 },
		"a line twice":           func(in *Input, _ *FeeRates) { in.Lines = append(in.Lines, in.Lines[0]) },
		"a return of another order's line": func(in *Input, _ *FeeRates) {
			in.Returns = []Return{{ID: "r", Currency: "USD", LineIDs: []string{"elsewhere"}}}
		},
	} {
		in, rates := simpleOrder(), FeeRates{}
		mutate(&in, &rates)
		if _, err := Compute(in, costsUSD(), rates); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFlagsReadAsNames(t *testing.T) {
	if s := (FlagSample | FlagPartiallyRefunded).String(); s != "sample,partially_refunded" {
		t.Errorf("flags %q", s)
	}
	if len(flagNames) != 12 || FlagShippingUnknown != 1<<11 {
		t.Errorf("every flag needs a name")
	}
}
