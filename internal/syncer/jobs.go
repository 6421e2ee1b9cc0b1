package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/tiktok"
)

// SyncArgs is one shop's sync of one resource. Its arguments are ids only (River's tables are not tenant tables).
type SyncArgs struct {
	UserID   int64  `json:"user_id" river:"unique"`
	ShopID   string `json:"shop_id" river:"unique"`
	Resource string `json:"resource" river:"unique"`
}

// Kind names the job.
func (SyncArgs) Kind() string { return kindSync }

const kindSync = "sync"

// InsertOpts make a shop's resource sync unique while it is queued or running, across every worker process; a
// finished one does not block the next.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: queuedOrRunning}}
}

// queuedOrRunning are the states in which a unique job blocks another (River requires the first four).
var queuedOrRunning = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled,
	rivertype.JobStateRetryable,
}

// SyncWorker works sync jobs.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s *Syncer
}

// NewSyncWorker returns the worker.
func NewSyncWorker(s *Syncer) *SyncWorker { return &SyncWorker{s: s} }

// Timeout bounds one run. A run pauses on its own after its budget; the timeout only stops one whose page hangs,
// and River's rescuer (set to run after it) retries jobs whose worker died.
func (w *SyncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return w.s.JobTimeout() }

// Work runs one sync (a statements job then reads the transactions of the statements it stored). A revoked grant
// cancels the job; a grant TikTok says is gone (a refresh could not fix it) is revoked here, which deletes its
// tokens and stops every later call for its shops.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	a := job.Args
	if !slices.Contains(jobResources(), a.Resource) {
		return river.JobCancel(fmt.Errorf("syncer: no sync job for resource %q", a.Resource))
	}
	st, err := w.s.Sync(ctx, a.UserID, a.ShopID, a.Resource)
	if err == nil && a.Resource == ResourceStatements {
		st, err = w.s.Sync(ctx, a.UserID, a.ShopID, ResourceTransactions)
	}
	if err == nil && st.StatisticsDue {
		// Off the sync's path: the seller's figures are complete already. A failure only costs speed.
		if _, err := river.ClientFromContext[pgx.Tx](ctx).Insert(ctx, StatisticsArgs{}, nil); err != nil {
			w.s.log.Warn("sync: queue the statistics", "shop_id", a.ShopID, "err", err)
		}
	}
	switch {
	case errors.Is(err, ErrPaused):
		return river.JobSnooze(time.Second) // continues from the cursor; a snooze is not a failed attempt
	case errors.Is(err, ErrRevoked), errors.Is(err, shops.ErrRevoked):
		return river.JobCancel(err)
	case authLost(err):
		revokeErr := w.s.st.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
			_, err := shops.RevokeShop(ctx, tx, a.ShopID, "TikTok refused the grant and a refresh could not fix it")
			return err
		})
		if revokeErr != nil {
			return revokeErr
		}
		if client := river.ClientFromContext[pgx.Tx](ctx); client != nil {
			_ = CancelShop(ctx, client, a.UserID, a.ShopID, job.ID)
		}
		return river.JobCancel(err)
	}
	return err
}

// StatisticsArgs asks Postgres to gather the statistics of the tables a shop's first sync grew (grownTables), once
// it has ended (Stats.StatisticsDue): the statistics the runs gathered along the way stop at a backfill's 100th
// page (see analyzeAt). The tables are every tenant's, so the job names no shop.
type StatisticsArgs struct{}

// Kind names the job.
func (StatisticsArgs) Kind() string { return "sync_statistics" }

// InsertOpts keep one job at most queued or running: first syncs ending together gather the statistics once, and
// one ending while a job runs leaves its last rows to the next gathering (or to autovacuum).
func (StatisticsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: queuedOrRunning}}
}

// StatisticsWorker works statistics jobs.
type StatisticsWorker struct {
	river.WorkerDefaults[StatisticsArgs]
	s *Syncer
}

// NewStatisticsWorker returns the worker.
func NewStatisticsWorker(s *Syncer) *StatisticsWorker { return &StatisticsWorker{s: s} }

// Work gathers the statistics.
func (w *StatisticsWorker) Work(ctx context.Context, _ *river.Job[StatisticsArgs]) error {
	return w.s.gatherStatistics(ctx, grownTables())
}

// authLost says TikTok refused the grant in a way a refresh could not fix: the refresh token is gone, or the client
// refreshed once (it always does on an auth error) and the fresh token was refused too.
func authLost(err error) bool {
	switch tiktok.ClassOf(err) {
	case tiktok.ClassGrantGone, tiktok.ClassAuthInvalid, tiktok.ClassAuthExpired:
		return true
	}
	return false
}

// ScheduleArgs asks for a sync of some resources of every active shop.
type ScheduleArgs struct {
	Resources []string `json:"resources"`
}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "sync_schedule" }

// ScheduleWorker enqueues a sync of the given resources for every shop with an active grant (unique jobs drop
// what is already queued or running).
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	st *store.Store
}

// NewScheduleWorker returns the worker.
func NewScheduleWorker(st *store.Store) *ScheduleWorker { return &ScheduleWorker{st: st} }

// Work enqueues the syncs.
func (w *ScheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	var active []systemdb.ActiveShopsRow
	err := w.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		active, err = q.ActiveShops(ctx)
		return err
	})
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, 0, len(active)*len(job.Args.Resources))
	for _, sh := range active {
		for _, r := range job.Args.Resources {
			params = append(params, river.InsertManyParams{Args: SyncArgs{UserID: sh.UserID, ShopID: sh.ShopID, Resource: r}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	_, err = river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params)
	return err
}

// Schedule says how often each group of resources is synced.
type Schedule struct {
	Commerce time.Duration // orders, returns, products (default 10 minutes)
	Finance  time.Duration // statements and the rest (default 1 hour)
}

// PeriodicJobs schedules every active shop's syncs (and once at start).
func PeriodicJobs(s Schedule) []*river.PeriodicJob {
	if s.Commerce == 0 {
		s.Commerce = 10 * time.Minute
	}
	if s.Finance == 0 {
		s.Finance = time.Hour
	}
	every := func(d time.Duration, resources []string) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(d),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{Resources: resources}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})
	}
	return []*river.PeriodicJob{every(s.Commerce, Commerce), every(s.Finance, Finance)}
}

// Inserter inserts jobs; the River client is one.
type Inserter interface {
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// EnqueueShop asks for a sync of the given resources of a shop now (all of them when none are given): after
// connecting it, from "Sync now", or when a webhook says something changed.
func EnqueueShop(ctx context.Context, q Inserter, userID int64, shopID string, resources ...string) error {
	if len(resources) == 0 {
		resources = jobResources()
	}
	params := make([]river.InsertManyParams, 0, len(resources))
	for _, r := range resources {
		params = append(params, river.InsertManyParams{Args: SyncArgs{UserID: userID, ShopID: shopID, Resource: r}})
	}
	_, err := q.InsertMany(ctx, params)
	return err
}

// Canceller cancels jobs; the River client is one.
type Canceller interface {
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobCancel(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
}

// CancelShop cancels a shop's queued and running syncs (a running one sees its context cancelled within seconds),
// except the job except names (0: none). Used when access is revoked.
func CancelShop(ctx context.Context, c Canceller, userID int64, shopID string, except int64) error {
	params := river.NewJobListParams().Kinds(kindSync).First(1000).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled).
		Where("args->>'shop_id' = @shop_id AND (args->>'user_id')::bigint = @user_id",
			river.NamedArgs{"shop_id": shopID, "user_id": userID})
	res, err := c.JobList(ctx, params)
	if err != nil {
		return fmt.Errorf("syncer: list the syncs of shop %s: %w", shopID, err)
	}
	var errs []error
	for _, j := range res.Jobs {
		if j.ID == except {
			continue
		}
		if _, err := c.JobCancel(ctx, j.ID); err != nil && !errors.Is(err, river.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
