// Package syncer copies a connected shop's TikTok data into Profitline's tables: orders, returns, products and
// the finance records, one resource at a time. Each page is written in one transaction together with the run's
// progress and, for reads sorted by time, the cursor that says how far the sync has got, so a crash resumes from
// the last committed page. Every page's transaction first checks that the seller's grant is still active, and the
// token source refuses a revoked grant, so a revocation stops the sync before its next call to TikTok.
//
// It must never write a record's personal data in clear, delete rows TikTok stops returning, or call TikTok for a
// revoked grant.
package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/vault"
)

// TokenSources gives the token source of a grant (connect.Service does).
type TokenSources interface {
	TokenSource(userID, grantID int64) *shops.TokenSource
}

// Config tunes the sync.
type Config struct {
	Backfill       time.Duration // how far back a first sync of orders, returns and products reaches (default 90 days)
	FinanceSince   time.Time     // where a first sync of finance records starts (default 2023-01-01: their first day)
	Overlap        time.Duration // how far each incremental read reaches back before the cursor (default 10 minutes)
	FinanceRevisit time.Duration // how far back each finance read reaches, as statuses change (default 35 days)
	PageSize       int           // default 100 (50 for returns, their maximum)
	// RunBudget is how long one run reads before it pauses between two pages and hands the rest to a new job
	// (default 2 minutes): a long backfill never looks stuck, and a worker killed mid-run is replaced soon.
	RunBudget time.Duration
	Observer  Observer // default: none
	// BuyerIndexKey keys the buyer key stored with each order (BuyerKey; migration 00021). Without it orders get
	// none, and /returns cannot count a buyer's returns.
	BuyerIndexKey []byte
}

// Syncer runs syncs.
type Syncer struct {
	st     *store.Store
	client *tiktok.Client
	tokens TokenSources
	clock  clock.Clock
	cfg    Config
	log    *slog.Logger
}

// New builds a syncer.
func New(st *store.Store, client *tiktok.Client, tokens TokenSources, clk clock.Clock, cfg Config, log *slog.Logger) *Syncer {
	if cfg.Backfill == 0 {
		cfg.Backfill = 90 * 24 * time.Hour
	}
	if cfg.FinanceSince.IsZero() {
		cfg.FinanceSince = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Overlap == 0 {
		cfg.Overlap = 10 * time.Minute
	}
	if cfg.FinanceRevisit == 0 {
		cfg.FinanceRevisit = 35 * 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 100
	}
	if cfg.RunBudget == 0 {
		cfg.RunBudget = 2 * time.Minute
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Syncer{st: st, client: client, tokens: tokens, clock: clk, cfg: cfg, log: log}
}

// ErrRevoked means the shop's grant is revoked or the shop disconnected: nothing was or will be called.
var ErrRevoked = errors.New("syncer: access to this shop is revoked")

// ErrPaused means the run used its time budget and stopped after a committed page; the next run continues from it.
var ErrPaused = errors.New("syncer: the run paused after its time budget")

// JobTimeout is how long a sync job may run: its budget, plus time for the page in flight and its retries.
func (s *Syncer) JobTimeout() time.Duration { return 3 * s.cfg.RunBudget }

// Stats count what a sync did.
type Stats struct {
	Pages     int
	Fetched   int // records TikTok returned (a record on two pages of a keyset read counts twice)
	Written   int // rows inserted or changed (0 when nothing changed since the last sync)
	Malformed int // records kept aside
	// StatisticsDue says the run ended the shop's last backfill still running and caught up with its profit: the
	// tables the backfills grew want their statistics gathered (a StatisticsArgs job), past what the run gathered
	// along the way (see analyzeAt).
	StatisticsDue bool
}

// runsKept is how many runs of each shop's resource sync_runs keeps.
const runsKept = 50

// Sync brings one resource of a shop up to date and records the run.
func (s *Syncer) Sync(ctx context.Context, userID int64, shopID, resource string) (Stats, error) {
	r, ok := resources[resource]
	if !ok {
		return Stats{}, fmt.Errorf("syncer: unknown resource %q", resource)
	}
	now := s.clock.Now()
	j := &run{s: s, userID: userID, shopID: shopID, resource: resource, analyze: r.analyze, profit: r.profit,
		to: now.Truncate(time.Second), deadline: now.Add(s.cfg.RunBudget), caughtUp: now}
	err := s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		row, err := tx.Q.GetShopForSync(ctx, tenantdb.GetShopForSyncParams{UserID: userID, ShopID: shopID})
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrRevoked
		}
		if err != nil {
			return err
		}
		if row.GrantStatus != "active" || row.DisconnectedAt != nil {
			return ErrRevoked
		}
		j.shop, j.grantID = tiktok.Shop{ID: shopID, Cipher: row.Cipher}, row.GrantID
		cursor, err := tx.Q.GetSyncCursor(ctx, tenantdb.GetSyncCursorParams{UserID: userID, ShopID: shopID, Resource: resource})
		switch {
		case err == nil:
			j.from = cursor.SyncedTo.Add(-r.revisit(s.cfg))
			j.backfill = cursor.BackfillDoneAt == nil
		case errors.Is(err, pgx.ErrNoRows):
			j.from = r.start(s.cfg, j.to)
			j.backfill = true
		default:
			return err
		}
		if err := tx.Q.AbandonSyncRuns(ctx, tenantdb.AbandonSyncRunsParams{UserID: userID, ShopID: shopID, Resource: resource, Now: now}); err != nil {
			return err
		}
		j.id, err = tx.Q.StartSyncRun(ctx, tenantdb.StartSyncRunParams{UserID: userID, ShopID: shopID, Resource: resource, Backfill: j.backfill, Now: now})
		if err != nil {
			return err
		}
		return tx.Q.PruneSyncRuns(ctx, tenantdb.PruneSyncRunsParams{UserID: userID, ShopID: shopID, Resource: resource, Newer: runsKept - 1})
	})
	if err != nil {
		if !errors.Is(err, ErrRevoked) {
			s.cfg.Observer.SyncFailed(resource, "internal")
		}
		return Stats{}, err
	}
	j.seller = s.client.Seller(s.tokens.TokenSource(userID, j.grantID))
	err = r.read(ctx, j)
	if err != nil && ctx.Err() != nil && j.revoked() {
		err = fmt.Errorf("%w (the run was cancelled)", ErrRevoked)
	}
	s.finish(j, err)
	profitCtx := ctx
	if errors.Is(err, ErrRevoked) && ctx.Err() != nil {
		// Revoked mid-run: what its pages stored still gets its profit (no call to TikTok needed), for the frozen
		// dashboard to show; a worker shutting down leaves it to the next run.
		var cancel context.CancelFunc
		profitCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
	}
	if perr := j.profitAfterRun(profitCtx, err == nil); perr != nil && err == nil {
		s.cfg.Observer.SyncFailed(resource, "internal")
		s.log.Warn("profit catch-up failed", "shop_id", shopID, "resource", resource, "err", perr)
		err = perr // the job retries, and its next run catches up
	}
	return j.stats, err
}

// catchUpEvery is how often a backfill catches up with its shop's profit queue while it runs. A first sync at
// TikTok's pace (minutes, or hours for a large shop) shows its profit as it goes, at the cost of computing some
// orders again once their settlement lands; one that runs at full speed (a 100,000-order shop's pages take under
// 20 s without a rate limit) still computes each order once, when its last backfill ends.
const catchUpEvery = 30 * time.Second

// liveRun is how recently a backfill run must have committed a page to count as running (see profitAfterRun): a
// run left 'running' by a worker that died stops holding up its shop's profit within a minute.
const liveRun = time.Minute

// profitAfterRun brings the shop's profit up to date with what the run queued (and, after settlement rows or a
// backfill, its fee rates), once the run is recorded as ended. An incremental run has caught up after each page
// already, a backfill every catchUpEvery (see commit). A backfill run leaves the rest of the queue to the shop's last
// backfill still running, so a first sync computes each order once, with its order, returns and settlement rows
// all stored; whichever ends last catches up. The ended run is recorded first: of two ending together, at least
// one sees the other ended, and catches up. A backfill that completed here, and caught up, says the statistics are
// due (Stats.StatisticsDue).
func (j *run) profitAfterRun(ctx context.Context, completed bool) error {
	if !j.profit || ctx.Err() != nil {
		return nil
	}
	s := j.s
	if j.backfill {
		var live int64
		err := s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
			var err error
			live, err = tx.Q.CountLiveBackfills(ctx, tenantdb.CountLiveBackfillsParams{UserID: j.userID, ShopID: j.shopID,
				Resources: profitResources(), ID: j.id, AliveSince: s.clock.Now().Add(-liveRun)})
			return err
		})
		if err != nil || live > 0 {
			return err
		}
	}
	if err := j.catchUp(ctx); err != nil {
		return err
	}
	if j.settled || j.backfill {
		// Settlement rows stored, by this run or by a backfill that left its catch-up to this one: the shop's fee
		// rates, which estimates are made with, may have moved.
		if err := j.observeRates(ctx); err != nil {
			return err
		}
	}
	j.stats.StatisticsDue = j.backfill && completed
	return nil
}

// observeRates has the shop's fee rates observed in its settled orders (rollup.ObserveRates), which refreshes the
// orders still estimated when they moved.
func (j *run) observeRates(ctx context.Context) error {
	return j.s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		_, err := rollup.ObserveRates(ctx, tx, j.shopID, tx.Now())
		return err
	})
}

// catchUp computes the profit of the orders the shop's syncs queued (rollup.CatchUp), until the queue is empty.
// A long catch-up (a shop's first backfill) gathers the profit tables' statistics after its first transaction, as a
// backfill does for the tables it fills (see analyzeAt; the rest wait for Stats.StatisticsDue), and, after
// settlement rows, observes the shop's fee rates between its transactions: it takes the lowest order ids first,
// which are the oldest orders, settled, and the rates they give are in place before it reaches the newest orders,
// which are estimated with them. Observed only at the end, they refreshed every estimated order a second time
// (9,703 of the 100,000-order shop's, in the sync's last stretch).
func (j *run) catchUp(ctx context.Context) error {
	for n := 1; ; n++ {
		c, taken, err := rollup.CatchUp(ctx, j.s.st, j.userID, j.shopID)
		if err != nil {
			return fmt.Errorf("syncer: profit of shop %s: %w", j.shopID, err)
		}
		if c.Refused > 0 { // their reasons are on the shop's Settings -> Shops card
			j.s.log.Warn("profit: orders set aside, the model refused them", "shop_id", j.shopID, "orders", c.Refused)
			j.s.cfg.Observer.OrdersSetAside(int(c.Refused))
		}
		if taken < rollup.TakeMax {
			return nil
		}
		if n == 1 {
			j.s.analyze(ctx, profitTables)
		}
		if j.settled || j.backfill {
			if err := j.observeRates(ctx); err != nil {
				return err
			}
		}
	}
}

// profitResources are the resources whose pages queue orders for their profit.
func profitResources() []string {
	var out []string
	for _, name := range Resources() {
		if resources[name].profit {
			out = append(out, name)
		}
	}
	return out
}

// revoked says whether the shop's grant is revoked now: why a cancelled run was cancelled, most likely.
func (j *run) revoked() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var status string
	err := j.s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		var err error
		status, err = tx.Q.GrantStatus(ctx, tenantdb.GrantStatusParams{UserID: j.userID, ID: j.grantID})
		return err
	})
	return err == nil && status != "active"
}

// finish records how the run ended, on a context of its own: the run's may be the reason it ended.
func (s *Syncer) finish(j *run, err error) {
	status, msg := "succeeded", ""
	switch {
	case err == nil:
	case errors.Is(err, ErrRevoked) || errors.Is(err, shops.ErrRevoked):
		status, msg = "revoked", "access to the shop was revoked; the sync stopped"
	case errors.Is(err, ErrPaused):
		status = "paused"
	default:
		status, msg = "failed", describe(err)
		s.cfg.Observer.SyncFailed(j.resource, errorClass(err))
		s.log.Warn("sync failed", "shop_id", j.shopID, "resource", j.resource, "class", errorClass(err), "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ferr := s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		return tx.Q.FinishSyncRun(ctx, tenantdb.FinishSyncRunParams{UserID: j.userID, ID: j.id, Status: status, Error: msg, Now: s.clock.Now()})
	})
	if ferr != nil {
		s.log.Warn("record the end of a sync run", "shop_id", j.shopID, "resource", j.resource, "err", ferr)
	}
}

// errorClass names an error's kind for metrics and the Settings page.
func errorClass(err error) string {
	var ae *tiktok.APIError
	switch {
	case errors.As(err, &ae):
		return ae.Class.String()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	default:
		return "internal"
	}
}

// describe is what the Settings page says about a failed run: the class and TikTok's message, never a record.
func describe(err error) string {
	var ae *tiktok.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s: TikTok answered %d %s", ae.Class, ae.Code, ae.Message)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "interrupted; the next run resumes from the last page stored"
	}
	return "internal error; the next run retries"
}

// run is one sync of one resource of one shop.
type run struct {
	s        *Syncer
	userID   int64
	shopID   string
	grantID  int64
	shop     tiktok.Shop
	seller   *tiktok.Seller
	resource string
	analyze  []string  // the tables whose statistics a backfill gathers
	profit   bool      // its pages queue orders for their profit
	settled  bool      // it wrote settlement rows (the shop's fee rates may have moved)
	caughtUp time.Time // when it last caught up with the shop's profit queue (or started)
	id       int64
	backfill bool
	from, to time.Time // the window this run reads
	deadline time.Time // the end of the run's budget
	stats    Stats
}

// paused says whether the run has used its budget: checked only where stopping loses nothing (after a page that
// moved the cursor, or between statements).
func (j *run) paused() bool { return !j.s.clock.Now().Before(j.deadline) }

// page is what one request brought back, ready to be written.
type page struct {
	records   int
	total     int64 // TikTok's total_count for the query (0 if unknown)
	next      string
	malformed []tiktok.Malformed
	write     func(ctx context.Context, tx *store.Tx) (int64, error)
}

// commit writes one page in one transaction with the run's progress: after checking the grant, the rows, the
// records kept aside, the progress, and the cursor when advance is set. done also marks the read complete.
func (j *run) commit(ctx context.Context, p page, expected int, advance time.Time, done bool, also func(ctx context.Context, tx *store.Tx) error) error {
	s := j.s
	var written int64
	err := s.st.InTenant(ctx, j.userID, func(tx *store.Tx) error {
		// A page lost in a crash is read again from the cursor, which commits with it: no need to wait for the disk.
		if err := tx.CommitWithoutWaiting(ctx); err != nil {
			return err
		}
		status, err := tx.Q.GrantStatus(ctx, tenantdb.GrantStatusParams{UserID: j.userID, ID: j.grantID})
		if err != nil {
			return err
		}
		if status != "active" {
			return ErrRevoked
		}
		if p.records > 0 {
			if written, err = p.write(ctx, tx); err != nil {
				return err
			}
		}
		if err := j.keepAside(ctx, tx, p.malformed); err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx, tx); err != nil {
				return err
			}
		}
		now := tx.Now()
		if err := tx.Q.RecordSyncPage(ctx, tenantdb.RecordSyncPageParams{UserID: j.userID, ID: j.id, Records: int32(p.records),
			Written: int32(written), Malformed: int32(len(p.malformed)), Expected: int32(expected), Now: now}); err != nil {
			return err
		}
		// Pages cache what they compute from the seller's data under its version (the dashboard, cash flow): a
		// page that wrote rows moves it, last, so the version's row stays locked for as short a time as can be.
		if written > 0 {
			if err := tx.Q.BumpProfitVersion(ctx, j.userID); err != nil {
				return err
			}
		}
		if advance.IsZero() {
			return nil
		}
		return tx.Q.AdvanceSyncCursor(ctx, tenantdb.AdvanceSyncCursorParams{UserID: j.userID, ShopID: j.shopID, Resource: j.resource,
			SyncedTo: advance, Now: now, Done: done})
	})
	if err != nil {
		return fmt.Errorf("syncer: write %s of shop %s: %w", j.resource, j.shopID, err)
	}
	j.stats.Pages++
	if j.backfill && len(j.analyze) > 0 && analyzeAt(j.stats.Pages) {
		s.analyze(ctx, j.analyze)
	}
	if j.profit && p.records > 0 && (!j.backfill || s.clock.Now().Sub(j.caughtUp) >= catchUpEvery) {
		if err := j.catchUp(ctx); err != nil {
			return err
		}
		j.caughtUp = s.clock.Now()
	}
	j.stats.Fetched += p.records
	j.stats.Written += int(written)
	j.stats.Malformed += len(p.malformed)
	s.cfg.Observer.PageSynced(j.resource, p.records, int(written))
	for range p.malformed {
		s.cfg.Observer.RecordMalformed(j.resource)
	}
	return nil
}

const (
	purposeMalformedPayload vault.Purpose = "malformed_records.payload"
	purposeMalformedReason  vault.Purpose = "malformed_records.reason"
)

// keepAside stores the records that could not be read, sealed (the reason may quote the record), and logs their
// ids: never their content.
func (j *run) keepAside(ctx context.Context, tx *store.Tx, bad []tiktok.Malformed) error {
	if len(bad) == 0 {
		return nil
	}
	p := tenantdb.KeepMalformedRecordsParams{UserID: j.userID, ShopID: j.shopID, Resource: j.resource, Now: tx.Now()}
	for _, m := range bad {
		id := m.ID
		if id == "" {
			sum := sha256.Sum256(m.Raw)
			id = "no-id-" + hex.EncodeToString(sum[:8])
		}
		key := j.shopID + "/" + j.resource + "/" + id
		payload, err := tx.Seal(ctx, purposeMalformedPayload, key, m.Raw)
		if err != nil {
			return err
		}
		reason, err := tx.Seal(ctx, purposeMalformedReason, key, []byte(m.Err.Error()))
		if err != nil {
			return err
		}
		p.RecordIds = append(p.RecordIds, id)
		p.Payloads = append(p.Payloads, payload)
		p.Reasons = append(p.Reasons, reason)
		j.s.log.Warn("malformed record kept aside", "shop_id", j.shopID, "resource", j.resource, "record_id", id)
	}
	return tx.Q.KeepMalformedRecords(ctx, p)
}

// pagesFor is how many pages of size n hold total records.
func pagesFor(total int64, n int) int {
	if total <= 0 {
		return 0
	}
	return int((total + int64(n) - 1) / int64(n))
}

// fetched is a page read ahead: while one page is written, the next is already on its way (the token source still
// refuses a revoked grant before every call).
type fetched struct {
	p    page
	last time.Time
	err  error
}

// ahead starts fetch in the background; the result arrives on the channel.
func ahead(fetch func() (page, time.Time, error)) <-chan fetched {
	c := make(chan fetched, 1)
	go func() {
		p, last, err := fetch()
		c <- fetched{p, last, err}
	}()
	return c
}

// readKeyset reads a window sorted by time ascending, one request per page, each starting at the time of the
// previous page's last record: the cursor moves with every committed page, so a crash loses nothing and repeats at
// most one page, and records that change while the read runs cannot shift others out of it (as page offsets
// would). When a whole page shares one time, the read follows the page token past it.
func (j *run) readKeyset(ctx context.Context, size int, fetch func(ctx context.Context, from time.Time, token string) (page, time.Time, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // a page read ahead is not wanted once the read stops
	pos, token := j.from, ""
	next := ahead(func() (page, time.Time, error) { return fetch(ctx, pos, token) })
	for {
		f := <-next
		if f.err != nil {
			return f.err
		}
		p, last := f.p, f.last
		expected := 0
		if token == "" {
			expected = j.stats.Pages + pagesFor(p.total, size)
		}
		var advance time.Time
		done, moved := p.next == "", last.After(pos)
		switch {
		case done:
			advance = j.to
		case moved:
			advance = last
		}
		stop := done || (moved && j.paused())
		if !stop {
			npos, ntoken := pos, p.next
			if moved {
				npos, ntoken = last, ""
			}
			next = ahead(func() (page, time.Time, error) { return fetch(ctx, npos, ntoken) })
			pos, token = npos, ntoken
		}
		if err := j.commit(ctx, p, expected, advance, done, nil); err != nil {
			return err
		}
		switch {
		case done:
			return nil
		case stop:
			return ErrPaused
		}
	}
}

// readWindow reads a window by page token, reading each page while the previous one is written. The cursor moves
// only when the whole window is stored: for small resources, or ones whose order the API does not let us choose.
// final runs in the last page's transaction.
func (j *run) readWindow(ctx context.Context, size int, fetch func(ctx context.Context, token string) (page, error), final func(ctx context.Context, tx *store.Tx) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	get := func(token string) <-chan fetched {
		return ahead(func() (page, time.Time, error) { p, err := fetch(ctx, token); return p, time.Time{}, err })
	}
	first, seen := true, map[string]bool{}
	next := get("")
	for {
		f := <-next
		if f.err != nil {
			return f.err
		}
		p := f.p
		expected := 0
		if first {
			expected, first = pagesFor(p.total, size), false
		}
		done := p.next == ""
		if !done {
			if seen[p.next] {
				return fmt.Errorf("syncer: %s of shop %s: the page token repeats", j.resource, j.shopID)
			}
			seen[p.next] = true
			next = get(p.next)
		}
		var advance time.Time
		var also func(ctx context.Context, tx *store.Tx) error
		if done {
			advance, also = j.to, final
		}
		if err := j.commit(ctx, p, expected, advance, done, also); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// analyzeAt says whether a backfill run that has committed pages pages gathers the statistics of the tables it
// fills: after its 1st, 10th and 100th page, so that while a backfill grows a shop from nothing the planner soon
// knows it is large enough to look orders up by key (see migration 00014). Past that the shop is large for every
// plan, and the statistics of the grown tables wait for the end of the shop's first sync (Stats.StatisticsDue), off
// its path: gathered at the 1,000th page as well, they held the 100,000-order shop's orders run up for 0.5 to
// 0.8 s. Incremental runs add too little to need it.
func analyzeAt(pages int) bool { return pages == 1 || pages == 10 || pages == 100 }

// analyze gathers the tables' statistics along a run; a failure only costs speed, so it is logged, not returned.
func (s *Syncer) analyze(ctx context.Context, tables []string) {
	if err := s.gatherStatistics(ctx, tables); err != nil && ctx.Err() == nil {
		s.log.Warn("sync: gather statistics", "error", err)
	}
}

// gatherStatistics has Postgres gather the tables' statistics (system.analyze_tables).
func (s *Syncer) gatherStatistics(ctx context.Context, tables []string) error {
	return s.st.System(ctx, func(q *systemdb.Queries) error {
		_, err := q.AnalyzeTables(ctx, tables)
		return err
	})
}
