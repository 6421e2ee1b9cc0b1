package profit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/profitline/profitline/internal/money"
)

// lineFacts are what the order itself says about a line, in minor units: the same in both states.
type lineFacts struct {
	sold             bool
	gross            int64
	sellerDiscount   int64
	platformDiscount int64
	net              int64
	salePrice        int64
	cost             CostSource
	costOfGoods      int64
	costReturned     int64
	marketingGoods   int64
	refund           int64 // the seller's refund, estimated from the returns
	refunded         bool
	returned         bool
	cancelled        bool // the line, or its order, was cancelled
}

// Compute works out the profit of one order. It refuses inputs in more than one currency, inputs beyond the
// limits (MaxAmount, MaxRows, rates above 100,000 bps), a line id twice, and a return that names a line the order
// does not have.
func Compute(in Input, costs Costs, rates FeeRates) (Result, error) {
	if err := validate(in, costs, rates); err != nil {
		return Result{}, fmt.Errorf("profit: order %s: %w", in.Order.ID, err)
	}
	facts, err := factsOf(in, costs)
	if err != nil {
		return Result{}, fmt.Errorf("profit: order %s: %w", in.Order.ID, err)
	}
	common := commonFlags(in.Order, facts)

	est, estFlags := estimate(in, facts, rates)
	r := Result{OrderID: in.Order.ID, State: Estimated}
	r.Estimated, r.Lines = split(est, Estimated, common|estFlags, in.Order.Currency, facts, in.Lines)
	r.Order = r.Estimated

	if settled, flags, ok := settle(in, facts); ok {
		r.State = Settled
		r.Settled, r.Lines = split(settled, Settled, common|flags, in.Order.Currency, facts, in.Lines)
		r.Order = r.Settled
		if r.Difference, err = r.Settled.combine(r.Estimated.Amounts, -1); err != nil {
			return Result{}, fmt.Errorf("profit: order %s: %w", in.Order.ID, err)
		}
	}
	return r, nil
}

func validate(in Input, costs Costs, rates FeeRates) error {
	cur := in.Order.Currency
	if _, ok := money.Exponent(cur); !ok {
		return fmt.Errorf("unknown currency %q", cur)
	}
	if len(in.Lines) > MaxRows || len(in.Returns) > MaxRows || len(in.Transactions) > MaxRows {
		return fmt.Errorf("more than %d lines, returns or transactions", MaxRows)
	}
	same := func(what, c string) error {
		if c != cur {
			return fmt.Errorf("%s is in %q, the order in %s: mixed currencies", what, c, cur)
		}
		return nil
	}
	var errs []error
	var total int64 // the magnitudes of every amount so far, up to MaxAmount
	bound := func(what string, vs ...int64) {
		for _, v := range vs {
			if total > MaxAmount {
				return
			}
			if v > MaxAmount || v < -MaxAmount {
				total = MaxAmount + 1
			} else {
				total += max(v, -v)
			}
			if total > MaxAmount {
				errs = append(errs, fmt.Errorf("%s: the order's amounts add up to more than %d minor units", what, int64(MaxAmount)))
			}
		}
	}
	o := in.Order
	bound("order", o.ShippingFee, o.ShippingSellerDiscount, o.ShippingPlatformDiscount, o.Tax)
	ids := map[string]bool{}
	for _, l := range in.Lines {
		errs = append(errs, same("line "+l.ID, l.Currency))
		bound("line "+l.ID, l.OriginalPrice, l.SalePrice, l.SellerDiscount, l.PlatformDiscount)
		if ids[l.ID] {
			errs = append(errs, fmt.Errorf("line %s appears twice", l.ID))
		}
		ids[l.ID] = true
	}
	for _, rt := range in.Returns {
		errs = append(errs, same("return "+rt.ID, rt.Currency))
		bound("return "+rt.ID, rt.RefundSubtotal, rt.RefundTax, rt.SellerPaidReturnShipping)
		for _, id := range rt.LineIDs {
			if !ids[id] {
				errs = append(errs, fmt.Errorf("return %s names line %s, which the order does not have", rt.ID, id))
			}
		}
	}
	for _, t := range in.Transactions {
		errs = append(errs, same("transaction "+t.ID, t.Currency))
		bound("transaction "+t.ID, t.Settlement, t.Revenue, t.ShippingCost, t.FeeTax, t.Adjustment,
			t.SubtotalBeforeDiscount, t.SellerDiscount, t.RefundSubtotalBeforeDiscount, t.SellerDiscountRefund,
			t.CustomerPaidShippingFee, t.ReturnShippingFee, t.ReferralFee, t.TransactionFee, t.PlatformCommission,
			t.AffiliateCommission, t.AffiliatePartnerCommission, t.AffiliateAdsCommission, t.SFPServiceFee,
			t.FlashSalesServiceFee, t.LiveSpecialsFee, t.VoucherXtraServiceFee, t.RefundAdministrationFee, t.VAT, t.GST)
		if len(t.Other) > MaxRows {
			errs = append(errs, fmt.Errorf("transaction %s has more than %d other amounts", t.ID, MaxRows))
		}
		for k, v := range t.Other {
			bound("transaction "+t.ID+" "+k, v)
		}
	}
	if u := in.Unsettled; u != nil {
		errs = append(errs, same("the unsettled estimate", u.Currency))
		bound("unsettled estimate", u.Settlement, u.ShippingCost, u.FeeTax)
	}
	if s := rates.ShippingCostPerOrder; s != (money.Amount{}) {
		errs = append(errs, same("the shipping cost rate", s.Currency))
		bound("shipping cost rate", s.Minor)
	}
	for _, r := range append(rates.list(), costs.FallbackBps) {
		if r < 0 || r > maxBps {
			errs = append(errs, fmt.Errorf("rate %d bps is outside 0..%d", r, maxBps))
		}
	}
	return errors.Join(errs...)
}

// factsOf reads what the order says about each line: prices, costs, and the returns.
func factsOf(in Input, costs Costs) ([]lineFacts, error) {
	o := in.Order
	facts := make([]lineFacts, len(in.Lines))
	index := map[string]int{}
	for i, l := range in.Lines {
		index[l.ID] = i
		f := &facts[i]
		f.cost = CostMissing
		var unit int64
		if costs.Lookup != nil {
			c, known := costs.Lookup(l.SkuID, o.CreateTime)
			if known {
				if c.Currency != o.Currency {
					return nil, fmt.Errorf("the cost of SKU %s is in %q, the order in %s: mixed currencies", l.SkuID, c.Currency, o.Currency)
				}
				if c.Minor < 0 || c.Minor > MaxAmount {
					return nil, fmt.Errorf("the cost of SKU %s, %s, is out of range", l.SkuID, c)
				}
				f.cost, unit = CostKnown, c.Minor
			}
		}
		if f.cost == CostMissing && costs.FallbackBps > 0 {
			f.cost, unit = CostFallback, bps(l.OriginalPrice, costs.FallbackBps)
		}
		f.cancelled = l.Cancelled || o.Status == StatusCancelled
		if f.sold = o.sold() && !l.Cancelled; !f.sold {
			continue
		}
		f.gross, f.sellerDiscount, f.platformDiscount = l.OriginalPrice, l.SellerDiscount, l.PlatformDiscount
		f.net, f.salePrice = l.OriginalPrice-l.SellerDiscount, l.SalePrice
		if o.IsSample {
			f.marketingGoods = unit
		} else {
			f.costOfGoods = unit
		}
	}
	for _, rt := range in.Returns {
		if !refundCounts(rt) {
			continue
		}
		var idx []int
		for _, id := range rt.LineIDs {
			idx = append(idx, index[id])
		}
		if len(rt.LineIDs) == 0 {
			for i := range in.Lines {
				idx = append(idx, i)
			}
		}
		var sale, net int64
		weights := make([]int64, len(idx))
		for k, i := range idx {
			if facts[i].sold {
				sale += facts[i].salePrice
				net += facts[i].net
				weights[k] = facts[i].net
			}
		}
		refund := net
		if subtotal := max(rt.RefundSubtotal, 0); subtotal < sale {
			refund = scale(net, subtotal, sale) // a partial refund of what the buyer paid
		}
		for k, share := range Allocate(refund, weights) {
			f := &facts[idx[k]]
			if !f.sold {
				continue
			}
			f.refund += share
			f.refunded = true
			if rt.Type == ReturnTypeReturnAndRefund && !f.returned {
				f.returned = true
				f.costReturned = f.costOfGoods
			}
		}
	}
	return facts, nil
}

func (o Order) sold() bool { return o.Status != StatusCancelled && o.Status != StatusUnpaid }

// refundCounts reports whether a return's refund is money the seller has given back.
func refundCounts(rt Return) bool {
	return (rt.Type == ReturnTypeRefund || rt.Type == ReturnTypeReturnAndRefund) &&
		(rt.Status == ReturnStatusSuccess || rt.Status == ReturnStatusComplete)
}

func (f lineFacts) fullyRefunded() bool { return f.refunded && f.refund >= f.net }

// flags are the flags a line has of its own.
func (f lineFacts) flags() Flags {
	if !f.sold {
		if f.cancelled {
			return FlagCancelled
		}
		return 0
	}
	var fl Flags
	switch f.cost {
	case CostMissing:
		fl |= FlagCostMissing
	case CostFallback:
		fl |= FlagCostFallback
	}
	switch {
	case f.fullyRefunded():
		fl |= FlagRefunded
	case f.refunded:
		fl |= FlagPartiallyRefunded
	}
	if f.returned {
		fl |= FlagReturned
	}
	return fl
}

// commonFlags are the flags of an order in both states.
func commonFlags(o Order, facts []lineFacts) Flags {
	var fl Flags
	if o.IsSample {
		fl |= FlagSample
	}
	switch o.Status {
	case StatusCancelled:
		fl |= FlagCancelled
	case StatusUnpaid:
		fl |= FlagUnpaid
	}
	refunded, all := false, true // all: every unit sold at a price was refunded in full
	for _, f := range facts {
		if !f.sold {
			continue
		}
		fl |= f.flags() & (FlagCostMissing | FlagCostFallback | FlagReturned)
		refunded = refunded || f.refunded
		all = all && (f.net <= 0 || f.fullyRefunded())
	}
	switch {
	case refunded && all:
		fl |= FlagRefunded
	case refunded:
		fl |= FlagPartiallyRefunded
	}
	return fl
}

// addFacts sums what the lines say that both states take as it is.
func (a *Amounts) addFacts(facts []lineFacts) {
	for _, f := range facts {
		a.PlatformDiscount.Minor += f.platformDiscount
		a.CostOfGoods.Minor += f.costOfGoods
		a.CostReturned.Minor += f.costReturned
		a.MarketingGoods.Minor += f.marketingGoods
	}
}

// taxCollected is the order's sales tax less the tax of the refunds that count.
func taxCollected(in Input) int64 {
	if !in.Order.sold() {
		return 0
	}
	t := in.Order.Tax
	for _, rt := range in.Returns {
		if refundCounts(rt) {
			t -= rt.RefundTax
		}
	}
	return t
}

// estimate is the order's amounts before settlement, and the flags that say what they rest on.
func estimate(in Input, facts []lineFacts, rates FeeRates) (Amounts, Flags) {
	var a Amounts
	a.addFacts(facts)
	o := in.Order
	if !o.sold() {
		return a, 0
	}
	for _, f := range facts {
		a.GrossSales.Minor += f.gross
		a.SellerDiscount.Minor += f.sellerDiscount
		a.Refunds.Minor += f.refund
	}
	a.ShippingCharged.Minor = o.ShippingFee + o.ShippingPlatformDiscount
	a.ShippingSellerDiscount.Minor = o.ShippingSellerDiscount
	a.TaxCollected.Minor = taxCollected(in)
	for _, rt := range in.Returns {
		if refundCounts(rt) {
			a.ReturnShippingCost.Minor += rt.SellerPaidReturnShipping
		}
	}

	var fl Flags
	base := a.GrossSales.Minor - a.SellerDiscount.Minor - a.Refunds.Minor
	byRates := feesAtRates(base, a.Refunds.Minor, rates)
	var ratesSum int64
	for _, x := range byRates {
		ratesSum += x
	}
	u := in.Unsettled
	switch {
	case u != nil:
		a.ShippingCost.Minor = a.ShippingCharged.Minor - u.ShippingCost
		if ratesSum == 0 {
			a.Fees.Other.Minor = -u.FeeTax
			break
		}
		for i, share := range Allocate(-u.FeeTax, byRates) { // TikTok's total, split as the rates would
			fees[i](&a).Minor = share
		}
	default:
		fl |= FlagRatesOnly
		for i, x := range byRates {
			fees[i](&a).Minor = x
		}
		if ratesSum == 0 && base != 0 {
			fl |= FlagFeesUnknown
		}
		if rates.ShippingCostPerOrder == (money.Amount{}) {
			fl |= FlagShippingUnknown
		}
		a.ShippingCost.Minor = rates.ShippingCostPerOrder.Minor
	}
	if o.IsSample {
		a.MarketingShipping, a.ShippingCost = a.ShippingCost, money.Amount{}
	}
	if u != nil {
		a.derive()
		a.Unreconciled.Minor = u.Settlement - a.Settlement.Minor
	}
	return a, fl
}

// feesAtRates is each fee of fees at the shop's rates: the sales fees on base (net sales less refunds), the
// refund administration fee on refunds, and the tax on all of them.
func feesAtRates(base, refunds int64, r FeeRates) []int64 {
	rs := r.list()
	out := make([]int64, len(rs))
	var total int64
	for i, rate := range rs {
		switch i {
		case len(rs) - 1: // tax on fees
			out[i] = bps(total, rate)
		case len(rs) - 2: // refund administration
			out[i] = bps(refunds, rate)
		default:
			out[i] = bps(base, rate)
		}
		total += out[i]
	}
	return out
}

// settle is the order's amounts from its settlement transactions; ok is false when TikTok has settled none.
func settle(in Input, facts []lineFacts) (a Amounts, fl Flags, ok bool) {
	var reported int64
	for _, t := range in.Transactions {
		if t.Type == TransactionReserve {
			continue
		}
		ok = true
		if t.Settlement != t.Revenue+t.ShippingCost+t.FeeTax+t.Adjustment {
			fl |= FlagSettlementDoesNotSum
		}
		reported += t.Settlement

		a.GrossSales.Minor += t.SubtotalBeforeDiscount
		a.SellerDiscount.Minor -= t.SellerDiscount
		a.Refunds.Minor -= t.RefundSubtotalBeforeDiscount + t.SellerDiscountRefund
		a.OtherRevenue.Minor += t.Revenue - t.SubtotalBeforeDiscount - t.SellerDiscount -
			t.RefundSubtotalBeforeDiscount - t.SellerDiscountRefund

		charged := t.CustomerPaidShippingFee + t.Other[OtherPlatformShippingDiscount]
		a.ShippingCharged.Minor += charged
		a.ReturnShippingCost.Minor -= t.ReturnShippingFee
		a.ShippingCost.Minor += charged + t.ReturnShippingFee - t.ShippingCost // the rest of shipping_cost

		typed := []struct {
			to *money.Amount
			v  int64
		}{
			{&a.Fees.Referral, t.ReferralFee}, {&a.Fees.PlatformCommission, t.PlatformCommission},
			{&a.Fees.Transaction, t.TransactionFee}, {&a.Fees.SFP, t.SFPServiceFee},
			{&a.Fees.FlashSale, t.FlashSalesServiceFee}, {&a.Fees.Live, t.LiveSpecialsFee},
			{&a.Fees.Voucher, t.VoucherXtraServiceFee}, {&a.Fees.RefundAdministration, t.RefundAdministrationFee},
			{&a.Affiliate.Standard, t.AffiliateCommission}, {&a.Affiliate.Partner, t.AffiliatePartnerCommission},
			{&a.Affiliate.Ads, t.AffiliateAdsCommission},
		}
		taxes := t.VAT + t.GST
		for k, v := range t.Other {
			if strings.HasPrefix(k, OtherTaxPrefix) {
				taxes += v
			}
		}
		a.TaxOnFees.Minor -= taxes
		itemised := taxes
		for _, f := range typed {
			f.to.Minor -= f.v
			itemised += f.v
		}
		a.Fees.Other.Minor -= t.FeeTax - itemised // the rest of fee_tax: fees without a column

		if t.Subtype == SubtypeSampleShippingFee {
			a.MarketingShipping.Minor -= t.Adjustment
		} else {
			a.Adjustments.Minor += t.Adjustment
		}
	}
	if !ok {
		return Amounts{}, 0, false
	}
	a.addFacts(facts)
	if in.Order.sold() {
		a.ShippingSellerDiscount.Minor = in.Order.ShippingSellerDiscount
	}
	a.TaxCollected.Minor = taxCollected(in)
	if in.Order.IsSample {
		a.MarketingShipping.Minor += a.ShippingCost.Minor
		a.ShippingCost.Minor = 0
	}
	a.derive()
	a.Unreconciled.Minor = reported - a.Settlement.Minor
	return a, fl, true
}

// split completes an order's amounts and splits them over its lines.
func split(a Amounts, state State, flags Flags, cur string, facts []lineFacts, lines []Line) (Breakdown, []LineBreakdown) {
	out := make([]LineBreakdown, len(lines))
	for _, k := range components {
		if k.derived {
			continue
		}
		if len(out) == 1 { // what Allocate gives a sole line, whatever its weight: most orders are one line
			k.at(&out[0].Amounts).Minor = k.at(&a).Minor
			continue
		}
		for i, share := range Allocate(k.at(&a).Minor, weights(k, facts)) {
			k.at(&out[i].Amounts).Minor = share
		}
	}
	order := Breakdown{State: state, Orders: 1, Flags: flags}
	a.NetSalesWithoutCost.Minor = 0
	for i := range out {
		l, f := &out[i], facts[i]
		l.Line, l.Cost, l.State = lines[i], f.cost, state
		l.Flags = flags&^lineFlags | f.flags()
		l.derive()
		if f.sold {
			l.Units = 1
			if f.cost != CostKnown {
				l.NetSalesWithoutCost = l.NetSales
			}
		}
		order.Units += l.Units
		a.NetSalesWithoutCost.Minor += l.NetSalesWithoutCost.Minor
		l.setCurrency(cur)
	}
	a.derive()
	a.setCurrency(cur)
	order.Amounts = a
	return order, out
}

// weights are the lines' shares of an order amount: the component's own weights, else net sales, else units
// sold; all zero (equal shares) when even those are.
func weights(k component, facts []lineFacts) []int64 {
	for _, w := range []func(lineFacts) int64{k.weight, byNetSales, byUnit} {
		if w == nil {
			continue
		}
		ws := make([]int64, len(facts))
		positive := false
		for i, f := range facts {
			ws[i] = w(f)
			positive = positive || ws[i] > 0
		}
		if positive {
			return ws
		}
	}
	return make([]int64, len(facts))
}

func byNetSales(f lineFacts) int64 { return f.net }

func byUnit(f lineFacts) int64 {
	if f.sold {
		return 1
	}
	return 0
}
