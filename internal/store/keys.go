package store

import (
	"context"
	"fmt"

	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// RewrapStats counts what RewrapDataKeys did.
type RewrapStats struct {
	Tenants int
	Keys    int
}

// RewrapDataKeys moves every tenant's data keys under the key ring's active key, one tenant per transaction.
// Rows stay sealed under the tenants' data keys, so this is all a ring rotation needs. It is idempotent (only keys
// under another ring key are touched, by compare-and-swap) and resumable (each tenant commits on its own; a re-run
// finds only what is left).
func (s *Store) RewrapDataKeys(ctx context.Context, batch int32) (RewrapStats, error) {
	var stats RewrapStats
	active := int64(s.keys.ActiveID())
	var after int64
	for {
		var tenants []int64
		err := s.System(ctx, func(q *systemdb.Queries) error {
			var err error
			tenants, err = q.TenantsWithKeysNotUnder(ctx, systemdb.TenantsWithKeysNotUnderParams{
				ActiveRingKeyID: active, AfterUserID: after, MaxRows: batch,
			})
			return err
		})
		if err != nil {
			return stats, fmt.Errorf("store: list tenants to rewrap: %w", err)
		}
		if len(tenants) == 0 {
			return stats, nil
		}
		for _, userID := range tenants {
			n, err := s.rewrapTenant(ctx, userID)
			if err != nil {
				return stats, err
			}
			stats.Tenants++
			stats.Keys += n
			after = userID
		}
	}
}

func (s *Store) rewrapTenant(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.InTenant(ctx, userID, func(tx *Tx) error {
		rows, err := tx.Q.ListDataKeys(ctx, userID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.RingKeyID == int64(s.keys.ActiveID()) {
				continue
			}
			dk, err := s.keys.UnwrapDataKey(userID, vault.KeyID(r.KeyID), r.Wrapped)
			if err != nil {
				return fmt.Errorf("unwrap data key %d: %w", r.KeyID, err)
			}
			wrapped, err := s.keys.WrapDataKey(userID, dk)
			if err != nil {
				return err
			}
			changed, err := tx.Q.RewrapDataKey(ctx, tenantdb.RewrapDataKeyParams{
				NewRingKeyID: int64(s.keys.ActiveID()), NewWrapped: wrapped,
				UserID: userID, KeyID: r.KeyID, OldWrapped: r.Wrapped,
			})
			if err != nil {
				return err
			}
			n += int(changed)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: rewrap data keys of user %d: %w", userID, err)
	}
	return n, nil
}
