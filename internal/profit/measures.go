package profit

import "fmt"

// countNames name Totals' counts, in the order of Measures.
var countNames = []string{"orders", "units", "settled_orders", "sample_orders", "refunded_orders", "cost_unknown_orders",
	"unreconciled_orders", "unsold_orders"}

func (t *Totals) counts() []*int64 {
	return []*int64{&t.Orders, &t.Units, &t.SettledOrders, &t.SampleOrders, &t.RefundedOrders, &t.CostUnknownOrders,
		&t.UnreconciledOrders, &t.UnsoldOrders}
}

// MeasureNames names every figure of a Totals, its counts then its amounts, in the order Measures gives them: the
// measure columns of the profit rollup tables are named after them.
func MeasureNames() []string {
	names := append([]string(nil), countNames...)
	for _, k := range components {
		names = append(names, k.name)
	}
	return names
}

// Measures returns t's counts and amounts (minor units of t.Currency) in MeasureNames' order.
func (t *Totals) Measures() []int64 {
	out := make([]int64, 0, len(countNames)+len(components))
	for _, n := range t.counts() {
		out = append(out, *n)
	}
	for _, k := range components {
		out = append(out, k.at(&t.Amounts).Minor)
	}
	return out
}

// SetMeasures sets t to the figures v, in MeasureNames' order, in currency.
func (t *Totals) SetMeasures(currency string, v []int64) error {
	counts := t.counts()
	if len(v) != len(counts)+len(components) {
		return fmt.Errorf("profit: %d measures, want %d", len(v), len(counts)+len(components))
	}
	for i, n := range counts {
		*n = v[i]
	}
	for i, k := range components {
		k.at(&t.Amounts).Minor = v[len(counts)+i]
	}
	t.setCurrency(currency)
	return nil
}

// Of returns the Totals of one Breakdown alone: the counts it adds and its amounts.
func Of(b Breakdown) (Totals, error) {
	var t Totals
	err := t.Add(b)
	return t, err
}
