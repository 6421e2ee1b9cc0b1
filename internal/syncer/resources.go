package syncer

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/vault"
)

// The resources a sync job can bring up to date. Each is its own job, so one slow resource never holds up another.
const (
	ResourceOrders       = "orders"
	ResourceReturns      = "returns"
	ResourceProducts     = "products"
	ResourceStatements   = "statements"
	ResourceTransactions = "statement_transactions" // of the statements stored, after ResourceStatements
	ResourcePayments     = "payments"
	ResourceWithdrawals  = "withdrawals"
	ResourceUnsettled    = "unsettled_orders"
)

// Commerce are the resources synced every few minutes; Finance those synced hourly (TikTok settles daily). A
// statements job goes on to their transactions, so those are never scheduled on their own: a transactions run
// always starts after the statements it reads are stored.
var (
	Commerce = []string{ResourceOrders, ResourceReturns, ResourceProducts}
	Finance  = []string{ResourceStatements, ResourcePayments, ResourceWithdrawals, ResourceUnsettled}
)

// Resources are all of them, in the order a first sync runs them.
func Resources() []string {
	return []string{ResourceOrders, ResourceReturns, ResourceProducts, ResourceStatements, ResourceTransactions,
		ResourcePayments, ResourceWithdrawals, ResourceUnsettled}
}

// jobResources are the resources a sync job is asked for.
func jobResources() []string { return append(slices.Clone(Commerce), Finance...) }

// resource says where a first read starts, how far each later read reaches back before the cursor, and how to read.
type resource struct {
	start   func(cfg Config, now time.Time) time.Time
	revisit func(cfg Config) time.Duration
	read    func(ctx context.Context, j *run) error
	// analyze are the tables whose statistics a backfill of the resource keeps current (see analyzeAt): those it
	// writes that plans look rows up in by key. (The profit tables it queues orders for grow in catchUp.)
	analyze []string
	// profit says the resource's pages queue the orders they wrote for their profit (rollup.Queue; see catchUp).
	profit bool
}

// profitTables are the rollups a catch-up of the orders a sync queued writes (see catchUp).
var profitTables = []string{"order_profits", "daily_profit"}

// grownTables are the tables a shop's first sync grows, whose statistics a StatisticsArgs job gathers once it ends:
// those its backfills fill (resource.analyze) and the profit tables.
func grownTables() []string {
	var out []string
	for _, name := range Resources() {
		out = append(out, resources[name].analyze...)
	}
	return append(out, profitTables...)
}

var resources = map[string]resource{
	ResourceOrders: {start: backfill, revisit: overlap, read: readOrders, profit: true,
		analyze: []string{"orders", "order_lines"}},
	ResourceReturns: {start: backfill, revisit: overlap, read: readReturns, profit: true,
		analyze: []string{"returns", "return_lines"}},
	ResourceProducts:   {start: wholeCatalog, revisit: overlap, read: readProducts},
	ResourceStatements: {start: financeSince, revisit: financeRevisit, read: readStatements},
	ResourceTransactions: {start: financeSince, revisit: financeRevisit, read: readTransactions, profit: true,
		analyze: []string{"statement_transactions"}},
	ResourcePayments:    {start: financeSince, revisit: financeRevisit, read: readPayments},
	ResourceWithdrawals: {start: financeSince, revisit: financeRevisit, read: readWithdrawals},
	ResourceUnsettled: {start: financeSince, revisit: financeRevisit, read: readUnsettled, profit: true,
		analyze: []string{"unsettled_orders"}},
}

func backfill(cfg Config, now time.Time) time.Time   { return now.Add(-cfg.Backfill) }
func wholeCatalog(Config, time.Time) time.Time       { return time.Time{} } // no lower bound: every product
func financeSince(cfg Config, _ time.Time) time.Time { return cfg.FinanceSince }
func overlap(cfg Config) time.Duration               { return cfg.Overlap }
func financeRevisit(cfg Config) time.Duration        { return cfg.FinanceRevisit }

// Purposes of the sealed source records: the associated data is (purpose, user, shop/natural key).
const (
	purposeOrder       vault.Purpose = "orders.payload"
	purposeReturn      vault.Purpose = "returns.payload"
	purposeProduct     vault.Purpose = "products.payload"
	purposeStatement   vault.Purpose = "statements.payload"
	purposeTransaction vault.Purpose = "statement_transactions.payload"
	purposePayment     vault.Purpose = "payments.payload"
	purposeWithdrawal  vault.Purpose = "withdrawals.payload"
	purposeUnsettled   vault.Purpose = "unsettled_orders.payload"
)

// OpenPayment opens a payment's source record as the sync sealed it: the bank account TikTok masks is only in there.
func OpenPayment(ctx context.Context, tx *store.Tx, shopID, paymentID string, sealed []byte) ([]byte, error) {
	return tx.Open(ctx, purposePayment, shopID+"/"+paymentID, sealed)
}

// --- orders ---

func readOrders(ctx context.Context, j *run) error {
	if err := retryMalformedOrders(ctx, j); err != nil {
		return err
	}
	size := j.s.cfg.PageSize
	return j.readKeyset(ctx, size, func(ctx context.Context, from time.Time, token string) (page, time.Time, error) {
		p, err := j.seller.SearchOrders(ctx, j.shop, tiktok.OrderQuery{PageSize: size, PageToken: token,
			SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: from, UpdateTimeLT: j.to})
		if err != nil {
			return page{}, time.Time{}, err
		}
		last := from
		if n := len(p.Orders); n > 0 {
			last = p.Orders[n-1].UpdateTime
		}
		return page{records: len(p.Orders), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) { return j.writeOrders(ctx, tx, p.Orders) }}, last, nil
	})
}

// retryMalformedOrders reads the orders kept aside again, by id: once they read (a parser fix, or TikTok fixed the
// record), they are stored and marked resolved; the window reads alone would not see them again unless they change.
func retryMalformedOrders(ctx context.Context, j *run) error {
	var ids []string
	err := j.s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		var err error
		ids, err = tx.Q.UnresolvedMalformedRecords(ctx, tenantdb.UnresolvedMalformedRecordsParams{UserID: j.userID, ShopID: j.shopID,
			Resource: ResourceOrders, Max: tiktok.MaxOrderIDs})
		return err
	})
	ids = slices.DeleteFunc(ids, func(id string) bool { return !tiktok.ValidID(id) }) // unreadable ids stay aside
	if err != nil || len(ids) == 0 {
		return err
	}
	orders, bad, err := j.seller.GetOrders(ctx, j.shop, ids)
	if err != nil {
		return err
	}
	good := make([]string, len(orders))
	for i, o := range orders {
		good[i] = o.ID
	}
	p := page{records: len(orders), malformed: bad,
		write: func(ctx context.Context, tx *store.Tx) (int64, error) { return j.writeOrders(ctx, tx, orders) }}
	return j.commit(ctx, p, 0, time.Time{}, false, func(ctx context.Context, tx *store.Tx) error {
		return tx.Q.ResolveMalformedRecords(ctx, tenantdb.ResolveMalformedRecordsParams{UserID: j.userID, ShopID: j.shopID,
			Resource: ResourceOrders, RecordIds: good, Now: tx.Now()})
	})
}

func (j *run) writeOrders(ctx context.Context, tx *store.Tx, orders []tiktok.Order) (int64, error) {
	p := tenantdb.UpsertOrdersParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	l := tenantdb.UpsertOrderLinesParams{UserID: j.userID, ShopID: j.shopID}
	for _, o := range orders {
		sealed, err := tx.Seal(ctx, purposeOrder, j.shopID+"/"+o.ID, o.Raw)
		if err != nil {
			return 0, err
		}
		pay := o.Payment
		p.OrderIds = append(p.OrderIds, o.ID)
		p.Statuses = append(p.Statuses, o.Status)
		p.Currencies = append(p.Currencies, pay.Currency)
		p.CreateTimes = append(p.CreateTimes, o.CreateTime)
		p.UpdateTimes = append(p.UpdateTimes, o.UpdateTime)
		p.PaidTimes = append(p.PaidTimes, o.PaidTime)
		p.DeliveryTimes = append(p.DeliveryTimes, o.DeliveryTime)
		p.CancelTimes = append(p.CancelTimes, o.CancelTime)
		p.ShippingTypes = append(p.ShippingTypes, o.ShippingType)
		p.IsSamples = append(p.IsSamples, o.IsSampleOrder)
		p.LineCounts = append(p.LineCounts, int32(len(o.LineItems)))
		p.SubTotals = append(p.SubTotals, pay.SubTotal.Minor)
		p.ShippingFees = append(p.ShippingFees, pay.ShippingFee.Minor)
		p.SellerDiscounts = append(p.SellerDiscounts, pay.SellerDiscount.Minor)
		p.PlatformDiscounts = append(p.PlatformDiscounts, pay.PlatformDiscount.Minor)
		p.Taxes = append(p.Taxes, pay.Tax.Minor)
		p.ShippingSellerDiscounts = append(p.ShippingSellerDiscounts, pay.ShippingFeeSellerDiscount.Minor)
		p.ShippingPlatformDiscounts = append(p.ShippingPlatformDiscounts, pay.ShippingFeePlatformDiscount.Minor)
		p.TotalAmounts = append(p.TotalAmounts, pay.TotalAmount.Minor)
		p.Payloads = append(p.Payloads, sealed)
		p.BuyerKeys = append(p.BuyerKeys, BuyerKey(j.s.cfg.BuyerIndexKey, j.userID, o.UserID))
		for _, li := range o.LineItems {
			cur := li.Currency
			if cur == "" {
				cur = pay.Currency
			}
			l.OrderIds = append(l.OrderIds, o.ID)
			l.LineIds = append(l.LineIds, li.ID)
			l.SkuIds = append(l.SkuIds, li.SkuID)
			l.SellerSkus = append(l.SellerSkus, li.SellerSku)
			l.ProductIds = append(l.ProductIds, li.ProductID)
			l.Currencies = append(l.Currencies, cur)
			l.OriginalPrices = append(l.OriginalPrices, li.OriginalPrice.Minor)
			l.SalePrices = append(l.SalePrices, li.SalePrice.Minor)
			l.SellerDiscounts = append(l.SellerDiscounts, li.SellerDiscount.Minor)
			l.PlatformDiscounts = append(l.PlatformDiscounts, li.PlatformDiscount.Minor)
			l.DisplayStatuses = append(l.DisplayStatuses, li.DisplayStatus)
			l.IsGifts = append(l.IsGifts, li.IsGift)
		}
	}
	n, err := tx.Q.UpsertOrders(ctx, p)
	if err != nil {
		return n, err
	}
	if len(l.LineIds) > 0 {
		if _, err := tx.Q.UpsertOrderLines(ctx, l); err != nil {
			return n, err
		}
	}
	return n, j.queueProfit(ctx, tx, p.OrderIds)
}

// queueProfit queues the orders ids, whose rows this page wrote, for their profit (see catchUp).
func (j *run) queueProfit(ctx context.Context, tx *store.Tx, ids []string) error {
	return rollup.Queue(ctx, tx, j.shopID, ids)
}

// --- returns ---

// returnPageMax is the returns search's largest page.
const returnPageMax = 50

func readReturns(ctx context.Context, j *run) error {
	size := min(j.s.cfg.PageSize, returnPageMax)
	return j.readKeyset(ctx, size, func(ctx context.Context, from time.Time, token string) (page, time.Time, error) {
		p, err := j.seller.SearchReturns(ctx, j.shop, tiktok.ReturnQuery{PageSize: max(size, 10), PageToken: token,
			SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: from, UpdateTimeLT: j.to})
		if err != nil {
			return page{}, time.Time{}, err
		}
		last := from
		if n := len(p.Returns); n > 0 {
			last = p.Returns[n-1].UpdateTime
		}
		return page{records: len(p.Returns), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) { return j.writeReturns(ctx, tx, p.Returns) }}, last, nil
	})
}

// nextAction is what returns.next_actions holds: no personal data, only TikTok's action and its deadline.
type nextAction struct {
	Action   string `json:"action"`
	Deadline int64  `json:"deadline"`
}

func (j *run) writeReturns(ctx context.Context, tx *store.Tx, returns []tiktok.Return) (int64, error) {
	p := tenantdb.UpsertReturnsParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	l := tenantdb.UpsertReturnLinesParams{UserID: j.userID, ShopID: j.shopID}
	for _, r := range returns {
		sealed, err := tx.Seal(ctx, purposeReturn, j.shopID+"/"+r.ID, r.Raw)
		if err != nil {
			return 0, err
		}
		actions := make([]nextAction, 0, len(r.NextActions))
		var deadline time.Time
		for _, a := range r.NextActions {
			actions = append(actions, nextAction{Action: a.Action, Deadline: a.Deadline.Unix()})
			if !a.Deadline.IsZero() && (deadline.IsZero() || a.Deadline.Before(deadline)) {
				deadline = a.Deadline
			}
		}
		actionsJSON, err := json.Marshal(actions)
		if err != nil {
			return 0, err
		}
		ref := r.Refund
		p.ReturnIds = append(p.ReturnIds, r.ID)
		p.OrderIds = append(p.OrderIds, r.OrderID)
		p.ReturnTypes = append(p.ReturnTypes, r.Type)
		p.Statuses = append(p.Statuses, r.Status)
		p.ArbitrationStatuses = append(p.ArbitrationStatuses, r.ArbitrationStatus)
		p.Reasons = append(p.Reasons, r.Reason)
		p.CreateTimes = append(p.CreateTimes, r.CreateTime)
		p.UpdateTimes = append(p.UpdateTimes, r.UpdateTime)
		p.Currencies = append(p.Currencies, ref.Currency)
		p.RefundTotals = append(p.RefundTotals, ref.Total.Minor)
		p.RefundSubtotals = append(p.RefundSubtotals, ref.Subtotal.Minor)
		p.RefundShippings = append(p.RefundShippings, ref.ShippingFee.Minor)
		p.RefundTaxes = append(p.RefundTaxes, ref.Tax.Minor)
		var label int64
		for _, f := range r.ShippingFees {
			label += f.SellerPaidReturnShippingFee.Minor
		}
		p.SellerPaidReturnShippings = append(p.SellerPaidReturnShippings, label)
		p.NextActions = append(p.NextActions, string(actionsJSON))
		p.NextDeadlines = append(p.NextDeadlines, deadline)
		p.Payloads = append(p.Payloads, sealed)
		for _, li := range r.LineItems {
			cur := li.Refund.Currency
			if cur == "" {
				cur = ref.Currency
			}
			l.ReturnIds = append(l.ReturnIds, r.ID)
			l.LineIds = append(l.LineIds, li.ID)
			l.OrderLineIds = append(l.OrderLineIds, li.OrderLineItemID)
			l.SkuIds = append(l.SkuIds, li.SkuID)
			l.SellerSkus = append(l.SellerSkus, li.SellerSku)
			l.Currencies = append(l.Currencies, cur)
			l.RefundTotals = append(l.RefundTotals, li.Refund.Total.Minor)
		}
	}
	n, err := tx.Q.UpsertReturns(ctx, p)
	if err != nil {
		return n, err
	}
	if len(l.LineIds) > 0 {
		if _, err := tx.Q.UpsertReturnLines(ctx, l); err != nil {
			return n, err
		}
	}
	return n, j.queueProfit(ctx, tx, p.OrderIds)
}

// --- products ---

func readProducts(ctx context.Context, j *run) error {
	size := j.s.cfg.PageSize
	return j.readWindow(ctx, size, func(ctx context.Context, token string) (page, error) {
		// The products search has no sort and an inclusive upper bound: the window ends a second early, and the
		// next read's overlap covers that second.
		p, err := j.seller.SearchProducts(ctx, j.shop, tiktok.ProductQuery{PageSize: size, PageToken: token,
			UpdateTimeGE: j.from, UpdateTimeLE: j.to.Add(-time.Second)})
		if err != nil {
			return page{}, err
		}
		return page{records: len(p.Products), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) { return j.writeProducts(ctx, tx, p.Products) }}, nil
	}, nil)
}

func (j *run) writeProducts(ctx context.Context, tx *store.Tx, products []tiktok.Product) (int64, error) {
	p := tenantdb.UpsertProductsParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	s := tenantdb.UpsertSKUsParams{UserID: j.userID, ShopID: j.shopID}
	for _, pr := range products {
		sealed, err := tx.Seal(ctx, purposeProduct, j.shopID+"/"+pr.ID, pr.Raw)
		if err != nil {
			return 0, err
		}
		p.ProductIds = append(p.ProductIds, pr.ID)
		p.Titles = append(p.Titles, pr.Title)
		p.Statuses = append(p.Statuses, pr.Status)
		p.CreateTimes = append(p.CreateTimes, pr.CreateTime)
		p.UpdateTimes = append(p.UpdateTimes, pr.UpdateTime)
		p.Payloads = append(p.Payloads, sealed)
		for _, sku := range pr.SKUs {
			var stock int64
			for _, inv := range sku.Inventory {
				stock += inv.Quantity
			}
			s.SkuIds = append(s.SkuIds, sku.ID)
			s.ProductIds = append(s.ProductIds, pr.ID)
			s.SellerSkus = append(s.SellerSkus, sku.SellerSku)
			s.Currencies = append(s.Currencies, sku.Currency)
			s.SalePrices = append(s.SalePrices, sku.SalePrice.Minor)
			s.Inventories = append(s.Inventories, stock)
		}
	}
	n, err := tx.Q.UpsertProducts(ctx, p)
	if err != nil || len(s.SkuIds) == 0 {
		return n, err
	}
	_, err = tx.Q.UpsertSKUs(ctx, s)
	return n, err
}

// --- statements ---

func readStatements(ctx context.Context, j *run) error {
	size := j.s.cfg.PageSize
	return j.readWindow(ctx, size, func(ctx context.Context, token string) (page, error) {
		p, err := j.seller.Statements(ctx, j.shop, tiktok.StatementQuery{PageSize: size, PageToken: token, SortOrder: "ASC",
			StatementTimeGE: j.from, StatementTimeLT: j.to})
		if err != nil {
			return page{}, err
		}
		return page{records: len(p.Statements), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) {
				return j.writeStatements(ctx, tx, p.Statements)
			}}, nil
	}, nil)
}

func (j *run) writeStatements(ctx context.Context, tx *store.Tx, statements []tiktok.Statement) (int64, error) {
	p := tenantdb.UpsertStatementsParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	for _, st := range statements {
		sealed, err := tx.Seal(ctx, purposeStatement, j.shopID+"/"+st.ID, st.Raw)
		if err != nil {
			return 0, err
		}
		p.StatementIds = append(p.StatementIds, st.ID)
		p.StatementTimes = append(p.StatementTimes, st.StatementTime)
		p.Currencies = append(p.Currencies, st.Currency)
		p.Revenues = append(p.Revenues, st.Revenue.Minor)
		p.Fees = append(p.Fees, st.Fee.Minor)
		p.Adjustments = append(p.Adjustments, st.Adjustment.Minor)
		p.ShippingCosts = append(p.ShippingCosts, st.ShippingCost.Minor)
		p.NetSales = append(p.NetSales, st.NetSales.Minor)
		p.Settlements = append(p.Settlements, st.Settlement.Minor)
		p.PaymentStatuses = append(p.PaymentStatuses, st.PaymentStatus)
		p.PaymentIds = append(p.PaymentIds, st.PaymentID)
		p.Payloads = append(p.Payloads, sealed)
	}
	return tx.Q.UpsertStatements(ctx, p)
}

// --- statement transactions ---

// readTransactions reads the transactions of every stored statement whose transactions are not stored yet (or
// whose amounts changed since), one statement at a time, each marked done in its last page's transaction. The next
// page (of this statement or the next) is read while one is written.
func readTransactions(ctx context.Context, j *run) error {
	var pending []string
	err := j.s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		var err error
		pending, err = tx.Q.StatementsWithoutTransactions(ctx, tenantdb.StatementsWithoutTransactionsParams{UserID: j.userID, ShopID: j.shopID})
		return err
	})
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return j.commit(ctx, page{}, 0, j.to, true, nil)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := j.s.cfg.PageSize
	get := func(i int, token string) <-chan fetched {
		return ahead(func() (page, time.Time, error) {
			p, err := j.seller.StatementTransactions(ctx, j.shop, pending[i], tiktok.TransactionQuery{PageSize: size, PageToken: token})
			id := pending[i]
			return page{records: len(p.Transactions), next: p.NextPageToken, malformed: p.Malformed,
				write: func(ctx context.Context, tx *store.Tx) (int64, error) {
					return j.writeTransactions(ctx, tx, id, p.Transactions)
				}}, time.Time{}, err
		})
	}
	i, next := 0, get(0, "")
	for {
		f := <-next
		if f.err != nil {
			return f.err
		}
		id, done := pending[i], f.p.next == ""
		last := done && i == len(pending)-1
		stop := done && !last && j.paused()
		switch {
		case !done:
			next = get(i, f.p.next)
		case !last && !stop:
			i++
			next = get(i, "")
		}
		var also func(ctx context.Context, tx *store.Tx) error
		if done {
			also = func(ctx context.Context, tx *store.Tx) error {
				return tx.Q.MarkStatementTransactionsSynced(ctx, tenantdb.MarkStatementTransactionsSyncedParams{
					UserID: j.userID, ShopID: j.shopID, StatementID: id, Now: tx.Now()})
			}
		}
		var advance time.Time
		if last {
			advance = j.to
		}
		expected := 0
		if j.stats.Pages == 0 {
			expected = len(pending) // at least a page per statement
		}
		if err := j.commit(ctx, f.p, expected, advance, last, also); err != nil {
			return err
		}
		switch {
		case last:
			return nil
		case stop:
			return ErrPaused
		}
	}
}

func (j *run) writeTransactions(ctx context.Context, tx *store.Tx, statementID string, txns []tiktok.Transaction) (int64, error) {
	p := tenantdb.UpsertStatementTransactionsParams{UserID: j.userID, ShopID: j.shopID, StatementID: statementID, SyncedAt: tx.Now()}
	for _, t := range txns {
		sealed, err := tx.Seal(ctx, purposeTransaction, j.shopID+"/"+statementID+"/"+t.ID, t.Raw)
		if err != nil {
			return 0, err
		}
		other, err := otherAmounts(t.Amounts)
		if err != nil {
			return 0, err
		}
		a, rb, sb, f := t.Amounts, t.RevenueBreakdown, t.ShippingCostBreakdown, t.Fees
		p.TransactionIds = append(p.TransactionIds, t.ID)
		p.Types = append(p.Types, t.Type)
		p.Subtypes = append(p.Subtypes, t.Subtype)
		p.OrderIds = append(p.OrderIds, t.OrderID)
		p.OrderCreateTimes = append(p.OrderCreateTimes, t.OrderCreateTime)
		p.ReserveStatuses = append(p.ReserveStatuses, t.ReserveStatus)
		p.EstimatedReleaseTimes = append(p.EstimatedReleaseTimes, t.EstimatedReleaseTime)
		p.Currencies = append(p.Currencies, a.Currency)
		p.Settlements = append(p.Settlements, a.Settlement.Minor)
		p.Revenues = append(p.Revenues, a.Revenue.Minor)
		p.ShippingCosts = append(p.ShippingCosts, a.ShippingCost.Minor)
		p.FeeTaxes = append(p.FeeTaxes, a.FeeTax.Minor)
		p.Adjustments = append(p.Adjustments, a.Adjustment.Minor)
		p.Reserves = append(p.Reserves, a.Reserve.Minor)
		p.SubtotalsBeforeDiscount = append(p.SubtotalsBeforeDiscount, rb.SubtotalBeforeDiscount.Minor)
		p.SellerDiscounts = append(p.SellerDiscounts, rb.SellerDiscount.Minor)
		p.RefundSubtotalsBeforeDiscount = append(p.RefundSubtotalsBeforeDiscount, rb.RefundSubtotalBeforeDiscount.Minor)
		p.SellerDiscountRefunds = append(p.SellerDiscountRefunds, rb.SellerDiscountRefund.Minor)
		p.ActualShippingFees = append(p.ActualShippingFees, sb.ActualShippingFee.Minor)
		p.CustomerPaidShippingFees = append(p.CustomerPaidShippingFees, sb.CustomerPaidShippingFee.Minor)
		p.ReturnShippingFees = append(p.ReturnShippingFees, sb.ReturnShippingFee.Minor)
		p.ShippingFeeDiscounts = append(p.ShippingFeeDiscounts, sb.ShippingFeeDiscount.Minor)
		p.FbtFulfillmentFees = append(p.FbtFulfillmentFees, sb.FBTFulfillmentFee.Minor)
		p.ReferralFees = append(p.ReferralFees, f.ReferralFee.Minor)
		p.TransactionFees = append(p.TransactionFees, f.TransactionFee.Minor)
		p.PlatformCommissions = append(p.PlatformCommissions, f.PlatformCommission.Minor)
		p.AffiliateCommissions = append(p.AffiliateCommissions, f.AffiliateCommission.Minor)
		p.AffiliatePartnerCommissions = append(p.AffiliatePartnerCommissions, f.AffiliatePartnerCommission.Minor)
		p.AffiliateAdsCommissions = append(p.AffiliateAdsCommissions, f.AffiliateAdsCommission.Minor)
		p.SfpServiceFees = append(p.SfpServiceFees, f.SFPServiceFee.Minor)
		p.FlashSalesServiceFees = append(p.FlashSalesServiceFees, f.FlashSalesServiceFee.Minor)
		p.LiveSpecialsFees = append(p.LiveSpecialsFees, f.LiveSpecialsFee.Minor)
		p.VoucherXtraServiceFees = append(p.VoucherXtraServiceFees, f.VoucherXtraServiceFee.Minor)
		p.RefundAdministrationFees = append(p.RefundAdministrationFees, f.RefundAdministrationFee.Minor)
		p.Vats = append(p.Vats, t.Taxes.VAT.Minor)
		p.Gsts = append(p.Gsts, t.Taxes.GST.Minor)
		p.OtherAmounts = append(p.OtherAmounts, other)
		p.Payloads = append(p.Payloads, sealed)
	}
	n, err := tx.Q.UpsertStatementTransactions(ctx, p)
	if err != nil {
		return n, err
	}
	j.settled = j.settled || n > 0
	if n > 0 {
		err := tx.Q.RefreshStatementSums(ctx, tenantdb.RefreshStatementSumsParams{UserID: j.userID, ShopID: j.shopID, StatementID: statementID})
		if err != nil {
			return n, err
		}
	}
	return n, j.queueProfit(ctx, tx, orderIDs(p.OrderIds))
}

// orderIDs are the distinct order ids of a page of settlement rows (a row that names no order is left out).
func orderIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// otherAmounts is every amount of a transaction that has no column of its own, by where TikTok put it: the fees a
// later API version adds show up here, summed into "other fees", instead of being lost.
func otherAmounts(a tiktok.Amounts) (string, error) {
	out := map[string]int64{}
	add := func(prefix string, m map[string]money.Amount) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out[prefix+k] = m[k].Minor
		}
	}
	add("", a.Other)
	add("revenue.", a.RevenueBreakdown.Other)
	add("shipping.", a.ShippingCostBreakdown.Other)
	add("fee.", a.Fees.Other)
	add("tax.", a.Taxes.Other)
	b, err := json.Marshal(out) // maps marshal with sorted keys: the same amounts give the same text
	return string(b), err
}

// --- payments ---

func readPayments(ctx context.Context, j *run) error {
	size := j.s.cfg.PageSize
	return j.readWindow(ctx, size, func(ctx context.Context, token string) (page, error) {
		p, err := j.seller.Payments(ctx, j.shop, tiktok.PaymentQuery{PageSize: size, PageToken: token, SortOrder: "ASC",
			CreateTimeGE: j.from, CreateTimeLT: j.to})
		if err != nil {
			return page{}, err
		}
		return page{records: len(p.Payments), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) { return j.writePayments(ctx, tx, p.Payments) }}, nil
	}, nil)
}

func (j *run) writePayments(ctx context.Context, tx *store.Tx, payments []tiktok.Payment) (int64, error) {
	p := tenantdb.UpsertPaymentsParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	for _, pm := range payments {
		sealed, err := tx.Seal(ctx, purposePayment, j.shopID+"/"+pm.ID, pm.Raw) // opened by OpenPayment
		if err != nil {
			return 0, err
		}
		p.PaymentIds = append(p.PaymentIds, pm.ID)
		p.CreateTimes = append(p.CreateTimes, pm.CreateTime)
		p.Statuses = append(p.Statuses, pm.Status)
		p.Currencies = append(p.Currencies, pm.Amount.Currency)
		p.Amounts = append(p.Amounts, pm.Amount.Minor)
		p.SettlementAmounts = append(p.SettlementAmounts, pm.SettlementAmount.Minor)
		p.ReserveAmounts = append(p.ReserveAmounts, pm.ReserveAmount.Minor)
		p.AmountsBeforeExchange = append(p.AmountsBeforeExchange, pm.AmountBeforeExchange.Minor)
		p.AmountBeforeExchangeCurrencies = append(p.AmountBeforeExchangeCurrencies, pm.AmountBeforeExchange.Currency)
		p.ExchangeRates = append(p.ExchangeRates, pm.ExchangeRate)
		p.PaidTimes = append(p.PaidTimes, pm.PaidTime)
		p.Payloads = append(p.Payloads, sealed)
	}
	return tx.Q.UpsertPayments(ctx, p)
}

// --- withdrawals ---

func readWithdrawals(ctx context.Context, j *run) error {
	size := j.s.cfg.PageSize
	return j.readWindow(ctx, size, func(ctx context.Context, token string) (page, error) {
		p, err := j.seller.Withdrawals(ctx, j.shop, tiktok.WithdrawalQuery{PageSize: size, PageToken: token,
			CreateTimeGE: j.from, CreateTimeLT: j.to})
		if err != nil {
			return page{}, err
		}
		return page{records: len(p.Withdrawals), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) {
				return j.writeWithdrawals(ctx, tx, p.Withdrawals)
			}}, nil
	}, nil)
}

func (j *run) writeWithdrawals(ctx context.Context, tx *store.Tx, ws []tiktok.Withdrawal) (int64, error) {
	p := tenantdb.UpsertWithdrawalsParams{UserID: j.userID, ShopID: j.shopID, SyncedAt: tx.Now()}
	for _, w := range ws {
		sealed, err := tx.Seal(ctx, purposeWithdrawal, j.shopID+"/"+w.ID, w.Raw)
		if err != nil {
			return 0, err
		}
		p.WithdrawalIds = append(p.WithdrawalIds, w.ID)
		p.Types = append(p.Types, w.Type)
		p.Statuses = append(p.Statuses, w.Status)
		p.Currencies = append(p.Currencies, w.Amount.Currency)
		p.Amounts = append(p.Amounts, w.Amount.Minor)
		p.CreateTimes = append(p.CreateTimes, w.CreateTime)
		p.Payloads = append(p.Payloads, sealed)
	}
	return tx.Q.UpsertWithdrawals(ctx, p)
}

// --- unsettled orders ---

// readUnsettled reads every order awaiting settlement (a short list: those of the last weeks), then, in the last
// page's transaction, marks the ones this read no longer found as having left.
func readUnsettled(ctx context.Context, j *run) error {
	size := j.s.cfg.PageSize
	started := j.s.clock.Now()
	return j.readWindow(ctx, size, func(ctx context.Context, token string) (page, error) {
		p, err := j.seller.UnsettledOrders(ctx, j.shop, tiktok.UnsettledOrderQuery{PageSize: size, PageToken: token, SortOrder: "ASC",
			SearchTimeGE: j.s.cfg.FinanceSince, SearchTimeLT: j.to})
		if err != nil {
			return page{}, err
		}
		return page{records: len(p.Orders), total: p.TotalCount, next: p.NextPageToken, malformed: p.Malformed,
			write: func(ctx context.Context, tx *store.Tx) (int64, error) {
				return j.writeUnsettled(ctx, tx, started, p.Orders)
			}}, nil
	}, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Q.MarkUnsettledOrdersLeft(ctx, tenantdb.MarkUnsettledOrdersLeftParams{UserID: j.userID, ShopID: j.shopID,
			Now: tx.Now(), ReadStartedAt: started})
		return err
	})
}

func (j *run) writeUnsettled(ctx context.Context, tx *store.Tx, started time.Time, orders []tiktok.UnsettledOrder) (int64, error) {
	p := tenantdb.UpsertUnsettledOrdersParams{UserID: j.userID, ShopID: j.shopID, SeenAt: started}
	for _, u := range orders {
		sealed, err := tx.Seal(ctx, purposeUnsettled, j.shopID+"/"+u.OrderID, u.Raw)
		if err != nil {
			return 0, err
		}
		p.OrderIds = append(p.OrderIds, u.OrderID)
		p.OrderCreateTimes = append(p.OrderCreateTimes, u.OrderCreateTime)
		p.EstimatedSettlementTimes = append(p.EstimatedSettlementTimes, u.EstimatedSettlementTime)
		p.Currencies = append(p.Currencies, u.Currency)
		p.Settlements = append(p.Settlements, u.Settlement.Minor)
		p.Revenues = append(p.Revenues, u.Revenue.Minor)
		p.ShippingCosts = append(p.ShippingCosts, u.ShippingCost.Minor)
		p.FeeTaxes = append(p.FeeTaxes, u.FeeTax.Minor)
		p.Payloads = append(p.Payloads, sealed)
	}
	n, err := tx.Q.UpsertUnsettledOrders(ctx, p)
	if err != nil {
		return n, err
	}
	return n, j.queueProfit(ctx, tx, p.OrderIds)
}
