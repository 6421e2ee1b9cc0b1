package returns

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/syncer"
)

// EvaluateArgs is one seller's alert evaluation. Ids only: River's tables are not tenant tables.
type EvaluateArgs struct {
	UserID int64 `json:"user_id" river:"unique"`
}

// Kind names the job.
func (EvaluateArgs) Kind() string { return "return_alerts" }

// InsertOpts keep one evaluation per seller queued or running at a time, across every worker process; the
// outbox's dedupe keys and the steps' row locks keep one email per step even without it.
func (EvaluateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EvaluateWorker runs Evaluate for one seller, in a transaction of its own.
type EvaluateWorker struct {
	river.WorkerDefaults[EvaluateArgs]
	st    *store.Store
	links Links
	clock clock.Clock
}

// NewEvaluateWorker returns the worker.
func NewEvaluateWorker(st *store.Store, links Links, clk clock.Clock) *EvaluateWorker {
	return &EvaluateWorker{st: st, links: links, clock: clk}
}

// Work evaluates the seller's alerts now.
func (w *EvaluateWorker) Work(ctx context.Context, job *river.Job[EvaluateArgs]) error {
	q := river.ClientFromContext[pgx.Tx](ctx)
	return w.st.InTenant(ctx, job.Args.UserID, func(tx *store.Tx) error {
		_, err := Evaluate(ctx, tx, q, w.links, w.clock.Now())
		return err
	})
}

// ScheduleArgs asks for an evaluation of every seller with a return deadline or a pending alert.
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "return_alerts_schedule" }

// ScheduleWorker enqueues the evaluations.
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	st *store.Store
}

// NewScheduleWorker returns the worker.
func NewScheduleWorker(st *store.Store) *ScheduleWorker { return &ScheduleWorker{st: st} }

// Work enqueues one evaluation per seller who has something to alert about or cancel.
func (w *ScheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	var users []int64
	err := w.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		users, err = q.UsersWithReturnDeadlines(ctx)
		return err
	})
	if err != nil || len(users) == 0 {
		return err
	}
	params := make([]river.InsertManyParams, len(users))
	for i, u := range users {
		params[i] = river.InsertManyParams{Args: EvaluateArgs{UserID: u}}
	}
	_, err = river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params)
	return err
}

// Every is how often every seller's alerts are evaluated: the ladder's steps are minutes apart at their closest.
const Every = time.Minute

// PeriodicJobs evaluates every seller's alerts each Every (and once at start).
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(Every),
		func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// Inserter inserts jobs; the River client is one.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Enqueue asks for an evaluation of the seller's alerts now (a no-op while one is queued or running).
func Enqueue(ctx context.Context, q Inserter, userID int64) error {
	_, err := q.Insert(ctx, EvaluateArgs{UserID: userID}, nil)
	return err
}

// AfterReturnSyncs evaluates a seller's alerts as soon as a returns sync of theirs completes in this worker
// process, until ctx ends or the client stops. The periodic evaluation stays the safety net.
func AfterReturnSyncs(ctx context.Context, c *river.Client[pgx.Tx], log *slog.Logger) {
	events, cancel := c.Subscribe(river.EventKindJobCompleted)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Job == nil || ev.Job.Kind != (syncer.SyncArgs{}).Kind() {
					continue
				}
				var a syncer.SyncArgs
				if json.Unmarshal(ev.Job.EncodedArgs, &a) != nil || a.Resource != syncer.ResourceReturns {
					continue
				}
				if err := Enqueue(ctx, c, a.UserID); err != nil {
					log.Warn("returns: enqueue an alert evaluation after a returns sync (the periodic one follows)", "err", err)
				}
			}
		}
	}()
}
