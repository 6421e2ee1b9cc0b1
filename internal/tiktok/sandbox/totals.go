package sandbox

// Totals is the ground truth for one shop as of the sandbox clock's now: what a client that pages through every
// endpoint without filters should end up holding. Amounts are minor units of Currency.
type Totals struct {
	Currency string

	Orders           int
	OrdersByStatus   map[string]int
	SampleOrders     int
	LineItems        int   // units: each line item is one unit
	OrderTotalAmount int64 // sum of payment.total_amount over all orders, cancelled ones included

	Returns     int
	OpenReturns int   // returns whose seller_next_action_response is not empty
	RefundTotal int64 // sum of refund_amount.refund_total over all returns

	Products int
	SKUs     int

	Statements            int
	StatementTransactions int
	StatementSettlement   int64 // sum of statement settlement_amount
	StatementReserve      int64 // sum of reserve rows (negative while held, positive when released)
	Payments              int
	PaidPayments          int
	PaymentAmount         int64 // sum of payment amount (settlement + reserve)
	Withdrawals           int   // all types

	UnsettledOrders int
}

// Totals reports the ground truth for a shop (by id or cipher); the zero Totals for an unknown shop.
func (s *Sandbox) Totals(shopID string) Totals {
	sh := s.shopByID(shopID)
	if sh == nil {
		return Totals{}
	}
	now := s.now()
	t := Totals{Currency: sh.currency, OrdersByStatus: map[string]int{}}
	for _, o := range sh.orders {
		st, _ := o.status(now)
		t.Orders++
		t.OrdersByStatus[st]++
		if o.sample {
			t.SampleOrders++
		}
		t.LineItems += len(o.items)
		var sub, ship int64
		for _, li := range o.items {
			sub += li.sale()
		}
		ship = o.shipOriginal - o.shipSeller - o.shipPlatform
		t.OrderTotalAmount += sub + ship + pct(sub, o.taxBps) + pct(ship, o.taxBps)
		if o.unsettled(now) {
			t.UnsettledOrders++
		}
	}
	for _, rt := range sh.returns {
		ev, ok := rt.at(now)
		if !ok {
			continue
		}
		t.Returns++
		if ev.action != "" {
			t.OpenReturns++
		}
		t.RefundTotal += rt.refundSub + rt.refundTax
	}
	t.Products = len(sh.products)
	for _, p := range sh.products {
		t.SKUs += len(p.skus)
	}
	for _, st := range sh.statements {
		if st.time > now {
			continue
		}
		t.Statements++
		t.StatementTransactions += len(st.txns)
		t.StatementSettlement += st.totals.settlement
		t.StatementReserve += st.totals.reserve
	}
	for _, p := range sh.payments {
		if p.created > now {
			continue
		}
		t.Payments++
		t.PaymentAmount += p.st.payable()
		if p.paid <= now {
			t.PaidPayments++
		}
	}
	t.Withdrawals = len(sh.withdrawalsAsOf(now))
	return t
}
