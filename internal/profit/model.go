// Package profit is Profitline's profit model: what one TikTok Shop order, and each of its lines, earned the seller.
// It is pure: typed inputs in (the order, its lines, returns, settlement transactions and TikTok's unsettled
// estimate, the seller's costs and the shop's fee rates), a Result out. It must never do I/O, read a clock or
// keep state between calls: every time it needs comes in with the order, so the same inputs always give the same
// numbers, and the rollups per day and SKU can be rebuilt from the stored rows at any time.
//
// # Two states
//
// An order is Settled once TikTok has settled any of it (a statement transaction other than a RESERVE names it),
// and Estimated until then. The estimate is computed for every order, from the order itself, TikTok's unsettled
// estimate when there is one (its shipping and fee totals, split over the fee types in proportion to the shop's
// rates) and otherwise the shop's observed FeeRates. A settled order's Result holds both, side by side, and their
// Difference (settled minus estimated).
//
// # Signs
//
// Every amount in a Breakdown is in the order's currency. Sales and costs are positive: a cost (a discount, a fee,
// shipping, goods) is a positive amount that the formulas subtract. Only Adjustments, OtherRevenue, Settlement,
// SettlementReported, Unreconciled and NetProfit are signed, positive when the seller gains (and a Difference,
// settled minus estimated). TikTok's settlement rows are signed the
// other way round for costs (a fee arrives as -1.23); the model turns them around once, when it reads them.
//
// # The formula
//
//	NetSales   = GrossSales − SellerDiscount
//	Settlement = NetSales − Refunds + OtherRevenue
//	           + ShippingCharged − ShippingCost − ReturnShippingCost
//	           − PlatformFees − AffiliateCommissions − TaxOnFees
//	           + Adjustments − MarketingShipping
//	NetProfit  = Settlement − CostOfGoods + CostReturned − MarketingGoods
//	MarginBps  = NetProfit × 10000 / NetSales (0 when NetSales <= 0)
//
// NetSales is the seller's price: platform-funded discounts (PlatformDiscount) are not the seller's cost, because
// TikTok pays them back in the settlement (its revenue starts from the price before discounts and takes off only
// the seller's discount), so they are shown and never subtracted. ShippingCharged is what the buyer paid for
// shipping plus TikTok's shipping subsidy; a shipping discount the seller funded is already out of it and is shown
// as ShippingSellerDiscount. TaxCollected (the buyer's sales tax, less refunded tax) is shown and never counted:
// TikTok collects and remits it. Reserves are cash held back and released later, not profit, and are ignored.
//
// Settled, each part comes from the transactions: gross sales and the seller's discount from the revenue
// breakdown, Refunds from its refund lines, OtherRevenue is whatever revenue the breakdown does not itemise;
// ShippingCharged is the customer-paid shipping plus the platform's shipping discount, ReturnShippingCost the
// return labels, and ShippingCost the rest of shipping_cost; each fee and commission from its column, TaxOnFees
// from VAT, GST and any "tax." amount, and OtherFees the rest of fee_tax (new fees arrive there first). So
// Settlement is exactly the sum of each transaction's revenue + shipping_cost + fee_tax + adjustment, and
// Unreconciled = SettlementReported − Settlement is the sum of the transactions' settlement amounts less it: zero
// when every row's parts sum to its settlement (the rule of tiktok.Amounts.CheckSum), otherwise shown and flagged
// with FlagSettlementDoesNotSum. NetProfit is computed from the parts; Unreconciled is never hidden in it.
//
// Estimated, the sales and discounts come from the lines; Refunds, return labels and refunded tax from the returns
// that count; ShippingCost and the fees from TikTok's estimate when there is one (its totals as they are, even
// when a refund came after it), else from the rates (fees on net sales less refunds, the refund administration fee
// on refunds, the tax on fees on the fees, an average label per order). SettlementReported is TikTok's forecast
// payout and Unreconciled how far the model's payout is from it; without a forecast SettlementReported is the
// model's own and Unreconciled zero. Estimated or not, flags say what an estimate rests on (FlagRatesOnly,
// FlagFeesUnknown, FlagShippingUnknown).
//
// # Refunds, returns and costs
//
// A return counts only once TikTok reports it approved or completed (RETURN_OR_REFUND_REQUEST_SUCCESS or
// RETURN_OR_REFUND_REQUEST_COMPLETE) and only if it is a REFUND or a RETURN_AND_REFUND; a REPLACEMENT refunds
// nothing. The seller's refund is the refunded lines' net sales, scaled down when the refund subtotal is less than
// what the buyer paid for them. CostOfGoods is every unit sold at the landed cost in force when the order was
// placed (its create time, as internal/costs dates costs); a refund puts the cost back (CostReturned) only when the item comes back
// (RETURN_AND_REFUND): a refund-only return leaves the goods with the buyer and the cost stays. A SKU without a
// known cost is costed at Costs.FallbackBps of its original price, the SKU's listed price before any discount
// (FlagCostFallback), or at zero
// (FlagCostMissing); either way its net sales count in NetSalesWithoutCost, from which Totals tells how much of
// the profit rests on known costs.
//
// # Samples, cancelled and unpaid orders
//
// Creator sample orders are sold at zero, so they bring no revenue; their goods and their shipping (including a
// SAMPLE_SHIPPING_FEE adjustment) are marketing: MarketingGoods and MarketingShipping, never CostOfGoods or
// ShippingCost, so they do not distort unit margins, though they do reduce NetProfit. A cancelled or unpaid order,
// or a cancelled line, sells nothing: its estimate is zero and it is flagged; a settled one still shows whatever
// TikTok settled.
//
// # Lines
//
// Every order-level amount is split over the order's lines by Allocate (largest remainder), so each line's
// amounts sum exactly to the order's: amounts TikTok reports per line (prices, discounts, costs) keep their own
// values; refunds, return labels and the refund administration fee go to the refunded lines; everything else is
// split in proportion to net sales (then units sold, then equally, when those are all zero). Derived amounts
// (NetSales, Settlement, SettlementReported, NetProfit) are worked out on each line by the same formulas, so they
// sum too.
package profit

import (
	"fmt"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// TikTok's values the model acts on.
const (
	StatusUnpaid    = "UNPAID"    // orders.status: not a sale yet
	StatusCancelled = "CANCELLED" // orders.status; order_lines.display_status of a cancelled line

	ReturnTypeRefund          = "REFUND"            // the buyer keeps the item
	ReturnTypeReturnAndRefund = "RETURN_AND_REFUND" // the item comes back
	ReturnStatusSuccess       = "RETURN_OR_REFUND_REQUEST_SUCCESS"
	ReturnStatusComplete      = "RETURN_OR_REFUND_REQUEST_COMPLETE"

	TransactionReserve       = "RESERVE"             // statement_transactions.type: cash held back, not profit
	SubtypeSampleShippingFee = "SAMPLE_SHIPPING_FEE" // statement_transactions.subtype: a sample's shipping

	// OtherPlatformShippingDiscount is the other_amounts key of TikTok's shipping subsidy.
	OtherPlatformShippingDiscount = "shipping.platform_shipping_fee_discount_amount"
	// OtherTaxPrefix starts the other_amounts keys of taxes on fees that have no column.
	OtherTaxPrefix = "tax."
)

// Limits that keep every sum the model makes inside int64, so it can add in plain int64 and never overflow: an
// order whose amounts' magnitudes add up to more than MaxAmount minor units (a unit cost counts on its own), that
// has more than MaxRows lines, returns, transactions or other amounts of a transaction, or a rate above 100,000 bps
// (1,000%) is refused.
const (
	MaxAmount = 1_000_000_000_000_000 // 10^15 minor units: ten trillion dollars
	MaxRows   = 1000
	maxBps    = 100_000
)

// Input is one order and everything TikTok says about it. Amounts are minor units, as stored, each record in its
// own currency, which must be the order's.
type Input struct {
	Order        Order
	Lines        []Line
	Returns      []Return
	Transactions []Transaction
	Unsettled    *UnsettledEstimate // nil when TikTok gave no estimate
}

// Order is an orders row.
type Order struct {
	ID         string
	Currency   string
	Status     string
	CreateTime time.Time // when it was placed: the time whose costs are in force
	IsSample   bool

	ShippingFee              int64 // payment.shipping_fee: what the buyer paid for shipping
	ShippingSellerDiscount   int64 // payment.shipping_fee_seller_discount (in the payload; no column yet)
	ShippingPlatformDiscount int64 // payment.shipping_fee_platform_discount (in the payload; no column yet)
	Tax                      int64 // payment.tax: sales tax the buyer paid
}

// Line is an order_lines row: one unit.
type Line struct {
	ID               string
	SkuID            string
	SellerSKU        string
	Currency         string
	OriginalPrice    int64
	SalePrice        int64 // what the buyer paid: original less both discounts
	SellerDiscount   int64
	PlatformDiscount int64
	IsGift           bool
	Cancelled        bool // display_status is CANCELLED
}

// Return is a returns row with its return_lines.
type Return struct {
	ID       string
	Type     string // REFUND, RETURN_AND_REFUND, REPLACEMENT
	Status   string
	Currency string

	RefundSubtotal int64 // refund_subtotal: the goods' part of the refund
	RefundTax      int64 // refund_tax
	// SellerPaidReturnShipping is shipping_fee_amount[].seller_paid_return_shipping_fee, summed: the return label
	// the seller pays (in the payload; no column yet).
	SellerPaidReturnShipping int64
	// LineIDs are the order lines refunded (return_lines.order_line_id); none means the whole order.
	LineIDs []string
}

// Transaction is a statement_transactions row of the order, its amounts signed as TikTok sends them.
type Transaction struct {
	ID       string
	Type     string // ORDER, ADJUSTMENT, RESERVE
	Subtype  string
	Currency string

	Settlement   int64
	Revenue      int64
	ShippingCost int64
	FeeTax       int64
	Adjustment   int64

	SubtotalBeforeDiscount       int64
	SellerDiscount               int64
	RefundSubtotalBeforeDiscount int64
	SellerDiscountRefund         int64

	CustomerPaidShippingFee int64
	ReturnShippingFee       int64

	ReferralFee                int64
	TransactionFee             int64
	PlatformCommission         int64
	AffiliateCommission        int64
	AffiliatePartnerCommission int64
	AffiliateAdsCommission     int64
	SFPServiceFee              int64
	FlashSalesServiceFee       int64
	LiveSpecialsFee            int64
	VoucherXtraServiceFee      int64
	RefundAdministrationFee    int64
	VAT                        int64
	GST                        int64

	// Other is other_amounts as stored ("fee.new_fee": -123, "shipping.platform_shipping_fee_discount_amount": 50).
	Other map[string]int64
}

// UnsettledEstimate is an unsettled_orders row: TikTok's forecast for an order it has not settled.
type UnsettledEstimate struct {
	Currency     string
	Settlement   int64
	ShippingCost int64 // signed, like a transaction's
	FeeTax       int64 // signed, like a transaction's
}

// CostLookup returns the landed cost of one unit of a SKU in force at a time, and whether one is known.
type CostLookup func(skuID string, at time.Time) (landed money.Amount, known bool)

// Costs are the seller's costs of goods.
type Costs struct {
	Lookup CostLookup // nil: no cost is known
	// FallbackBps costs a unit with no known cost at this share of its original price (4000: 40%); 0 leaves it at
	// zero.
	FallbackBps int64
}

// FeeRates are a shop's observed fee rates in basis points (see RatesFrom), for estimates.
type FeeRates struct {
	// Of net sales less refunds.
	Referral, PlatformCommission, Transaction, SFP, FlashSale, Live, Voucher, OtherFees int64
	Affiliate, AffiliatePartner, AffiliateAds                                           int64
	RefundAdministration                                                                int64 // of refunds
	TaxOnFees                                                                           int64 // of all the fees above
	// ShippingCostPerOrder is the average label cost of an order; the zero Amount when unknown.
	ShippingCostPerOrder money.Amount
}

// State says where an order's numbers come from.
type State int

const (
	Estimated State = iota + 1 // from the order, TikTok's estimate and the shop's rates
	Settled                    // from TikTok's settlement transactions
)

func (s State) String() string {
	switch s {
	case Estimated:
		return "estimated"
	case Settled:
		return "settled"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// CostSource says where a line's cost of goods came from.
type CostSource int

const (
	CostKnown    CostSource = iota + 1 // the seller's cost in force
	CostFallback                       // Costs.FallbackBps of the price
	CostMissing                        // none: zero
)

func (c CostSource) String() string {
	switch c {
	case CostKnown:
		return "known"
	case CostFallback:
		return "fallback"
	case CostMissing:
		return "missing"
	}
	return fmt.Sprintf("CostSource(%d)", int(c))
}

// Flags mark what a reader of a Breakdown should know.
type Flags uint32

const (
	FlagCostMissing          Flags = 1 << iota // a unit sold has no cost: counted at zero
	FlagCostFallback                           // a unit sold is costed at the fallback share of its price
	FlagSettlementDoesNotSum                   // a settlement row's parts do not sum to its settlement
	FlagSample                                 // a creator sample: its costs are marketing
	FlagRefunded                               // every unit sold at a price was refunded in full
	FlagPartiallyRefunded                      // some was refunded, not all
	FlagReturned                               // an item came back, and its cost with it
	FlagCancelled                              // the order, or this line, was cancelled
	FlagUnpaid                                 // the order is not paid yet
	FlagRatesOnly                              // estimated from the shop's rates: TikTok gave no estimate
	FlagFeesUnknown                            // estimated with no estimate and no fee rates: fees are zero
	FlagShippingUnknown                        // estimated with no estimate and no shipping cost: zero
)

var flagNames = []string{"cost_missing", "cost_fallback", "settlement_does_not_sum", "sample", "refunded",
	"partially_refunded", "returned", "cancelled", "unpaid", "rates_only", "fees_unknown", "shipping_unknown"}

// Has reports whether every flag of f is set.
func (fl Flags) Has(f Flags) bool { return fl&f == f }

// String lists the flags' names, "sample,refunded".
func (fl Flags) String() string {
	var names []string
	for i, n := range flagNames {
		if fl&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// lineFlags are the flags a line has of its own; the others it takes from its order.
const lineFlags = FlagCostMissing | FlagCostFallback | FlagRefunded | FlagPartiallyRefunded | FlagReturned | FlagCancelled

// PlatformFees are TikTok's fees, each a positive cost.
type PlatformFees struct {
	Referral             money.Amount // referral_fee
	PlatformCommission   money.Amount // platform_commission
	Transaction          money.Amount // transaction_fee
	SFP                  money.Amount // sfp_service_fee
	FlashSale            money.Amount // flash_sales_service_fee
	Live                 money.Amount // live_specials_fee
	Voucher              money.Amount // voucher_xtra_service_fee
	RefundAdministration money.Amount // refund_administration_fee
	Other                money.Amount // every fee without a column of its own
}

// Total is the sum of the fees.
func (f PlatformFees) Total() money.Amount {
	return sum(f.Referral, f.PlatformCommission, f.Transaction, f.SFP, f.FlashSale, f.Live, f.Voucher,
		f.RefundAdministration, f.Other)
}

// AffiliateCommissions are what creators earned, each a positive cost, kept apart from TikTok's fees.
type AffiliateCommissions struct {
	Standard money.Amount // affiliate_commission
	Partner  money.Amount // affiliate_partner_commission
	Ads      money.Amount // affiliate_ads_commission
}

// Total is the sum of the commissions.
func (a AffiliateCommissions) Total() money.Amount { return sum(a.Standard, a.Partner, a.Ads) }

// sum adds amounts of one currency that the model produced (bounded, so the sum fits).
func sum(as ...money.Amount) money.Amount {
	var t money.Amount
	for _, a := range as {
		t.Minor += a.Minor
		if a.Currency != "" {
			t.Currency = a.Currency
		}
	}
	return t
}

// Amounts are the money of an order, a line, or a sum of them, all in Currency. See the package comment for
// signs and formulas.
type Amounts struct {
	Currency string

	GrossSales       money.Amount // units at their original price
	SellerDiscount   money.Amount // discounts the seller funds
	PlatformDiscount money.Amount // discounts TikTok funds and pays back: shown, not subtracted
	NetSales         money.Amount // GrossSales − SellerDiscount
	Refunds          money.Amount // net sales given back to buyers
	OtherRevenue     money.Amount // signed: settled revenue TikTok's breakdown does not itemise

	ShippingCharged        money.Amount // paid by the buyer, plus TikTok's shipping subsidy
	ShippingSellerDiscount money.Amount // shipping the seller waived: shown, already out of ShippingCharged
	ShippingCost           money.Amount // labels and fulfilment
	ReturnShippingCost     money.Amount // return labels the seller pays

	Fees      PlatformFees
	Affiliate AffiliateCommissions
	TaxOnFees money.Amount // VAT and GST TikTok charges on its fees

	Adjustments money.Amount // signed: adjustments TikTok settled (except samples' shipping)

	CostOfGoods       money.Amount // units sold at their landed cost (not samples)
	CostReturned      money.Amount // the cost of units that came back
	MarketingGoods    money.Amount // the goods of sample orders
	MarketingShipping money.Amount // the shipping of sample orders

	TaxCollected money.Amount // sales tax the buyer paid, less refunded tax: shown, never revenue

	Settlement         money.Amount // signed: what TikTok pays for the order, by the formula
	SettlementReported money.Amount // signed: settled, the rows' settlement amounts; estimated, TikTok's forecast
	Unreconciled       money.Amount // signed: SettlementReported − Settlement

	NetSalesWithoutCost money.Amount // net sales of units with no known cost
	NetProfit           money.Amount // signed
}

// MarginBps is NetProfit as a share of NetSales in basis points, rounded half away from zero; 0 when NetSales is
// zero or negative.
func (a Amounts) MarginBps() int64 {
	if a.NetSales.Minor <= 0 {
		return 0
	}
	return scale(a.NetProfit.Minor, 10000, a.NetSales.Minor)
}

// ProfitConfidenceBps is the share of NetSales whose cost of goods is known, in basis points: 10000 when NetSales
// is zero or negative.
func (a Amounts) ProfitConfidenceBps() int64 {
	if a.NetSales.Minor <= 0 {
		return 10000
	}
	return scale(a.NetSales.Minor-a.NetSalesWithoutCost.Minor, 10000, a.NetSales.Minor)
}

// component is one amount of Amounts: its name, where it is, and how an order's amount is split over its lines.
type component struct {
	name string
	at   func(*Amounts) *money.Amount
	// weight is a line's share of the order's amount; nil splits by net sales. derived amounts are not split
	// but computed from the others.
	weight  func(lineFacts) int64
	derived bool
}

// components lists every amount of Amounts once: Totals, Difference and the split to lines go through it.
var components = []component{
	{name: "gross_sales", at: func(a *Amounts) *money.Amount { return &a.GrossSales }, weight: func(f lineFacts) int64 { return f.gross }},
	{name: "seller_discount", at: func(a *Amounts) *money.Amount { return &a.SellerDiscount }, weight: func(f lineFacts) int64 { return f.sellerDiscount }},
	{name: "platform_discount", at: func(a *Amounts) *money.Amount { return &a.PlatformDiscount }, weight: func(f lineFacts) int64 { return f.platformDiscount }},
	{name: "net_sales", at: func(a *Amounts) *money.Amount { return &a.NetSales }, derived: true},
	{name: "refunds", at: func(a *Amounts) *money.Amount { return &a.Refunds }, weight: func(f lineFacts) int64 { return f.refund }},
	{name: "other_revenue", at: func(a *Amounts) *money.Amount { return &a.OtherRevenue }},
	{name: "shipping_charged", at: func(a *Amounts) *money.Amount { return &a.ShippingCharged }},
	{name: "shipping_seller_discount", at: func(a *Amounts) *money.Amount { return &a.ShippingSellerDiscount }},
	{name: "shipping_cost", at: func(a *Amounts) *money.Amount { return &a.ShippingCost }},
	{name: "return_shipping_cost", at: func(a *Amounts) *money.Amount { return &a.ReturnShippingCost }, weight: func(f lineFacts) int64 { return f.refund }},
	{name: "fee_referral", at: func(a *Amounts) *money.Amount { return &a.Fees.Referral }},
	{name: "fee_platform_commission", at: func(a *Amounts) *money.Amount { return &a.Fees.PlatformCommission }},
	{name: "fee_transaction", at: func(a *Amounts) *money.Amount { return &a.Fees.Transaction }},
	{name: "fee_sfp", at: func(a *Amounts) *money.Amount { return &a.Fees.SFP }},
	{name: "fee_flash_sale", at: func(a *Amounts) *money.Amount { return &a.Fees.FlashSale }},
	{name: "fee_live", at: func(a *Amounts) *money.Amount { return &a.Fees.Live }},
	{name: "fee_voucher", at: func(a *Amounts) *money.Amount { return &a.Fees.Voucher }},
	{name: "fee_refund_administration", at: func(a *Amounts) *money.Amount { return &a.Fees.RefundAdministration }, weight: func(f lineFacts) int64 { return f.refund }},
	{name: "fee_other", at: func(a *Amounts) *money.Amount { return &a.Fees.Other }},
	{name: "affiliate_standard", at: func(a *Amounts) *money.Amount { return &a.Affiliate.Standard }},
	{name: "affiliate_partner", at: func(a *Amounts) *money.Amount { return &a.Affiliate.Partner }},
	{name: "affiliate_ads", at: func(a *Amounts) *money.Amount { return &a.Affiliate.Ads }},
	{name: "tax_on_fees", at: func(a *Amounts) *money.Amount { return &a.TaxOnFees }},
	{name: "adjustments", at: func(a *Amounts) *money.Amount { return &a.Adjustments }},
	{name: "cost_of_goods", at: func(a *Amounts) *money.Amount { return &a.CostOfGoods }, weight: func(f lineFacts) int64 { return f.costOfGoods }},
	{name: "cost_returned", at: func(a *Amounts) *money.Amount { return &a.CostReturned }, weight: func(f lineFacts) int64 { return f.costReturned }},
	{name: "marketing_goods", at: func(a *Amounts) *money.Amount { return &a.MarketingGoods }, weight: func(f lineFacts) int64 { return f.marketingGoods }},
	{name: "marketing_shipping", at: func(a *Amounts) *money.Amount { return &a.MarketingShipping }},
	{name: "tax_collected", at: func(a *Amounts) *money.Amount { return &a.TaxCollected }},
	{name: "settlement", at: func(a *Amounts) *money.Amount { return &a.Settlement }, derived: true},
	{name: "settlement_reported", at: func(a *Amounts) *money.Amount { return &a.SettlementReported }, derived: true},
	{name: "unreconciled", at: func(a *Amounts) *money.Amount { return &a.Unreconciled }},
	{name: "net_sales_without_cost", at: func(a *Amounts) *money.Amount { return &a.NetSalesWithoutCost }, derived: true},
	{name: "net_profit", at: func(a *Amounts) *money.Amount { return &a.NetProfit }, derived: true},
}

// fees are the components a fee estimate is made of, in the order FeeRates.list gives their rates.
var fees = []func(*Amounts) *money.Amount{
	func(a *Amounts) *money.Amount { return &a.Fees.Referral },
	func(a *Amounts) *money.Amount { return &a.Fees.PlatformCommission },
	func(a *Amounts) *money.Amount { return &a.Fees.Transaction },
	func(a *Amounts) *money.Amount { return &a.Fees.SFP },
	func(a *Amounts) *money.Amount { return &a.Fees.FlashSale },
	func(a *Amounts) *money.Amount { return &a.Fees.Live },
	func(a *Amounts) *money.Amount { return &a.Fees.Voucher },
	func(a *Amounts) *money.Amount { return &a.Fees.Other },
	func(a *Amounts) *money.Amount { return &a.Affiliate.Standard },
	func(a *Amounts) *money.Amount { return &a.Affiliate.Partner },
	func(a *Amounts) *money.Amount { return &a.Affiliate.Ads },
	func(a *Amounts) *money.Amount { return &a.Fees.RefundAdministration },
	func(a *Amounts) *money.Amount { return &a.TaxOnFees },
}

// list is r's rates in the order of fees.
func (r FeeRates) list() []int64 {
	return []int64{r.Referral, r.PlatformCommission, r.Transaction, r.SFP, r.FlashSale, r.Live, r.Voucher, r.OtherFees,
		r.Affiliate, r.AffiliatePartner, r.AffiliateAds, r.RefundAdministration, r.TaxOnFees}
}

// setCurrency stamps every amount with c (the model computes in minor units, then names the currency once).
func (a *Amounts) setCurrency(c string) {
	a.Currency = c
	for _, k := range components {
		k.at(a).Currency = c
	}
}

// combine returns a with every amount of b added (sign 1) or subtracted (sign -1), refusing another currency.
func (a Amounts) combine(b Amounts, sign int64) (Amounts, error) {
	if a.Currency != b.Currency {
		return Amounts{}, fmt.Errorf("profit: cannot combine %s amounts with %s", b.Currency, a.Currency)
	}
	for _, k := range components {
		x := *k.at(&b)
		if sign < 0 {
			var err error
			if x, err = x.Neg(); err != nil {
				return Amounts{}, err
			}
		}
		y, err := k.at(&a).Add(x)
		if err != nil {
			return Amounts{}, fmt.Errorf("profit: %s: %w", k.name, err)
		}
		*k.at(&a) = y
	}
	return a, nil
}

// derive computes the derived amounts (except NetSalesWithoutCost) from the others.
func (a *Amounts) derive() {
	a.NetSales.Minor = a.GrossSales.Minor - a.SellerDiscount.Minor
	a.Settlement.Minor = a.NetSales.Minor - a.Refunds.Minor + a.OtherRevenue.Minor +
		a.ShippingCharged.Minor - a.ShippingCost.Minor - a.ReturnShippingCost.Minor -
		a.Fees.Total().Minor - a.Affiliate.Total().Minor - a.TaxOnFees.Minor +
		a.Adjustments.Minor - a.MarketingShipping.Minor
	a.SettlementReported.Minor = a.Settlement.Minor + a.Unreconciled.Minor
	a.NetProfit.Minor = a.Settlement.Minor - a.CostOfGoods.Minor + a.CostReturned.Minor - a.MarketingGoods.Minor
}

// Breakdown is the profit of an order, of one of its lines, or of one SKU of an order.
type Breakdown struct {
	Amounts
	State  State
	Orders int64 // 1 for an order or an order's SKU, 0 for a single line: what Totals counts as orders
	Units  int64 // units sold
	Flags  Flags
}

// LineBreakdown is one line's share of its order.
type LineBreakdown struct {
	Line Line
	Cost CostSource
	Breakdown
}

// SKUBreakdown is the lines of one SKU of an order, summed.
type SKUBreakdown struct {
	SkuID     string
	SellerSKU string
	Breakdown
}

// Result is the profit of one order.
type Result struct {
	OrderID string
	State   State
	Order   Breakdown       // in State
	Lines   []LineBreakdown // in State, in the input's order; they sum exactly to Order

	Estimated Breakdown // always
	Settled   Breakdown // when State is Settled
	// Difference is Settled − Estimated, amount by amount, when State is Settled.
	Difference Amounts
}

// BySKU sums the result's lines by SKU, in the order each SKU first appears: what a rollup per day and SKU adds.
func (r Result) BySKU() []SKUBreakdown {
	var out []SKUBreakdown
	index := map[string]int{}
	for _, l := range r.Lines {
		i, ok := index[l.Line.SkuID]
		if !ok {
			i = len(out)
			index[l.Line.SkuID] = i
			out = append(out, SKUBreakdown{SkuID: l.Line.SkuID, SellerSKU: l.Line.SellerSKU,
				Breakdown: Breakdown{State: l.State, Orders: 1, Flags: r.Order.Flags &^ lineFlags}})
			out[i].setCurrency(l.Currency)
		}
		s := &out[i]
		for _, k := range components {
			k.at(&s.Amounts).Minor += k.at(&l.Amounts).Minor
		}
		s.Units += l.Units
		s.Flags |= l.Flags
	}
	return out
}
