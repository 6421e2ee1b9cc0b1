// Package syncer copies a connected shop's TikTok data into Profitline's tables: page by page, each page written in
// one statement in its own transaction together with the cursor that says how far the sync has got, so a crash
// resumes from the last committed page. Every page first checks that the seller's grant is still active: a revoked
// grant stops the sync before its next call to TikTok.
//
// It must never write a record's personal data in clear, delete rows TikTok stops returning, or call TikTok for a
// revoked grant.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
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
	Backfill time.Duration // how far back a first sync reaches (default 90 days)
	Overlap  time.Duration // how far each incremental window reaches back before the cursor (default 10 minutes)
	PageSize int           // default 100
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
	if cfg.Overlap == 0 {
		cfg.Overlap = 10 * time.Minute
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 100
	}
	return &Syncer{st: st, client: client, tokens: tokens, clock: clk, cfg: cfg, log: log}
}

// ErrRevoked means the shop's grant is revoked or the shop disconnected: nothing was or will be called.
var ErrRevoked = errors.New("syncer: access to this shop is revoked")

// Stats count what a sync did.
type Stats struct {
	Pages   int
	Fetched int // records TikTok returned
	Written int // rows inserted or changed (0 when nothing changed since the last sync)
}

const resourceOrders = "orders"

const purposeOrder vault.Purpose = "orders.payload"

// SyncOrders brings a shop's orders up to date: orders updated since the cursor (less an overlap, since TikTok's
// update-time filter can miss items at the window's edge), or since the backfill horizon the first time.
func (s *Syncer) SyncOrders(ctx context.Context, userID int64, shopID string) (Stats, error) {
	var st Stats
	var shop tiktok.Shop
	var grantID int64
	var from time.Time
	to := s.clock.Now().Truncate(time.Second)
	err := s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		row, err := tx.Q.GetShopForSync(ctx, tenantdb.GetShopForSyncParams{UserID: userID, ShopID: shopID})
		if err != nil {
			return err
		}
		if row.GrantStatus != "active" || row.DisconnectedAt != nil {
			return ErrRevoked
		}
		shop, grantID = tiktok.Shop{ID: shopID, Cipher: row.Cipher}, row.GrantID
		cursor, err := tx.Q.GetSyncCursor(ctx, tenantdb.GetSyncCursorParams{UserID: userID, ShopID: shopID, Resource: resourceOrders})
		switch {
		case err == nil:
			from = cursor.Add(-s.cfg.Overlap)
		case errors.Is(err, pgx.ErrNoRows):
			from = to.Add(-s.cfg.Backfill)
		default:
			return err
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	seller := s.client.Seller(s.tokens.TokenSource(userID, grantID))
	q := tiktok.OrderQuery{PageSize: s.cfg.PageSize, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: from, UpdateTimeLT: to}
	for page, err := range seller.OrderPages(ctx, shop, q) {
		if err != nil {
			return st, fmt.Errorf("syncer: orders of shop %s: %w", shopID, err)
		}
		n, err := s.writeOrders(ctx, userID, shopID, grantID, page.Orders)
		if err != nil {
			return st, err
		}
		st.Pages++
		st.Fetched += len(page.Orders)
		st.Written += n
	}
	err = s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		return tx.Q.SaveSyncCursor(ctx, tenantdb.SaveSyncCursorParams{UserID: userID, ShopID: shopID, Resource: resourceOrders, SyncedTo: to, Now: s.clock.Now()})
	})
	return st, err
}

// writeOrders writes one page in one statement, after checking in the same transaction that the grant is active.
func (s *Syncer) writeOrders(ctx context.Context, userID int64, shopID string, grantID int64, orders []tiktok.Order) (int, error) {
	var written int64
	err := s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		status, err := tx.Q.GrantStatus(ctx, tenantdb.GrantStatusParams{UserID: userID, ID: grantID})
		if err != nil {
			return err
		}
		if status != "active" {
			return ErrRevoked
		}
		p := tenantdb.UpsertOrdersParams{UserID: userID, ShopID: shopID, SyncedAt: s.clock.Now()}
		for _, o := range orders {
			sealed, err := tx.Seal(ctx, purposeOrder, shopID+"/"+o.ID, o.Raw)
			if err != nil {
				return err
			}
			pay := o.Payment
			p.OrderIds = append(p.OrderIds, o.ID)
			p.Statuses = append(p.Statuses, o.Status)
			p.Currencies = append(p.Currencies, pay.Currency)
			p.CreateTimes = append(p.CreateTimes, o.CreateTime)
			p.UpdateTimes = append(p.UpdateTimes, o.UpdateTime)
			p.IsSamples = append(p.IsSamples, o.IsSampleOrder)
			p.LineCounts = append(p.LineCounts, int32(len(o.LineItems)))
			p.SubTotals = append(p.SubTotals, pay.SubTotal.Minor)
			p.ShippingFees = append(p.ShippingFees, pay.ShippingFee.Minor)
			p.SellerDiscounts = append(p.SellerDiscounts, pay.SellerDiscount.Minor)
			p.PlatformDiscounts = append(p.PlatformDiscounts, pay.PlatformDiscount.Minor)
			p.Taxes = append(p.Taxes, pay.Tax.Minor)
			p.TotalAmounts = append(p.TotalAmounts, pay.TotalAmount.Minor)
			p.Payloads = append(p.Payloads, sealed)
		}
		written, err = tx.Q.UpsertOrders(ctx, p)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("syncer: write orders of shop %s: %w", shopID, err)
	}
	return int(written), nil
}
