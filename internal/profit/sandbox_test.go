package profit_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// The model is fed what the sandbox serves, read through the app's own client and mapped field by field as the
// stored rows are: every settled order must reconcile with its settlement rows except the one the sandbox makes
// wrong on purpose, and what the order and its returns say (sales, discounts, refunds, shipping charged) must
// agree with what TikTok settled.
func TestSandboxOrdersReconcileWithTheirSettlement(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	env := tiktoktest.New(t, clock.NewFake(now), func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 40, 25 })
	tokens, err := env.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	seller := env.Client.Seller(tiktoktest.StaticToken(tokens.AccessToken))
	shops, err := seller.AuthorizedShops(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, mismatched := env.Sandbox.Mismatch()
	from, to := now.AddDate(-1, 0, 0), now.Add(24*time.Hour)
	foundMismatch := false

	for _, shop := range shops {
		inputs := map[string]*profit.Input{}
		for p, err := range seller.OrderPages(ctx, shop, tiktok.OrderQuery{PageSize: 100, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: from, UpdateTimeLT: to}) {
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range p.Orders {
				inputs[o.ID] = &profit.Input{Order: orderOf(o), Lines: linesOf(o)}
			}
		}
		for p, err := range seller.ReturnPages(ctx, shop, tiktok.ReturnQuery{PageSize: 50, SortField: "update_time", SortOrder: "ASC", UpdateTimeGE: from, UpdateTimeLT: to}) {
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Returns {
				in := inputs[r.OrderID]
				in.Returns = append(in.Returns, returnOf(r))
			}
		}
		for p, err := range seller.StatementPages(ctx, shop, tiktok.StatementQuery{StatementTimeGE: from, StatementTimeLT: to}) {
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range p.Statements {
				for tp, err := range seller.StatementTransactionPages(ctx, shop, st.ID, tiktok.TransactionQuery{}) {
					if err != nil {
						t.Fatal(err)
					}
					for _, tx := range tp.Transactions {
						if in := inputs[tx.OrderID]; in != nil {
							in.Transactions = append(in.Transactions, transactionOf(tx))
						}
					}
				}
			}
		}

		var settled profit.Totals
		seen := map[profit.Flags]int{}
		for _, id := range slices.Sorted(maps.Keys(inputs)) {
			in := *inputs[id]
			r, err := profit.Compute(in, profit.Costs{FallbackBps: 4000}, profit.FeeRates{})
			if err != nil {
				t.Fatalf("order %s: %v", id, err)
			}
			if r.State != profit.Settled {
				continue
			}
			o := r.Order
			for _, f := range []profit.Flags{profit.FlagSample, profit.FlagRefunded, profit.FlagPartiallyRefunded, profit.FlagReturned, profit.FlagSettlementDoesNotSum} {
				if o.Flags.Has(f) {
					seen[f]++
				}
			}
			wantOff := int64(0)
			if id == mismatched {
				wantOff, foundMismatch = 100, true
			}
			if o.Unreconciled.Minor != wantOff || o.Flags.Has(profit.FlagSettlementDoesNotSum) != (wantOff != 0) {
				t.Errorf("order %s: unreconciled %v, flags %q", id, o.Unreconciled, o.Flags)
			}
			// The order's own figures, and its returns, say what the settlement says.
			d := r.Difference
			for name, x := range map[string]money.Amount{"gross sales": d.GrossSales, "seller discount": d.SellerDiscount,
				"refunds": d.Refunds, "shipping charged": d.ShippingCharged, "return shipping": d.ReturnShippingCost,
				"other revenue": o.OtherRevenue, "other fees": o.Fees.Other} {
				if !x.IsZero() {
					t.Errorf("order %s: %s differs by %v between the order and its settlement", id, name, x)
				}
			}
			if o.Flags.Has(profit.FlagSample) && (!o.NetSales.IsZero() || o.MarketingShipping.Minor <= 0 || !o.ShippingCost.IsZero() || !o.CostOfGoods.IsZero()) {
				t.Errorf("sample %s: net sales %v, marketing shipping %v, shipping %v, goods %v", id, o.NetSales, o.MarketingShipping, o.ShippingCost, o.CostOfGoods)
			}
			if err := settled.Add(o); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []profit.Flags{profit.FlagSample, profit.FlagRefunded, profit.FlagReturned} {
			if seen[f] == 0 {
				t.Errorf("shop %s: no settled order flagged %q: the sandbox data no longer covers it", shop.ID, f)
			}
		}
		// The sandbox charges 6% + 2% in the US and 9% + 2.5% with 20% VAT on fees in the UK, order by order:
		// the rates observed over all the settled orders are those, give or take the rounding of each order.
		rates := profit.RatesFrom(settled)
		want := profit.FeeRates{Referral: 600, Transaction: 200}
		if settled.Currency == "GBP" {
			want = profit.FeeRates{Referral: 900, Transaction: 250, TaxOnFees: 2000}
		}
		for name, pair := range map[string][2]int64{"referral": {rates.Referral, want.Referral},
			"transaction": {rates.Transaction, want.Transaction}, "tax on fees": {rates.TaxOnFees, want.TaxOnFees}} {
			if d := pair[0] - pair[1]; d < -1 || d > 1 {
				t.Errorf("shop %s: observed %s rate %d bps, want about %d", shop.ID, name, pair[0], pair[1])
			}
		}
		t.Logf("shop %s (%s): %d settled orders, net sales %s, net profit %s, margin %d bps; rates %+v",
			shop.ID, settled.Currency, settled.Orders, settled.NetSales.Format(), settled.NetProfit.Format(), settled.MarginBps(), rates)
	}
	if !foundMismatch {
		t.Errorf("the order whose settlement the sandbox makes wrong (%q) was not among the settled orders", mismatched)
	}
}

// What follows maps the client's records to the model's inputs exactly as the stored rows hold them: the columns
// of orders, order_lines, returns, return_lines and statement_transactions (other_amounts keyed as the syncer
// keys them).

func orderOf(o tiktok.Order) profit.Order {
	p := o.Payment
	return profit.Order{ID: o.ID, Currency: p.Currency, Status: o.Status, CreateTime: o.CreateTime,
		IsSample: o.IsSampleOrder, ShippingFee: p.ShippingFee.Minor, ShippingSellerDiscount: p.ShippingFeeSellerDiscount.Minor,
		ShippingPlatformDiscount: p.ShippingFeePlatformDiscount.Minor, Tax: p.Tax.Minor}
}

func linesOf(o tiktok.Order) []profit.Line {
	var out []profit.Line
	for _, li := range o.LineItems {
		out = append(out, profit.Line{ID: li.ID, SkuID: li.SkuID, SellerSKU: li.SellerSku, Currency: li.Currency,
			OriginalPrice: li.OriginalPrice.Minor, SalePrice: li.SalePrice.Minor, SellerDiscount: li.SellerDiscount.Minor,
			PlatformDiscount: li.PlatformDiscount.Minor, IsGift: li.IsGift, Cancelled: li.DisplayStatus == profit.StatusCancelled})
	}
	return out
}

func returnOf(r tiktok.Return) profit.Return {
	out := profit.Return{ID: r.ID, Type: r.Type, Status: r.Status, Currency: r.Refund.Currency,
		RefundSubtotal: r.Refund.Subtotal.Minor, RefundTax: r.Refund.Tax.Minor}
	for _, f := range r.ShippingFees {
		out.SellerPaidReturnShipping += f.SellerPaidReturnShippingFee.Minor
	}
	for _, li := range r.LineItems {
		out.LineIDs = append(out.LineIDs, li.OrderLineItemID)
	}
	return out
}

func transactionOf(t tiktok.Transaction) profit.Transaction {
	a, rb, sb, f, tx := t.Amounts, t.RevenueBreakdown, t.ShippingCostBreakdown, t.Fees, t.Taxes
	other := map[string]int64{}
	for prefix, m := range map[string]map[string]money.Amount{"": a.Other, "revenue.": rb.Other, "shipping.": sb.Other, "fee.": f.Other, "tax.": tx.Other} {
		for k, v := range m {
			other[prefix+k] = v.Minor
		}
	}
	return profit.Transaction{ID: t.ID, Type: t.Type, Subtype: t.Subtype, Currency: a.Currency,
		Settlement: a.Settlement.Minor, Revenue: a.Revenue.Minor, ShippingCost: a.ShippingCost.Minor, FeeTax: a.FeeTax.Minor,
		Adjustment: a.Adjustment.Minor, SubtotalBeforeDiscount: rb.SubtotalBeforeDiscount.Minor, SellerDiscount: rb.SellerDiscount.Minor,
		RefundSubtotalBeforeDiscount: rb.RefundSubtotalBeforeDiscount.Minor, SellerDiscountRefund: rb.SellerDiscountRefund.Minor,
		CustomerPaidShippingFee: sb.CustomerPaidShippingFee.Minor, ReturnShippingFee: sb.ReturnShippingFee.Minor,
		ReferralFee: f.ReferralFee.Minor, TransactionFee: f.TransactionFee.Minor, PlatformCommission: f.PlatformCommission.Minor,
		AffiliateCommission: f.AffiliateCommission.Minor, AffiliatePartnerCommission: f.AffiliatePartnerCommission.Minor,
		AffiliateAdsCommission: f.AffiliateAdsCommission.Minor, SFPServiceFee: f.SFPServiceFee.Minor,
		FlashSalesServiceFee: f.FlashSalesServiceFee.Minor, LiveSpecialsFee: f.LiveSpecialsFee.Minor,
		VoucherXtraServiceFee: f.VoucherXtraServiceFee.Minor, RefundAdministrationFee: f.RefundAdministrationFee.Minor,
		VAT: tx.VAT.Minor, GST: tx.GST.Minor, Other: other}
}
