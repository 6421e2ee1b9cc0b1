// Package webhook receives TikTok's notifications: it checks the signature over the raw bytes before anything
// else, records each notification once per seller who connected the shop, and acts at once where waiting would be
// wrong (a seller's deauthorization revokes the grant immediately). Order and return changes are kept, sealed, and
// ask for a sync of what changed.
//
// It must never parse an unverified body, act twice on one notification, or log a body.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/vault"
)

// The notification types Profitline acts on; others are acknowledged and ignored.
const (
	TypeOrderStatusChange                    = 1
	TypeSellerDeauthorization                = 6
	TypeUpcomingAuthExpiration               = 7
	TypeCancellationStatus                   = 11
	TypeReturnStatusChange                   = 12
	maxBody                                  = 64 << 10
	purposePayload             vault.Purpose = "webhook_events.payload"
)

// Errors the HTTP handler maps to status codes.
var (
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrTooLarge     = errors.New("webhook: body too large")
	ErrMalformed    = errors.New("webhook: body is not a notification")
)

// Receiver handles notifications.
type Receiver struct {
	st             *store.Store
	appKey, secret string
	log            *slog.Logger

	// OnChange, if set, runs after an order or return change is stored: the app asks for those resources' sync
	// there. The notification is marked processed once it returns nil.
	OnChange func(ctx context.Context, userID int64, shopID string, resources []string) error
	// OnRevoke, if set, runs after a deauthorization revoked a seller's grant: the app cancels the shop's queued
	// and running syncs there.
	OnRevoke func(ctx context.Context, userID int64, shopID string)
}

// New builds a receiver; secret is TIKTOK_WEBHOOK_SECRET, or the app secret when that is unset.
func New(st *store.Store, appKey, secret string, log *slog.Logger) *Receiver {
	return &Receiver{st: st, appKey: appKey, secret: secret, log: log}
}

// MaxBody is the largest body Receive accepts; the handler reads at most one byte more.
func (r *Receiver) MaxBody() int64 { return maxBody }

type notification struct {
	Type           json.Number     `json:"type"`
	NotificationID string          `json:"tts_notification_id"`
	ShopID         string          `json:"shop_id"`
	Timestamp      json.Number     `json:"timestamp"`
	Data           json.RawMessage `json:"data"`
}

// Result says what Receive did, for logs and tests.
type Result struct {
	Type       int
	Sellers    int // sellers who connected the shop
	Duplicates int // of them, those who had received this notification already
}

// Receive verifies, records and applies one notification. body is the raw request body; authorization the
// Authorization header.
func (r *Receiver) Receive(ctx context.Context, body []byte, authorization string) (Result, error) {
	if len(body) > maxBody {
		return Result{}, ErrTooLarge
	}
	if !tiktok.VerifyWebhook(r.appKey, r.secret, body, authorization) {
		return Result{}, ErrBadSignature
	}
	var n notification
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // ids and times beyond 2^53 stay exact
	if err := dec.Decode(&n); err != nil || n.NotificationID == "" || n.ShopID == "" {
		return Result{}, ErrMalformed
	}
	typ, err := strconv.Atoi(n.Type.String())
	if err != nil {
		return Result{}, ErrMalformed
	}
	res := Result{Type: typ}
	switch typ {
	case TypeOrderStatusChange, TypeSellerDeauthorization, TypeUpcomingAuthExpiration, TypeCancellationStatus, TypeReturnStatusChange:
	default:
		return res, nil // acknowledged, ignored
	}
	var users []int64
	err = r.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		users, err = q.UsersByShop(ctx, n.ShopID)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("webhook: sellers of shop %s: %w", n.ShopID, err)
	}
	res.Sellers = len(users)
	for _, userID := range users {
		dup, err := r.apply(ctx, userID, typ, n, body)
		if err != nil {
			return res, err
		}
		if dup {
			res.Duplicates++
		}
	}
	return res, nil
}

func (r *Receiver) apply(ctx context.Context, userID int64, typ int, n notification, body []byte) (duplicate bool, err error) {
	err = r.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		sealed, err := tx.Seal(ctx, purposePayload, n.NotificationID, body)
		if err != nil {
			return err
		}
		inserted, err := tx.Q.InsertWebhookEvent(ctx, tenantdb.InsertWebhookEventParams{
			UserID: userID, NotificationID: n.NotificationID, Type: int32(typ), ShopID: n.ShopID, ReceivedAt: tx.Now(), PayloadSealed: sealed,
		})
		if err != nil {
			return err
		}
		if inserted == 0 {
			duplicate = true
			return nil
		}
		switch typ {
		case TypeSellerDeauthorization:
			if _, err := shops.RevokeShop(ctx, tx, n.ShopID, "the seller deauthorized Profitline on TikTok"); err != nil {
				return err
			}
		case TypeUpcomingAuthExpiration:
			var d struct {
				ExpirationTime json.Number `json:"expiration_time"`
			}
			dec := json.NewDecoder(bytes.NewReader(n.Data))
			dec.UseNumber()
			if err := dec.Decode(&d); err != nil {
				return ErrMalformed
			}
			sec, err := d.ExpirationTime.Int64()
			if err != nil {
				return ErrMalformed
			}
			if err := shops.SetReconnectBy(ctx, tx, n.ShopID, time.Unix(sec, 0).UTC()); err != nil {
				return err
			}
		default:
			return nil // order and return changes are processed below, once stored
		}
		return tx.Q.MarkWebhookProcessed(ctx, tenantdb.MarkWebhookProcessedParams{Now: tx.Now(), UserID: userID, NotificationID: n.NotificationID})
	})
	if err != nil || duplicate {
		return duplicate, err
	}
	switch typ {
	case TypeSellerDeauthorization:
		if r.OnRevoke != nil {
			r.OnRevoke(ctx, userID, n.ShopID)
		}
	case TypeOrderStatusChange, TypeCancellationStatus, TypeReturnStatusChange:
		return false, r.changed(ctx, userID, typ, n)
	}
	return false, nil
}

// changed asks for the sync of what the notification says changed, then marks it processed. If asking fails, the
// notification stays unprocessed and the periodic sync still picks the change up.
func (r *Receiver) changed(ctx context.Context, userID int64, typ int, n notification) error {
	if r.OnChange == nil {
		return nil
	}
	resources := []string{syncer.ResourceOrders}
	if typ == TypeReturnStatusChange {
		resources = []string{syncer.ResourceReturns, syncer.ResourceOrders}
	}
	if err := r.OnChange(ctx, userID, n.ShopID, resources); err != nil {
		r.log.Warn("webhook: could not ask for a sync; the periodic one will catch up", "shop_id", n.ShopID, "err", err)
		return nil
	}
	return r.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		return tx.Q.MarkWebhookProcessed(ctx, tenantdb.MarkWebhookProcessedParams{Now: tx.Now(), UserID: userID, NotificationID: n.NotificationID})
	})
}
