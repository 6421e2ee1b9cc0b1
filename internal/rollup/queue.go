package rollup

import (
	"context"
	"fmt"
	"slices"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// TakeMax is how many queue entries one CatchUp takes: enough that a shop's first backfill is computed in a few
// dozen transactions, few enough that a cost edit waiting on the shop's lock waits a moment.
const TakeMax = 5000

// Queue marks the shop's orders ids as behind their rows, in the transaction that wrote the rows: CatchUp computes
// them. It is what a sync page calls instead of Refresh, so the page never waits on the shop's profit lock and an
// order whose order, returns and settlement rows all land before the next catch-up is computed once.
func Queue(ctx context.Context, tx *store.Tx, shopID string, ids []string) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Q.QueueProfitOrders(ctx, tenantdb.QueueProfitOrdersParams{UserID: tx.UserID, ShopID: shopID, OrderIds: ids}); err != nil {
		return fmt.Errorf("rollup: queue %d orders of shop %s: %w", len(ids), shopID, err)
	}
	return nil
}

// CatchUp computes the orders of the TakeMax oldest entries queued for the shop in one transaction, which takes
// every entry of those orders off the queue together with the profit rows it writes: a crash loses nothing, and an
// order queued again meanwhile is computed again. taken says how many of the oldest entries it took; fewer than
// TakeMax means the queue was emptied. Two at once take turns on the shop's profit lock.
func CatchUp(ctx context.Context, st *store.Store, userID int64, shopID string) (c Changed, taken int, err error) {
	err = st.InTenant(ctx, userID, func(tx *store.Tx) error {
		if err := lock(ctx, tx, shopID); err != nil {
			return err
		}
		ids, err := tx.Q.TakeProfitQueue(ctx, tenantdb.TakeProfitQueueParams{UserID: userID, ShopID: shopID, MaxRows: TakeMax})
		if err != nil {
			return fmt.Errorf("rollup: take the profit queue of shop %s: %w", shopID, err)
		}
		taken = len(ids)
		if taken == 0 {
			return nil
		}
		slices.Sort(ids) // and order the reads by key
		ids = slices.Compact(ids)
		if err := tx.Q.TakeQueuedOrders(ctx, tenantdb.TakeQueuedOrdersParams{UserID: userID, ShopID: shopID, OrderIds: ids}); err != nil {
			return fmt.Errorf("rollup: take the queued orders of shop %s: %w", shopID, err)
		}
		s := &shop{id: shopID}
		c, err = s.refresh(ctx, tx, ids)
		return err
	})
	return c, taken, err
}
