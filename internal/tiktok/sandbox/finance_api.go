package sandbox

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

type statementView struct {
	ID                 string `json:"id"`
	StatementTime      int64  `json:"statement_time"`
	Currency           string `json:"currency"`
	RevenueAmount      string `json:"revenue_amount"`
	FeeAmount          string `json:"fee_amount"`
	AdjustmentAmount   string `json:"adjustment_amount"`
	ShippingCostAmount string `json:"shipping_cost_amount"`
	NetSalesAmount     string `json:"net_sales_amount"`
	SettlementAmount   string `json:"settlement_amount"`
	PaymentStatus      string `json:"payment_status"`
	PaymentID          string `json:"payment_id"`
}

func (p *payment) status(now int64) string {
	if p.paid <= now {
		return "PAID"
	}
	return "PROCESSING"
}

func renderStatement(st *statement, now int64) statementView {
	return statementView{
		ID: st.id, StatementTime: st.time, Currency: st.shop.currency,
		RevenueAmount: money(st.totals.revenue), FeeAmount: money(st.totals.feeTax),
		AdjustmentAmount: money(st.totals.adjustment), ShippingCostAmount: money(st.totals.shipping),
		NetSalesAmount: money(st.totals.revenue), SettlementAmount: money(st.totals.settlement),
		PaymentStatus: st.pay.status(now), PaymentID: st.pay.id,
	}
}

// financeList pages through items in time order for the 202309 finance lists, which require a sort_field.
func financeList[T any](c *call, items []T, at func(T) int64, keep func(T) bool, geKey, ltKey, sortKey string) ([]T, string, *apiError) {
	if f := c.query.Get("sort_field"); f != sortKey {
		return nil, "", paramErr("sort_field is required and must be %s", sortKey)
	}
	desc, e := sortOrder(c.query, "DESC")
	if e != nil {
		return nil, "", e
	}
	w, e := queryWindow(c.query, geKey, ltKey)
	if e != nil {
		return nil, "", e
	}
	var match []T
	for _, it := range items {
		if t := at(it); t <= c.now && w.has(t) && keep(it) {
			match = append(match, it)
		}
	}
	if desc {
		slices.Reverse(match)
	}
	key := fmt.Sprintf("%+v|%v|%s", w, desc, c.query.Get("payment_status")+c.query.Get("types"))
	from, to, next, e := page(c, key, len(match), 1, 100, 20, 0)
	if e != nil {
		return nil, "", e
	}
	return match[from:to], next, nil
}

func (s *Sandbox) statements(c *call) (any, *apiError) {
	status := c.query.Get("payment_status")
	list, next, e := financeList(c, c.shop.statements, func(st *statement) int64 { return st.time },
		func(st *statement) bool { return status == "" || st.pay.status(c.now) == status },
		"statement_time_ge", "statement_time_lt", "statement_time")
	if e != nil {
		return nil, e
	}
	out := struct {
		NextPageToken string          `json:"next_page_token"`
		Statements    []statementView `json:"statements"`
	}{NextPageToken: next, Statements: make([]statementView, 0, len(list))}
	for _, st := range list {
		out.Statements = append(out.Statements, renderStatement(st, c.now))
	}
	return out, nil
}

type amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type paymentView struct {
	ID                          string `json:"id"`
	CreateTime                  int64  `json:"create_time"`
	Status                      string `json:"status"`
	Amount                      amount `json:"amount"`
	SettlementAmount            amount `json:"settlement_amount"`
	ReserveAmount               amount `json:"reserve_amount"`
	PaymentAmountBeforeExchange amount `json:"payment_amount_before_exchange"`
	ExchangeRate                string `json:"exchange_rate"`
	PaidTime                    int64  `json:"paid_time"`
	BankAccount                 string `json:"bank_account"`
}

func (s *Sandbox) payments(c *call) (any, *apiError) {
	list, next, e := financeList(c, c.shop.payments, func(p *payment) int64 { return p.created },
		func(*payment) bool { return true }, "create_time_ge", "create_time_lt", "create_time")
	if e != nil {
		return nil, e
	}
	out := struct {
		NextPageToken string        `json:"next_page_token"`
		Payments      []paymentView `json:"payments"`
	}{NextPageToken: next, Payments: make([]paymentView, 0, len(list))}
	for _, p := range list {
		cur := c.shop.currency
		v := paymentView{
			ID: p.id, CreateTime: p.created, Status: p.status(c.now),
			Amount:                      amount{money(p.st.payable()), cur},
			SettlementAmount:            amount{money(p.st.totals.settlement), cur},
			ReserveAmount:               amount{money(p.st.totals.reserve), cur},
			PaymentAmountBeforeExchange: amount{money(p.st.payable()), cur},
			ExchangeRate:                "1", BankAccount: p.bank,
		}
		if p.paid <= c.now {
			v.PaidTime = p.paid
		}
		out.Payments = append(out.Payments, v)
	}
	return out, nil
}

// withdrawal is derived from a payment: the statement settles into the seller's balance (SETTLE, positive) and
// the payout leaves it for the bank (WITHDRAW, negative) when paid.
type withdrawal struct {
	id, kind string
	at       int64
	amount   int64
}

func (sh *shop) withdrawalsAsOf(now int64) []withdrawal {
	var out []withdrawal
	for _, p := range sh.payments {
		if p.st.time <= now {
			out = append(out, withdrawal{id: "81" + p.id[2:], kind: "SETTLE", at: p.st.time, amount: p.st.payable()})
		}
		if p.paid <= now {
			out = append(out, withdrawal{id: "82" + p.id[2:], kind: "WITHDRAW", at: p.paid, amount: -p.st.payable()})
		}
	}
	slices.SortStableFunc(out, func(a, b withdrawal) int { return cmp.Compare(a.at, b.at) })
	return out
}

func (s *Sandbox) withdrawals(c *call) (any, *apiError) {
	types := splitIDs(c.query.Get("types"))
	if len(types) == 0 {
		return nil, paramErr("types is required: WITHDRAW, SETTLE, TRANSFER, REVERSE")
	}
	for _, t := range types {
		if !slices.Contains([]string{"WITHDRAW", "SETTLE", "TRANSFER", "REVERSE"}, t) {
			return nil, paramErr("unknown withdrawal type %q", t)
		}
	}
	c.query.Set("sort_field", "create_time")
	list, next, e := financeList(c, c.shop.withdrawalsAsOf(c.now), func(w withdrawal) int64 { return w.at },
		func(w withdrawal) bool { return slices.Contains(types, w.kind) }, "create_time_ge", "create_time_lt", "create_time")
	if e != nil {
		return nil, e
	}
	type view struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Amount     string `json:"amount"`
		Currency   string `json:"currency"`
		Status     string `json:"status"`
		CreateTime int64  `json:"create_time"`
	}
	out := struct {
		NextPageToken string `json:"next_page_token"`
		Withdrawals   []view `json:"withdrawals"`
	}{NextPageToken: next, Withdrawals: make([]view, 0, len(list))}
	for _, w := range list {
		out.Withdrawals = append(out.Withdrawals, view{w.id, w.kind, money(w.amount), c.shop.currency, "SUCCESS", w.at})
	}
	return out, nil
}

type feeTaxBreakdown struct {
	Fee amountObject `json:"fee"`
	Tax amountObject `json:"tax"`
}

type breakdowns struct {
	RevenueBreakdown      amountObject    `json:"revenue_breakdown"`
	ShippingCostBreakdown amountObject    `json:"shipping_cost_breakdown"`
	FeeTaxBreakdown       feeTaxBreakdown `json:"fee_tax_breakdown"`
}

// amountObject is one breakdown's amounts by name: a JSON object with its keys in order, as encoding/json writes a
// map of them, without a map to build, sort and walk by reflection for each of the hundreds of thousands of rows
// a large shop's sync reads (about an eighth of the sandbox's CPU went there).
type amountObject struct {
	p    *parts
	kind int
}

// partsByName are the parts' indexes in their names' order.
var partsByName = func() []int {
	idx := make([]int, nParts)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(partNames[a], partNames[b]) })
	return idx
}()

// MarshalJSON writes the amounts of the object's kind. The names and amounts need no escaping.
func (o amountObject) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 256), '{')
	for _, i := range partsByName {
		if partKind[i] != o.kind {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), partNames[i]...), `":"`...)
		b = append(append(b, money(o.p[i])...), '"')
	}
	return append(b, '}'), nil
}

func breakdown(p parts) breakdowns {
	q := &p
	return breakdowns{RevenueBreakdown: amountObject{q, kindRevenue}, ShippingCostBreakdown: amountObject{q, kindShipping},
		FeeTaxBreakdown: feeTaxBreakdown{Fee: amountObject{q, kindFee}, Tax: amountObject{q, kindTax}}}
}

type skuTxnView struct {
	SKUID              string `json:"sku_id"`
	SKUName            string `json:"sku_name"`
	ProductName        string `json:"product_name"`
	SellerSKU          string `json:"seller_sku"`
	Quantity           int    `json:"quantity"`
	SettlementAmount   string `json:"settlement_amount"`
	RevenueAmount      string `json:"revenue_amount"`
	ShippingCostAmount string `json:"shipping_cost_amount"`
	FeeTaxAmount       string `json:"fee_tax_amount"`
	breakdowns
}

type txnView struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	SubType              string `json:"sub_type,omitempty"`
	StatementID          string `json:"statement_id"`
	OrderID              string `json:"order_id,omitempty"`
	OrderCreateTime      int64  `json:"order_create_time,omitempty"`
	Currency             string `json:"currency"`
	SettlementAmount     string `json:"settlement_amount"`
	RevenueAmount        string `json:"revenue_amount"`
	ShippingCostAmount   string `json:"shipping_cost_amount"`
	FeeTaxAmount         string `json:"fee_tax_amount"`
	AdjustmentAmount     string `json:"adjustment_amount"`
	ReserveAmount        string `json:"reserve_amount"`
	ReserveStatus        string `json:"reserve_status,omitempty"`
	EstimatedReleaseTime int64  `json:"estimated_release_time,omitempty"`
	breakdowns
	SKUTransactions []skuTxnView `json:"sku_transactions"`
}

func renderTxn(st *statement, t *txn, now int64) txnView {
	p := t.parts()
	v := txnView{
		ID: t.id, Type: t.kind, SubType: t.subtype, StatementID: st.id, Currency: st.shop.currency,
		SettlementAmount: money(t.settlement()), RevenueAmount: money(p.revenue()),
		ShippingCostAmount: money(p.shipping()), FeeTaxAmount: money(p.feeTax()),
		AdjustmentAmount: money(0), ReserveAmount: money(0), breakdowns: breakdown(p),
		SKUTransactions: []skuTxnView{},
	}
	if t.order != nil {
		v.OrderID, v.OrderCreateTime = t.order.id, t.order.created
	}
	switch t.kind {
	case "ADJUSTMENT":
		v.AdjustmentAmount = money(t.amount)
	case "RESERVE":
		v.ReserveAmount = money(t.amount)
		v.EstimatedReleaseTime = t.release
		v.ReserveStatus = "RELEASED"
		if t.subtype == "HOLD" && t.release > now {
			v.ReserveStatus = "FROZEN"
		}
	case "ORDER":
		for _, r := range t.order.skuRows(p) {
			v.SKUTransactions = append(v.SKUTransactions, skuTxnView{
				SKUID: r.sku.id, SKUName: r.sku.name, ProductName: r.sku.product.title, SellerSKU: r.sku.sellerSKU,
				Quantity: r.quantity, SettlementAmount: money(r.parts.settlement()), RevenueAmount: money(r.parts.revenue()),
				ShippingCostAmount: money(r.parts.shipping()), FeeTaxAmount: money(r.parts.feeTax()),
				breakdowns: breakdown(r.parts),
			})
		}
	}
	return v
}

func (s *Sandbox) statementTransactions(c *call) (any, *apiError) {
	st := s.statementsByID[c.r.PathValue("statement_id")]
	if st == nil || st.shop != c.shop || st.time > c.now {
		return nil, &apiError{code: codeNotFound, msg: "statement not found"}
	}
	field, e := sortField(c, "order_create_time")
	if e != nil {
		return nil, e
	}
	desc, e := sortOrder(c.query, "ASC")
	if e != nil {
		return nil, e
	}
	txns := slices.Clone(st.txns)
	slices.SortStableFunc(txns, func(a, b *txn) int {
		ta, tb := int64(1<<62), int64(1<<62)
		if a.order != nil {
			ta = a.order.created
		}
		if b.order != nil {
			tb = b.order.created
		}
		return cmp.Compare(ta, tb)
	})
	if desc {
		slices.Reverse(txns)
	}
	from, to, next, e := page(c, st.id+field+fmt.Sprint(desc), len(txns), 1, 100, 20, 0)
	if e != nil {
		return nil, e
	}
	out := struct {
		StatementID        string    `json:"statement_id"`
		StatementTime      int64     `json:"statement_time"`
		Currency           string    `json:"currency"`
		TotalCount         int       `json:"total_count"`
		NextPageToken      string    `json:"next_page_token"`
		RevenueAmount      string    `json:"revenue_amount"`
		ShippingCostAmount string    `json:"shipping_cost_amount"`
		FeeTaxAmount       string    `json:"fee_tax_amount"`
		AdjustmentAmount   string    `json:"adjustment_amount"`
		SettlementAmount   string    `json:"settlement_amount"`
		ReserveAmount      string    `json:"reserve_amount"`
		PayableAmount      string    `json:"payable_amount"`
		Transactions       []txnView `json:"transactions"`
	}{
		StatementID: st.id, StatementTime: st.time, Currency: st.shop.currency, TotalCount: len(txns), NextPageToken: next,
		RevenueAmount: money(st.totals.revenue), ShippingCostAmount: money(st.totals.shipping),
		FeeTaxAmount: money(st.totals.feeTax), AdjustmentAmount: money(st.totals.adjustment),
		SettlementAmount: money(st.totals.settlement), ReserveAmount: money(st.totals.reserve),
		PayableAmount: money(st.payable()), Transactions: make([]txnView, 0, to-from),
	}
	for _, t := range txns[from:to] {
		out.Transactions = append(out.Transactions, renderTxn(st, t, c.now))
	}
	return out, nil
}

func (s *Sandbox) orderTransactions(c *call) (any, *apiError) {
	o := c.shop.orderByID(c.r.PathValue("order_id"))
	if o == nil {
		return nil, &apiError{code: codeNotFound, msg: "order not found"}
	}
	out := struct {
		OrderID      string    `json:"order_id"`
		Transactions []txnView `json:"transactions"`
	}{OrderID: o.id, Transactions: []txnView{}}
	if st := o.statement; st != nil && st.time <= c.now {
		for _, t := range st.txns {
			if t.order == o {
				out.Transactions = append(out.Transactions, renderTxn(st, t, c.now))
			}
		}
	}
	return out, nil
}

// unsettled reports whether an order is paid, alive and not yet on a visible statement as of now.
func (o *order) unsettled(now int64) bool {
	return o.paid != 0 && o.paid <= now && !(o.cancel != 0 && o.cancel <= now) && !o.sample &&
		(o.statement == nil || o.statement.time > now)
}

// estimatedSettlement guesses when an unsettled order settles from what is known as of now, never from the
// order's future.
func (o *order) estimatedSettlement(now int64) int64 {
	switch {
	case o.deliv != 0 && o.deliv <= now:
		if o.ret != nil && o.ret.created() <= now {
			return ceilDay(max(o.deliv+7*day, now+3*day))
		}
		return ceilDay(o.deliv + 7*day)
	case o.shipped != 0 && o.shipped <= now:
		return ceilDay(o.shipped + 11*day)
	}
	return ceilDay(o.paid + 14*day)
}

type unsettledView struct {
	ID                      string `json:"id"`
	Type                    string `json:"type"`
	OrderID                 string `json:"order_id"`
	OrderCreateTime         int64  `json:"order_create_time"`
	OrderStatus             string `json:"order_status"`
	Currency                string `json:"currency"`
	EstRevenueAmount        string `json:"est_revenue_amount"`
	EstShippingCostAmount   string `json:"est_shipping_cost_amount"`
	EstFeeTaxAmount         string `json:"est_fee_tax_amount"`
	EstSettlementAmount     string `json:"est_settlement_amount"`
	EstimatedSettlementTime int64  `json:"estimated_settlement_time"`
	UnsettledReason         string `json:"unsettled_reason"`
}

func (s *Sandbox) unsettledOrders(c *call) (any, *apiError) {
	if c.query.Get("sort_field") != "order_create_time" {
		return nil, paramErr("sort_field is required and must be order_create_time")
	}
	desc, e := sortOrder(c.query, "DESC")
	if e != nil {
		return nil, e
	}
	w, e := queryWindow(c.query, "search_time_ge", "search_time_lt")
	if e != nil {
		return nil, e
	}
	sh := c.shop
	idx := s.cached(fmt.Sprintf("unsettled|%s|%+v|%v|%d", sh.id, w, desc, sh.version(c.now)), func() []int {
		var out []int
		for i, o := range sh.orders {
			if w.has(o.created) && o.unsettled(c.now) {
				out = append(out, i)
			}
		}
		if desc {
			slices.Reverse(out)
		}
		return out
	})
	from, to, next, e := page(c, fmt.Sprintf("%+v|%v", w, desc), len(idx), 1, 100, 20, 0)
	if e != nil {
		return nil, e
	}
	out := struct {
		TotalCount    int             `json:"total_count"`
		NextPageToken string          `json:"next_page_token"`
		Transactions  []unsettledView `json:"transactions"`
	}{TotalCount: len(idx), NextPageToken: next, Transactions: make([]unsettledView, 0, to-from)}
	for _, i := range idx[from:to] {
		o := sh.orders[i]
		p := o.settlementParts(true)
		status, _ := o.status(c.now)
		reason := "NOT_DELIVERED"
		if status == "DELIVERED" || status == "COMPLETED" {
			reason = "WITHIN_RETURN_WINDOW"
		}
		out.Transactions = append(out.Transactions, unsettledView{
			ID: "79" + o.id[2:], Type: "ORDER", OrderID: o.id, OrderCreateTime: o.created, OrderStatus: status,
			Currency: sh.currency, EstRevenueAmount: money(p.revenue()), EstShippingCostAmount: money(p.shipping()),
			EstFeeTaxAmount: money(p.feeTax()), EstSettlementAmount: money(p.settlement()),
			EstimatedSettlementTime: o.estimatedSettlement(c.now), UnsettledReason: strings.ToUpper(reason),
		})
	}
	return out, nil
}
