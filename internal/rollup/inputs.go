package rollup

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// Inputs reads the stored orders ids of the shop, with everything TikTok said about them, as the profit model takes
// them; in the order of ids, without the ids the shop has no order for.
func Inputs(ctx context.Context, tx *store.Tx, shopID string, ids []string) ([]*profit.Input, error) {
	u, q := tx.UserID, tx.Q
	orders, err := q.ProfitOrders(ctx, tenantdb.ProfitOrdersParams{UserID: u, ShopID: shopID, OrderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("rollup: read orders: %w", err)
	}
	byID := make(map[string]*profit.Input, len(orders))
	for _, o := range orders {
		byID[o.OrderID] = &profit.Input{Order: profit.Order{ID: o.OrderID, Currency: o.Currency, Status: o.Status,
			CreateTime: o.CreateTime, IsSample: o.IsSample, ShippingFee: o.ShippingFee,
			ShippingSellerDiscount: o.ShippingSellerDiscount, ShippingPlatformDiscount: o.ShippingPlatformDiscount, Tax: o.Tax}}
	}
	if len(byID) == 0 {
		return nil, nil
	}
	lines, err := q.ProfitOrderLines(ctx, tenantdb.ProfitOrderLinesParams{UserID: u, ShopID: shopID, OrderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("rollup: read order lines: %w", err)
	}
	for _, l := range lines {
		if in := byID[l.OrderID]; in != nil {
			in.Lines = append(in.Lines, profit.Line{ID: l.LineID, SkuID: l.SkuID, SellerSKU: l.SellerSku, Currency: l.Currency,
				OriginalPrice: l.OriginalPrice, SalePrice: l.SalePrice, SellerDiscount: l.SellerDiscount,
				PlatformDiscount: l.PlatformDiscount, IsGift: l.IsGift, Cancelled: l.DisplayStatus == profit.StatusCancelled})
		}
	}
	returns, err := q.ProfitReturns(ctx, tenantdb.ProfitReturnsParams{UserID: u, ShopID: shopID, OrderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("rollup: read returns: %w", err)
	}
	for _, r := range returns {
		if in := byID[r.OrderID]; in != nil {
			in.Returns = append(in.Returns, profit.Return{ID: r.ReturnID, Type: r.ReturnType, Status: r.Status, Currency: r.Currency,
				RefundSubtotal: r.RefundSubtotal, RefundTax: r.RefundTax, SellerPaidReturnShipping: r.SellerPaidReturnShipping,
				LineIDs: r.LineIds})
		}
	}
	txns, err := q.ProfitTransactions(ctx, tenantdb.ProfitTransactionsParams{UserID: u, ShopID: shopID, OrderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("rollup: read settlement rows: %w", err)
	}
	for _, t := range txns {
		in := byID[t.OrderID]
		if in == nil {
			continue
		}
		var other map[string]int64
		if len(t.OtherAmounts) > 0 {
			if err := json.Unmarshal(t.OtherAmounts, &other); err != nil {
				return nil, fmt.Errorf("rollup: other amounts of transaction %s: %w", t.TransactionID, err)
			}
		}
		in.Transactions = append(in.Transactions, profit.Transaction{ID: t.TransactionID, Type: t.Type, Subtype: t.Subtype,
			Currency: t.Currency, Settlement: t.Settlement, Revenue: t.Revenue, ShippingCost: t.ShippingCost, FeeTax: t.FeeTax,
			Adjustment: t.Adjustment, SubtotalBeforeDiscount: t.SubtotalBeforeDiscount, SellerDiscount: t.SellerDiscount,
			RefundSubtotalBeforeDiscount: t.RefundSubtotalBeforeDiscount, SellerDiscountRefund: t.SellerDiscountRefund,
			CustomerPaidShippingFee: t.CustomerPaidShippingFee, ReturnShippingFee: t.ReturnShippingFee,
			ReferralFee: t.ReferralFee, TransactionFee: t.TransactionFee, PlatformCommission: t.PlatformCommission,
			AffiliateCommission: t.AffiliateCommission, AffiliatePartnerCommission: t.AffiliatePartnerCommission,
			AffiliateAdsCommission: t.AffiliateAdsCommission, SFPServiceFee: t.SfpServiceFee,
			FlashSalesServiceFee: t.FlashSalesServiceFee, LiveSpecialsFee: t.LiveSpecialsFee,
			VoucherXtraServiceFee: t.VoucherXtraServiceFee, RefundAdministrationFee: t.RefundAdministrationFee,
			VAT: t.Vat, GST: t.Gst, Other: other})
	}
	unsettled, err := q.ProfitUnsettled(ctx, tenantdb.ProfitUnsettledParams{UserID: u, ShopID: shopID, OrderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("rollup: read unsettled estimates: %w", err)
	}
	for _, e := range unsettled {
		if in := byID[e.OrderID]; in != nil {
			in.Unsettled = &profit.UnsettledEstimate{Currency: e.Currency, Settlement: e.Settlement, ShippingCost: e.ShippingCost, FeeTax: e.FeeTax}
		}
	}
	out := make([]*profit.Input, 0, len(byID))
	for _, id := range ids {
		if in := byID[id]; in != nil {
			out = append(out, in)
			delete(byID, id) // an id given twice is computed once
		}
	}
	return out, nil
}
