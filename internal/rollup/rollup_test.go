package rollup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/rollup/rolluptest"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

type fixture struct {
	env    *testenv.Env
	tt     *tiktoktest.Env
	sync   *syncer.Syncer
	userID int64
	shop   sandbox.Shop
}

// seededShop is the shop seeded tests and benchmarks use.
const seededShop = "seeded"

// seeded is a seller whose shop seededShop holds orders orders over days days, selling skus SKUs, with their
// lines, refunds, settlement rows and estimates (rolluptest.Seed), and no profit rows yet.
func seeded(tb testing.TB, orders, days, skus int) *fixture {
	tb.Helper()
	env := testenv.New(tb)
	userID, err := env.Store.CreateTenant(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	rolluptest.Seed(tb, env.DB.OwnerURL, userID, seededShop, rolluptest.Shape{Orders: orders, Days: days, SKUs: skus,
		End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), SettleAfter: 14 * 24 * time.Hour})
	return &fixture{env: env, userID: userID}
}

// rebuild recomputes the shop's profit rows from its rows (rollup.Rebuild).
func (f *fixture) rebuild(t *testing.T, shopID string) {
	t.Helper()
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		_, err := rollup.Rebuild(ctx, tx, shopID)
		return err
	})
}

// sameAfterARebuild rebuilds the shop and checks that its order_profits and daily_profit rows (those not all zero)
// are orders and days, as read before.
func (f *fixture) sameAfterARebuild(t *testing.T, what, shopID string, orders, days map[string]row) {
	t.Helper()
	f.rebuild(t, shopID)
	sameRows(t, "order_profits "+what, orders, f.rows(t, "order_profits"))
	sameRows(t, "daily_profit "+what, nonZero(days), nonZero(f.rows(t, "daily_profit")))
}

// newFixture is a seller whose sandbox shop (30 days of orders, with returns and finance) is synced whole.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	tt := tiktoktest.New(t, env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 30, 8 })
	log := slog.New(slog.DiscardHandler)
	conn := connect.New(env.Store, tt.Client, env.Clock, log)
	userID, shop := tiktoktest.Connect(t, env.Store, tt.Sandbox)
	s := syncer.New(env.Store, tt.Client, conn, env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 50}, log)
	f := &fixture{env: env, tt: tt, sync: s, userID: userID, shop: shop}
	f.syncAll(t)
	return f
}

func (f *fixture) syncAll(t *testing.T) {
	t.Helper()
	for _, r := range syncer.Resources() {
		if _, err := f.sync.Sync(context.Background(), f.userID, f.shop.ID, r); err != nil {
			t.Fatalf("sync %s: %v", r, err)
		}
	}
}

func (f *fixture) inTenant(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// row is a profit row read back by its column names.
type row struct {
	key      string // shop/day/sku/currency, or shop/order/sku
	measures []int64
	other    string // the row's other columns, as JSON
	sole     string // order_profits: the SKU an order's row stands for
}

// rows reads a profit table whole, as the owner (every column by name, so a column the code forgot shows up).
func (f *fixture) rows(t *testing.T, table string) map[string]row {
	t.Helper()
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	rs, err := conn.Query(context.Background(), `SELECT to_jsonb(p) FROM `+table+` p WHERE user_id = $1`, f.userID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]row{}
	for rs.Next() {
		var m map[string]any
		if err := rs.Scan(&m); err != nil {
			t.Fatal(err)
		}
		var r row
		for _, name := range profit.MeasureNames() {
			v, ok := m[name].(float64)
			if !ok {
				t.Fatalf("%s has no measure %s", table, name)
			}
			r.measures = append(r.measures, int64(v))
			delete(m, name)
		}
		if table == "daily_profit" {
			r.key = fmt.Sprint(m["shop_id"], "/", m["day"], "/", m["sku_id"], "/", m["currency"])
		} else {
			r.key = fmt.Sprint(m["shop_id"], "/", m["order_id"], "/", m["sku_id"])
			r.sole, _ = m["sole_sku_id"].(string)
		}
		b, _ := json.Marshal(m)
		r.other = string(b)
		out[r.key] = r
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// skuRow is the order's row for the SKU: the SKU's own, or the order's when it stands for its sole SKU.
func skuRow(rows map[string]row, shopID, orderID, skuID string) (row, bool) {
	if r, ok := rows[shopID+"/"+orderID+"/"+skuID]; ok {
		return r, true
	}
	r, ok := rows[shopID+"/"+orderID+"/"]
	return r, ok && r.sole == skuID
}

func nonZero(rows map[string]row) map[string]row {
	out := map[string]row{}
	for k, r := range rows {
		if slices.ContainsFunc(r.measures, func(v int64) bool { return v != 0 }) {
			out[k] = r
		}
	}
	return out
}

func sameRows(t *testing.T, what string, got, want map[string]row) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: row %s missing", what, k)
			continue
		}
		if !slices.Equal(g.measures, want[k].measures) || g.other != want[k].other {
			t.Errorf("%s: row %s differs\n got %v %s\nwant %v %s", what, k, g.measures, g.other, want[k].measures, want[k].other)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected row %s", what, k)
		}
	}
}

func (f *fixture) version(t *testing.T) int64 {
	t.Helper()
	var v int64
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		v, err = tx.Q.ProfitVersion(ctx, f.userID)
		return err
	})
	return v
}

// model applies the profit model to every stored order of the shop, one at a time, and sums the results by day
// (and SKU) as the daily rows key them.
func (f *fixture) model(t *testing.T) (byDay map[string]*profit.Totals, orders int) {
	t.Helper()
	byDay = map[string]*profit.Totals{}
	add := func(key string, b profit.Breakdown) {
		if byDay[key] == nil {
			byDay[key] = &profit.Totals{}
		}
		if err := byDay[key].Add(b); err != nil {
			t.Fatal(err)
		}
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: f.userID, ShopID: f.shop.ID, MaxRows: 1 << 30})
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, err := rollup.Compute(ctx, tx, f.shop.ID, id)
			if err != nil {
				return err
			}
			in, err := rollup.Inputs(ctx, tx, f.shop.ID, []string{id})
			if err != nil {
				return err
			}
			day := in[0].Order.CreateTime.In(zone).Format("2006-01-02")
			add(fmt.Sprint(f.shop.ID, "/", day, "/", "", "/", r.Order.Currency), r.Order)
			for _, k := range r.BySKU() {
				add(fmt.Sprint(f.shop.ID, "/", day, "/", k.SkuID, "/", k.Currency), k.Breakdown)
			}
		}
		orders = len(ids)
		return nil
	})
	return byDay, orders
}

// The sync keeps the rollups as it writes each page; what they hold must be the profit model applied to every
// stored order one by one, summed by day and SKU; a rebuild from the rows must end exactly there; and a re-sync
// of the same data must change nothing.
func TestTheSyncsRollupsAreTheModelOrderByOrderAndARebuildEndsThere(t *testing.T) {
	f := newFixture(t)
	daily := f.rows(t, "daily_profit")
	want, orders := f.model(t)
	if orders < 100 {
		t.Fatalf("only %d orders stored", orders)
	}
	if len(daily) != len(want) {
		t.Errorf("%d daily rows; the model gives %d days×SKUs", len(daily), len(want))
	}
	for key, tot := range want {
		got, ok := daily[key]
		if !ok {
			t.Errorf("no daily row %s", key)
			continue
		}
		if !slices.Equal(got.measures, tot.Measures()) {
			t.Errorf("daily row %s\n got %v\nwant %v (the model, order by order)", key, got.measures, tot.Measures())
		}
	}

	// Most of the shop's orders are of one SKU, and their own rows stand for it: no SKU row beside them.
	orderRows := f.rows(t, "order_profits")
	sole := 0
	for _, r := range orderRows {
		if r.sole == "" {
			continue
		}
		sole++
		order, _, _ := strings.Cut(strings.TrimPrefix(r.key, f.shop.ID+"/"), "/")
		for k := range orderRows {
			if strings.HasPrefix(k, f.shop.ID+"/"+order+"/") && k != r.key {
				t.Errorf("order %s stands for SKU %s and has row %s too", order, r.sole, k)
			}
		}
	}
	if sole < orders/2 {
		t.Errorf("%d of %d orders stand for their sole SKU; the sandbox's orders are mostly of one SKU", sole, orders)
	}

	version := f.version(t)
	f.syncAll(t)
	if v := f.version(t); v != version {
		t.Errorf("a re-sync of unchanged data moved the profit version from %d to %d", version, v)
	}

	incremental := nonZero(daily)
	f.rebuild(t, f.shop.ID)
	sameRows(t, "daily_profit after a rebuild", nonZero(f.rows(t, "daily_profit")), incremental)
	sameRows(t, "order_profits after a rebuild", f.rows(t, "order_profits"), orderRows)
}

// What the rollups say was settled is, to the cent, what TikTok's statements settled, less the reserve it held
// back (cash, not profit); and every settled order's own settlement is there, flagged when its parts do not sum.
func TestTheSettledProfitIsWhatTheStatementsSettled(t *testing.T) {
	f := newFixture(t)
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	var settled, reported, unreconciled, statements, reserve, txns int64
	err := conn.QueryRow(context.Background(), `SELECT
		(SELECT coalesce(sum(settlement), 0) FROM daily_profit WHERE user_id = $1 AND sku_id = ''),
		(SELECT coalesce(sum(settlement_reported), 0) FROM order_profits WHERE user_id = $1 AND sku_id = '' AND state = 'settled'),
		(SELECT coalesce(sum(unreconciled), 0) FROM order_profits WHERE user_id = $1 AND sku_id = '' AND state = 'settled'),
		(SELECT coalesce(sum(settlement), 0) FROM statements WHERE user_id = $1),
		(SELECT coalesce(sum(settlement), 0) FROM statement_transactions WHERE user_id = $1 AND type = 'RESERVE'),
		(SELECT count(*) FROM statement_transactions WHERE user_id = $1 AND type <> 'RESERVE' AND order_id = '')`,
		f.userID).Scan(&settled, &reported, &unreconciled, &statements, &reserve, &txns)
	if err != nil {
		t.Fatal(err)
	}
	_ = settled
	if txns != 0 {
		t.Fatalf("%d settlement rows name no order: the test's premise is gone", txns)
	}
	want := tiktoktest.Want(t, f.tt.Sandbox, f.shop.ID)
	if statements != want.StatementSettlement {
		t.Fatalf("statements hold %d; the sandbox settled %d", statements, want.StatementSettlement)
	}
	if reported != statements-reserve {
		t.Errorf("settled orders report %d; the statements settled %d, of which %d reserve: want %d", reported, statements, reserve, statements-reserve)
	}
	if _, mismatched := f.tt.Sandbox.Mismatch(); mismatched != "" && unreconciled == 0 {
		t.Errorf("the sandbox's mismatched settlement (order %s) is not flagged as unreconciled", mismatched)
	}
}

// A cost entered for a SKU reaches, in the same transaction, every order placed since it applies; the rows then
// are what a rebuild makes.
func TestACostChangeReachesTheOrdersItAppliesTo(t *testing.T) {
	f := newFixture(t)
	before := f.rows(t, "daily_profit")
	var sku string
	var units int64
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if r := before[k]; !strings.HasSuffix(strings.TrimSuffix(k, "/USD"), "/") && r.measures[1] > units {
			sku, units = strings.Split(k, "/")[2], r.measures[1]
		}
	}
	if sku == "" {
		t.Fatal("no SKU sold")
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		if _, _, err := costs.Set(ctx, tx, f.shop.ID, costs.Edit{SKUID: sku, EffectiveFrom: "2020-01-01", ProductCost: "2.50"}); err != nil {
			return err
		}
		c, err := rollup.CostsChanged(ctx, tx, f.shop.ID, []string{sku}, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if c.OrderRows == 0 || c.DailyRows == 0 {
			t.Errorf("a new cost changed %+v rows", c)
		}
		return err
	})
	after := nonZero(f.rows(t, "daily_profit"))
	cogs := slices.Index(profit.MeasureNames(), "cost_of_goods")
	var was, is int64
	for k, r := range after {
		if strings.Split(k, "/")[2] == "" {
			is += r.measures[cogs]
		}
	}
	for k, r := range before {
		if strings.Split(k, "/")[2] == "" {
			was += r.measures[cogs]
		}
	}
	if is <= was {
		t.Errorf("cost of goods %d before the cost, %d after; want more", was, is)
	}
	f.rebuild(t, f.shop.ID)
	sameRows(t, "daily_profit after the cost, then a rebuild", nonZero(f.rows(t, "daily_profit")), after)
}

// Days begin at the seller's midnight: a new time zone moves orders between days, and nothing else.
func TestANewTimeZoneMovesOrdersBetweenDaysAndChangesNoTotal(t *testing.T) {
	f := newFixture(t)
	sum := func(rows map[string]row) []int64 {
		total := make([]int64, len(profit.MeasureNames()))
		for k, r := range rows {
			if strings.Split(k, "/")[2] == "" {
				for i, v := range r.measures {
					total[i] += v
				}
			}
		}
		return total
	}
	utc := f.rows(t, "daily_profit")
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		if _, err := rollup.SetTimeZone(ctx, tx, "Mars/Olympus_Mons"); err == nil {
			t.Error("an unknown zone was accepted")
		}
		changed, err := rollup.SetTimeZone(ctx, tx, "Asia/Tokyo")
		if !changed {
			t.Error("the zone did not change")
		}
		return err
	})
	tokyo := f.rows(t, "daily_profit")
	if !slices.Equal(sum(utc), sum(tokyo)) {
		t.Errorf("totals changed with the zone:\n%v\n%v", sum(utc), sum(tokyo))
	}
	if maps.EqualFunc(utc, tokyo, func(a, b row) bool { return slices.Equal(a.measures, b.measures) }) {
		t.Error("no order moved to another day 9 hours ahead")
	}
	want, _ := f.model(t)
	for key, tot := range want {
		if !slices.Equal(tokyo[key].measures, tot.Measures()) {
			t.Errorf("Tokyo day %s: %v; the model gives %v", key, tokyo[key].measures, tot.Measures())
		}
	}
}

// forgetProfits deletes the shop's profit rows, and returns its days as they were (never none) and its orders.
func (f *fixture) forgetProfits(t *testing.T) (days map[string]row, ids []string) {
	t.Helper()
	days = nonZero(f.rows(t, "daily_profit"))
	if len(days) == 0 {
		t.Fatal("the synced shop has no profit")
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		ids, err = tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: f.userID, ShopID: f.shop.ID, MaxRows: 1 << 30})
		if err != nil {
			return err
		}
		return tx.Q.DeleteShopProfits(ctx, tenantdb.DeleteShopProfitsParams{UserID: f.userID, ShopID: f.shop.ID})
	})
	if len(nonZero(f.rows(t, "daily_profit"))) != 0 {
		t.Fatal("the shop's days were not forgotten")
	}
	return days, ids
}

// Two transactions refreshing the same orders at once (an orders page and a settlement page, say) end with each
// order counted once: the shop's profit lock makes the second read what the first wrote.
func TestConcurrentRefreshesOfTheSameOrdersCountEachOnce(t *testing.T) {
	f := newFixture(t)
	want, ids := f.forgetProfits(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			errs <- f.env.Store.InTenant(context.Background(), f.userID, func(tx *store.Tx) error {
				_, err := rollup.Refresh(context.Background(), tx, f.shop.ID, ids)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sameRows(t, "daily_profit after four concurrent refreshes", nonZero(f.rows(t, "daily_profit")), want)
}

// Orders queued by four transactions at once (an orders page, a settlement page...) and caught up by four workers
// at once end counted once each, with the queue empty: a catch-up takes its entries off the queue in the
// transaction that writes their rows, under the shop's profit lock.
func TestQueuedOrdersCaughtUpConcurrentlyCountOnce(t *testing.T) {
	f := newFixture(t)
	want, ids := f.forgetProfits(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			errs <- f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
				return rollup.Queue(ctx, tx, f.shop.ID, slices.Concat(ids, []string{""})) // "" names no order: left out
			})
		})
	}
	wg.Wait()
	for range 4 {
		wg.Go(func() {
			for {
				_, taken, err := rollup.CatchUp(ctx, f.env.Store, f.userID, f.shop.ID)
				if err != nil || taken < rollup.TakeMax {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: f.shop.ID})
		if err == nil && n != 0 {
			t.Errorf("%d entries left on the queue", n)
		}
		return err
	})
	sameRows(t, "daily_profit after four concurrent catch-ups", nonZero(f.rows(t, "daily_profit")), want)
}

// An order queued again by a page that has not committed (while its first entry waits on the queue) is in a second
// entry the page alone sees. A catch-up meanwhile waits for nothing: it takes the first entry and computes the order
// from the rows committed before the page. The page's entry stays for the next catch-up, which computes the order
// from the page's rows.
func TestAnOrderQueuedAgainByAPageNotCommittedIsComputedAgainFromItsRows(t *testing.T) {
	f := newFixture(t)
	var order string
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: f.userID, ShopID: f.shop.ID, MaxRows: 1})
		if err != nil || len(ids) == 0 {
			return fmt.Errorf("an order of the shop: %v, %w", ids, err)
		}
		order = ids[0]
		return rollup.Queue(ctx, tx, f.shop.ID, []string{order})
	})
	queued := func(ctx context.Context, tx *store.Tx) int64 {
		t.Helper()
		n, err := tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: f.shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var before map[string]row // the order's rows as the catch-up during the page left them
	f.inTenant(t, func(ctx context.Context, page *store.Tx) error {
		// The page: the order turned into a creator sample (counted apart, as marketing), and queued again.
		if _, err := page.PgxTx().Exec(ctx, `UPDATE orders SET is_sample = NOT is_sample WHERE user_id = $1 AND shop_id = $2 AND order_id = $3`,
			f.userID, f.shop.ID, order); err != nil {
			return err
		}
		if err := rollup.Queue(ctx, page, f.shop.ID, []string{order}); err != nil {
			return err
		}
		if n := queued(ctx, page); n != 2 {
			t.Errorf("the page sees %d order ids queued; want its order twice", n)
		}
		// The catch-up runs on another connection while the page is open; it must not wait for the page (the
		// deadline only turns a wait into a failure instead of a hang).
		during, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, taken, err := rollup.CatchUp(during, f.env.Store, f.userID, f.shop.ID)
		if err != nil || taken != 1 {
			t.Fatalf("the catch-up during the page took %d orders: %v; want the order's first entry", taken, err)
		}
		before = f.rows(t, "order_profits")
		return nil
	})
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		if n := queued(ctx, tx); n != 1 {
			t.Errorf("%d order ids queued once the page committed; want the page's", n)
		}
		return nil
	})
	if _, taken, err := rollup.CatchUp(context.Background(), f.env.Store, f.userID, f.shop.ID); err != nil || taken != 1 {
		t.Fatalf("the next catch-up took %d orders: %v", taken, err)
	}
	after := f.rows(t, "order_profits")
	if maps.EqualFunc(before, after, func(a, b row) bool { return slices.Equal(a.measures, b.measures) && a.other == b.other }) {
		t.Errorf("the order's profit rows are the same before and after the page's rows were computed")
	}
	f.sameAfterARebuild(t, "after a catch-up of an order its page queued again", f.shop.ID, after, f.rows(t, "daily_profit"))
}

// An order queued again while a catch-up holds its entries (a settlement page landing while its orders page's
// entry is being computed) neither waits for the catch-up nor is taken by it: the new entry stays for the next
// catch-up, which computes the order from rows the first one may not have seen.
func TestAnOrderQueuedWhileACatchUpHoldsItStaysForTheNext(t *testing.T) {
	f := newFixture(t)
	_, ids := f.forgetProfits(t)
	ctx := context.Background()
	order := ids[0]
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		return rollup.Queue(ctx, tx, f.shop.ID, []string{order})
	})
	length := func(tx *store.Tx) int64 {
		t.Helper()
		n, err := tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: f.shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.inTenant(t, func(ctx context.Context, held *store.Tx) error {
		taken, err := held.Q.TakeProfitQueue(ctx, tenantdb.TakeProfitQueueParams{UserID: f.userID, ShopID: f.shop.ID, MaxOrders: rollup.TakeMax})
		if err != nil || !slices.Equal(taken, []string{order}) {
			t.Fatalf("the first take: %v, %v; want [%s]", taken, err, order)
		}
		// Queued again on another connection while the take is held, within a second or not at all.
		again, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := f.env.Store.InTenant(again, f.userID, func(tx *store.Tx) error { return rollup.Queue(again, tx, f.shop.ID, []string{order}) }); err != nil {
			t.Fatalf("queueing the order again while a catch-up holds it: %v", err)
		}
		return nil
	})
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		if n := length(tx); n != 1 {
			t.Errorf("%d entries on the queue after the first catch-up; want the one queued meanwhile", n)
		}
		return nil
	})
	if _, taken, err := rollup.CatchUp(ctx, f.env.Store, f.userID, f.shop.ID); err != nil || taken != 1 {
		t.Fatalf("the next catch-up took %d entries: %v", taken, err)
	}
	if rows := f.rows(t, "order_profits"); rowsOf(rows, f.shop.ID+"/"+order+"/") == 0 {
		t.Errorf("order %s has no profit rows after the next catch-up", order)
	}
}

// A take merges what pages queued: the lowest ids, each once, and the rest queued again as merged entries of a take
// each, given up one at a time and in id order while nothing else is queued. An entry queued meanwhile is merged
// with them at the next take, so no order is taken twice for being queued twice.
func TestATakeMergesTheQueueAndQueuesTheRestInIDOrder(t *testing.T) {
	f := newFixture(t)
	const shop = "merged-queue-shop" // a queue of its own: the ids stand for no order, and nothing computes them
	queue := func(ids ...string) {
		t.Helper()
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error { return rollup.Queue(ctx, tx, shop, ids) })
	}
	take := func(max int32) (ids []string, queued int64) {
		t.Helper()
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			if ids, err = tx.Q.TakeProfitQueue(ctx, tenantdb.TakeProfitQueueParams{UserID: f.userID, ShopID: shop, MaxOrders: max}); err != nil {
				return err
			}
			queued, err = tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: shop})
			return err
		})
		return ids, queued
	}
	queue("c", "a", "b", "c") // an orders page
	queue("b", "d", "f", "e") // a settlement page: b again
	for i, want := range []struct {
		queue  []string // queued before the take
		ids    []string
		queued int64 // left after it
	}{
		{ids: []string{"a", "b"}, queued: 4},                            // c d | e f
		{ids: []string{"c", "d"}, queued: 2},                            // e f
		{queue: []string{"f", "a"}, ids: []string{"a", "e"}, queued: 1}, // merged again: f
		{ids: []string{"f"}, queued: 0},
		{ids: []string{}, queued: 0},
	} {
		if len(want.queue) > 0 {
			queue(want.queue...)
		}
		if ids, queued := take(2); !slices.Equal(ids, want.ids) || queued != want.queued {
			t.Errorf("take %d: %v with %d ids left queued; want %v with %d", i+1, ids, queued, want.ids, want.queued)
		}
	}
	var left int64
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.PgxTx().QueryRow(ctx, `SELECT count(*) FROM profit_queue WHERE user_id = $1`, f.userID).Scan(&left)
	})
	if left != 0 {
		t.Errorf("%d entries left on the seller's queues", left)
	}
}

// A catch-up longer than one transaction (more orders queued than one takes) that observes the shop's fee rates
// between its transactions, as the syncer's does, estimates its newest orders with the rates its oldest, settled,
// orders gave: it takes the lowest order ids first. Observing the rates again after it refreshes nothing, and it
// ends where a rebuild ends.
func TestRatesObservedBetweenACatchUpsTransactionsEstimateTheNewestOrdersWithThem(t *testing.T) {
	f := seeded(t, rollup.TakeMax*3/2, 60, 12)
	ctx := context.Background()
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error { return queueAsABackfill(ctx, tx, seededShop, 1<<30) })
	observe := func() rollup.Changed {
		t.Helper()
		var c rollup.Changed
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			c, err = rollup.ObserveRates(ctx, tx, seededShop, tx.Now())
			return err
		})
		return c
	}
	transactions, ratesAt := 0, 0
	for {
		_, taken, err := rollup.CatchUp(ctx, f.env.Store, f.userID, seededShop)
		if err != nil {
			t.Fatal(err)
		}
		transactions++
		if taken < rollup.TakeMax {
			break
		}
		observe()
		if ratesAt == 0 {
			f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Q.GetShopFeeRates(ctx, tenantdb.GetShopFeeRatesParams{UserID: f.userID, ShopID: seededShop})
				if err == nil {
					ratesAt = transactions
				}
				return nil
			})
		}
	}
	if transactions < 2 || ratesAt != 1 {
		t.Fatalf("%d catch-up transactions, rates stored after transaction %d; want 2 or more, and rates after the first",
			transactions, ratesAt)
	}
	if c := observe(); c.OrderRows != 0 || c.DailyRows != 0 {
		t.Errorf("observing the rates after the catch-up rewrote %d order rows and %d daily rows; want none", c.OrderRows, c.DailyRows)
	}
	f.sameAfterARebuild(t, "after a catch-up observing rates between its transactions", seededShop,
		f.rows(t, "order_profits"), f.rows(t, "daily_profit"))
}

// A catch-up of more orders than one statement computes (seeded in SQL, with refunds, settlement and estimates)
// ends with the rows a rebuild writes, an order the model refuses in its third batch (read ahead) set aside by both.
func TestACatchUpOfManyOrdersEndsWhereARebuildDoes(t *testing.T) {
	f := seeded(t, 2400, 60, 12)
	ctx, env, userID, shopID := context.Background(), f.env, f.userID, seededShop
	if tag, err := testenv.Connect(t, env.DB.OwnerURL).Exec(ctx, `UPDATE order_lines SET currency = 'EUR'
		WHERE user_id = $1 AND shop_id = $2 AND order_id = '000000001200'`, userID, shopID); err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("mixing the currencies of order 000000001200: %v", err)
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: userID, ShopID: shopID, MaxRows: 1 << 30})
		if err == nil && len(ids) != 2400 {
			t.Fatalf("%d orders seeded; want 2400", len(ids))
		}
		if err != nil {
			return err
		}
		return rollup.Queue(ctx, tx, shopID, ids)
	})
	if c, taken, err := rollup.CatchUp(ctx, env.Store, userID, shopID); err != nil || taken != 2400 || c.Refused != 1 {
		t.Fatalf("catch-up took %d entries and set %d orders aside: %v; want all 2400, and 1", taken, c.Refused, err)
	}
	caughtUp, caughtUpDays := f.rows(t, "order_profits"), f.rows(t, "daily_profit")
	if n := rowsOf(caughtUp, shopID+"/000000001200/"); n != 0 {
		t.Errorf("the refused order has %d rows", n)
	}
	if len(caughtUp) < 2400 {
		t.Fatalf("%d order_profits rows after the catch-up; want one per order and SKU of it", len(caughtUp))
	}
	f.sameAfterARebuild(t, "of the catch-up against a rebuild", shopID, caughtUp, caughtUpDays)
}

// New fee rates reach the orders still estimated that were sold, and no other: the model estimates a cancelled or
// unpaid order without them (see profit's TestAnOrderNotSoldIsEstimatedWithoutTheRates), so a shop's cancelled
// orders, estimated for good, are not computed again each time its rates move.
func TestNewRatesReachOnlyTheEstimatedOrdersThatWereSold(t *testing.T) {
	f := seeded(t, 1200, 60, 12) // every 40th order cancelled; those of the last 14 days not settled
	ctx := context.Background()
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error { return queueAsABackfill(ctx, tx, seededShop, 1<<30) })
	if _, taken, err := rollup.CatchUp(ctx, f.env.Store, f.userID, seededShop); err != nil || taken != 1200 {
		t.Fatalf("catch-up took %d entries: %v; want 1200", taken, err)
	}
	rows, err := testenv.Connect(t, f.env.DB.OwnerURL).Query(ctx, `SELECT p.order_id, o.status FROM order_profits p
		JOIN orders o ON o.user_id = p.user_id AND o.shop_id = p.shop_id AND o.order_id = p.order_id
		WHERE p.user_id = $1 AND p.shop_id = $2 AND p.sku_id = '' AND p.state = 'estimated'`, f.userID, seededShop)
	if err != nil {
		t.Fatal(err)
	}
	var sold []string
	notSold := 0
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		if status == profit.StatusCancelled || status == profit.StatusUnpaid {
			notSold++
		} else {
			sold = append(sold, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if notSold == 0 || len(sold) == 0 {
		t.Fatalf("%d estimated orders sold and %d not sold; the seed should give both", len(sold), notSold)
	}
	var reach []string
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		reach, err = rollup.OrdersRatesReach(ctx, tx, seededShop)
		return err
	})
	slices.Sort(sold)
	slices.Sort(reach)
	if !slices.Equal(reach, sold) {
		t.Errorf("new rates reach %d orders; want the %d estimated orders sold (of %d estimated)", len(reach), len(sold), len(sold)+notSold)
	}
}

// A catch-up that fails part-way, on a settlement row it cannot read in a batch after the first ones are written
// (the read-ahead's error), changes nothing: the error names the row, every entry stays queued and no profit row is
// written.
func TestACatchUpThatFailsPartWayChangesNothing(t *testing.T) {
	f := seeded(t, 1500, 60, 12) // orders settle 8 days after they are placed: the last settled is of the third batch
	ctx, shopID := context.Background(), seededShop
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	var bad, order string // the last settlement row: of an order well past the first batch of 500
	err := conn.QueryRow(ctx, `UPDATE statement_transactions SET other_amounts = '{"fee.new": "not a number"}'
		WHERE (user_id, shop_id, transaction_id) = (SELECT user_id, shop_id, max(transaction_id) FROM statement_transactions
			WHERE user_id = $1 AND shop_id = $2 GROUP BY user_id, shop_id)
		RETURNING transaction_id, order_id`, f.userID, shopID).Scan(&bad, &order)
	if err != nil || order < "000000001001" {
		t.Fatalf("spoiling the last settlement row: %v (of order %s; want one of the third batch)", err, order)
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: f.userID, ShopID: shopID, MaxRows: 1 << 30})
		if err != nil {
			return err
		}
		return rollup.Queue(ctx, tx, shopID, ids)
	})
	_, _, err = rollup.CatchUp(ctx, f.env.Store, f.userID, shopID)
	if err == nil || !strings.Contains(err.Error(), "read ahead") || !strings.Contains(err.Error(), bad) {
		t.Fatalf("catch-up: %v; want the read-ahead's error about transaction %s", err, bad)
	}
	if rows := f.rows(t, "order_profits"); len(rows) != 0 {
		t.Errorf("%d order_profits rows after the failed catch-up; want none", len(rows))
	}
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: shopID})
		if err == nil && n != 1500 {
			t.Errorf("%d entries on the queue after the failed catch-up; want all 1500", n)
		}
		return err
	})
}

// An order the profit model refuses (its lines in another currency than the order) is set aside: the catch-up
// computes every other order, the refused one loses the rows it had and what they added to its day, and its reason
// is kept, where one such order used to fail every catch-up of its shop. Once the order reads right again, the next
// catch-up computes it and takes it off the list; a rebuild ends where the catch-ups end, each time.
func TestAnOrderTheModelRefusesIsSetAside(t *testing.T) {
	f := seeded(t, 60, 10, 12)
	ctx, userID, shopID := context.Background(), f.userID, seededShop
	f.rebuild(t, shopID)
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	var orderID, currency string
	var lines int // each in the wrong currency: a problem each
	err := conn.QueryRow(ctx, `SELECT order_id, max(currency), count(*) FROM order_lines WHERE user_id = $1 AND shop_id = $2
		GROUP BY order_id ORDER BY count(*) DESC, order_id LIMIT 1`, userID, shopID).Scan(&orderID, &currency, &lines)
	if err != nil || lines < 2 {
		t.Fatalf("an order of several lines: %v (%d lines)", err, lines)
	}
	if n := rowsOf(f.rows(t, "order_profits"), shopID+"/"+orderID+"/"); n == 0 {
		t.Fatalf("order %s has no rows before it is spoiled", orderID)
	}
	var other string // caught up with it
	if err := conn.QueryRow(ctx, `SELECT min(order_id) FROM orders WHERE user_id = $1 AND shop_id = $2 AND order_id <> $3`,
		userID, shopID, orderID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	setLines := func(cur string) {
		t.Helper()
		if _, err := conn.Exec(ctx, `UPDATE order_lines SET currency = $4 WHERE user_id = $1 AND shop_id = $2 AND order_id = $3`,
			userID, shopID, orderID, cur); err != nil {
			t.Fatal(err)
		}
	}
	catchUp := func(want rollup.Changed) {
		t.Helper()
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
			return rollup.Queue(ctx, tx, shopID, []string{orderID, other})
		})
		c, taken, err := rollup.CatchUp(ctx, f.env.Store, userID, shopID)
		if err != nil || taken != 2 || c.Refused != want.Refused {
			t.Fatalf("catch-up took %d orders and refused %d: %v; want 2 and %d", taken, c.Refused, err, want.Refused)
		}
	}
	refusals := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
			rs, err := tx.Q.ProfitRefusalsByShop(ctx, userID)
			for _, r := range rs {
				out[r.ShopID+"/"+r.LatestOrderID] = fmt.Sprintf("%d: %s", r.Orders, r.LatestReason)
			}
			return err
		})
		return out
	}

	setLines("EUR")
	catchUp(rollup.Changed{Refused: 1})
	catchUp(rollup.Changed{Refused: 1}) // refused again: still one
	orders, days := f.rows(t, "order_profits"), f.rows(t, "daily_profit")
	if n := rowsOf(orders, shopID+"/"+orderID+"/"); n != 0 {
		t.Errorf("order %s kept %d profit rows, refused", orderID, n)
	}
	if len(orders) == 0 {
		t.Fatal("no order kept its rows")
	}
	got := refusals()
	if r := got[shopID+"/"+orderID]; len(got) != 1 || !strings.HasPrefix(r, "1: line ") || !strings.Contains(r, "mixed currencies") ||
		strings.Contains(r, "\n") || lines > 1 && !strings.HasSuffix(r, fmt.Sprintf("(and %d more)", lines-1)) {
		t.Fatalf("refusals %v; want order %s's mixed currencies, once, on one line with how many more of its %d lines", got, orderID, lines)
	}
	f.sameAfterARebuild(t, "with the order refused", shopID, orders, days)
	if after := refusals(); !maps.Equal(after, got) {
		t.Errorf("refusals after a rebuild %v; want %v", after, got)
	}

	setLines(currency)
	catchUp(rollup.Changed{})
	orders, days = f.rows(t, "order_profits"), f.rows(t, "daily_profit")
	if n := rowsOf(orders, shopID+"/"+orderID+"/"); n == 0 {
		t.Errorf("order %s has no rows once it reads right again", orderID)
	}
	if got := refusals(); len(got) != 0 {
		t.Errorf("refusals %v once the order reads right again; want none", got)
	}
	f.sameAfterARebuild(t, "with the order computed again", shopID, orders, days)
}

// queueAsABackfill queues the shop's first maxOrders orders as a first backfill's pages do: a page of 100 by its
// orders page, then, far behind, by its settlement page.
func queueAsABackfill(ctx context.Context, tx *store.Tx, shopID string, maxOrders int32) error {
	ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: tx.UserID, ShopID: shopID, MaxRows: maxOrders})
	if err != nil {
		return err
	}
	for range 2 {
		for page := range slices.Chunk(ids, 100) {
			if err := rollup.Queue(ctx, tx, shopID, page); err != nil {
				return err
			}
		}
	}
	return nil
}

// rowsOf counts the rows whose key starts with prefix.
func rowsOf(rows map[string]row, prefix string) int {
	n := 0
	for k := range rows {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

// An order that loses a SKU (TikTok dropped one of its lines) loses that SKU's profit row when it is caught up, and
// the SKU's day loses what the row held: the shop ends where a rebuild ends. Left with one SKU, the order's own row
// stands for it; given the line back, the order has its SKU rows again and its row stands for none.
func TestAnOrderThatLosesASKULosesItsRow(t *testing.T) {
	f := seeded(t, 60, 10, 12)
	ctx, userID, shopID := context.Background(), f.userID, seededShop
	f.rebuild(t, shopID)
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	var orderID, kept, skuID string
	err := conn.QueryRow(ctx, `SELECT order_id, min(sku_id), max(sku_id) FROM order_lines WHERE user_id = $1 AND shop_id = $2
		GROUP BY order_id HAVING count(DISTINCT sku_id) = 2 ORDER BY order_id LIMIT 1`, userID, shopID).Scan(&orderID, &kept, &skuID)
	if err != nil {
		t.Fatalf("a seeded order of two SKUs: %v", err)
	}
	orderKey, key, keptKey := shopID+"/"+orderID+"/", shopID+"/"+orderID+"/"+skuID, shopID+"/"+orderID+"/"+kept
	catchUp := func() {
		t.Helper()
		f.inTenant(t, func(ctx context.Context, tx *store.Tx) error { return rollup.Queue(ctx, tx, shopID, []string{orderID}) })
		if _, taken, err := rollup.CatchUp(ctx, f.env.Store, userID, shopID); err != nil || taken != 1 {
			t.Fatalf("catch-up took %d entries: %v", taken, err)
		}
	}
	before := f.rows(t, "order_profits")
	if _, ok := before[key]; !ok || before[orderKey].sole != "" {
		t.Fatalf("before the line is dropped: row %s there %v, the order's row standing for %q", key, ok, before[orderKey].sole)
	}
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE dropped AS SELECT * FROM order_lines
		WHERE user_id = $1 AND shop_id = $2 AND order_id = $3 AND sku_id = $4`, userID, shopID, orderID, skuID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM order_lines WHERE user_id = $1 AND shop_id = $2 AND order_id = $3 AND sku_id = $4`,
		userID, shopID, orderID, skuID); err != nil {
		t.Fatal(err)
	}
	catchUp()
	caughtUp, caughtUpDays := f.rows(t, "order_profits"), f.rows(t, "daily_profit")
	if _, ok := caughtUp[key]; ok {
		t.Errorf("row %s is still there, its line gone", key)
	}
	if _, ok := caughtUp[keptKey]; ok || caughtUp[orderKey].sole != kept {
		t.Errorf("left with SKU %s: its own row there %v, the order's row standing for %q", kept, ok, caughtUp[orderKey].sole)
	}
	f.sameAfterARebuild(t, "after the catch-up against a rebuild", shopID, caughtUp, caughtUpDays)

	if _, err := conn.Exec(ctx, `INSERT INTO order_lines SELECT * FROM dropped`); err != nil {
		t.Fatal(err)
	}
	catchUp()
	restored, restoredDays := f.rows(t, "order_profits"), f.rows(t, "daily_profit")
	sameRows(t, "order_profits with the line back", restored, before)
	f.sameAfterARebuild(t, "with the line back against a rebuild", shopID, restored, restoredDays)
}

// A cost applies from the start of its date where the seller is: an order placed in the evening UTC, already the
// next day in Tokyo, gets the cost that starts on that next day, and the refresh after the cost is saved reaches it.
func TestACostAppliesFromTheStartOfItsDayInTheSellersZone(t *testing.T) {
	f := newFixture(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	type sale struct {
		order, sku string
		at         time.Time
	}
	var late sale // placed at 15:00 UTC or later: the next day in Tokyo
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		if _, err := rollup.SetTimeZone(ctx, tx, "Asia/Tokyo"); err != nil {
			return err
		}
		ids, err := tx.Q.ShopOrderIDs(ctx, tenantdb.ShopOrderIDsParams{UserID: f.userID, ShopID: f.shop.ID, MaxRows: 1 << 30})
		if err != nil {
			return err
		}
		inputs, err := rollup.Inputs(ctx, tx, f.shop.ID, ids)
		if err != nil {
			return err
		}
		for _, in := range inputs {
			if at := in.Order.CreateTime.UTC(); at.Hour() >= 15 && len(in.Lines) == 1 && !in.Order.IsSample && in.Lines[0].SalePrice > 0 {
				late = sale{in.Order.ID, in.Lines[0].SkuID, at}
			}
		}
		return nil
	})
	if late.order == "" {
		t.Fatal("no one-line order placed at 15:00 UTC or later")
	}
	day := late.at.In(tokyo).Format("2006-01-02") // the day after its UTC date
	f.inTenant(t, func(ctx context.Context, tx *store.Tx) error {
		saved, _, err := costs.Set(ctx, tx, f.shop.ID, costs.Edit{SKUID: late.sku, EffectiveFrom: day, ProductCost: "3.00"})
		if err != nil {
			return err
		}
		_, err = rollup.CostsChanged(ctx, tx, f.shop.ID, []string{late.sku}, saved.EffectiveFrom)
		return err
	})
	rows := f.rows(t, "order_profits")
	cogs := slices.Index(profit.MeasureNames(), "cost_of_goods")
	units := slices.Index(profit.MeasureNames(), "units")
	r, ok := skuRow(rows, f.shop.ID, late.order, late.sku)
	if !ok {
		t.Fatalf("order %s has no row for SKU %s", late.order, late.sku)
	}
	if want := -300 * r.measures[units]; r.measures[cogs] != want && r.measures[cogs] != -want {
		t.Errorf("order %s, placed %s (%s in Tokyo), has cost of goods %d; want %d units at 3.00 from %s", late.order,
			late.at.Format(time.RFC3339), late.at.In(tokyo).Format("2006-01-02 15:04"), r.measures[cogs], r.measures[units], day)
	}
}
