package profit

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// Allocate splits total into len(weights) parts in proportion to weights by the largest-remainder rule: each part
// first gets the whole minor units of its exact share, rounded toward zero, and the units left over go one each to
// the parts with the largest remainders (ties to the earlier part). The parts always sum to total exactly, and each
// differs from its exact share by less than one minor unit. Negative weights count as zero; when no weight is
// positive the parts are equal shares. A negative total is split as its magnitude, then negated. With no weights
// there is nowhere to put the total: Allocate returns nil, and the caller must keep the total itself.
func Allocate(total int64, weights []int64) []int64 {
	if len(weights) == 0 {
		return nil
	}
	w := make([]uint64, len(weights))
	positive := false
	for i, x := range weights {
		w[i] = uint64(max(x, 0))
		positive = positive || x > 0
	}
	for i := range w {
		if !positive {
			w[i] = 1
		}
	}
	for overflows(w) {
		for i := range w {
			w[i] >>= 1
		}
	}
	var sum uint64
	for _, x := range w {
		sum += x
	}

	mag := uint64(total)
	if total < 0 {
		mag = -mag // two's complement: right for math.MinInt64 too
	}
	shares := make([]uint64, len(w))
	rems := make([]uint64, len(w))
	var given uint64
	for i, x := range w {
		hi, lo := bits.Mul64(mag, x)
		shares[i], rems[i] = bits.Div64(hi, lo, sum) // hi < sum because x <= sum: the share fits
		given += shares[i]
	}
	order := make([]int, len(w))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for k := uint64(0); k < mag-given; k++ { // fewer left over than parts with a remainder
		shares[order[k]]++
	}
	out := make([]int64, len(w))
	for i, s := range shares {
		out[i] = int64(s)
		if total < 0 {
			out[i] = -out[i]
		}
	}
	return out
}

// overflows reports whether the weights' sum does not fit in a uint64 (Allocate then halves them until it does).
func overflows(w []uint64) bool {
	var sum, carry uint64
	for _, x := range w {
		sum, carry = bits.Add64(sum, x, 0)
		if carry != 0 {
			return true
		}
	}
	return false
}

// scale returns amount*num/den rounded half away from zero, for num >= 0 and den > 0, saturating at the int64
// range instead of overflowing (only a margin on near-zero sales can get there).
func scale(amount, num, den int64) int64 {
	mag := uint64(amount)
	if amount < 0 {
		mag = -mag
	}
	hi, lo := bits.Mul64(mag, uint64(num))
	if hi >= uint64(den) {
		return saturate(amount)
	}
	q, r := bits.Div64(hi, lo, uint64(den))
	if r >= uint64(den)-r { // r >= den/2, without overflow
		q++
	}
	if q > math.MaxInt64 {
		return saturate(amount)
	}
	if amount < 0 {
		return -int64(q)
	}
	return int64(q)
}

func saturate(sign int64) int64 {
	if sign < 0 {
		return -math.MaxInt64
	}
	return math.MaxInt64
}

// bps is amount at a rate in basis points, rounded half away from zero.
func bps(amount, rate int64) int64 { return scale(amount, rate, 10000) }
