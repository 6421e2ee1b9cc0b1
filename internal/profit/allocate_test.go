package profit

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/profitline/profitline/internal/money"
)

func TestAllocateSplitsByLargestRemainder(t *testing.T) {
	for _, tt := range []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		// 6.50 by 30.60 : 22.00 : 22.00 -> 266.62, 191.69, 191.69: the two cents left go to the .69s.
		{650, []int64{3060, 2200, 2200}, []int64{266, 192, 192}},
		{-650, []int64{3060, 2200, 2200}, []int64{-266, -192, -192}},
		// Ties go to the earlier part.
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		// No positive weight: equal shares. Negative weights count as zero.
		{100, []int64{0, 0, 0}, []int64{34, 33, 33}},
		{10, []int64{1, -5, 1}, []int64{5, 0, 5}},
		{0, []int64{5, 7}, []int64{0, 0}},
		// Weights whose sum overflows are halved until it fits.
		{3, []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}, []int64{1, 1, 1}},
		{math.MinInt64, []int64{1, 1}, []int64{math.MinInt64 / 2, math.MinInt64 / 2}},
		{math.MaxInt64, []int64{1}, []int64{math.MaxInt64}},
	} {
		if got := Allocate(tt.total, tt.weights); !slices.Equal(got, tt.want) {
			t.Errorf("Allocate(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
	if got := Allocate(5, nil); got != nil {
		t.Errorf("Allocate with no weights = %v, want nil", got)
	}
}

func TestAllocationNeverLosesOrInventsACent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + r.IntN(8)
		weights := make([]int64, n)
		var w big.Int
		for i := range weights {
			switch r.IntN(4) {
			case 0:
				weights[i] = 0
			case 1:
				weights[i] = r.Int64N(100)
			default:
				weights[i] = r.Int64N(MaxAmount)
			}
			w.Add(&w, big.NewInt(weights[i]))
		}
		total := r.Int64N(2*MaxAmount) - MaxAmount
		got := Allocate(total, weights)
		var sum int64
		for i, s := range got {
			sum += s
			if w.Sign() == 0 {
				continue
			}
			// |share·W − total·w| < W: each share is its exact proportion, less than one unit off.
			var off, x big.Int
			off.Mul(big.NewInt(s), &w)
			x.Mul(big.NewInt(total), big.NewInt(weights[i]))
			off.Sub(&off, &x)
			if off.CmpAbs(&w) >= 0 {
				t.Fatalf("Allocate(%d, %v)[%d] = %d: more than a unit from its share", total, weights, i, s)
			}
		}
		if sum != total {
			t.Fatalf("Allocate(%d, %v) = %v sums to %d", total, weights, got, sum)
		}
	}
}

// randomInput makes an order the way TikTok might send one, odd cases included: discounts, gifts, samples,
// cancellations, returns of every kind and status, settlement rows that do and do not add up, unknown fee keys,
// TikTok's estimate or not.
func randomInput(r *rand.Rand, id int) Input {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	amount := func(max int64) int64 { return r.Int64N(max + 1) }
	o := order(fmt.Sprint("o", id))
	o.Status = pick("COMPLETED", "COMPLETED", "DELIVERED", "IN_TRANSIT", StatusCancelled, StatusUnpaid)
	o.IsSample = r.IntN(15) == 0
	o.ShippingFee, o.ShippingPlatformDiscount, o.ShippingSellerDiscount, o.Tax = amount(999), amount(300), amount(300), amount(900)
	in := Input{Order: o}
	for i := range 1 + r.IntN(5) {
		original := amount(20000)
		if o.IsSample {
			original = 0
		}
		l := line(fmt.Sprint("l", i), pick("mug", "bottle", "candle", "mystery"), original, amount(original/4), 0)
		l.PlatformDiscount = amount(original - l.SellerDiscount)
		l.SalePrice = l.OriginalPrice - l.SellerDiscount - l.PlatformDiscount
		l.IsGift = r.IntN(10) == 0
		l.Cancelled = r.IntN(12) == 0
		in.Lines = append(in.Lines, l)
	}
	for i := range r.IntN(3) {
		rt := Return{ID: fmt.Sprint("r", i), Currency: "USD",
			Type:           pick(ReturnTypeRefund, ReturnTypeReturnAndRefund, "REPLACEMENT"),
			Status:         pick(ReturnStatusComplete, ReturnStatusSuccess, "RETURN_OR_REFUND_REQUEST_PENDING", "REFUND_OR_RETURN_REQUEST_REJECT"),
			RefundSubtotal: amount(15000), RefundTax: amount(500), SellerPaidReturnShipping: amount(600)}
		for _, l := range in.Lines {
			if r.IntN(2) == 0 {
				rt.LineIDs = append(rt.LineIDs, l.ID)
			}
		}
		in.Returns = append(in.Returns, rt)
	}
	signed := func(max int64) int64 { return r.Int64N(2*max+1) - max }
	for i := range r.IntN(4) {
		t := Transaction{ID: fmt.Sprint("t", i), Type: pick("ORDER", "ORDER", "ADJUSTMENT", TransactionReserve), Currency: "USD",
			SubtotalBeforeDiscount: amount(50000), SellerDiscount: -amount(5000),
			RefundSubtotalBeforeDiscount: -amount(10000), SellerDiscountRefund: amount(1000),
			CustomerPaidShippingFee: amount(999), ReturnShippingFee: -amount(600),
			ReferralFee: -amount(3000), TransactionFee: -amount(1000), AffiliateCommission: -amount(5000),
			AffiliateAdsCommission: -amount(500), SFPServiceFee: -amount(2000), RefundAdministrationFee: -amount(500),
			VAT: -amount(800), Adjustment: signed(3000),
			Other: map[string]int64{OtherPlatformShippingDiscount: amount(300), "fee.new_fee_amount": -amount(400), "tax.levy_amount": -amount(90)},
		}
		if t.Type == "ADJUSTMENT" && r.IntN(3) == 0 {
			t.Subtype = SubtypeSampleShippingFee
		}
		// Revenue, shipping and fee_tax are what TikTok itemised, give or take what it did not.
		t.Revenue = t.SubtotalBeforeDiscount + t.SellerDiscount + t.RefundSubtotalBeforeDiscount + t.SellerDiscountRefund + signed(50)
		t.ShippingCost = -amount(900) + t.CustomerPaidShippingFee + t.ReturnShippingFee
		t.FeeTax = t.ReferralFee + t.TransactionFee + t.AffiliateCommission + t.AffiliateAdsCommission + t.SFPServiceFee +
			t.RefundAdministrationFee + t.VAT + t.Other["fee.new_fee_amount"] + t.Other["tax.levy_amount"] - amount(100)
		t.Settlement = t.Revenue + t.ShippingCost + t.FeeTax + t.Adjustment
		if r.IntN(5) == 0 {
			t.Settlement += signed(200) // a row whose parts do not sum
		}
		in.Transactions = append(in.Transactions, t)
	}
	if r.IntN(2) == 0 {
		in.Unsettled = &UnsettledEstimate{Currency: "USD", Settlement: signed(50000), ShippingCost: -amount(900), FeeTax: -amount(5000)}
	}
	return in
}

func TestEveryOrderIsTheSumOfItsLines(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	costs := costsUSD()
	costs.FallbackBps = 3500
	rates := FeeRates{Referral: 600, Transaction: 200, Affiliate: 300, RefundAdministration: 120, TaxOnFees: 2000,
		ShippingCostPerOrder: money.Amount{Minor: 600, Currency: "USD"}}
	settled := 0
	for i := range 5000 {
		in := randomInput(r, i)
		if i%3 == 0 {
			costs.FallbackBps = 0
		}
		res, err := Compute(in, costs, rates)
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		checkInvariants(t, in, res)

		// Net profit is the formula, worked again here from the order's own amounts.
		o := res.Order
		settlement := o.NetSales.Minor - o.Refunds.Minor + o.OtherRevenue.Minor + o.ShippingCharged.Minor -
			o.ShippingCost.Minor - o.ReturnShippingCost.Minor - o.Fees.Total().Minor - o.Affiliate.Total().Minor -
			o.TaxOnFees.Minor + o.Adjustments.Minor - o.MarketingShipping.Minor
		if o.Settlement.Minor != settlement ||
			o.NetProfit.Minor != settlement-o.CostOfGoods.Minor+o.CostReturned.Minor-o.MarketingGoods.Minor {
			t.Fatalf("order %d: settlement %v, net profit %v do not follow the formula", i, o.Settlement, o.NetProfit)
		}
		var lineProfit int64
		for _, l := range res.Lines {
			lineProfit += l.NetProfit.Minor
		}
		if lineProfit != o.NetProfit.Minor {
			t.Fatalf("order %d: lines' net profit %d, order's %d", i, lineProfit, o.NetProfit.Minor)
		}
		if res.State == Settled {
			settled++
			var unreconciled int64
			flagged := false
			for _, tx := range in.Transactions {
				if tx.Type != TransactionReserve {
					off := tx.Settlement - (tx.Revenue + tx.ShippingCost + tx.FeeTax + tx.Adjustment)
					unreconciled += off
					flagged = flagged || off != 0
				}
			}
			if o.Unreconciled.Minor != unreconciled || o.Flags.Has(FlagSettlementDoesNotSum) != flagged {
				t.Fatalf("order %d: unreconciled %v flags %q, want %d flagged %v", i, o.Unreconciled, o.Flags, unreconciled, flagged)
			}
			diff, err := res.Settled.combine(res.Estimated.Amounts, -1)
			if err != nil || !sameMap(amounts(diff), amounts(res.Difference)) {
				t.Fatalf("order %d: difference %v, want %v (%v)", i, amounts(res.Difference), amounts(diff), err)
			}
		}
		var skus Totals
		for _, s := range res.BySKU() {
			if err := skus.Add(s.Breakdown); err != nil {
				t.Fatal(err)
			}
		}
		if len(res.Lines) > 0 && !sameMap(amounts(skus.Amounts), amounts(o.Amounts)) {
			t.Fatalf("order %d: SKUs sum to %v, the order is %v", i, amounts(skus.Amounts), amounts(o.Amounts))
		}
	}
	if settled < 1000 {
		t.Errorf("only %d of the generated orders were settled", settled)
	}
}

// An order with no lines still has its order-level amounts; there are no lines to split them over.
func TestAnOrderWithoutLinesKeepsItsTotals(t *testing.T) {
	in := simpleOrder()
	in.Lines = nil
	res, err := Compute(in, costsUSD(), FeeRates{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.Settlement.Minor != 3127 || len(res.Lines) != 0 {
		t.Errorf("settlement %v, %d lines", res.Order.Settlement, len(res.Lines))
	}
}
