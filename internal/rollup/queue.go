package rollup

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// TakeMax is how many queued orders one CatchUp takes: enough that a shop's first backfill is computed in a few
// dozen transactions, each starting its read-ahead afresh (with 5,000, the catch-up of 100,000 orders took 14.4 to
// 15.3 s; with 10,000, 12.7 to 13.4 s, run alternately), few enough that a cost edit waiting on the shop's lock
// waits a moment (a transaction of 10,000 orders takes about a second on the 2-core development machine).
const TakeMax = 10_000

// Queue marks the shop's orders ids as behind their rows, in the transaction that wrote the rows: CatchUp computes
// them. It is what a sync page calls instead of Refresh, so the page never waits on the shop's profit lock and an
// order whose order, returns and settlement rows all land before the next catch-up is computed once.
func Queue(ctx context.Context, tx *store.Tx, shopID string, ids []string) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	slices.Sort(ids) // an entry's ids are distinct, in id order (TakeProfitQueue)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Q.QueueProfitOrders(ctx, tenantdb.QueueProfitOrdersParams{UserID: tx.UserID, ShopID: shopID, OrderIds: ids}); err != nil {
		return fmt.Errorf("rollup: queue %d orders of shop %s: %w", len(ids), shopID, err)
	}
	return nil
}

// CatchUp computes the TakeMax lowest order ids queued for the shop in one transaction, which takes them off the
// queue together with the profit rows it writes (and queues the rest again, merged: see TakeProfitQueue): a crash
// loses nothing, and an order queued again meanwhile is computed again. taken says how many orders it computed;
// fewer than TakeMax means the queue was emptied. Two at once take turns on the shop's profit lock.
//
// While it writes one batch's rows it reads and computes the next on a second connection (see readAhead), when one
// is free for it: a shop's first backfill ends with every order queued, and the catch-up is then the sync's last
// stretch. Reading outside the transaction is safe because it reads only after the entries are taken: a change
// committed before the take is read, and one committed after it queued an entry of its own, which this catch-up
// did not take.
func CatchUp(ctx context.Context, st *store.Store, userID int64, shopID string) (c Changed, taken int, err error) {
	err = st.InTenant(ctx, userID, func(tx *store.Tx) error {
		if err := lock(ctx, tx, shopID); err != nil {
			return err
		}
		// ApplyOrderProfits takes about 41 ms to plan, and each of a connection's first five executions would plan it
		// again with its parameters, which do not change its plan (it looks rows up by key whatever they hold).
		if err := tx.PlanGenerically(ctx); err != nil {
			return err
		}
		ids, err := tx.Q.TakeProfitQueue(ctx, tenantdb.TakeProfitQueueParams{UserID: userID, ShopID: shopID, MaxOrders: TakeMax})
		if err != nil {
			return fmt.Errorf("rollup: take the profit queue of shop %s: %w", shopID, err)
		}
		taken = len(ids)
		if taken == 0 {
			return nil
		}
		// Lost in a crash, the transaction is lost whole, its take with it: the entries are queued again and the
		// next catch-up computes them. So its commit need not wait for the disk.
		if err := tx.CommitWithoutWaiting(ctx); err != nil {
			return err
		}
		s := &shop{id: shopID} // ids are distinct and in key order, as the reads go
		if len(ids) <= batch || !readAhead.TryLock() {
			c, err = s.refresh(ctx, tx, ids)
			return err
		}
		defer readAhead.Unlock()
		c, err = s.refreshAhead(ctx, st, tx, ids)
		return err
	})
	return c, taken, err
}

// readAhead is held by the one catch-up of the process that reads ahead on a second connection. One at most: two
// catch-ups each holding a connection could otherwise wait on each other for their second, the pool being full.
var readAhead sync.Mutex

// refreshAhead is refresh with the reads and the model on a second connection, a batch ahead of the writes.
func (s *shop) refreshAhead(ctx context.Context, st *store.Store, tx *store.Tx, ids []string) (Changed, error) {
	if err := s.load(ctx, tx); err != nil { // under the lock, as refresh would
		return Changed{}, err
	}
	readCtx, stopReading := context.WithCancel(ctx)
	ahead := make(chan computed, 1)
	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(ahead)
		readErr = st.InTenant(readCtx, tx.UserID, func(rtx *store.Tx) error {
			for chunk := range slices.Chunk(ids, batch) {
				b, err := s.compute(readCtx, rtx, chunk)
				if err != nil {
					return err
				}
				select {
				case ahead <- b:
				case <-readCtx.Done():
					return readCtx.Err()
				}
			}
			return nil
		})
	})
	var total Changed
	err := func() error {
		for b := range ahead {
			c, err := s.write(ctx, tx, b, false)
			if err != nil {
				return err
			}
			total.add(c)
		}
		return nil
	}()
	stopReading()
	wg.Wait()
	if err == nil && readErr != nil {
		err = fmt.Errorf("rollup: read ahead: %w", readErr)
	}
	if err != nil {
		return total, err
	}
	return total, bumpIfChanged(ctx, tx, total)
}
