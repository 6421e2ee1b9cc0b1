package profit

import (
	"fmt"

	"github.com/profitline/profitline/internal/money"
)

// Totals sum Breakdowns of one currency: the rollup of a day, a SKU, a shop. The zero Totals takes the currency
// of the first thing added; after that another currency is refused, never converted.
type Totals struct {
	Amounts

	Orders             int64 // orders sold (samples included); a line adds none, an order's SKU adds one
	Units              int64 // units sold
	SettledOrders      int64 // of Orders, settled
	SampleOrders       int64 // of Orders, creator samples
	RefundedOrders     int64 // of Orders, refunded in full or in part
	CostUnknownOrders  int64 // of Orders, with a unit whose cost is a fallback or missing
	UnreconciledOrders int64 // of Orders, with a settlement row whose parts do not sum
	UnsoldOrders       int64 // cancelled or unpaid orders: not in Orders
}

// Add adds an order's, a line's or an order SKU's breakdown.
func (t *Totals) Add(b Breakdown) error {
	if err := t.addAmounts(b.Amounts); err != nil {
		return err
	}
	t.addCounts(&b)
	return nil
}

// addCounts adds what b counts: its units, and its orders to each count they belong in.
func (t *Totals) addCounts(b *Breakdown) {
	t.Units += b.Units
	if b.Flags&(FlagCancelled|FlagUnpaid) != 0 && b.Units == 0 {
		t.UnsoldOrders += b.Orders
		return
	}
	count := func(n *int64, yes bool) {
		if yes {
			*n += b.Orders
		}
	}
	count(&t.Orders, true)
	count(&t.SettledOrders, b.State == Settled)
	count(&t.SampleOrders, b.Flags.Has(FlagSample))
	count(&t.RefundedOrders, b.Flags&(FlagRefunded|FlagPartiallyRefunded) != 0)
	count(&t.CostUnknownOrders, b.Flags&(FlagCostMissing|FlagCostFallback) != 0)
	count(&t.UnreconciledOrders, b.Flags.Has(FlagSettlementDoesNotSum))
}

// Merge adds other Totals of the same currency.
func (t *Totals) Merge(o Totals) error {
	if err := t.addAmounts(o.Amounts); err != nil {
		return err
	}
	t.Orders += o.Orders
	t.Units += o.Units
	t.SettledOrders += o.SettledOrders
	t.SampleOrders += o.SampleOrders
	t.RefundedOrders += o.RefundedOrders
	t.CostUnknownOrders += o.CostUnknownOrders
	t.UnreconciledOrders += o.UnreconciledOrders
	t.UnsoldOrders += o.UnsoldOrders
	return nil
}

func (t *Totals) addAmounts(a Amounts) error {
	if a.Currency == "" {
		return fmt.Errorf("profit: cannot add amounts without a currency")
	}
	if t.Currency == "" {
		t.setCurrency(a.Currency)
	}
	sum, err := t.Amounts.combine(a, 1)
	if err != nil {
		return err
	}
	t.Amounts = sum
	return nil
}

// RatesFrom observes a shop's fee rates in the Totals of its settled orders (of the last 90 days, say), for
// estimating the orders not settled yet: each sales fee over net sales less refunds, the refund administration
// fee over refunds, the tax on fees over the fees, and the shipping cost per order that is not a sample.
func RatesFrom(settled Totals) FeeRates {
	var r FeeRates
	rate := func(x money.Amount, of int64) int64 {
		if of <= 0 || x.Minor <= 0 {
			return 0
		}
		return min(scale(x.Minor, 10000, of), maxBps)
	}
	a := settled.Amounts
	base := a.NetSales.Minor - a.Refunds.Minor
	r.Referral = rate(a.Fees.Referral, base)
	r.PlatformCommission = rate(a.Fees.PlatformCommission, base)
	r.Transaction = rate(a.Fees.Transaction, base)
	r.SFP = rate(a.Fees.SFP, base)
	r.FlashSale = rate(a.Fees.FlashSale, base)
	r.Live = rate(a.Fees.Live, base)
	r.Voucher = rate(a.Fees.Voucher, base)
	r.OtherFees = rate(a.Fees.Other, base)
	r.Affiliate = rate(a.Affiliate.Standard, base)
	r.AffiliatePartner = rate(a.Affiliate.Partner, base)
	r.AffiliateAds = rate(a.Affiliate.Ads, base)
	r.RefundAdministration = rate(a.Fees.RefundAdministration, a.Refunds.Minor)
	r.TaxOnFees = rate(a.TaxOnFees, a.Fees.Total().Minor+a.Affiliate.Total().Minor)
	if n := settled.Orders - settled.SampleOrders; n > 0 && a.ShippingCost.Minor > 0 {
		r.ShippingCostPerOrder = money.Amount{Minor: scale(a.ShippingCost.Minor, 1, n), Currency: settled.Currency}
	}
	return r
}
