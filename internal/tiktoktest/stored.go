package tiktoktest

import (
	"context"
	"reflect"
	"testing"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// Connect makes a new tenant and saves a grant for the sandbox's first shop, with tokens the sandbox issued, as
// the connect flow would. It returns the tenant and the shop.
func Connect(t testing.TB, st *store.Store, sb *sandbox.Sandbox) (int64, sandbox.Shop) {
	t.Helper()
	ctx := context.Background()
	userID, err := st.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := sb.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	shop := sb.Shops()[0]
	err = st.InTenant(ctx, userID, func(tx *store.Tx) error {
		_, err := shops.Save(ctx, tx, shops.Grant{OpenID: tokens.OpenID, Scopes: sandbox.ReadScopes, Tokens: shops.Tokens{
			Access: tokens.AccessToken, AccessExpiresAt: tokens.AccessExpires, Refresh: tokens.RefreshToken, RefreshExpiresAt: tokens.RefreshExpires,
		}}, []shops.Shop{{ID: shop.ID, Name: shop.Name, Region: shop.Region, Cipher: shop.Cipher}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return userID, shop
}

// Stored is what Profitline's tables hold for a shop, in the terms of the sandbox's Totals (Currency and
// OrdersByStatus left out).
func Stored(t testing.TB, st *store.Store, userID int64, shopID string) sandbox.Totals {
	t.Helper()
	ctx := context.Background()
	var got sandbox.Totals
	err := st.InTenant(ctx, userID, func(tx *store.Tx) error {
		o, err := tx.Q.OrderTotals(ctx, tenantdb.OrderTotalsParams{UserID: userID, ShopID: shopID})
		if err != nil {
			return err
		}
		r, err := tx.Q.ReturnTotals(ctx, tenantdb.ReturnTotalsParams{UserID: userID, ShopID: shopID})
		if err != nil {
			return err
		}
		p, err := tx.Q.ProductTotals(ctx, tenantdb.ProductTotalsParams{UserID: userID, ShopID: shopID})
		if err != nil {
			return err
		}
		fin, err := tx.Q.FinanceTotals(ctx, tenantdb.FinanceTotalsParams{UserID: userID, ShopID: shopID})
		if err != nil {
			return err
		}
		got = sandbox.Totals{
			Orders: int(o.Orders), OrderTotalAmount: o.TotalAmount, SampleOrders: int(o.SampleOrders), LineItems: int(o.Lines),
			Returns: int(r.Returns), OpenReturns: int(r.OpenReturns), RefundTotal: r.RefundTotal,
			Products: int(p.Products), SKUs: int(p.Skus),
			Statements: int(fin.Statements), StatementSettlement: fin.StatementSettlement,
			StatementTransactions: int(fin.Transactions), StatementReserve: fin.Reserve,
			Payments: int(fin.Payments), PaidPayments: int(fin.PaidPayments), PaymentAmount: fin.PaymentAmount,
			Withdrawals: int(fin.Withdrawals), UnsettledOrders: int(fin.UnsettledOrders),
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Want is the sandbox's ground truth for a shop in Stored's terms. It fails the test if the shop lacks a resource,
// since a comparison against nothing proves nothing.
func Want(t testing.TB, sb *sandbox.Sandbox, shopID string) sandbox.Totals {
	t.Helper()
	want := sb.Totals(shopID)
	want.Currency, want.OrdersByStatus = "", nil
	if want.Orders == 0 || want.Returns == 0 || want.Statements == 0 || want.StatementTransactions == 0 || want.Payments == 0 ||
		want.Withdrawals == 0 || want.UnsettledOrders == 0 || want.Products == 0 {
		t.Fatalf("the sandbox shop lacks a resource, so a comparison proves less than it claims: %+v", want)
	}
	return want
}

// SameAsSandbox reports whether the tables hold exactly the sandbox's records for the shop.
func SameAsSandbox(t testing.TB, st *store.Store, sb *sandbox.Sandbox, userID int64, shopID string) (got, want sandbox.Totals, same bool) {
	t.Helper()
	got, want = Stored(t, st, userID, shopID), Want(t, sb, shopID)
	return got, want, reflect.DeepEqual(got, want)
}
