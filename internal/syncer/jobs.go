package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/tiktok"
)

// Resources a sync job can bring up to date.
const ResourceOrders = resourceOrders

// SyncArgs is one shop's sync of one resource. Its arguments are ids only (River's tables are not tenant tables).
type SyncArgs struct {
	UserID   int64  `json:"user_id" river:"unique"`
	ShopID   string `json:"shop_id" river:"unique"`
	Resource string `json:"resource" river:"unique"`
}

// Kind names the job.
func (SyncArgs) Kind() string { return "sync" }

// InsertOpts make a shop's resource sync unique while it is queued or running, across every worker process; a
// finished one does not block the next.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// SyncWorker works sync jobs.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s *Syncer
}

// NewSyncWorker returns the worker.
func NewSyncWorker(s *Syncer) *SyncWorker { return &SyncWorker{s: s} }

// Work runs one sync. A revoked grant cancels the job; a grant TikTok says is gone (a refresh could not fix it) is
// revoked here, which deletes its tokens and stops every later call for its shops.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	a := job.Args
	var err error
	switch a.Resource {
	case ResourceOrders:
		_, err = w.s.SyncOrders(ctx, a.UserID, a.ShopID)
	default:
		return river.JobCancel(fmt.Errorf("syncer: unknown resource %q", a.Resource))
	}
	switch {
	case errors.Is(err, ErrRevoked):
		return river.JobCancel(err)
	case tiktok.ClassOf(err) == tiktok.ClassGrantGone:
		revokeErr := w.s.st.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
			_, err := shops.RevokeShop(ctx, tx, a.ShopID, "TikTok refused the grant and a refresh could not fix it")
			return err
		})
		if revokeErr != nil {
			return revokeErr
		}
		return river.JobCancel(err)
	}
	return err
}

// ScheduleArgs asks for a sync of every active shop.
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "sync_schedule" }

// ScheduleWorker enqueues a sync for every shop with an active grant (unique jobs drop what is already queued).
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	st *store.Store
}

// NewScheduleWorker returns the worker.
func NewScheduleWorker(st *store.Store) *ScheduleWorker { return &ScheduleWorker{st: st} }

// Work enqueues the syncs.
func (w *ScheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	var active []systemdb.ActiveShopsRow
	err := w.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		active, err = q.ActiveShops(ctx)
		return err
	})
	if err != nil {
		return err
	}
	client := river.ClientFromContext[pgx.Tx](ctx)
	params := make([]river.InsertManyParams, 0, len(active))
	for _, sh := range active {
		params = append(params, river.InsertManyParams{Args: SyncArgs{UserID: sh.UserID, ShopID: sh.ShopID, Resource: ResourceOrders}})
	}
	if len(params) == 0 {
		return nil
	}
	_, err = client.InsertMany(ctx, params)
	return err
}

// PeriodicJobs schedules every active shop's sync every interval (and once at start).
func PeriodicJobs(interval time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// Enqueuer inserts jobs; the River client is one.
type Enqueuer interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// EnqueueShop asks for a shop's sync now (after connecting it, or from "Sync now").
func EnqueueShop(ctx context.Context, q Enqueuer, userID int64, shopID string) error {
	_, err := q.Insert(ctx, SyncArgs{UserID: userID, ShopID: shopID, Resource: ResourceOrders}, nil)
	return err
}
