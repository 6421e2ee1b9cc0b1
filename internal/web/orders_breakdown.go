package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// orderView is /orders/{shop}/{order}: one order from gross sales to net profit, every fee named, estimated and
// settled side by side, and its lines.
type orderView struct {
	ShopID, ShopName, OrderID string
	Status                    string
	Placed, PlacedISO, Zone   string
	Currency                  string
	Settled                   bool
	Flags                     []badge
	Columns                   []string // "Estimated", and when settled "Settled" and "Difference"
	Span                      int      // the table's columns, the label's included
	Rows                      []breakdownRow
	NetProfit, Margin         string
	Loss                      bool
	Notes                     []string // what the seller should know about these figures, in words
	Unreconciled              string   // the settlement that does not add up, explained; "" when it does
	Lines                     []lineRow
	CostsURL                  string
	MissingCostsURL           string // the shop's SKUs without a cost
	BackURL                   string
}

// breakdownRow is one amount of the order in each column. Kind says how it counts: "add" and "sub" make up the
// totals ("sub" is shown negated), "total" is a subtotal, "info" is shown and never counted, "group" heads a
// group of rows.
type breakdownRow struct {
	Key   string // the measure's name (profit.MeasureNames)
	Label string
	Hint  string
	Kind  string
	Cells []breakdownCell
}

// breakdownCell is one figure. Minor is the model's amount, unsigned as the model keeps it (a fee is positive).
type breakdownCell struct {
	State string // "estimated", "settled" or "difference"
	Text  string
	Minor int64
	Neg   bool
}

// lineRow is one order line (one unit) in the order's state.
type lineRow struct {
	SKUID, SellerSKU  string
	Price             string // the original price
	SellerDiscount    string
	PlatformDiscount  string
	NetSales, Refunds string
	Cost              string // the goods sold, or given as a sample
	CostReturned      string // "" when nothing came back
	CostSource        string // known, fallback, missing; "" for a line that sold nothing
	CostLabel         string
	NetProfit         string
	Loss              bool
	Flags             []badge
}

// breakdownLines are the rows of the breakdown, from gross sales to net profit, then what is shown beside it.
var breakdownLines = []struct {
	key, label, hint, kind string
	at                     func(*profit.Amounts) money.Amount
}{
	{"", "Sales", "", "group", nil},
	{"gross_sales", "Gross sales", "Units at their original price", "add", func(a *profit.Amounts) money.Amount { return a.GrossSales }},
	{"seller_discount", "Seller discounts", "Discounts you fund", "sub", func(a *profit.Amounts) money.Amount { return a.SellerDiscount }},
	{"platform_discount", "Platform-funded discounts", "TikTok funds them and pays them back: shown, not subtracted", "info", func(a *profit.Amounts) money.Amount { return a.PlatformDiscount }},
	{"net_sales", "Net sales", "", "total", func(a *profit.Amounts) money.Amount { return a.NetSales }},
	{"refunds", "Refunds", "Net sales given back to buyers", "sub", func(a *profit.Amounts) money.Amount { return a.Refunds }},
	{"other_revenue", "Other revenue", "Settled revenue TikTok does not itemise", "add", func(a *profit.Amounts) money.Amount { return a.OtherRevenue }},
	{"", "Shipping", "", "group", nil},
	{"shipping_charged", "Shipping charged", "What the buyer paid for shipping, plus TikTok's shipping subsidy", "add", func(a *profit.Amounts) money.Amount { return a.ShippingCharged }},
	{"shipping_seller_discount", "Shipping you waived", "Already out of shipping charged: shown, not subtracted again", "info", func(a *profit.Amounts) money.Amount { return a.ShippingSellerDiscount }},
	{"shipping_cost", "Shipping cost", "Labels and fulfilment", "sub", func(a *profit.Amounts) money.Amount { return a.ShippingCost }},
	{"return_shipping_cost", "Return shipping", "Return labels you pay", "sub", func(a *profit.Amounts) money.Amount { return a.ReturnShippingCost }},
	{"", "TikTok fees", "", "group", nil},
	{"fee_referral", "Referral fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.Referral }},
	{"fee_platform_commission", "Platform commission", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.PlatformCommission }},
	{"fee_transaction", "Transaction fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.Transaction }},
	{"fee_sfp", "SFP service fee", "Seller Fulfilled Prime", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.SFP }},
	{"fee_flash_sale", "Flash sale service fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.FlashSale }},
	{"fee_live", "LIVE specials fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.Live }},
	{"fee_voucher", "Voucher Xtra service fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.Voucher }},
	{"fee_refund_administration", "Refund administration fee", "", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.RefundAdministration }},
	{"fee_other", "Other fees", "Fees TikTok names that have no line of their own yet", "sub", func(a *profit.Amounts) money.Amount { return a.Fees.Other }},
	{"tax_on_fees", "Tax on fees", "VAT and GST TikTok charges on its fees", "sub", func(a *profit.Amounts) money.Amount { return a.TaxOnFees }},
	{"", "Affiliate commissions", "", "group", nil},
	{"affiliate_standard", "Affiliate commission", "Creators' standard commission", "sub", func(a *profit.Amounts) money.Amount { return a.Affiliate.Standard }},
	{"affiliate_partner", "Affiliate partner commission", "", "sub", func(a *profit.Amounts) money.Amount { return a.Affiliate.Partner }},
	{"affiliate_ads", "Affiliate ads commission", "", "sub", func(a *profit.Amounts) money.Amount { return a.Affiliate.Ads }},
	{"", "Adjustments and samples", "", "group", nil},
	{"adjustments", "Adjustments", "What TikTok settled besides the order (signed)", "add", func(a *profit.Amounts) money.Amount { return a.Adjustments }},
	{"marketing_shipping", "Sample shipping", "Shipping of a creator sample: marketing", "sub", func(a *profit.Amounts) money.Amount { return a.MarketingShipping }},
	{"settlement", "Payout", "What TikTok pays you for the order, from its parts above", "total", func(a *profit.Amounts) money.Amount { return a.Settlement }},
	{"", "Goods", "", "group", nil},
	{"cost_of_goods", "Cost of goods", "Units sold at the landed cost in force when the order was placed", "sub", func(a *profit.Amounts) money.Amount { return a.CostOfGoods }},
	{"cost_returned", "Cost of goods returned", "Units that came back", "add", func(a *profit.Amounts) money.Amount { return a.CostReturned }},
	{"marketing_goods", "Sample goods", "The goods of a creator sample: marketing", "sub", func(a *profit.Amounts) money.Amount { return a.MarketingGoods }},
	{"net_profit", "Net profit", "", "total", func(a *profit.Amounts) money.Amount { return a.NetProfit }},
	{"", "Shown, not counted", "", "group", nil},
	{"tax_collected", "Sales tax collected", "The buyer's sales tax, less refunded tax: TikTok collects and remits it, so it is never revenue", "info", func(a *profit.Amounts) money.Amount { return a.TaxCollected }},
	{"settlement_reported", "Payout reported by TikTok", "Settled: the settlement rows' totals. Estimated: TikTok's forecast", "info", func(a *profit.Amounts) money.Amount { return a.SettlementReported }},
	{"unreconciled", "Unreconciled", "Payout reported less the payout its parts add up to", "info", func(a *profit.Amounts) money.Amount { return a.Unreconciled }},
}

func (s *Server) orderPage(c echo.Context) error {
	ctx := c.Request().Context()
	shopID, orderID := c.Param("shop"), c.Param("order")
	var view orderView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		sc, err := sellerShops(ctx, tx, shopID)
		if err != nil {
			return err
		}
		head, err := tx.Q.OrderViewHeader(ctx, tenantdb.OrderViewHeaderParams{UserID: tx.UserID, ShopID: shopID, OrderID: orderID})
		if errors.Is(err, pgx.ErrNoRows) {
			return echo.NewHTTPError(http.StatusNotFound, "That order is not in your shop's data.")
		}
		if err != nil {
			return fmt.Errorf("web: order %s of shop %s: %w", orderID, shopID, err)
		}
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		res, err := rollup.Compute(ctx, tx, shopID, orderID)
		if refused := (rollup.Refusal{}); errors.As(err, &refused) {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf("The profit of order %s could not be "+
				"worked out, so it is left out of your figures until its data changes: %s.", orderID, refused.Reason))
		}
		if err != nil {
			return fmt.Errorf("web: profit of order %s of shop %s: %w", orderID, shopID, err)
		}
		placed := head.CreateTime.In(zone)
		view = orderView{ShopID: shopID, ShopName: sc.name(shopID), OrderID: orderID, Status: statusText(head.Status),
			Placed: placed.Format("2 Jan 2006 15:04"), PlacedISO: placed.Format(time.RFC3339), Zone: zone.String(),
			Currency: head.Currency}
		view.fill(res)
		return nil
	})
	if err != nil {
		return err
	}
	view.CostsURL = "/settings/costs?" + url.Values{"shop": {shopID}}.Encode()
	view.MissingCostsURL = "/settings/costs?" + url.Values{"shop": {shopID}, "missing": {"1"}}.Encode()
	view.BackURL = "/orders?" + url.Values{"shop": {shopID}}.Encode()
	return s.render(c, http.StatusOK, "order", "Order "+orderID, view)
}

// fill lays out a computed order.
func (v *orderView) fill(res profit.Result) {
	v.Settled = res.State == profit.Settled
	v.Flags = badgesOf(res.Order.Flags)
	est, set, diff := res.Estimated.Amounts, res.Settled.Amounts, res.Difference
	v.Columns = []string{"Estimated"}
	if v.Settled {
		v.Columns = []string{"Estimated", "Settled", "Difference"}
	}
	v.Span = len(v.Columns) + 1
	for _, l := range breakdownLines {
		row := breakdownRow{Key: l.key, Label: l.label, Hint: l.hint, Kind: l.kind}
		if l.at != nil {
			row.Cells = append(row.Cells, cellOf("estimated", l.kind, l.at(&est)))
			if v.Settled {
				row.Cells = append(row.Cells, cellOf("settled", l.kind, l.at(&set)), cellOf("difference", l.kind, l.at(&diff)))
			}
		}
		v.Rows = append(v.Rows, row)
	}
	a := res.Order.Amounts
	v.NetProfit, v.Margin, v.Loss = a.NetProfit.Format(), marginText(a), a.NetProfit.Minor < 0
	v.Notes = orderNotes(res)
	v.Unreconciled = unreconciledText(res)
	for _, l := range res.Lines {
		la := l.Amounts
		row := lineRow{SKUID: l.Line.SkuID, SellerSKU: l.Line.SellerSKU,
			Price:            money.Amount{Minor: l.Line.OriginalPrice, Currency: la.Currency}.Format(),
			SellerDiscount:   la.SellerDiscount.Format(),
			PlatformDiscount: la.PlatformDiscount.Format(),
			NetSales:         la.NetSales.Format(), Refunds: la.Refunds.Format(),
			Cost:      money.Amount{Minor: la.CostOfGoods.Minor + la.MarketingGoods.Minor, Currency: la.Currency}.Format(),
			NetProfit: la.NetProfit.Format(), Loss: la.NetProfit.Minor < 0, Flags: badgesOf(l.Flags &^ (profit.FlagCostMissing | profit.FlagCostFallback))}
		if la.CostReturned.Minor != 0 {
			row.CostReturned = la.CostReturned.Format()
		}
		if l.Units > 0 || la.MarketingGoods.Minor != 0 {
			row.CostSource = l.Cost.String()
			row.CostLabel = map[profit.CostSource]string{profit.CostKnown: "Your cost", profit.CostFallback: "Fallback: a share of the price",
				profit.CostMissing: "No cost: counted as zero"}[l.Cost]
		}
		v.Lines = append(v.Lines, row)
	}
}

// cellOf is one figure of a row: a cost ("sub") is shown negated, as what it takes away.
func cellOf(state, kind string, x money.Amount) breakdownCell {
	shown := x
	if kind == "sub" {
		shown.Minor = -x.Minor
	}
	text := shown.Format()
	if state == "difference" {
		text = signedText(shown)
	}
	return breakdownCell{State: state, Text: text, Minor: x.Minor, Neg: shown.Minor < 0}
}

// orderNotes say in words what an order's figures rest on.
func orderNotes(res profit.Result) []string {
	var notes []string
	a, f := res.Order.Amounts, res.Order.Flags
	if res.State == profit.Estimated {
		notes = append(notes, "TikTok has not settled this order yet: these figures are an estimate, and the settled figures replace them when TikTok pays out.")
	}
	switch {
	case f.Has(profit.FlagFeesUnknown):
		notes = append(notes, "TikTok gave no estimate for this order and there are no settled orders to learn your fee rates from yet, so its fees count as zero until it settles.")
	case f.Has(profit.FlagRatesOnly):
		notes = append(notes, "TikTok gave no estimate for this order, so its fees are estimated from the rates of your settled orders.")
	}
	if f.Has(profit.FlagShippingUnknown) {
		notes = append(notes, "No shipping cost is known yet for this shop, so the label counts as zero until the order settles.")
	}
	if f&(profit.FlagCostMissing|profit.FlagCostFallback) != 0 {
		notes = append(notes, "Some units have no cost of goods of their own: set their cost on the Costs page and this order's profit is worked out again.")
	}
	if f.Has(profit.FlagSample) {
		notes = append(notes, "A creator sample: it brings no revenue, and its goods and shipping count as marketing.")
	}
	if a.PlatformDiscount.Minor > 0 {
		notes = append(notes, fmt.Sprintf("TikTok funded %s of discounts; it pays them back in the settlement, so they are not your cost.", a.PlatformDiscount.Format()))
	}
	if a.TaxCollected.Minor != 0 {
		notes = append(notes, fmt.Sprintf("The buyer paid %s of sales tax, which TikTok collects and remits: it is shown, never counted as revenue.", a.TaxCollected.Format()))
	}
	return notes
}

// unreconciledText explains in words a payout that does not match its parts, or "" when it does.
func unreconciledText(res profit.Result) string {
	a := res.Order.Amounts
	if a.Unreconciled.Minor == 0 {
		return ""
	}
	gap := a.Unreconciled
	more := "more"
	if gap.Minor < 0 {
		gap.Minor, more = -gap.Minor, "less"
	}
	if res.State == profit.Settled {
		return fmt.Sprintf("TikTok's settlement of this order pays %s, but the parts it lists (revenue, shipping, fees and adjustments) add up to %s: "+
			"TikTok pays %s %s than its own breakdown explains. Net profit is worked out from the parts, so this gap is not in it; "+
			"TikTok's seller support can tell you what it is.", a.SettlementReported.Format(), a.Settlement.Format(), gap.Format(), more)
	}
	return fmt.Sprintf("TikTok forecasts a payout of %s for this order; this estimate comes to %s, so TikTok expects to pay %s %s. "+
		"The difference goes when the order settles and its real fees are known.", a.SettlementReported.Format(), a.Settlement.Format(), gap.Format(), more)
}
