package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Tx is one tenant's transaction: its queries, and sealing with its data key.
type Tx struct {
	Q      *tenantdb.Queries
	UserID int64

	tx    pgx.Tx
	keys  *vault.KeyRing
	clock clock.Clock

	loaded   bool
	active   *vault.DataKey
	dataKeys map[vault.KeyID]*vault.DataKey
}

// PgxTx returns the transaction itself, for the job queue only: River's InsertTx takes it, so a job is inserted in
// the same transaction as the rows that caused it (both commit, or neither). Tenant queries go through Q.
func (t *Tx) PgxTx() pgx.Tx { return t.tx }

// CommitWithoutWaiting lets this transaction's commit return before its record reaches the disk
// (synchronous_commit off). A crash soon after may then lose the transaction, whole, never in part: use it only for
// work that is redone when it is lost, such as a sync page, whose cursor commits with its rows.
func (t *Tx) CommitWithoutWaiting(ctx context.Context) error {
	if _, err := t.tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return fmt.Errorf("store: commit without waiting: %w", err)
	}
	return nil
}

// PlanGenerically has this transaction's prepared statements run their generic plan from their first execution on
// a connection (plan_cache_mode = force_generic_plan), where Postgres plans each of the first five afresh with their
// parameters: for a transaction of statements that cost more to plan than the parameters could win.
func (t *Tx) PlanGenerically(ctx context.Context) error {
	if _, err := t.tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
		return fmt.Errorf("store: plan generically: %w", err)
	}
	return nil
}

// Now is the store's clock, so rows written in a tenant transaction carry the time tests control.
func (t *Tx) Now() time.Time { return t.clock.Now() }

// ErrShredded means the tenant has no data key: it was deleted, and its ciphertext can no longer be opened.
var ErrShredded = errors.New("store: tenant has no data key (account deleted)")

// Seal encrypts plaintext under the tenant's active data key, bound to (purpose, tenant, rowKey).
func (t *Tx) Seal(ctx context.Context, purpose vault.Purpose, rowKey string, plaintext []byte) ([]byte, error) {
	if err := t.loadDataKeys(ctx); err != nil {
		return nil, err
	}
	return t.active.Seal(vault.AD{Purpose: purpose, UserID: t.UserID, RowKey: rowKey}, plaintext)
}

// Open decrypts a value sealed by Seal for the same (purpose, tenant, rowKey).
func (t *Tx) Open(ctx context.Context, purpose vault.Purpose, rowKey string, ciphertext []byte) ([]byte, error) {
	if err := t.loadDataKeys(ctx); err != nil {
		return nil, err
	}
	id, err := vault.SealedKeyID(ciphertext)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", purpose, err)
	}
	dk, ok := t.dataKeys[id]
	if !ok {
		return nil, fmt.Errorf("store: open %s: tenant has no data key %d: %w", purpose, id, vault.ErrUnknownKey)
	}
	return dk.Open(vault.AD{Purpose: purpose, UserID: t.UserID, RowKey: rowKey}, ciphertext)
}

// loadDataKeys unwraps the tenant's data keys once per transaction; the newest generation seals.
func (t *Tx) loadDataKeys(ctx context.Context) error {
	if t.loaded {
		return nil
	}
	rows, err := t.Q.ListDataKeys(ctx, t.UserID)
	if err != nil {
		return fmt.Errorf("store: load data keys: %w", err)
	}
	if len(rows) == 0 {
		return ErrShredded
	}
	t.dataKeys = make(map[vault.KeyID]*vault.DataKey, len(rows))
	for i, r := range rows {
		dk, err := t.keys.UnwrapDataKey(t.UserID, vault.KeyID(r.KeyID), r.Wrapped)
		if err != nil {
			return fmt.Errorf("store: unwrap data key %d of user %d: %w", r.KeyID, t.UserID, err)
		}
		t.dataKeys[dk.ID()] = dk
		if i == 0 {
			t.active = dk
		}
	}
	t.loaded = true
	return nil
}

func (t *Tx) createDataKey(ctx context.Context, id vault.KeyID) error {
	dk, err := vault.NewDataKey(id)
	if err != nil {
		return err
	}
	wrapped, err := t.keys.WrapDataKey(t.UserID, dk)
	if err != nil {
		return err
	}
	err = t.Q.InsertDataKey(ctx, tenantdb.InsertDataKeyParams{
		UserID:    t.UserID,
		KeyID:     int64(id),
		RingKeyID: int64(t.keys.ActiveID()),
		Wrapped:   wrapped,
		CreatedAt: t.clock.Now(),
	})
	if err != nil {
		return fmt.Errorf("store: save data key: %w", err)
	}
	t.loaded = false
	return nil
}

// Audit appends an entry to the tenant's audit log (append-only: the app role can only insert and read it).
// ipHint is the coarse client network (account.IPHint); detail may be nil.
func (t *Tx) Audit(ctx context.Context, action, ipHint string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return t.Q.InsertAudit(ctx, tenantdb.InsertAuditParams{UserID: t.UserID, At: t.clock.Now(), Action: action, IpHint: ipHint, Detail: b})
}
