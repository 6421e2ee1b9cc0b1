package sandbox

import (
	"cmp"
	"fmt"
	"slices"
)

// The parts of an order's settlement, each a signed amount: money the seller receives is positive, money taken
// is negative, so the parts of a transaction always sum to its settlement amount.
const (
	pSubtotal = iota
	pSellerDiscount
	pRefundSubtotal
	pSellerDiscountRefund
	pActualShipping
	pCustomerShipping
	pPlatformShippingDiscount
	pReturnShipping
	pReferral
	pTransaction
	pAffiliate
	pSFP
	pRefundAdmin
	pVAT
	nParts
)

const (
	kindRevenue = iota
	kindShipping
	kindFee
	kindTax
)

var partNames = [nParts]string{
	"subtotal_before_discount_amount", "seller_discount_amount", "refund_subtotal_before_discount_amount",
	"seller_discount_refund_amount",
	"actual_shipping_fee_amount", "customer_paid_shipping_fee_amount", "platform_shipping_fee_discount_amount",
	"return_shipping_fee_amount",
	"referral_fee_amount", "transaction_fee_amount", "affiliate_commission_amount", "sfp_service_fee_amount",
	"refund_administration_fee_amount",
	"vat_amount",
}

var partKind = [nParts]int{
	kindRevenue, kindRevenue, kindRevenue, kindRevenue,
	kindShipping, kindShipping, kindShipping, kindShipping,
	kindFee, kindFee, kindFee, kindFee, kindFee,
	kindTax,
}

type parts [nParts]int64

func (p parts) sum(kinds ...int) int64 {
	var t int64
	for i, v := range p {
		if slices.Contains(kinds, partKind[i]) {
			t += v
		}
	}
	return t
}

func (p parts) revenue() int64    { return p.sum(kindRevenue) }
func (p parts) shipping() int64   { return p.sum(kindShipping) }
func (p parts) feeTax() int64     { return p.sum(kindFee, kindTax) }
func (p parts) settlement() int64 { return p.revenue() + p.shipping() + p.feeTax() }

// settlementParts is what TikTok pays the seller for an order. With estimate set it ignores the return, as a
// forecast made before the return would.
func (o *order) settlementParts(estimate bool) parts {
	var p parts
	for _, li := range o.items {
		p[pSubtotal] += li.original
		p[pSellerDiscount] -= li.sellerDisc
	}
	var refundNet int64
	if rt := o.ret; rt != nil && rt.refunded && !estimate {
		li := o.items[rt.item]
		p[pRefundSubtotal] = -li.original
		p[pSellerDiscountRefund] = li.sellerDisc
		refundNet = li.original - li.sellerDisc
		p[pReturnShipping] = -rt.returnFee
	}
	p[pActualShipping] = -o.labelCost
	p[pCustomerShipping] = o.shipOriginal - o.shipSeller - o.shipPlatform
	p[pPlatformShippingDiscount] = o.shipPlatform
	base := p.revenue()
	if o.shop.currency == "USD" {
		p[pReferral] = -pct(base, 600)
		p[pTransaction] = -pct(base, 200)
	} else {
		p[pReferral] = -pct(base, 900)
		p[pTransaction] = -pct(base, 250)
	}
	p[pAffiliate] = -pct(base, o.affiliateBps)
	if o.sfp {
		p[pSFP] = -min(pct(base, 600), 2000)
	}
	if refundNet > 0 {
		p[pRefundAdmin] = -min(pct(refundNet, 120), 500)
	}
	if o.shop.currency == "GBP" {
		p[pVAT] = pct(p.sum(kindFee), 2000)
	}
	return p
}

// skuRow is one SKU's share of an order transaction.
type skuRow struct {
	sku      *sku
	quantity int
	parts    parts
}

// skuRows splits an order's parts by SKU: revenue exactly, everything else in proportion to each SKU's gross,
// the remainder going to the last SKU so the rows sum to the order.
func (o *order) skuRows(total parts) []skuRow {
	var rows []skuRow
	index := map[*sku]int{}
	for k, li := range o.items {
		i, ok := index[li.sku]
		if !ok {
			i = len(rows)
			index[li.sku] = i
			rows = append(rows, skuRow{sku: li.sku})
		}
		rows[i].quantity++
		rows[i].parts[pSubtotal] += li.original
		rows[i].parts[pSellerDiscount] -= li.sellerDisc
		if rt := o.ret; rt != nil && rt.item == k {
			rows[i].parts[pRefundSubtotal] = total[pRefundSubtotal]
			rows[i].parts[pSellerDiscountRefund] = total[pSellerDiscountRefund]
		}
	}
	var weight int64
	for _, r := range rows {
		weight += r.parts[pSubtotal]
	}
	for f := range nParts {
		if partKind[f] == kindRevenue {
			continue
		}
		var given int64
		for i := range rows {
			var share int64
			switch {
			case i == len(rows)-1:
				share = total[f] - given
			case weight > 0:
				share = total[f] * rows[i].parts[pSubtotal] / weight
			}
			rows[i].parts[f] = share
			given += share
		}
	}
	return rows
}

type txn struct {
	id      string
	kind    string // ORDER, ADJUSTMENT or RESERVE
	subtype string
	order   *order
	amount  int64 // ADJUSTMENT and RESERVE rows
	release int64 // RESERVE holds: when the money is released
	offBy   int64 // the deliberate mismatch: reported settlement = parts + offBy
}

func (t *txn) parts() parts {
	if t.kind == "ORDER" {
		return t.order.settlementParts(false)
	}
	return parts{}
}

func (t *txn) settlement() int64 {
	switch t.kind {
	case "ORDER":
		return t.parts().settlement() + t.offBy
	case "ADJUSTMENT":
		return t.amount
	}
	return 0
}

type statement struct {
	id     string
	shop   *shop
	time   int64
	txns   []*txn
	totals struct{ revenue, shipping, feeTax, adjustment, settlement, reserve int64 }
	pay    *payment
}

func (st *statement) payable() int64 { return st.totals.settlement + st.totals.reserve }

type payment struct {
	id      string
	st      *statement
	created int64
	paid    int64
	bank    string
}

func ceilDay(t int64) int64 { return (t/day + 1) * day }

// genFinance settles every order that will complete, builds daily statements with adjustments and reserves, and
// pays each statement once.
func (s *Sandbox) genFinance(sh *shop) {
	byTime := map[int64]*statement{}
	get := func(t int64) *statement {
		st := byTime[t]
		if st == nil {
			st = &statement{shop: sh, time: t}
			r := newRand(s.cfg.Seed, "statement", sh.id, fmt.Sprint(t))
			st.id = fmt.Sprintf("73%d%05d%07d", sh.idx, t/day%100000, r.IntN(10000000))
			byTime[t] = st
		}
		return st
	}
	for _, o := range sh.orders {
		if o.done == 0 {
			continue
		}
		st := get(ceilDay(o.done))
		o.statement = st
		t := &txn{kind: "ORDER", order: o}
		if o.sample {
			t.kind, t.subtype, t.amount = "ADJUSTMENT", "SAMPLE_SHIPPING_FEE", -o.labelCost
		}
		st.txns = append(st.txns, t)
	}
	times := make([]int64, 0, len(byTime))
	for t, st := range byTime {
		times = append(times, t)
		slices.SortFunc(st.txns, func(a, b *txn) int {
			return cmp.Or(cmp.Compare(a.order.done, b.order.done), cmp.Compare(a.order.id, b.order.id))
		})
	}
	slices.Sort(times)
	var releases []*txn
	for _, t := range times {
		st := byTime[t]
		r := newRand(s.cfg.Seed, "adjust", st.id)
		var orders []*order
		for _, x := range st.txns {
			if x.kind == "ORDER" {
				orders = append(orders, x.order)
			}
		}
		if len(orders) > 0 && chance(r, 0.12) {
			amt := between(r, 100, 400)
			if chance(r, 0.5) {
				amt = -amt
			}
			st.txns = append(st.txns, &txn{kind: "ADJUSTMENT", subtype: "SHIPPING_FEE_ADJUSTMENT", order: orders[r.IntN(len(orders))], amount: amt})
		}
		if len(orders) > 0 && chance(r, 0.06) {
			st.txns = append(st.txns, &txn{kind: "ADJUSTMENT", subtype: "PLATFORM_REIMBURSEMENT", order: orders[r.IntN(len(orders))], amount: between(r, 500, 3000)})
		}
		// The first shop is new on TikTok: 5% of each positive statement is held in reserve for 30 days.
		if sh.idx == 0 {
			var settled int64
			for _, x := range st.txns {
				settled += x.settlement()
			}
			if settled > 0 {
				hold := &txn{kind: "RESERVE", subtype: "HOLD", amount: -pct(settled, 500), release: t + 30*day}
				st.txns = append(st.txns, hold)
				releases = append(releases, &txn{kind: "RESERVE", subtype: "RELEASE", amount: -hold.amount, release: hold.release})
			}
		}
	}
	for _, rel := range releases {
		st := get(rel.release)
		st.txns = append(st.txns, rel)
	}
	sh.statements = sh.statements[:0]
	for _, st := range byTime {
		sh.statements = append(sh.statements, st)
	}
	slices.SortFunc(sh.statements, func(a, b *statement) int { return cmp.Compare(a.time, b.time) })
	s.planMismatch(sh)
	for _, st := range sh.statements {
		for i, x := range st.txns {
			x.id = fmt.Sprintf("7%s%04d", st.id[2:], i)
			p := x.parts()
			st.totals.revenue += p.revenue()
			st.totals.shipping += p.shipping()
			st.totals.feeTax += p.feeTax()
			st.totals.settlement += x.settlement()
			switch x.kind {
			case "ADJUSTMENT":
				st.totals.adjustment += x.amount
			case "RESERVE":
				st.totals.reserve += x.amount
			}
		}
		r := newRand(s.cfg.Seed, "payment", st.id)
		st.pay = &payment{
			id:      fmt.Sprintf("80%d%05d%07d", sh.idx, st.time/day%100000, r.IntN(10000000)),
			st:      st,
			created: st.time + between(r, 1, 4)*60*60,
			bank:    "****" + digits(newRand(s.cfg.Seed, "bank", sh.id), 4),
		}
		st.pay.paid = st.pay.created + 24*60*60 + between(r, 0, 12)*60*60
		sh.payments = append(sh.payments, st.pay)
		s.statementsByID[st.id] = st
		s.paymentsByID[st.pay.id] = st.pay
	}
}

// planMismatch makes one ORDER transaction of the first shop report a settlement 1.00 above its parts, in a
// statement already visible when the sandbox starts, so the app can prove it flags rows that do not add up.
func (s *Sandbox) planMismatch(sh *shop) {
	if sh.idx != 0 {
		return
	}
	var candidates []*txn
	var firstAny *txn
	for _, st := range sh.statements {
		for _, x := range st.txns {
			if x.kind != "ORDER" {
				continue
			}
			if firstAny == nil {
				firstAny = x
			}
			if st.time <= s.anchor.Unix() {
				candidates = append(candidates, x)
			}
			break
		}
	}
	pick := firstAny
	if len(candidates) > 0 {
		pick = candidates[len(candidates)/2]
	}
	if pick != nil {
		pick.offBy = 100
		s.mismatch = pick
	}
}
