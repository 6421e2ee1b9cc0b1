package profit_test

import (
	"fmt"
	"time"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
)

// A 34.00 mug with 5.99 shipping, settled: TikTok took a 6.00 label and 2.72 in fees and paid 31.27; the mug
// cost 8.00.
func ExampleCompute() {
	placed := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	in := profit.Input{
		Order: profit.Order{ID: "576", Currency: "USD", Status: "COMPLETED", CreateTime: placed, ShippingFee: 599},
		Lines: []profit.Line{{ID: "577", SkuID: "mug", Currency: "USD", OriginalPrice: 3400, SalePrice: 3400}},
		Transactions: []profit.Transaction{{ID: "7", Type: "ORDER", Currency: "USD",
			Settlement: 3127, Revenue: 3400, ShippingCost: -1, FeeTax: -272,
			SubtotalBeforeDiscount: 3400, CustomerPaidShippingFee: 599, ReferralFee: -204, TransactionFee: -68}},
	}
	costs := profit.Costs{Lookup: func(sku string, at time.Time) (money.Amount, bool) {
		return money.Amount{Minor: 800, Currency: "USD"}, sku == "mug"
	}}
	r, err := profit.Compute(in, costs, profit.FeeRates{})
	if err != nil {
		panic(err)
	}
	o := r.Order
	fmt.Println(r.State, o.NetSales.Format(), o.ShippingCost.Format(), o.Fees.Total().Format(), o.NetProfit.Format(), o.MarginBps())
	// Output: settled $34.00 $6.00 $2.72 $23.27 6844
}

// Three lines share a 6.50 label in proportion to their net sales; no cent is lost or invented.
func ExampleAllocate() {
	fmt.Println(profit.Allocate(650, []int64{3060, 2200, 2200}))
	// Output: [266 192 192]
}
