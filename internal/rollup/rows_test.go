package rollup

import (
	"slices"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
)

// An order of one SKU writes its own row alone, naming the SKU, only when the SKU's row would hold exactly what the
// order's holds; any other order writes a row per SKU as well, and no sole SKU.
func TestAnOrderRowStandsForItsSKUOnlyWhenTheyHoldTheSame(t *testing.T) {
	placed := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	line := func(id, sku string, price int64) profit.Line {
		return profit.Line{ID: id, SkuID: sku, SellerSKU: "S-" + sku, Currency: "USD", OriginalPrice: price, SalePrice: price}
	}
	compute := func(t *testing.T, lines ...profit.Line) profit.Result {
		t.Helper()
		in := profit.Input{Order: profit.Order{ID: "576", Currency: "USD", Status: "COMPLETED", CreateTime: placed,
			ShippingFee: 599}, Lines: lines}
		costs := profit.Costs{Lookup: func(sku string, at time.Time) (money.Amount, bool) {
			return money.Amount{Minor: 800, Currency: "USD"}, sku == "mug"
		}}
		r, err := profit.Compute(in, costs, profit.FeeRates{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	type rowCase struct {
		name   string
		result profit.Result
		sole   string   // the SKU the order's row names
		skus   []string // the SKU rows written
	}
	cases := []rowCase{
		{"one line", compute(t, line("1", "mug", 3400)), "mug", nil},
		{"two lines of one SKU", compute(t, line("1", "mug", 3400), line("2", "mug", 3000)), "mug", nil},
		{"two SKUs", compute(t, line("1", "mug", 3400), line("2", "cup", 3000)), "", []string{"mug", "cup"}},
		{"one SKU without a cost", compute(t, line("1", "cup", 3000)), "cup", nil},
	}
	// One SKU whose line carries a flag its order does not: the SKU's row differs, so it is written.
	flagged := compute(t, line("1", "mug", 3400))
	flagged.Lines[0].Flags |= profit.FlagReturned
	cases = append(cases, rowCase{"one SKU whose row differs", flagged, "", []string{"mug"}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w rowWriter
			w.grow(1)
			if err := w.result(c.result, placed, time.UTC); err != nil {
				t.Fatal(err)
			}
			n := len(w.orderIDs)
			for _, col := range [][]string{w.skuIDs, w.sellerSKUs, w.soleSKUIDs, w.soleSellerSKUs, w.days, w.currencies, w.states} {
				if len(col) != n {
					t.Fatalf("a column of %d rows beside %d order ids", len(col), n)
				}
			}
			if len(w.createTimes) != n || len(w.flags) != n || len(w.estimated) != n || len(w.measures) != n*measureCount {
				t.Fatalf("columns of %d, %d, %d rows and %d measures beside %d rows",
					len(w.createTimes), len(w.flags), len(w.estimated), len(w.measures), n)
			}
			if w.skuIDs[0] != "" || w.soleSKUIDs[0] != c.sole {
				t.Errorf("the order's row is for SKU %q and stands for %q; want '' standing for %q", w.skuIDs[0], w.soleSKUIDs[0], c.sole)
			}
			if c.sole != "" && w.soleSellerSKUs[0] != "S-"+c.sole {
				t.Errorf("the order's row names seller SKU %q; want %q", w.soleSellerSKUs[0], "S-"+c.sole)
			}
			if got := w.skuIDs[1:]; !slices.Equal(got, c.skus) {
				t.Fatalf("SKU rows %q; want %q", got, c.skus)
			}
			// Whichever row holds a SKU holds what the model gives the SKU.
			for _, s := range c.result.BySKU() {
				i := slices.Index(w.skuIDs, s.SkuID)
				if i < 0 {
					i = slices.Index(w.soleSKUIDs, s.SkuID)
				}
				if i < 0 {
					t.Fatalf("no row holds SKU %s", s.SkuID)
				}
				want, err := profit.AppendMeasures(nil, &s.Breakdown)
				if err != nil {
					t.Fatal(err)
				}
				if got := w.measures[i*measureCount : (i+1)*measureCount]; !slices.Equal(got, want) {
					t.Errorf("SKU %s: row %d holds %v; the model gives %v", s.SkuID, i, got, want)
				}
			}
		})
	}
}
