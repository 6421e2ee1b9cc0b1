package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

type fixture struct {
	env    *testenv.Env
	tt     *tiktoktest.Env
	conn   *connect.Service
	sync   *syncer.Syncer
	userID int64
	shop   sandbox.Shop
}

// newFixture connects a seller to a 30-day sandbox shop set, through the same connect path the app uses.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	tt := tiktoktest.New(t, env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 30, 8 })
	log := slog.New(slog.DiscardHandler)
	conn := connect.New(env.Store, tt.Client, env.Clock, log)
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := tt.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	shop := tt.Sandbox.Shops()[0]
	err = env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		_, err := shops.Save(ctx, tx, shops.Grant{OpenID: tokens.OpenID, Scopes: sandbox.ReadScopes, Tokens: shops.Tokens{
			Access: tokens.AccessToken, AccessExpiresAt: tokens.AccessExpires, Refresh: tokens.RefreshToken, RefreshExpiresAt: tokens.RefreshExpires,
		}}, []shops.Shop{{ID: shop.ID, Name: shop.Name, Region: shop.Region, Cipher: shop.Cipher}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := syncer.New(env.Store, tt.Client, conn, env.Clock, syncer.Config{Backfill: 60 * 24 * time.Hour, PageSize: 50}, log)
	return &fixture{env: env, tt: tt, conn: conn, sync: s, userID: userID, shop: shop}
}

func (f *fixture) totals(t *testing.T) tenantdb.OrderTotalsRow {
	t.Helper()
	var got tenantdb.OrderTotalsRow
	err := f.env.Store.InTenant(context.Background(), f.userID, func(tx *store.Tx) error {
		var err error
		got, err = tx.Q.OrderTotals(context.Background(), tenantdb.OrderTotalsParams{UserID: f.userID, ShopID: f.shop.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestABackfillStoresExactlyTheSandboxsOrdersAndARerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	stats, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	got := f.totals(t)
	if got.Orders != int64(want.Orders) || got.TotalAmount != want.OrderTotalAmount {
		t.Fatalf("stored %d orders totalling %d; the sandbox holds %d totalling %d", got.Orders, got.TotalAmount, want.Orders, want.OrderTotalAmount)
	}
	if stats.Written != want.Orders || stats.Pages < 2 {
		t.Fatalf("backfill stats %+v; want every order written over several pages", stats)
	}
	again, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 {
		t.Fatalf("an immediate re-sync wrote %d rows; want none", again.Written)
	}
	if got := f.totals(t); got.Orders != int64(want.Orders) {
		t.Fatalf("after the re-sync %d orders; want %d", got.Orders, want.Orders)
	}
}

func TestAnIncrementalSyncPicksUpOrdersThatChangedAsTheClockMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID); err != nil {
		t.Fatal(err)
	}
	f.env.Clock.Advance(36 * time.Hour) // new orders arrive, open ones progress
	stats, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := f.tt.Sandbox.Totals(f.shop.ID)
	got := f.totals(t)
	if got.Orders != int64(want.Orders) || got.TotalAmount != want.OrderTotalAmount {
		t.Fatalf("after 36 hours: stored %d totalling %d; the sandbox holds %d totalling %d", got.Orders, got.TotalAmount, want.Orders, want.OrderTotalAmount)
	}
	if stats.Written == 0 || stats.Fetched >= want.Orders {
		t.Fatalf("incremental stats %+v: want a window of recent changes, not a full re-read", stats)
	}
}

func TestARevokedGrantStopsTheSyncWithoutCallingTikTok(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var grantID int64
	_ = f.env.Store.InTenant(ctx, f.userID, func(tx *store.Tx) error {
		list, err := shops.List(ctx, tx)
		grantID = list[0].GrantID
		if err != nil {
			return err
		}
		_, err = shops.Revoke(ctx, tx, grantID, "test")
		return err
	})
	before := f.tt.Sandbox.Calls(f.shop.Cipher)
	if _, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID); !errors.Is(err, syncer.ErrRevoked) {
		t.Fatalf("sync of a revoked shop: %v; want ErrRevoked", err)
	}
	if n := f.tt.Sandbox.Calls(f.shop.Cipher) - before; n != 0 {
		t.Fatalf("TikTok saw %d calls for a revoked shop; want none", n)
	}
}

func TestADumpAfterSyncHoldsNoBuyerDataInClear(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.sync.SyncOrders(ctx, f.userID, f.shop.ID); err != nil {
		t.Fatal(err)
	}
	tokens, _ := f.tt.Sandbox.IssueTokens("")
	page, err := f.tt.Client.Seller(tiktoktest.StaticToken(tokens.AccessToken)).SearchOrders(ctx, tiktok.Shop{ID: f.shop.ID, Cipher: f.shop.Cipher}, tiktok.OrderQuery{PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	dump, err := exec.CommandContext(ctx, "pg_dump", "--dbname="+f.env.DB.OwnerURL, "--data-only").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte(page.Orders[0].ID)) {
		t.Fatal("the dump does not hold the synced orders; the test is not looking at them")
	}
	for _, o := range page.Orders {
		for _, pii := range []string{o.Recipient.Name, o.Recipient.PhoneNumber, o.Recipient.FullAddress, o.BuyerEmail, o.BuyerMessage} {
			if len(pii) > 3 && bytes.Contains(dump, []byte(pii)) {
				t.Fatalf("the dump holds buyer data in clear: %q", pii)
			}
		}
	}
}
