package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// These benchmarks sync a whole sandbox shop with the real binary (`profitline serve -workers`, a process of its
// own, so its peak RSS is the worker's alone) and take minutes: each measures once, whatever b.N, and reports its
// figures as metrics (ns/op is suppressed; sync_s is the end-to-end time). Results go in the README.

// syncMeasure is one benchmark's figures, kept so that a repeat call (b.N > 1) reports them without syncing again.
type syncMeasure map[string]float64

var syncMeasured = map[string]syncMeasure{}

// measureOnce runs measure the first time the named benchmark is called and reports its metrics every time.
func measureOnce(b *testing.B, measure func(b *testing.B) syncMeasure) {
	m, ok := syncMeasured[b.Name()]
	if !ok {
		m = measure(b)
		syncMeasured[b.Name()] = m
	} else {
		b.Logf("measured once already (b.N = %d): the figures are those of the first run", b.N)
	}
	b.ReportMetric(0, "ns/op")
	for unit, v := range m {
		b.ReportMetric(v, unit)
	}
}

// BenchmarkSyncOfAHundredThousandOrderShop syncs one sandbox shop of about 100,000 orders, with their returns and a
// year of finance, served locally with no rate limit (TIKTOK_SHOP_RATE=1000000) and one long run budget
// (SYNC_RUN_BUDGET=10m, so no run pauses). Then, in the same run, it bulk-loads every row the sync wrote into a
// fresh database the fastest way Postgres offers (COPY into a staging table, one merge per table): the tables of
// TikTok's records in one transaction, then the profit rows computed from them in another. sync_vs_raw is the raw
// time of every row over the sync's end-to-end time, which computes that profit too (the target is 0.5 or more);
// sync_vs_raw_records holds the same end-to-end time to the records' tables alone, and stored_vs_raw_records the
// time until the records were stored (the runs' last page, before the profit's catch-up) to those tables. Peak RSS
// must stay under 300 MB whatever the shop's size.
func BenchmarkSyncOfAHundredThousandOrderShop(b *testing.B) {
	measureOnce(b, func(b *testing.B) syncMeasure {
		r := newSyncRig(b, func(c *sandbox.Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 365, 275 })
		r.env = append(r.env, "TIKTOK_SHOP_RATE=1000000", "SYNC_RUN_BUDGET=10m", "SYNC_BACKFILL=9600h") // 400 days
		s := r.syncAll(b)
		orders := s.timing[syncer.ResourceOrders]
		m := syncMeasure{
			"sync_s":        s.elapsed.Seconds(),
			"orders_sync_s": orders.spent.Seconds(),
			"orders/s":      float64(s.orders) / s.elapsed.Seconds(), // end to end, everything of theirs included
			"peak_rss_MB":   s.peakRSSMB,
		}
		raw := rawLoad(b, r)
		m["raw_new_s"] = raw.newTime().Seconds()
		m["raw_existing_s"] = raw.existingTime().Seconds()
		m["raw_records_new_s"] = raw.records.newTime.Seconds()
		m["raw_new_rows/s"] = raw.newRowsPerSec
		m["raw_existing_rows/s"] = raw.existingRowsPerSec
		m["raw_new_orders/s"] = float64(s.orders) / raw.newTime().Seconds()
		m["stored_s"] = s.stored.Seconds()
		m["sync_vs_raw"] = raw.newTime().Seconds() / s.elapsed.Seconds()
		m["sync_vs_raw_records"] = raw.records.newTime.Seconds() / s.elapsed.Seconds()
		m["stored_vs_raw_records"] = raw.records.newTime.Seconds() / s.stored.Seconds()
		b.Logf("%d orders (%d lines, %d returns, %d statement transactions; %d rows of records and %d of profit): synced in %.1f s "+
			"end to end (%.0f orders/s; orders alone in %.1f s, %d runs), every record stored at %.1f s; peak RSS %.0f MB. "+
			"Raw COPY+merge of the same rows into the same tables: %.1f s new (%.0f orders/s), %.1f s existing, of which the "+
			"records' %.1f s and %.1f s; orders table alone %.0f new rows/s, %.0f existing rows/s. "+
			"Sync = %.2f of raw (the target is 0.5 or more); against the records' tables alone, %.2f end to end and %.2f "+
			"until every record was stored",
			s.orders, s.want.LineItems, s.want.Returns, s.want.StatementTransactions, raw.records.rows, raw.profit.rows,
			s.elapsed.Seconds(), m["orders/s"], orders.spent.Seconds(), orders.runs, s.stored.Seconds(), s.peakRSSMB,
			raw.newTime().Seconds(), m["raw_new_orders/s"], raw.existingTime().Seconds(), raw.records.newTime.Seconds(),
			raw.records.existingTime.Seconds(), raw.newRowsPerSec, raw.existingRowsPerSec, m["sync_vs_raw"],
			m["sync_vs_raw_records"], m["stored_vs_raw_records"])
		return m
	})
}

// BenchmarkSyncOfATenThousandOrderShopAtTheDefaultRateLimit syncs a shop of about 10,000 orders at TikTok's default
// limit of 10 requests per second per shop, and compares the time with the floor the limit itself sets: every
// request the shop's sync made, at 10 a second.
func BenchmarkSyncOfATenThousandOrderShopAtTheDefaultRateLimit(b *testing.B) {
	measureOnce(b, func(b *testing.B) syncMeasure {
		r := newSyncRig(b, func(c *sandbox.Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 40, 250 })
		r.env = append(r.env, "SYNC_RUN_BUDGET=10m", "SYNC_BACKFILL=1200h") // 50 days; TIKTOK_SHOP_RATE left at 10
		s := r.syncAll(b)
		requests := r.tt.Sandbox.Calls(r.shop.Cipher)
		floor := float64(requests) / 10
		m := syncMeasure{
			"sync_s":        s.elapsed.Seconds(),
			"requests":      float64(requests),
			"floor_s":       floor,
			"sync/floor":    s.elapsed.Seconds() / floor,
			"orders_sync_s": s.timing[syncer.ResourceOrders].spent.Seconds(),
			"peak_rss_MB":   s.peakRSSMB,
		}
		b.Logf("%d orders: synced in %.1f s end to end with %d requests to TikTok; the limit's floor is %.1f s "+
			"(%d requests / 10 per second): %.2fx the floor; peak RSS %.0f MB", s.orders, s.elapsed.Seconds(), requests, floor,
			requests, m["sync/floor"], s.peakRSSMB)
		return m
	})
}

// synced is what one sync of the rig's shop measured.
type synced struct {
	elapsed   time.Duration // from the shop's syncs being queued to the last of them done: everything stored, every order's profit computed
	stored    time.Duration // from the shop's syncs being queued to the last run's end: every record stored, before the last profit catch-up
	boot      time.Duration // from starting the worker to the shop's syncs being queued: the process's start and River's first schedule
	orders    int
	want      sandbox.Totals
	timing    map[string]resourceTiming
	peakRSSMB float64
}

// resourceTiming is one resource's sync, from its runs: the first run's start to the last one's end.
type resourceTiming struct {
	spent          time.Duration
	runs, pages    int
	records, wrote int64
}

// syncAll starts a worker process, waits until the shop is synced (its profit included), reads the worker's peak
// RSS and stops it.
func (r *syncRig) syncAll(b *testing.B) synced {
	b.Helper()
	want := r.tt.Sandbox.Totals(r.shop.ID)
	checkpoint(b, r.db.AdminURL)
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	busyBefore := machineBusy(b)
	start := time.Now()
	worker, _ := r.serve(b, "-workers")
	r.waitSynced(b, 40*time.Minute)
	wall := time.Since(start)
	busy := machineBusy(b) - busyBefore
	peak, cpu := procStatus(b, worker.Process.Pid)
	_ = worker.Process.Kill()
	_ = worker.Wait()
	var after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	timing := r.timing(b)
	for _, res := range syncer.Resources() {
		t := timing[res]
		b.Logf("%-22s %6.1f s  %2d runs %5d pages %7d records %7d written", res, t.spent.Seconds(), t.runs, t.pages, t.records, t.wrote)
	}
	b.Logf("CPU: worker %.1f s, this process (the sandbox serving) %.1f s, the whole machine (Postgres included) %.1f s "+
		"of the %.1f s its %d cores had, over %.1f s of wall time", cpu.Seconds(), (cpuOf(after) - cpuOf(before)).Seconds(),
		busy.Seconds(), wall.Seconds()*float64(runtime.NumCPU()), runtime.NumCPU(), wall.Seconds())
	queued, done, stored := r.syncJobsSpan(b)
	s := synced{elapsed: done.Sub(queued), stored: stored.Sub(queued), boot: queued.Sub(start), orders: want.Orders, want: want,
		timing: timing, peakRSSMB: peak}
	b.Logf("the shop's syncs were queued %.1f s after the worker started (its start and River's first schedule), "+
		"stored every record %.1f s after that, and were done (every order's profit computed) at %.1f s", s.boot.Seconds(),
		s.stored.Seconds(), s.elapsed.Seconds())
	r.logStatistics(b, queued)
	return s
}

// logStatistics says when the statistics job the sync queued as it ended (syncer.StatisticsArgs) ran: after the
// sync, not in its time, and waited for (waitSynced waits for every job) before anything else is measured.
func (r *syncRig) logStatistics(b *testing.B, queued time.Time) {
	b.Helper()
	conn := testenv.Connect(b, r.db.OwnerURL)
	var jobs int
	var from, to *time.Time
	err := conn.QueryRow(context.Background(), `SELECT count(*), min(attempted_at), max(finalized_at) FROM river.river_job
		WHERE kind = 'sync_statistics'`).Scan(&jobs, &from, &to)
	if err != nil {
		b.Fatalf("the statistics jobs: %v", err)
	}
	if jobs == 0 || from == nil || to == nil {
		b.Fatalf("the sync queued %d statistics jobs, none done", jobs)
	}
	b.Logf("statistics gathered after the sync (%d job): from %.1f s to %.1f s", jobs, from.Sub(queued).Seconds(), to.Sub(queued).Seconds())
}

// syncJobsSpan is when the first of the shop's sync jobs was queued and when the last one finished, by River's
// own records: the sync as a seller sees it, whose shop's syncs are queued when it is connected. The worker's own
// start (1 to 3 s here, mostly River electing a leader, which then runs the schedule that queues the syncs) and
// the polling of waitSynced are left out; the CPU figures still cover them. stored is when the last of the shop's
// runs ended: a run's end is recorded after its last page commits and before it catches up with the profit queue.
func (r *syncRig) syncJobsSpan(b *testing.B) (queued, done, stored time.Time) {
	b.Helper()
	conn := testenv.Connect(b, r.db.OwnerURL)
	err := conn.QueryRow(context.Background(), `SELECT min(created_at), max(finalized_at) FROM river.river_job
		WHERE kind = 'sync' AND (args->>'user_id')::bigint = $1 AND args->>'shop_id' = $2`, r.userID, r.shop.ID).Scan(&queued, &done)
	if err != nil {
		b.Fatalf("the span of the shop's sync jobs: %v", err)
	}
	err = conn.QueryRow(context.Background(), `SELECT max(finished_at) FROM sync_runs WHERE user_id = $1 AND shop_id = $2`,
		r.userID, r.shop.ID).Scan(&stored)
	if err != nil {
		b.Fatalf("the end of the shop's last sync run: %v", err)
	}
	return queued, done, stored
}

// timing reads the runs of every resource of the rig's shop (as the owner role: sync_runs is a tenant table).
func (r *syncRig) timing(b *testing.B) map[string]resourceTiming {
	b.Helper()
	ctx := context.Background()
	conn := testenv.Connect(b, r.db.OwnerURL)
	rows, err := conn.Query(ctx, `SELECT resource, extract(epoch FROM max(finished_at) - min(started_at))::float8, count(*), sum(pages_done), sum(records), sum(written)
		FROM sync_runs WHERE user_id = $1 AND shop_id = $2 GROUP BY resource`, r.userID, r.shop.ID)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		all, err := conn.Query(ctx, `SELECT resource, backfill, status, started_at, finished_at, pages_done, records, written, error
			FROM sync_runs WHERE user_id = $1 AND shop_id = $2 ORDER BY id`, r.userID, r.shop.ID)
		if err != nil {
			b.Fatal(err)
		}
		for all.Next() {
			v, _ := all.Values()
			b.Logf("run %v", v)
		}
		all.Close()
	}()
	out := map[string]resourceTiming{}
	for rows.Next() {
		var res string
		var spent float64
		var t resourceTiming
		if err := rows.Scan(&res, &spent, &t.runs, &t.pages, &t.records, &t.wrote); err != nil {
			b.Fatal(err)
		}
		t.spent = time.Duration(spent * float64(time.Second))
		out[res] = t
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// procStatus reads a process's peak resident set (VmHWM, in MB) and the CPU time it has used.
func procStatus(b *testing.B, pid int) (peakMB float64, cpu time.Duration) {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			peakMB = kb / 1024
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return peakMB, time.Duration(utime+stime) * 10 * time.Millisecond
}

// machineBusy is the CPU time every core of the machine has spent other than idle or waiting for the disk, since
// boot (the first line of /proc/stat, in clock ticks of 10 ms): what a run used, whoever used it, is the difference.
func machineBusy(b *testing.B) time.Duration {
	b.Helper()
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		b.Fatalf("/proc/stat begins %q", line)
	}
	var ticks int64
	for i, f := range fields[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("/proc/stat: %q: %v", line, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

func cpuOf(u syscall.Rusage) time.Duration {
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// tableKey names a table a sync of a shop writes, with its key.
type tableKey struct {
	name string
	key  []string
}

// recordTables are the tables of the shop's TikTok records, in an order a load can follow.
var recordTables = []tableKey{
	{"orders", []string{"user_id", "shop_id", "order_id"}},
	{"order_lines", []string{"user_id", "shop_id", "order_id", "line_id"}},
	{"returns", []string{"user_id", "shop_id", "return_id"}},
	{"return_lines", []string{"user_id", "shop_id", "return_id", "line_id"}},
	{"products", []string{"user_id", "shop_id", "product_id"}},
	{"skus", []string{"user_id", "shop_id", "sku_id"}},
	{"statements", []string{"user_id", "shop_id", "statement_id"}},
	{"statement_transactions", []string{"user_id", "shop_id", "statement_id", "transaction_id"}},
	{"payments", []string{"user_id", "shop_id", "payment_id"}},
	{"withdrawals", []string{"user_id", "shop_id", "withdrawal_id"}},
	{"unsettled_orders", []string{"user_id", "shop_id", "order_id"}},
}

// profitTables are the tables of the profit the sync computes from the records before it is done (migration
// 00013): its rows, as they stand at the end, are what a load of the same rows writes.
var profitTables = []tableKey{
	{"order_profits", []string{"user_id", "shop_id", "order_id", "sku_id"}},
	{"daily_profit", []string{"user_id", "shop_id", "sku_id", "day", "currency"}},
	{"shop_fee_rates", []string{"user_id", "shop_id"}},
	{"profit_refusals", []string{"user_id", "shop_id", "order_id"}},
}

// loadTimes are one group of tables' bulk-load figures.
type loadTimes struct {
	rows         int           // rows of every table of the group
	newTime      time.Duration // every table, every row new, commit included: what a first sync does
	existingTime time.Duration // every table again, every row there already (and rewritten)
}

// rawRates are the bulk-load figures of the rows the sync wrote: the records' tables, then the profit's (each
// group in a transaction of its own).
type rawRates struct {
	records, profit    loadTimes
	newRowsPerSec      float64 // orders table alone, every row new
	existingRowsPerSec float64 // orders table alone, every row already there
}

// newTime is every row's load as new rows: both groups.
func (r rawRates) newTime() time.Duration { return r.records.newTime + r.profit.newTime }

// existingTime is every row's load over themselves: both groups.
func (r rawRates) existingTime() time.Duration { return r.records.existingTime + r.profit.existingTime }

// table is the rows of one table, every column, as they were stored.
type table struct {
	name string
	key  []string
	cols []string
	rows [][]any
}

// rawLoad reads every row the sync wrote for the shop, from every table it writes, and bulk-loads them into a
// fresh database twice, first as new rows, then over themselves: each time the records' tables in one transaction
// and then the profit's in another.
func rawLoad(b *testing.B, r *syncRig) rawRates {
	b.Helper()
	ctx := context.Background()
	src := testenv.Connect(b, r.db.OwnerURL)
	var raw rawRates
	read := func(keys []tableKey, n *int) []*table {
		var tables []*table
		for _, t := range keys {
			tables = append(tables, readTable(b, src, t.name, t.key, r.userID, r.shop.ID))
			*n += len(tables[len(tables)-1].rows)
		}
		return tables
	}
	records, profit := read(recordTables, &raw.records.rows), read(profitTables, &raw.profit.rows)
	orders := records[0]
	var sizes []string
	for _, t := range records {
		if n, avg, large := t.payloads(); n > 0 {
			sizes = append(sizes, fmt.Sprintf("%s %d bytes on average, %.0f%% over 2,000", t.name, avg, 100*float64(large)/float64(n)))
		}
	}
	b.Logf("raw load: %d rows in %d tables of records, %d rows in %d tables of profit; %d orders; sealed payloads: %s",
		raw.records.rows, len(records), raw.profit.rows, len(profit), len(orders.rows), strings.Join(sizes, ", "))

	// A fresh database with a tenant of its own to own the rows. The owner role has BYPASSRLS: the load measures
	// Postgres, not the row-level security check (one comparison per row).
	db := testenv.NewDB(b)
	st, err := store.Open(ctx, db.AppURL, r.keys, clock.System{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	userID, err := st.CreateTenant(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range slices.Concat(records, profit) {
		t.setUser(userID)
	}
	dst := testenv.Connect(b, db.OwnerURL)

	// load merges the tables in one transaction and returns the orders table's time (when it is first) and the
	// whole transaction's.
	load := func(what string, tables []*table, rows int) (ordersTime, total time.Duration) {
		checkpoint(b, db.AdminURL)
		start := time.Now()
		tx, err := dst.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback(ctx)
		var each []string
		for i, t := range tables {
			took := merge(b, tx, t)
			if i == 0 {
				ordersTime = took
			}
			each = append(each, fmt.Sprintf("%s %d in %.2f s", t.name, len(t.rows), took.Seconds()))
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		total = time.Since(start)
		b.Logf("raw load, %s: %s; all %d rows with commit %.2f s (%.0f rows/s)", what, strings.Join(each, ", "), rows,
			total.Seconds(), float64(rows)/total.Seconds())
		return ordersTime, total
	}
	newOrders, newRecords := load("records, new rows", records, raw.records.rows)
	_, newProfit := load("profit, new rows", profit, raw.profit.rows)
	existingOrders, existingRecords := load("records, existing rows", records, raw.records.rows)
	_, existingProfit := load("profit, existing rows", profit, raw.profit.rows)
	raw.records.newTime, raw.records.existingTime = newRecords, existingRecords
	raw.profit.newTime, raw.profit.existingTime = newProfit, existingProfit
	n := float64(len(orders.rows))
	raw.newRowsPerSec, raw.existingRowsPerSec = n/newOrders.Seconds(), n/existingOrders.Seconds()
	return raw
}

// checkpoint writes every dirty page of the server to disk, so that each measured stretch starts from a clean
// server instead of paying for the writes of the one before it (the sync's gigabyte of WAL, say, flushed during
// the raw load).
func checkpoint(b *testing.B, adminURL string) {
	b.Helper()
	if _, err := testenv.Connect(b, adminURL).Exec(context.Background(), `CHECKPOINT`); err != nil {
		b.Fatalf("checkpoint: %v", err)
	}
}

func readTable(b *testing.B, conn *pgx.Conn, name string, key []string, userID int64, shopID string) *table {
	b.Helper()
	rows, err := conn.Query(context.Background(), `SELECT * FROM `+pgx.Identifier{name}.Sanitize()+` WHERE user_id = $1 AND shop_id = $2`, userID, shopID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	t := &table{name: name, key: key}
	for _, f := range rows.FieldDescriptions() {
		t.cols = append(t.cols, f.Name)
	}
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			b.Fatal(err)
		}
		t.rows = append(t.rows, v)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return t
}

// payloads counts the table's sealed payloads, their average size and how many are over 2,000 bytes: about where
// Postgres starts to move a row's values out of line (TOAST_TUPLE_THRESHOLD, 2,032 bytes a row).
func (t *table) payloads() (n, avg, large int) {
	i := slices.Index(t.cols, "payload_sealed")
	if i < 0 {
		return 0, 0, 0
	}
	total := 0
	for _, row := range t.rows {
		size := len(row[i].([]byte))
		total += size
		if size > 2000 {
			large++
		}
	}
	return len(t.rows), total / max(len(t.rows), 1), large
}

func (t *table) setUser(userID int64) {
	for i, c := range t.cols {
		if c == "user_id" {
			for _, row := range t.rows {
				row[i] = userID
			}
		}
	}
}

// merge copies t's rows into a staging table and merges them into t's table in one statement; a row that exists is
// rewritten, as a re-sync of changed records would.
func merge(b *testing.B, tx pgx.Tx, t *table) time.Duration {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	staging := "staging_" + t.name
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (LIKE %s) ON COMMIT DROP`, staging, pgx.Identifier{t.name}.Sanitize())); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{staging}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
		b.Fatal(err)
	}
	cols := make([]string, len(t.cols))
	var set []string
	for i, c := range t.cols {
		cols[i] = pgx.Identifier{c}.Sanitize()
		if !slices.Contains(t.key, c) {
			set = append(set, cols[i]+" = EXCLUDED."+cols[i])
		}
	}
	list := strings.Join(cols, ", ")
	sql := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT (%s) DO UPDATE SET %s`, pgx.Identifier{t.name}.Sanitize(),
		list, list, staging, strings.Join(t.key, ", "), strings.Join(set, ", "))
	if _, err := tx.Exec(ctx, sql); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
