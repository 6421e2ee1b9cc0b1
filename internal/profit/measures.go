package profit

import (
	"fmt"
	"math"
)

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

// AppendMeasures appends to dst the measures of *b alone: what Of(*b) and then Measures give, without building the
// Totals (adding an Amounts to another copies both through the heap, and every order's profit rows came this way).
// A Breakdown that Of would refuse, or whose amounts are not all in its currency, takes Of's path, and its error.
func AppendMeasures(dst []int64, b *Breakdown) ([]int64, error) {
	if !b.inItsCurrency() {
		t, err := Of(*b)
		if err != nil {
			return dst, err
		}
		return append(dst, t.Measures()...), nil
	}
	var c Totals // its counts; the amounts are b's own
	c.addCounts(b)
	for _, n := range c.counts() {
		dst = append(dst, *n)
	}
	for _, k := range components {
		dst = append(dst, k.at(&b.Amounts).Minor)
	}
	return dst, nil
}

// inItsCurrency says whether adding b to zero Totals gives back b's amounts as they are: it has a currency, every
// amount is in it, and none is the one minor value that has no negative.
func (b *Breakdown) inItsCurrency() bool {
	if b.Currency == "" {
		return false
	}
	for _, k := range components {
		if x := k.at(&b.Amounts); x.Currency != b.Currency || x.Minor == math.MinInt64 {
			return false
		}
	}
	return true
}
