package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

type fixture struct {
	env    *testenv.Env
	tt     *tiktoktest.Env
	conn   *connect.Service
	sync   *syncer.Syncer
	userID int64
	shop   sandbox.Shop
}

// newFixture connects a seller to a 30-day sandbox shop set.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	tt := tiktoktest.New(t, env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 30, 8 })
	log := slog.New(slog.DiscardHandler)
	conn := connect.New(env.Store, tt.Client, env.Clock, log)
	userID, shop := tiktoktest.Connect(t, env.Store, tt.Sandbox)
	s := syncer.New(env.Store, tt.Client, conn, env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 50}, log)
	return &fixture{env: env, tt: tt, conn: conn, sync: s, userID: userID, shop: shop}
}

// syncAll runs every resource's sync once, in the order a first sync runs them.
func (f *fixture) syncAll(t *testing.T) syncer.Stats {
	t.Helper()
	var all syncer.Stats
	for _, r := range syncer.Resources() {
		st, err := f.sync.Sync(context.Background(), f.userID, f.shop.ID, r)
		if err != nil {
			t.Fatalf("sync %s: %v", r, err)
		}
		all.Pages += st.Pages
		all.Fetched += st.Fetched
		all.Written += st.Written
		all.Malformed += st.Malformed
	}
	return all
}

func (f *fixture) totals(t *testing.T) tenantdb.OrderTotalsRow {
	t.Helper()
	var got tenantdb.OrderTotalsRow
	err := f.env.Store.InTenant(context.Background(), f.userID, func(tx *store.Tx) error {
		var err error
		got, err = tx.Q.OrderTotals(context.Background(), tenantdb.OrderTotalsParams{UserID: f.userID, ShopID: f.shop.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sameTotals fails the test unless the tables hold what the sandbox holds, resource by resource.
func (f *fixture) sameTotals(t *testing.T, when string) {
	t.Helper()
	if got, want, same := tiktoktest.SameAsSandbox(t, f.env.Store, f.tt.Sandbox, f.userID, f.shop.ID); !same {
		t.Fatalf("%s: the tables hold\n%+v\nthe sandbox holds\n%+v", when, got, want)
	}
	// Each statement keeps what its transactions sum to (migration 00019): the same as summing them now.
	var statements, stale int
	err := testenv.Connect(t, f.env.DB.OwnerURL).QueryRow(context.Background(), `
		SELECT count(*), count(*) FILTER (WHERE (s.txn_count, s.txn_settlement, s.txn_reserve, s.txn_held, s.txn_released,
		    s.txn_unbalanced, s.txn_unexplained) IS DISTINCT FROM (t.n, t.settlement, t.reserve, t.held, t.released, t.unbalanced, t.unexplained))
		FROM statements s, LATERAL (
		    SELECT count(*) AS n, coalesce(sum(x.settlement), 0) AS settlement, coalesce(sum(x.reserve), 0) AS reserve,
		        coalesce(sum(x.reserve) FILTER (WHERE x.reserve < 0), 0) AS held, coalesce(sum(x.reserve) FILTER (WHERE x.reserve > 0), 0) AS released,
		        count(*) FILTER (WHERE x.settlement <> x.revenue + x.shipping_cost + x.fee_tax + x.adjustment) AS unbalanced,
		        coalesce(sum(x.settlement - (x.revenue + x.shipping_cost + x.fee_tax + x.adjustment)), 0) AS unexplained
		    FROM statement_transactions x WHERE x.user_id = s.user_id AND x.shop_id = s.shop_id AND x.statement_id = s.statement_id) t
		WHERE s.user_id = $1 AND s.shop_id = $2`, f.userID, f.shop.ID).Scan(&statements, &stale)
	if err != nil {
		t.Fatal(err)
	}
	if statements == 0 || stale != 0 {
		t.Fatalf("%s: %d of %d statements keep sums that are not their transactions'", when, stale, statements)
	}
}

func TestABackfillStoresExactlyTheSandboxsRecordsAndARerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	stats := f.syncAll(t)
	f.sameTotals(t, "after the backfill")
	if stats.Pages < 10 || stats.Malformed != 0 {
		t.Fatalf("backfill stats %+v; want many pages and nothing malformed", stats)
	}
	version := f.dataVersion(t)
	if version == 0 {
		t.Fatal("the backfill wrote rows but did not move the data version")
	}
	again := f.syncAll(t)
	f.sameTotals(t, "after a re-run")
	if again.Written != 0 {
		t.Fatalf("an immediate re-sync wrote %d rows; want none", again.Written)
	}
	if v := f.dataVersion(t); v != version {
		t.Fatalf("a re-sync that wrote nothing moved the data version from %d to %d: cached pages would be computed again", version, v)
	}
}

// dataVersion is the seller's data version, which pages cache their figures under.
func (f *fixture) dataVersion(t *testing.T) int64 {
	t.Helper()
	var v int64
	err := f.env.Store.InTenant(context.Background(), f.userID, func(tx *store.Tx) error {
		var err error
		v, err = tx.Q.ProfitVersion(context.Background(), f.userID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAnIncrementalSyncPicksUpWhatChangedAsTheClockMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.syncAll(t)
	f.env.Clock.Advance(36 * time.Hour) // new orders arrive, open ones progress, statements close
	f.syncAll(t)
	f.sameTotals(t, "after 36 hours")
	stats, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written != 0 || stats.Fetched >= f.tt.Sandbox.Totals(f.shop.ID).Orders/2 {
		t.Fatalf("incremental stats %+v: want a short window of recent changes, not a re-read", stats)
	}
}

func TestAMalformedRecordIsKeptAsideAndTheRestOfItsPageIsStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.tt.Sandbox.SetFaults(sandbox.Faults{MalformedOrder: true})
	bad := f.tt.Sandbox.MalformedOrderID()
	stats := f.syncAll(t)
	if stats.Malformed != 1 {
		t.Fatalf("%d records kept aside; want the one malformed order", stats.Malformed)
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	if got := f.totals(t); got.Orders != int64(want.Orders-1) {
		t.Fatalf("stored %d orders; want every order but the malformed one (%d)", got.Orders, want.Orders-1)
	}
	var kept []tenantdb.ListMalformedRecordsRow
	var reason []byte
	err := f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		var err error
		if kept, err = tx.Q.ListMalformedRecords(ctx, f.userID); err != nil || len(kept) != 1 {
			return err
		}
		reason, err = tx.Open(ctx, "malformed_records.reason", f.shop.ID+"/orders/"+kept[0].RecordID, kept[0].ReasonSealed)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || kept[0].RecordID != bad || kept[0].Resource != syncer.ResourceOrders {
		t.Fatalf("kept aside %+v; want order %s", kept, bad)
	}
	if !bytes.Contains(reason, []byte("total_amount")) {
		t.Fatalf("the reason kept is %q; want it to name the field", reason)
	}
	// Once it reads, the next sync stores it: kept-aside records are read again by id.
	f.tt.Sandbox.SetFaults(sandbox.Faults{})
	f.env.Clock.Advance(time.Minute)
	f.syncAll(t)
	f.sameTotals(t, "after the record reads again")
	_ = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		kept, err = tx.Q.ListMalformedRecords(ctx, f.userID)
		return err
	})
	if len(kept) != 1 || kept[0].ResolvedAt == nil {
		t.Fatalf("kept aside after the fix: %+v; want the record marked resolved", kept)
	}
}

func TestFaultsEndInTheSameResult(t *testing.T) {
	f := newFixture(t)
	f.tt.Sandbox.SetFaults(sandbox.Faults{RateLimitNext: 2, ServerErrorNext: 2, ExpireAccessTokens: true,
		RetryAfter: time.Second, UpdateTimeSlop: 2 * time.Minute})
	f.syncAll(t)
	f.sameTotals(t, "after 429s, 503s and an expired token")
	if left := f.tt.Sandbox.CurrentFaults(); left.RateLimitNext != 0 || left.ServerErrorNext != 0 {
		t.Fatalf("faults left unconsumed %+v: the test did not exercise them", left)
	}
}

func TestAKilledSyncResumesFromItsLastCommittedPage(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	// Stop the first run after its third page commits, as a crash between pages would.
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 20,
		Observer: &cancelAfter{pages: 3, cancel: cancel}}, slog.New(slog.DiscardHandler))
	if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted run: %v; want it cancelled", err)
	}
	partial := f.totals(t).Orders
	if partial == 0 || partial >= int64(f.tt.Sandbox.Totals(f.shop.ID).Orders) {
		t.Fatalf("%d orders after the interrupted run; want some but not all", partial)
	}
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 20}, slog.New(slog.DiscardHandler))
	stats, err := f.sync.Sync(context.Background(), f.userID, f.shop.ID, syncer.ResourceOrders)
	if err != nil {
		t.Fatal(err)
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	if got := f.totals(t); got.Orders != int64(want.Orders) || got.TotalAmount != want.OrderTotalAmount {
		t.Fatalf("after resuming: %d orders totalling %d; want %d totalling %d", got.Orders, got.TotalAmount, want.Orders, want.OrderTotalAmount)
	}
	if stats.Fetched > want.Orders-int(partial)+20 {
		t.Fatalf("the resumed run fetched %d records for %d missing: it started over instead of resuming", stats.Fetched, want.Orders-int(partial))
	}
}

// cancelAfter cancels a context once some pages have committed.
type cancelAfter struct {
	pages  int
	cancel context.CancelFunc
}

func (c *cancelAfter) PageSynced(string, int, int) {
	if c.pages--; c.pages == 0 {
		c.cancel()
	}
}
func (c *cancelAfter) SyncFailed(string, string) {}
func (c *cancelAfter) RecordMalformed(string)    {}
func (c *cancelAfter) OrdersSetAside(int)        {}

func TestARevokedGrantStopsTheSyncWithoutCallingTikTok(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var grantID int64
	_ = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		list, err := shops.List(ctx, tx)
		grantID = list[0].GrantID
		if err != nil {
			return err
		}
		_, err = shops.Revoke(ctx, tx, grantID, "test")
		return err
	})
	before := f.tt.Sandbox.Calls(f.shop.Cipher)
	for _, r := range syncer.Resources() {
		if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, r); !errors.Is(err, syncer.ErrRevoked) {
			t.Fatalf("sync %s of a revoked shop: %v; want ErrRevoked", r, err)
		}
	}
	if n := f.tt.Sandbox.Calls(f.shop.Cipher) - before; n != 0 {
		t.Fatalf("TikTok saw %d calls for a revoked shop; want none", n)
	}
}

func TestADumpAfterSyncHoldsNoBuyerDataOrTokensInClear(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.syncAll(t)
	var grantID int64
	_ = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		list, err := shops.List(ctx, tx)
		grantID = list[0].GrantID
		return err
	})
	access, err := f.conn.TokenSource(f.userID, grantID).Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{access}
	var orders int
	for page, err := range f.tt.Client.Seller(tiktoktest.StaticToken(access)).OrderPages(ctx, tiktok.Shop{ID: f.shop.ID, Cipher: f.shop.Cipher}, tiktok.OrderQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Orders {
			orders++
			secrets = append(secrets, o.Recipient.Name, o.Recipient.FirstName, o.Recipient.LastName, o.Recipient.PhoneNumber,
				o.Recipient.FullAddress, o.Recipient.AddressLine1, o.Recipient.PostalCode, o.BuyerEmail, o.BuyerMessage)
		}
	}
	dump, err := exec.CommandContext(ctx, "pg_dump", "--dbname="+f.env.DB.OwnerURL, "--data-only").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if orders == 0 || int64(orders) != f.totals(t).Orders {
		t.Fatalf("looked at %d orders; the tables hold %d", orders, f.totals(t).Orders)
	}
	checked := 0
	for _, s := range secrets {
		if len(s) <= 4 || strings.Trim(s, "0123456789") == "" { // a postal code could match any amount or id
			continue
		}
		checked++
		if bytes.Contains(dump, []byte(s)) {
			t.Fatalf("the dump holds buyer data or a token in clear: %q", s)
		}
	}
	if checked < orders*3 {
		t.Fatalf("only %d values checked for %d orders: the sandbox's orders carry no personal data to look for", checked, orders)
	}
}

func TestARunPausesAfterItsBudgetAndTheNextContinuesWhereItStopped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Each page takes a second of the clock and a run may read for one: every run stops after its first page
	// that moves the cursor.
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 20,
		RunBudget: time.Second, Observer: tick{f.env.Clock}}, slog.New(slog.DiscardHandler))
	runs, fetched := 0, 0
	for {
		runs++
		st, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders)
		fetched += st.Fetched
		if err == nil {
			break
		}
		if !errors.Is(err, syncer.ErrPaused) || runs > 100 {
			t.Fatalf("run %d: %v; want ErrPaused until done", runs, err)
		}
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	if got := f.totals(t); got.Orders != int64(want.Orders) || got.TotalAmount != want.OrderTotalAmount {
		t.Fatalf("after %d paused runs: %d orders totalling %d; want %d totalling %d", runs, got.Orders, got.TotalAmount, want.Orders, want.OrderTotalAmount)
	}
	if pages := (want.Orders + 19) / 20; runs < pages/2 {
		t.Fatalf("%d runs for %d pages: the budget did not pause them", runs, pages)
	}
	if fetched > want.Orders*3/2 {
		t.Fatalf("the runs fetched %d records for %d orders: each started over instead of continuing", fetched, want.Orders)
	}
}

// The statistics of the tables a first sync grows are due once: when the run that completes the shop's backfill has
// caught up with its profit. Not after a run that paused mid-backfill, nor after an incremental run, nor after a
// resource whose pages queue no profit.
func TestTheStatisticsAreDueWhenABackfillEnds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 20,
		RunBudget: time.Second, Observer: tick{f.env.Clock}}, slog.New(slog.DiscardHandler)) // a run a page, as above
	for runs := 1; ; runs++ {
		st, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders)
		if err == nil {
			if !st.StatisticsDue || runs < 2 {
				t.Fatalf("the run that completed the backfill (run %d) says the statistics are due: %v; want true, after paused runs", runs, st.StatisticsDue)
			}
			break
		}
		if !errors.Is(err, syncer.ErrPaused) || runs > 100 {
			t.Fatalf("run %d: %v; want ErrPaused until done", runs, err)
		}
		if st.StatisticsDue {
			t.Fatalf("paused run %d says the statistics are due", runs)
		}
	}
	if st, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceProducts); err != nil || st.StatisticsDue {
		t.Fatalf("the products' backfill: statistics due %v, %v; want false", st.StatisticsDue, err)
	}
	f.env.Clock.Advance(time.Hour)
	if st, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders); err != nil || st.StatisticsDue {
		t.Fatalf("an incremental run: statistics due %v, %v; want false", st.StatisticsDue, err)
	}
}

// A backfill at TikTok's pace shows its profit as it goes: every 30 s of it, it catches up with the shop's profit
// queue, instead of leaving every order to the end of the shop's last backfill.
func TestALongBackfillCatchesUpWithTheProfitAsItGoes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	watch := &queueWatch{clk: f.env.Clock, step: 10 * time.Second, read: func() int64 {
		var n int64
		err := f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
			var err error
			n, err = tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: f.userID, ShopID: f.shop.ID})
			return err
		})
		if err != nil {
			t.Error(err)
		}
		return n
	}}
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 20,
		RunBudget: time.Hour, Observer: watch}, slog.New(slog.DiscardHandler))
	st, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders)
	if err != nil {
		t.Fatal(err)
	}
	// Pages 10 s apart: the catch-up after pages 4, 7, 10... empties the queue, which never holds more than the
	// orders of three pages.
	if len(watch.lengths) != st.Pages || st.Pages < 8 {
		t.Fatalf("%d queue lengths seen over %d pages; want one a page, and 8 pages or more", len(watch.lengths), st.Pages)
	}
	if watch.lengths[3] != 0 || watch.lengths[6] != 0 || slices.Max(watch.lengths) > 60 {
		t.Errorf("queue lengths after each page: %v; want 0 after pages 4 and 7 and never over 60", watch.lengths)
	}
	if n := watch.read(); n != 0 {
		t.Errorf("%d entries left on the queue after the backfill; its end catches up", n)
	}
}

// queueWatch reads the profit queue's length after each page of orders, then moves a fake clock on by step.
type queueWatch struct {
	clk     *clock.Fake
	step    time.Duration
	read    func() int64
	lengths []int64
}

func (w *queueWatch) PageSynced(resource string, _, _ int) {
	if resource == syncer.ResourceOrders {
		w.lengths = append(w.lengths, w.read())
	}
	w.clk.Advance(w.step)
}
func (*queueWatch) SyncFailed(string, string) {}
func (*queueWatch) RecordMalformed(string)    {}
func (*queueWatch) OrdersSetAside(int)        {}

// tick moves a fake clock a second per page.
type tick struct{ clk *clock.Fake }

func (t tick) PageSynced(string, int, int) { t.clk.Advance(time.Second) }
func (tick) SyncFailed(string, string)     {}
func (tick) RecordMalformed(string)        {}
func (tick) OrdersSetAside(int)            {}

func TestOnlyTheLatestRunsOfEachResourceAreKept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 55 {
		if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceProducts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceWithdrawals); err != nil {
		t.Fatal(err)
	}
	var products, withdrawals int
	conn := testenv.Connect(t, f.env.DB.OwnerURL)
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE resource = 'products'), count(*) FILTER (WHERE resource = 'withdrawals') FROM sync_runs`).Scan(&products, &withdrawals); err != nil {
		t.Fatal(err)
	}
	if products != 50 || withdrawals != 1 {
		t.Fatalf("kept %d product runs and %d withdrawal runs; want the latest 50 and the one", products, withdrawals)
	}
}

// A run goes on past an order whose profit the model refuses: the catch-up after it sets the order aside, counts it
// for the metrics and keeps its reason, and the run succeeds. (One such order used to fail every run that caught up.)
func TestASyncRunGoesOnPastAnOrderWhoseProfitIsRefused(t *testing.T) {
	f := newFixture(t)
	f.syncAll(t)
	ctx := context.Background()
	var orderID string
	err := testenv.Connect(t, f.env.DB.OwnerURL).QueryRow(ctx, `UPDATE order_lines SET currency = 'EUR'
		WHERE (user_id, shop_id, order_id) = (SELECT user_id, shop_id, min(order_id) FROM order_lines
			WHERE user_id = $1 AND shop_id = $2 GROUP BY user_id, shop_id) RETURNING order_id`, f.userID, f.shop.ID).Scan(&orderID)
	if err != nil {
		t.Fatal(err)
	}
	err = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error { return rollup.Queue(ctx, tx, f.shop.ID, []string{orderID}) })
	if err != nil {
		t.Fatal(err)
	}
	seen := &setAside{}
	f.sync = syncer.New(f.env.Store, f.tt.Client, f.conn, f.env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 50,
		Observer: seen}, slog.New(slog.DiscardHandler))
	if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceReturns); err != nil {
		t.Fatalf("the run after the order was spoiled: %v", err)
	}
	if seen.orders != 1 {
		t.Errorf("%d orders set aside reached the metrics; want 1", seen.orders)
	}
	err = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		rs, err := tx.Q.ProfitRefusalsByShop(ctx, f.userID)
		if err == nil && (len(rs) != 1 || rs[0].LatestOrderID != orderID || !strings.Contains(rs[0].LatestReason, "mixed currencies")) {
			t.Errorf("refusals %+v; want order %s's mixed currencies", rs, orderID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setAside counts the orders catch-ups set aside.
type setAside struct{ orders int }

func (*setAside) PageSynced(string, int, int) {}
func (*setAside) SyncFailed(string, string)   {}
func (*setAside) RecordMalformed(string)      {}
func (s *setAside) OrdersSetAside(n int)      { s.orders += n }
