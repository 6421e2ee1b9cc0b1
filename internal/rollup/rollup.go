// Package rollup keeps a seller's profit rows in step with their synced rows. Whenever a sync writes orders, their
// lines, returns, settlement rows or TikTok's estimates, it queues the order ids in the same transaction (Queue),
// and CatchUp computes the queued orders; anything else that changes rows hands the order ids to Refresh in its
// transaction. Either applies the profit model (internal/profit) to each order as now stored, writes the results
// to order_profits (one row per order and one per SKU of it, unless the order's row stands for its only SKU) and
// adds the difference each order's new result makes to daily_profit (per shop, day in the seller's time zone, SKU
// and currency). So a dashboard reads days, never orders, and the figures are never ahead of the rows they
// summarise, and behind them only by the queue.
//
// Everything an order's profit depends on besides its rows refreshes the orders it reaches: a cost change
// (CostsChanged), the shop's fallback (ShopChanged), fee rates that moved (ObserveRates) and the seller's time
// zone (SetTimeZone rebuilds). Rebuild recomputes a shop from its rows alone and ends exactly where the
// incremental path ends. Every change takes the shop's profit lock first (see lock).
package rollup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the seller's zone must load on a machine without a zone database

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// batch is how many orders one statement refreshes.
const batch = 500

// RatesWindow is how far back ObserveRates looks for settled orders.
const RatesWindow = 90 * 24 * time.Hour

// Changed counts the rows a refresh wrote, and the orders it set aside.
type Changed struct {
	OrderRows int64 // order_profits rows written or deleted
	DailyRows int64 // daily_profit rows changed
	Refused   int64 // orders the profit model refused: set aside with no rows (see refusal)
}

func (c *Changed) add(o Changed) {
	c.OrderRows += o.OrderRows
	c.DailyRows += o.DailyRows
	c.Refused += o.Refused
}

// shop is what every order of one shop is computed with: read once per call, when the first order needs it.
type shop struct {
	id       string
	loaded   bool
	zone     *time.Location
	costs    profit.Costs
	rates    profit.FeeRates
	refusals bool // orders of the shop are set aside: those computed since come off the list
}

func loadShop(ctx context.Context, tx *store.Tx, shopID string) (*shop, error) {
	s := &shop{id: shopID}
	return s, s.load(ctx, tx)
}

// load reads the seller's zone and the shop's costs and rates, once.
func (s *shop) load(ctx context.Context, tx *store.Tx) error {
	if s.loaded {
		return nil
	}
	zone, err := TimeZone(ctx, tx)
	if err != nil {
		return err
	}
	lookup, err := costs.LoadLookup(ctx, tx, s.id)
	if err != nil {
		return err
	}
	c := profit.Costs{Lookup: func(skuID string, t time.Time) (money.Amount, bool) { return lookup.CostAt(skuID, CostDay(t, zone)) }}
	if f := lookup.Fallback(); f.Set {
		c.FallbackBps = int64(f.BPS)
	}
	rates, err := storedRates(ctx, tx, s.id)
	if err != nil {
		return err
	}
	refusals, err := tx.Q.ShopHasProfitRefusals(ctx, tenantdb.ShopHasProfitRefusalsParams{UserID: tx.UserID, ShopID: s.id})
	if err != nil {
		return fmt.Errorf("rollup: read the refusals of shop %s: %w", s.id, err)
	}
	s.zone, s.costs, s.rates, s.refusals, s.loaded = zone, c, rates, refusals, true
	return nil
}

// TimeZone is the seller's time zone, in which days begin.
func TimeZone(ctx context.Context, tx *store.Tx) (*time.Location, error) {
	name, err := tx.Q.UserTimeZone(ctx, tx.UserID)
	if err != nil {
		return nil, fmt.Errorf("rollup: read time zone: %w", err)
	}
	return location(name)
}

// ZoneAndVersion are the seller's time zone and data version (bumped whenever their profit rows change and by
// every sync page that writes rows), read together: what a page that caches figures starts with. Read the version
// before the figures it keys.
func ZoneAndVersion(ctx context.Context, tx *store.Tx) (*time.Location, int64, error) {
	r, err := tx.Q.ProfitZoneAndVersion(ctx, tx.UserID)
	if err != nil {
		return nil, 0, fmt.Errorf("rollup: read time zone and version: %w", err)
	}
	zone, err := location(r.TimeZone)
	return zone, r.Version, err
}

// zones are the locations loaded so far, by name: loading one parses its zone file.
var zones sync.Map

func location(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	zone, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("rollup: time zone %q: %w", name, err)
	}
	zones.Store(name, zone)
	return zone, nil
}

// lock takes the shop's profit lock (see LockShopProfits) for the rest of the transaction. Every change goes
// through it before reading anything, so two transactions refreshing the same order one after the other (an
// orders page and a settlement page, say) each see what the other committed.
func lock(ctx context.Context, tx *store.Tx, shopID string) error {
	if err := tx.Q.LockShopProfits(ctx, tenantdb.LockShopProfitsParams{UserID: tx.UserID, ShopID: shopID}); err != nil {
		return fmt.Errorf("rollup: lock shop %s: %w", shopID, err)
	}
	return nil
}

// Refresh recomputes the profit of the shop's orders ids (those not stored are skipped) and applies what changed.
func Refresh(ctx context.Context, tx *store.Tx, shopID string, ids []string) (Changed, error) {
	if len(ids) == 0 {
		return Changed{}, nil
	}
	if err := lock(ctx, tx, shopID); err != nil {
		return Changed{}, err
	}
	// Loaded when an order is found: a settlement page of orders not synced yet costs one read.
	s := &shop{id: shopID}
	return s.refresh(ctx, tx, ids)
}

func (s *shop) refresh(ctx context.Context, tx *store.Tx, ids []string) (Changed, error) {
	var total Changed
	for chunk := range slices.Chunk(ids, batch) {
		c, err := s.apply(ctx, tx, chunk, false)
		if err != nil {
			return total, err
		}
		total.add(c)
	}
	return total, bumpIfChanged(ctx, tx, total)
}

// bumpIfChanged bumps the seller's version when rows changed or orders were set aside (pages cache the count).
func bumpIfChanged(ctx context.Context, tx *store.Tx, c Changed) error {
	if c.OrderRows+c.DailyRows+c.Refused == 0 {
		return nil
	}
	if err := tx.Q.BumpProfitVersion(ctx, tx.UserID); err != nil {
		return fmt.Errorf("rollup: bump version: %w", err)
	}
	return nil
}

// apply computes the orders ids and writes their rows and the difference they make, in one statement; or, fresh,
// only their rows, when the shop has no rows (a rebuild sums them into days at the end).
func (s *shop) apply(ctx context.Context, tx *store.Tx, ids []string, fresh bool) (Changed, error) {
	b, err := s.compute(ctx, tx, ids)
	if err != nil {
		return Changed{}, err
	}
	return s.write(ctx, tx, b, fresh)
}

// computed is a batch of orders worked out: the ids of those stored and computed, their rows, and the orders the
// model refused.
type computed struct {
	found   []string
	rows    rowWriter
	refused []Refusal
}

// A Refusal is an order the profit model would not compute (amounts in more than one currency, beyond its limits,
// a line id twice, a return naming a line the order does not have) and why. A catch-up sets such an order aside as
// a sync sets aside a record it cannot read: it keeps no profit rows, its reason is stored (profit_refusals,
// migration 00024) and every other order goes on, where one such order used to fail every catch-up of its shop.
// Compute returns it as its error.
type Refusal struct {
	OrderID string
	Reason  string // the model's first problem, in one line, and how many more it found
}

func (r Refusal) Error() string {
	return fmt.Sprintf("rollup: the profit of order %s could not be worked out: %s", r.OrderID, r.Reason)
}

// maxReason bounds a refusal's reason: a currency TikTok sent is quoted in it as it came.
const maxReason = 300

// refusalOf is the model's refusal of an order: its first problem, without the order it names, and how many more.
func refusalOf(orderID string, err error) Refusal {
	msg := strings.TrimPrefix(err.Error(), "profit: order "+orderID+": ")
	first, rest, more := strings.Cut(msg, "\n")
	if len(first) > maxReason {
		first = strings.ToValidUTF8(first[:maxReason], "") + "..."
	}
	if more {
		first += fmt.Sprintf(" (and %d more)", strings.Count(rest, "\n")+1)
	}
	return Refusal{OrderID: orderID, Reason: first}
}

// compute reads the orders ids as stored and applies the profit model to each, loading the shop when the first
// is found: a settlement page of orders not synced yet costs one read.
func (s *shop) compute(ctx context.Context, tx *store.Tx, ids []string) (computed, error) {
	inputs, err := Inputs(ctx, tx, s.id, ids)
	if err != nil || len(inputs) == 0 {
		return computed{}, err
	}
	if err := s.load(ctx, tx); err != nil {
		return computed{}, err
	}
	b := computed{found: make([]string, 0, len(inputs))}
	b.rows.grow(len(inputs))
	for _, in := range inputs {
		r, err := profit.Compute(*in, s.costs, s.rates)
		if err != nil {
			b.refused = append(b.refused, refusalOf(in.Order.ID, err))
			continue
		}
		if err := b.rows.result(r, in.Order.CreateTime, s.zone); err != nil {
			return computed{}, err
		}
		b.found = append(b.found, in.Order.ID)
	}
	return b, nil
}

// write writes a computed batch: see apply. A refused order loses the rows it had, with what they added to its
// days.
func (s *shop) write(ctx context.Context, tx *store.Tx, b computed, fresh bool) (Changed, error) {
	if len(b.found)+len(b.refused) == 0 {
		return Changed{}, nil
	}
	c := Changed{Refused: int64(len(b.refused))}
	switch {
	case fresh && len(b.found) > 0:
		n, err := tx.Q.InsertOrderProfits(ctx, b.rows.insertParams(tx.UserID, s.id))
		if err != nil {
			return Changed{}, fmt.Errorf("rollup: write %d orders of shop %s: %w", len(b.found), s.id, err)
		}
		c.OrderRows = n
	case !fresh:
		ids := b.found
		if len(b.refused) > 0 {
			ids = slices.Clone(b.found)
			for _, r := range b.refused {
				ids = append(ids, r.OrderID)
			}
		}
		out, err := tx.Q.ApplyOrderProfits(ctx, b.rows.applyParams(tx.UserID, s.id, ids))
		if err != nil {
			return Changed{}, fmt.Errorf("rollup: apply %d orders of shop %s: %w", len(ids), s.id, err)
		}
		c.OrderRows, c.DailyRows = out.OrderRows, out.DailyRows
	}
	return c, s.keepRefusals(ctx, tx, b)
}

// keepRefusals stores the batch's refusals and takes the orders it computed off the shop's.
func (s *shop) keepRefusals(ctx context.Context, tx *store.Tx, b computed) error {
	if s.refusals && len(b.found) > 0 {
		err := tx.Q.ClearProfitRefusals(ctx, tenantdb.ClearProfitRefusalsParams{UserID: tx.UserID, ShopID: s.id, OrderIds: b.found})
		if err != nil {
			return fmt.Errorf("rollup: clear the refusals of shop %s: %w", s.id, err)
		}
	}
	if len(b.refused) == 0 {
		return nil
	}
	p := tenantdb.RecordProfitRefusalsParams{UserID: tx.UserID, ShopID: s.id, Now: tx.Now()}
	for _, r := range b.refused {
		p.OrderIds, p.Reasons = append(p.OrderIds, r.OrderID), append(p.Reasons, r.Reason)
	}
	if err := tx.Q.RecordProfitRefusals(ctx, p); err != nil {
		return fmt.Errorf("rollup: set aside %d orders of shop %s: %w", len(b.refused), s.id, err)
	}
	s.refusals = true
	return nil
}

// Compute is the profit of one stored order with the shop's costs and rates as they are now: what an order's
// breakdown page shows. It returns pgx.ErrNoRows when the shop has no such order, and a Refusal when the model
// refuses it.
func Compute(ctx context.Context, tx *store.Tx, shopID, orderID string) (profit.Result, error) {
	s, err := loadShop(ctx, tx, shopID)
	if err != nil {
		return profit.Result{}, err
	}
	inputs, err := Inputs(ctx, tx, shopID, []string{orderID})
	if err != nil {
		return profit.Result{}, err
	}
	if len(inputs) == 0 {
		return profit.Result{}, pgx.ErrNoRows
	}
	r, err := profit.Compute(*inputs[0], s.costs, s.rates)
	if err != nil {
		return profit.Result{}, refusalOf(orderID, err)
	}
	return r, nil
}

// each walks every order of the shop in pages, calling f with each page's ids.
func each(ctx context.Context, tx *store.Tx, shopID string, f func(ids []string) error) error {
	after := ""
	for {
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: tx.UserID, ShopID: shopID, After: after, MaxRows: batch})
		if err != nil {
			return fmt.Errorf("rollup: list orders of shop %s: %w", shopID, err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := f(ids); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// ShopChanged refreshes every order of the shop: after a change that may reach any of them (its cost fallback).
func ShopChanged(ctx context.Context, tx *store.Tx, shopID string) (Changed, error) {
	if err := lock(ctx, tx, shopID); err != nil {
		return Changed{}, err
	}
	s, err := loadShop(ctx, tx, shopID)
	if err != nil {
		return Changed{}, err
	}
	var total Changed
	err = each(ctx, tx, shopID, func(ids []string) error {
		c, err := s.refresh(ctx, tx, ids)
		total.add(c)
		return err
	})
	return total, err
}

// CostDay is the date whose costs an order placed at t is costed with: its day in the seller's zone, as the
// midnight UTC that holds a cost's effective date (costs.Cost). A cost from a date applies from the start of that
// day where the seller is.
func CostDay(t time.Time, zone *time.Location) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CostsChanged refreshes the orders that sold any of skuIDs placed since the start, in the seller's zone, of the
// date since (as costs hold dates: midnight UTC): after their costs changed from that day on.
func CostsChanged(ctx context.Context, tx *store.Tx, shopID string, skuIDs []string, since time.Time) (Changed, error) {
	if len(skuIDs) == 0 {
		return Changed{}, nil
	}
	zone, err := TimeZone(ctx, tx)
	if err != nil {
		return Changed{}, err
	}
	y, m, d := since.UTC().Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, zone)
	ids, err := tx.Q.OrderIDsWithSKU(ctx, tenantdb.OrderIDsWithSKUParams{UserID: tx.UserID, ShopID: shopID, SkuIds: skuIDs, Since: from})
	if err != nil {
		return Changed{}, fmt.Errorf("rollup: orders of %d SKUs of shop %s: %w", len(skuIDs), shopID, err)
	}
	return Refresh(ctx, tx, shopID, ids)
}

// Rebuild forgets the shop's profit rows and computes them again from the stored rows: every order's rows, then
// the days as their sums (what the differences the sync adds come to).
func Rebuild(ctx context.Context, tx *store.Tx, shopID string) (Changed, error) {
	if err := lock(ctx, tx, shopID); err != nil {
		return Changed{}, err
	}
	if err := tx.Q.DeleteShopProfits(ctx, tenantdb.DeleteShopProfitsParams{UserID: tx.UserID, ShopID: shopID}); err != nil {
		return Changed{}, fmt.Errorf("rollup: forget shop %s: %w", shopID, err)
	}
	s, err := loadShop(ctx, tx, shopID)
	if err != nil {
		return Changed{}, err
	}
	var total Changed
	err = each(ctx, tx, shopID, func(ids []string) error {
		c, err := s.apply(ctx, tx, ids, true)
		total.add(c)
		return err
	})
	if err != nil {
		return total, err
	}
	if total.DailyRows, err = tx.Q.RebuildDailyProfit(ctx, tenantdb.RebuildDailyProfitParams{UserID: tx.UserID, ShopID: shopID}); err != nil {
		return total, fmt.Errorf("rollup: sum the days of shop %s: %w", shopID, err)
	}
	return total, tx.Q.BumpProfitVersion(ctx, tx.UserID)
}

// RebuildAll rebuilds every shop of the seller.
func RebuildAll(ctx context.Context, tx *store.Tx) (Changed, error) {
	shops, err := tx.Q.ProfitShopIDs(ctx, tx.UserID)
	if err != nil {
		return Changed{}, fmt.Errorf("rollup: list shops: %w", err)
	}
	var total Changed
	for _, id := range shops {
		c, err := Rebuild(ctx, tx, id)
		total.add(c)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// ErrUnknownZone is returned by SetTimeZone for a name the zone database does not know.
var ErrUnknownZone = errors.New("rollup: unknown time zone")

// SetTimeZone sets the seller's time zone (an IANA name such as "America/New_York") and, when it changed,
// rebuilds every shop so that days begin at the new midnight.
func SetTimeZone(ctx context.Context, tx *store.Tx, name string) (bool, error) {
	if _, err := time.LoadLocation(name); err != nil || name == "" || name == "Local" {
		return false, fmt.Errorf("%w: %q", ErrUnknownZone, name)
	}
	n, err := tx.Q.SetUserTimeZone(ctx, tenantdb.SetUserTimeZoneParams{UserID: tx.UserID, TimeZone: name})
	if err != nil || n == 0 {
		return false, err
	}
	_, err = RebuildAll(ctx, tx)
	return true, err
}

// --- fee rates ---

// storedRates are the shop's observed rates, the zero FeeRates before any.
func storedRates(ctx context.Context, tx *store.Tx, shopID string) (profit.FeeRates, error) {
	row, err := tx.Q.GetShopFeeRates(ctx, tenantdb.GetShopFeeRatesParams{UserID: tx.UserID, ShopID: shopID})
	if errors.Is(err, pgx.ErrNoRows) {
		return profit.FeeRates{}, nil
	}
	if err != nil {
		return profit.FeeRates{}, fmt.Errorf("rollup: read fee rates of shop %s: %w", shopID, err)
	}
	var r profit.FeeRates
	if err := json.Unmarshal(row.Rates, &r); err != nil {
		return profit.FeeRates{}, fmt.Errorf("rollup: fee rates of shop %s: %w", shopID, err)
	}
	return r, nil
}

// ObserveRates observes the shop's fee rates in its orders settled and placed within RatesWindow of now and,
// when they moved materially (see material) from the stored ones, stores them and refreshes the orders they reach
// (OrdersRatesReach: a settled order's rows do not depend on them, see estimatedNetProfit, nor an unsold one's). So
// every order is computed with the rates stored, and a rebuild ends where this does. Settled orders arrive daily
// and move the rates by a basis point here and there; only a real change in the shop's fees costs a refresh. A
// shop with orders in more than one currency keeps the rates it had.
func ObserveRates(ctx context.Context, tx *store.Tx, shopID string, now time.Time) (Changed, error) {
	if err := lock(ctx, tx, shopID); err != nil {
		return Changed{}, err
	}
	s, err := tx.Q.SettledProfitForRates(ctx, tenantdb.SettledProfitForRatesParams{UserID: tx.UserID, ShopID: shopID, Since: now.Add(-RatesWindow)})
	if err != nil {
		return Changed{}, fmt.Errorf("rollup: observe rates of shop %s: %w", shopID, err)
	}
	if s.Orders == 0 || s.Currencies != 1 {
		return Changed{}, nil
	}
	var t profit.Totals
	v := make([]int64, len(measureNames))
	named := map[string]int64{"orders": s.Orders, "sample_orders": s.SampleOrders, "net_sales": s.NetSales,
		"refunds": s.Refunds, "shipping_cost": s.ShippingCost, "fee_referral": s.FeeReferral,
		"fee_platform_commission": s.FeePlatformCommission, "fee_transaction": s.FeeTransaction, "fee_sfp": s.FeeSfp,
		"fee_flash_sale": s.FeeFlashSale, "fee_live": s.FeeLive, "fee_voucher": s.FeeVoucher,
		"fee_refund_administration": s.FeeRefundAdministration, "fee_other": s.FeeOther,
		"affiliate_standard": s.AffiliateStandard, "affiliate_partner": s.AffiliatePartner,
		"affiliate_ads": s.AffiliateAds, "tax_on_fees": s.TaxOnFees}
	for i, name := range measureNames {
		v[i] = named[name]
	}
	if err := t.SetMeasures(s.Currency, v); err != nil {
		return Changed{}, err
	}
	observed := profit.RatesFrom(t)
	stored, err := storedRates(ctx, tx, shopID)
	if err != nil {
		return Changed{}, err
	}
	if !material(stored, observed) {
		return Changed{}, nil
	}
	rates, err := json.Marshal(observed)
	if err != nil {
		return Changed{}, err
	}
	n, err := tx.Q.SetShopFeeRates(ctx, tenantdb.SetShopFeeRatesParams{UserID: tx.UserID, ShopID: shopID, Currency: s.Currency,
		Rates: rates, SettledOrders: s.Orders, Now: now})
	if err != nil || n == 0 {
		return Changed{}, err
	}
	ids, err := OrdersRatesReach(ctx, tx, shopID)
	if err != nil {
		return Changed{}, err
	}
	return Refresh(ctx, tx, shopID, ids)
}

// OrdersRatesReach are the shop's orders whose rows new fee rates can change: those still estimated, but for those
// not sold (see unsold).
func OrdersRatesReach(ctx context.Context, tx *store.Tx, shopID string) ([]string, error) {
	ids, err := tx.Q.EstimatedOrderIDs(ctx, tenantdb.EstimatedOrderIDsParams{UserID: tx.UserID, ShopID: shopID,
		UnsoldFlags: int32(unsold)})
	if err != nil {
		return nil, fmt.Errorf("rollup: estimated orders of shop %s: %w", shopID, err)
	}
	return ids, nil
}

// unsold are the flags of an order row whose order is not sold (cancelled or unpaid). The profit model estimates
// such an order without the shop's rates, so new rates cannot change its rows: ObserveRates leaves it alone. A
// shop's cancelled orders stay estimated for good, and were refreshed at every move of its rates (in the
// 100,000-order benchmark, twice during the first sync's catch-up).
const unsold = profit.FlagCancelled | profit.FlagUnpaid

// Thresholds past which observed rates replace the stored ones.
const (
	materialBps      = 25 // a quarter of a percentage point of any rate
	materialShipping = 20 // in 1/1000: 2% of the shipping cost per order
)

// material says whether observed rates differ enough from stored ones to recompute the shop with them.
func material(stored, observed profit.FeeRates) bool {
	a, b := rateList(stored), rateList(observed)
	for i := range a {
		if abs(a[i]-b[i]) >= materialBps {
			return true
		}
	}
	x, y := stored.ShippingCostPerOrder, observed.ShippingCostPerOrder
	if x.Currency != y.Currency {
		return true
	}
	return abs(x.Minor-y.Minor)*1000 > materialShipping*max(abs(x.Minor), 1)
}

func rateList(r profit.FeeRates) []int64 {
	return []int64{r.Referral, r.PlatformCommission, r.Transaction, r.SFP, r.FlashSale, r.Live, r.Voucher, r.OtherFees,
		r.Affiliate, r.AffiliatePartner, r.AffiliateAds, r.RefundAdministration, r.TaxOnFees}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// --- rows ---

// measureCount is how many measures a row has: ApplyOrderProfits and InsertOrderProfits read them by position, 42
// a row, in profit.MeasureNames' order.
const measureCount = 42

// measureNames are the measure columns, in profit.MeasureNames' order.
var measureNames = profit.MeasureNames()

// rowWriter gathers order_profits rows a column at a time, as ApplyOrderProfits and InsertOrderProfits take them:
// on every page's path, typed arrays cost Postgres and the worker a fraction of what a JSON document of the same
// rows did (306 KB for 100 orders).
type rowWriter struct {
	orderIDs, skuIDs, sellerSKUs, days, currencies, states []string
	soleSKUIDs, soleSellerSKUs                             []string // order rows: the one SKU they stand for
	createTimes                                            []time.Time
	flags                                                  []int32
	estimated, measures                                    []int64

	order profit.Breakdown // the order's breakdown while its row is added: on the heap with the writer, so a row's
	// measures are read from it without copying it there each time
}

// grow makes room for about n orders' rows.
func (w *rowWriter) grow(n int) {
	n = n * 5 / 2 // the order's row and its SKUs'
	w.orderIDs, w.skuIDs, w.sellerSKUs = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	w.soleSKUIDs, w.soleSellerSKUs = make([]string, 0, n), make([]string, 0, n)
	w.days, w.currencies, w.states = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	w.createTimes, w.flags, w.estimated = make([]time.Time, 0, n), make([]int32, 0, n), make([]int64, 0, n)
	w.measures = make([]int64, 0, n*measureCount)
}

// result adds the order's rows: its own and one per SKU, except that an order of one SKU whose SKU row would hold
// exactly what its own row holds (currency, state, flags and every measure) writes its own row alone, naming the
// SKU in it (migration 00025). That is most orders, and it spares a row of 42 measures each.
func (w *rowWriter) result(r profit.Result, created time.Time, zone *time.Location) error {
	day := created.In(zone).Format(time.DateOnly)
	w.order = r.Order
	if err := w.row(r.OrderID, "", "", day, created, &w.order, estimatedNetProfit(r)); err != nil {
		return err
	}
	skus := r.BySKU()
	for i := range skus {
		if err := w.row(r.OrderID, skus[i].SkuID, skus[i].SellerSKU, day, created, &skus[i].Breakdown, 0); err != nil {
			return err
		}
	}
	if len(skus) == 1 && w.standsFor(skus[0].SkuID) {
		w.dropLast()
		last := len(w.orderIDs) - 1
		w.soleSKUIDs[last], w.soleSellerSKUs[last] = skus[0].SkuID, skus[0].SellerSKU
	}
	return nil
}

// standsFor says whether the last row, a SKU's, holds what the row before it, its order's, holds.
func (w *rowWriter) standsFor(skuID string) bool {
	sku, order := len(w.orderIDs)-1, len(w.orderIDs)-2
	if skuID == "" || w.currencies[sku] != w.currencies[order] || w.states[sku] != w.states[order] ||
		w.flags[sku] != w.flags[order] {
		return false
	}
	m := w.measures[len(w.measures)-2*measureCount:]
	return slices.Equal(m[:measureCount], m[measureCount:])
}

// dropLast takes the last row off.
func (w *rowWriter) dropLast() {
	n := len(w.orderIDs) - 1
	w.orderIDs, w.skuIDs, w.sellerSKUs = w.orderIDs[:n], w.skuIDs[:n], w.sellerSKUs[:n]
	w.soleSKUIDs, w.soleSellerSKUs = w.soleSKUIDs[:n], w.soleSellerSKUs[:n]
	w.days, w.createTimes, w.currencies = w.days[:n], w.createTimes[:n], w.currencies[:n]
	w.states, w.flags, w.estimated = w.states[:n], w.flags[:n], w.estimated[:n]
	w.measures = w.measures[:n*measureCount]
}

// ratesBased are the flags of an estimate made with the shop's fee rates rather than TikTok's own estimate.
const ratesBased = profit.FlagRatesOnly | profit.FlagFeesUnknown | profit.FlagShippingUnknown

// estimatedNetProfit is what order_profits keeps as the order's estimate: the estimate itself while the order is
// estimated, and once it is settled, TikTok's estimate when it gave one; a settled order whose estimate would rest
// on the shop's rates keeps its settled profit (no difference to show), since today's rates would only guess after
// the fact what was estimated then. So a settled order's rows never depend on the rates, and new rates need only
// refresh the orders still estimated. The order's page shows both, computed live.
func estimatedNetProfit(r profit.Result) int64 {
	if r.State == profit.Settled && r.Estimated.Flags&ratesBased != 0 {
		return r.Order.NetProfit.Minor
	}
	return r.Estimated.NetProfit.Minor
}

func (w *rowWriter) row(orderID, skuID, sellerSKU, day string, created time.Time, b *profit.Breakdown, estimated int64) error {
	n := len(w.measures)
	m, err := profit.AppendMeasures(w.measures, b)
	if err != nil {
		return err
	}
	if len(m)-n != measureCount {
		return fmt.Errorf("rollup: %d measures a row; the statements read %d", len(m)-n, measureCount)
	}
	w.orderIDs, w.skuIDs, w.sellerSKUs = append(w.orderIDs, orderID), append(w.skuIDs, skuID), append(w.sellerSKUs, sellerSKU)
	w.soleSKUIDs, w.soleSellerSKUs = append(w.soleSKUIDs, ""), append(w.soleSellerSKUs, "")
	w.days, w.createTimes, w.currencies = append(w.days, day), append(w.createTimes, created), append(w.currencies, b.Currency)
	w.states, w.flags = append(w.states, b.State.String()), append(w.flags, int32(b.Flags))
	w.estimated, w.measures = append(w.estimated, estimated), m
	return nil
}

func (w *rowWriter) applyParams(userID int64, shopID string, orderIDs []string) tenantdb.ApplyOrderProfitsParams {
	return tenantdb.ApplyOrderProfitsParams{UserID: userID, ShopID: shopID, OrderIds: orderIDs,
		RowOrderIds: w.orderIDs, RowSkuIds: w.skuIDs, RowSellerSkus: w.sellerSKUs, RowDays: w.days,
		RowCreateTimes: w.createTimes, RowCurrencies: w.currencies, RowStates: w.states, RowFlags: w.flags,
		RowEstimatedNetProfits: w.estimated, RowSoleSkuIds: w.soleSKUIDs, RowSoleSellerSkus: w.soleSellerSKUs,
		RowMeasures: w.measures}
}

func (w *rowWriter) insertParams(userID int64, shopID string) tenantdb.InsertOrderProfitsParams {
	p := w.applyParams(userID, shopID, nil)
	return tenantdb.InsertOrderProfitsParams{UserID: p.UserID, ShopID: p.ShopID, RowOrderIds: p.RowOrderIds,
		RowSkuIds: p.RowSkuIds, RowSellerSkus: p.RowSellerSkus, RowDays: p.RowDays, RowCreateTimes: p.RowCreateTimes,
		RowCurrencies: p.RowCurrencies, RowStates: p.RowStates, RowFlags: p.RowFlags,
		RowEstimatedNetProfits: p.RowEstimatedNetProfits, RowSoleSkuIds: p.RowSoleSkuIds,
		RowSoleSellerSkus: p.RowSoleSellerSkus, RowMeasures: p.RowMeasures}
}
