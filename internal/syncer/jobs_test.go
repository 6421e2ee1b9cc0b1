package syncer_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// startQueue runs a working River client with the sync workers, as the app does.
func (f *fixture) startQueue(t *testing.T) *river.Client[pgx.Tx] {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, f.env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	workers := river.NewWorkers()
	river.AddWorker(workers, syncer.NewSyncWorker(f.sync))
	river.AddWorker(workers, syncer.NewStatisticsWorker(f.sync))
	river.AddWorker(workers, syncer.NewScheduleWorker(f.env.Store))
	client, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 4},
		Logger: slog.New(slog.DiscardHandler), FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.StopAndCancel(context.Background()) })
	return client
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s did not happen within 15s", what)
}

func TestASyncJobIsUniquePerShopAndStoresTheOrders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.startQueue(t)
	first, err := client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: f.shop.ID, Resource: syncer.ResourceOrders}, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: f.shop.ID, Resource: syncer.ResourceOrders}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !second.UniqueSkippedAsDuplicate && first.Job.State != "completed" {
		t.Fatal("a second sync of the same shop was queued while the first was pending")
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	waitUntil(t, "the job's sync", func() bool { return f.totals(t).Orders == int64(want.Orders) })
	if got := f.totals(t); got.TotalAmount != want.OrderTotalAmount {
		t.Fatalf("the job stored orders totalling %d; the sandbox holds %d", got.TotalAmount, want.OrderTotalAmount)
	}
}

// A first sync's job that ends the shop's backfill queues the statistics of the tables it grew, and a worker
// gathers them: the profit tables, which a catch-up of fewer than rollup.TakeMax orders never analyzes, included.
func TestTheJobThatEndsAFirstSyncHasTheStatisticsGathered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.startQueue(t)
	if _, err := client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: f.shop.ID, Resource: syncer.ResourceOrders}, nil); err != nil {
		t.Fatal(err)
	}
	owner := testenv.Connect(t, f.env.DB.OwnerURL)
	waitUntil(t, "a statistics job completed", func() bool {
		var n int
		err := owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'sync_statistics' AND state = 'completed'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	waitUntil(t, "the profit tables analyzed", func() bool { // the statistics views trail by up to a second
		var n int
		err := owner.QueryRow(ctx, `SELECT count(*) FROM pg_stat_user_tables
			WHERE relname IN ('order_profits', 'daily_profit') AND analyze_count > 0`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n == 2
	})
}

func TestTheSchedulerEnqueuesActiveShopsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.startQueue(t)
	if _, err := client.Insert(ctx, syncer.ScheduleArgs{Resources: []string{syncer.ResourceOrders}}, nil); err != nil {
		t.Fatal(err)
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	waitUntil(t, "the scheduled sync", func() bool { return f.totals(t).Orders == int64(want.Orders) })
}

func TestASyncJobRevokesAGrantTikTokSaysIsGone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.tt.Sandbox.SetFaults(sandbox.Faults{RevokedShops: []string{f.shop.ID}})
	client := f.startQueue(t)
	if _, err := client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: f.shop.ID, Resource: syncer.ResourceOrders}, nil); err != nil {
		t.Fatal(err)
	}
	var grantID int64
	waitUntil(t, "the grant's revocation", func() bool {
		var revoked bool
		_ = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
			list, err := shops.List(ctx, tx)
			if len(list) > 0 {
				revoked, grantID = list[0].Revoked, list[0].GrantID
			}
			return err
		})
		return revoked
	})
	if _, err := f.conn.TokenSource(f.userID, grantID).Token(ctx); !errors.Is(err, shops.ErrRevoked) {
		t.Fatalf("tokens after TikTok refused the grant: %v; want them deleted", err)
	}
	before := f.tt.Sandbox.Calls(f.shop.Cipher)
	if _, err := f.sync.Sync(ctx, f.userID, f.shop.ID, syncer.ResourceOrders); !errors.Is(err, syncer.ErrRevoked) {
		t.Fatalf("a later sync: %v; want ErrRevoked", err)
	}
	if f.tt.Sandbox.Calls(f.shop.Cipher) != before {
		t.Fatal("a later sync called TikTok for the revoked shop")
	}
}

func TestCancelShopCancelsThatShopsQueuedSyncsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, f.env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	client, err := jobs.NewClient(pool, nil, jobs.Config{Logger: slog.New(slog.DiscardHandler)}) // insert-only, as the web role is
	if err != nil {
		t.Fatal(err)
	}
	later := &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}
	var mine, other []int64
	for _, r := range syncer.Commerce {
		res, err := client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: f.shop.ID, Resource: r}, later)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, res.Job.ID)
		res, err = client.Insert(ctx, syncer.SyncArgs{UserID: f.userID, ShopID: "another-shop", Resource: r}, later)
		if err != nil {
			t.Fatal(err)
		}
		other = append(other, res.Job.ID)
	}
	if err := syncer.CancelShop(ctx, client, f.userID, f.shop.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range mine {
		if j, _ := client.JobGet(ctx, id); j.State != rivertype.JobStateCancelled {
			t.Errorf("job %d of the revoked shop is %s; want cancelled", id, j.State)
		}
	}
	for _, id := range other {
		if j, _ := client.JobGet(ctx, id); j.State == rivertype.JobStateCancelled {
			t.Errorf("job %d of another shop was cancelled", id)
		}
	}
}
