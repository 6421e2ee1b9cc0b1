package dashboard

import (
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/profitline/profitline/internal/money"
)

// Point is one day's figures for the daily chart.
type Point struct {
	Day       Day
	NetSales  int64
	NetProfit int64
	Orders    int64
}

// Costs is everything between the day's net sales and its net profit (refunds, shipping, fees, commissions,
// cost of goods, samples, less other revenue): net sales − costs = net profit, exactly.
func (p Point) Costs() int64 { return p.NetSales - p.NetProfit }

// Chart is a chart's markup: the SVG, and the same figures as a table for those who cannot see it. Both are
// complete HTML, every text in them escaped.
type Chart struct {
	SVG   string
	Table string
}

// The daily chart's geometry, in SVG user units (it scales to its box).
const (
	dailyW, dailyH        = 720.0, 280.0
	dailyLeft, dailyRight = 70.0, 12.0
	dailyTop, dailyBottom = 14.0, 30.0
	dailyMarkersUpTo      = 31 // days: beyond this, markers would merge into the line
	dailyXLabels          = 6
	waterfallW            = 400.0
	waterfallRowH         = 44.0 // a line of text (the step and its amount), then its bar
)

// DailyChart draws net sales, costs and net profit per day of r in currency; points holds the days that have
// figures, in order (missing days are zero).
func DailyChart(r Range, points []Point, currency string) Chart {
	n := r.Days()
	days := make([]Point, n)
	r.Each(func(i int, d Day) { days[i].Day = d })
	for _, p := range points {
		if i := p.Day.Since(r.First); i >= 0 && i < n {
			days[i] = p
		}
	}
	lo, hi := int64(0), int64(0)
	for _, p := range days {
		for _, v := range []int64{p.NetSales, p.Costs(), p.NetProfit} {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	ticks := NiceTicks(lo, hi, currency)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	plotW, plotH := dailyW-dailyLeft-dailyRight, dailyH-dailyTop-dailyBottom
	step := plotW / float64(n)
	x := func(i int) float64 { return dailyLeft + step*(float64(i)+0.5) }
	y := func(v int64) float64 { return dailyTop + plotH*float64(hi-v)/float64(hi-lo) }
	fm := func(v int64) string { return money.Amount{Minor: v, Currency: currency}.Format() }

	var total, bestProfit int64
	best := -1
	for i, p := range days {
		total += p.NetSales
		if p.Orders > 0 && (best < 0 || p.NetProfit > bestProfit) {
			best, bestProfit = i, p.NetProfit
		}
	}
	summary := "Net sales, costs and net profit per day, " + r.Text() + ", in " + currency + ". Net sales " + fm(total) + " in all"
	if best >= 0 {
		summary += "; the most profitable day was " + days[best].Day.Format("2 Jan") + " (" + fm(bestProfit) + ")"
	}
	summary += "."

	b := make([]byte, 0, 2048+n*220)
	b = append(b, `<svg class="chart chart-daily" viewBox="0 0 `...)
	b = num(b, dailyW)
	b = append(b, ' ')
	b = num(b, dailyH)
	b = append(b, `" role="img" aria-labelledby="daily-chart-title daily-chart-desc" preserveAspectRatio="xMidYMid meet"><title id="daily-chart-title">Daily net sales, costs and net profit</title><desc id="daily-chart-desc">`...)
	b = text(b, summary)
	b = append(b, `</desc>`...)
	for _, t := range ticks {
		b = append(b, `<line class="chart-grid`...)
		if t == 0 {
			b = append(b, ` chart-zero`...)
		}
		b = append(b, `" x1="`...)
		b = num(b, dailyLeft)
		b = append(b, `" x2="`...)
		b = num(b, dailyW-dailyRight)
		b = append(b, `" y1="`...)
		b = num(b, y(t))
		b = append(b, `" y2="`...)
		b = num(b, y(t))
		b = append(b, `"/><text class="chart-axis" x="`...)
		b = num(b, dailyLeft-8)
		b = append(b, `" y="`...)
		b = num(b, y(t)+4)
		b = append(b, `" text-anchor="end">`...)
		b = text(b, compactMoney(t, currency))
		b = append(b, `</text>`...)
	}
	for _, i := range LabelIndexes(n, dailyXLabels) {
		anchor := "middle"
		switch {
		case n > 1 && i == 0:
			anchor = "start"
		case n > 1 && i == n-1:
			anchor = "end"
		}
		lx := x(i)
		if anchor == "start" {
			lx = dailyLeft
		} else if anchor == "end" {
			lx = dailyW - dailyRight
		}
		b = append(b, `<text class="chart-axis" x="`...)
		b = num(b, lx)
		b = append(b, `" y="`...)
		b = num(b, dailyH-10)
		b = append(b, `" text-anchor="`...)
		b = append(b, anchor...)
		b = append(b, `">`...)
		b = text(b, days[i].Day.Format("2 Jan"))
		b = append(b, `</text>`...)
	}
	series := []struct {
		class string
		of    func(Point) int64
	}{
		{"series-sales", func(p Point) int64 { return p.NetSales }},
		{"series-costs", func(p Point) int64 { return p.Costs() }},
		{"series-profit", func(p Point) int64 { return p.NetProfit }},
	}
	for _, s := range series {
		b = append(b, `<path class="chart-line `...)
		b = append(b, s.class...)
		b = append(b, `" d="`...)
		for i, p := range days {
			if i == 0 {
				b = append(b, 'M')
			} else {
				b = append(b, 'L')
			}
			b = num(b, x(i))
			b = append(b, ' ')
			b = num(b, y(s.of(p)))
		}
		if n == 1 { // a line needs two points: draw the day across its column
			b = append(b, 'h')
			b = num(b, 0.01)
		}
		b = append(b, `"/>`...)
		if n <= dailyMarkersUpTo {
			for i, p := range days {
				b = append(b, `<circle class="chart-marker `...)
				b = append(b, s.class...)
				b = append(b, `" r="3" cx="`...)
				b = num(b, x(i))
				b = append(b, `" cy="`...)
				b = num(b, y(s.of(p)))
				b = append(b, `"/>`...)
			}
		}
	}
	// Each day's figures, written once for its hover column and its table row.
	type written struct{ day, sales, costs, profit, orders string }
	w := make([]written, n)
	for i, p := range days {
		w[i] = written{day: p.Day.Format("Mon 2 Jan 2006"), sales: html.EscapeString(fm(p.NetSales)),
			costs: html.EscapeString(fm(p.Costs())), profit: html.EscapeString(fm(p.NetProfit)), orders: Thousands(p.Orders)}
	}
	// A column per day that shows the day's figures on hover.
	for i := range days {
		b = append(b, `<rect class="chart-hit" x="`...)
		b = num(b, dailyLeft+step*float64(i))
		b = append(b, `" y="`...)
		b = num(b, dailyTop)
		b = append(b, `" width="`...)
		b = num(b, step)
		b = append(b, `" height="`...)
		b = num(b, plotH)
		b = append(b, `"><title>`...)
		b = append(b, w[i].day...)
		b = append(b, "\nNet sales "...)
		b = append(b, w[i].sales...)
		b = append(b, "\nCosts "...)
		b = append(b, w[i].costs...)
		b = append(b, "\nNet profit "...)
		b = append(b, w[i].profit...)
		b = append(b, '\n')
		b = append(b, w[i].orders...)
		b = append(b, ` orders</title></rect>`...)
	}
	b = append(b, `</svg>`...)

	t := make([]byte, 0, 512+n*200)
	t = append(t, `<table class="table chart-table"><caption>`...)
	t = text(t, "Net sales, costs and net profit per day, "+r.Text()+" ("+currency+")")
	t = append(t, `</caption><thead><tr><th scope="col">Day</th><th scope="col" class="num">Net sales</th><th scope="col" class="num">Costs</th><th scope="col" class="num">Net profit</th><th scope="col" class="num">Orders</th></tr></thead><tbody>`...)
	for i, p := range days {
		t = append(t, `<tr><th scope="row"><time datetime="`...)
		t = append(t, p.Day.String()...)
		t = append(t, `">`...)
		t = append(t, w[i].day...)
		t = append(t, `</time></th><td class="num">`...)
		t = append(t, w[i].sales...)
		t = append(t, `</td><td class="num">`...)
		t = append(t, w[i].costs...)
		t = append(t, `</td><td class="num">`...)
		t = append(t, w[i].profit...)
		t = append(t, `</td><td class="num">`...)
		t = append(t, w[i].orders...)
		t = append(t, `</td></tr>`...)
	}
	t = append(t, `</tbody></table>`...)
	return Chart{SVG: string(b), Table: string(t)}
}

// WaterfallChart draws steps (from Waterfall) as horizontal bars, one row each, in currency.
func WaterfallChart(steps []Step, currency string) Chart {
	fm := func(v int64) string { return money.Amount{Minor: v, Currency: currency}.Format() }
	lo, hi := int64(0), int64(0)
	for _, s := range steps {
		lo, hi = min(lo, s.From, s.To), max(hi, s.From, s.To)
	}
	if lo == hi {
		hi = lo + 1
	}
	x := func(v int64) float64 { return waterfallW * float64(v-lo) / float64(hi-lo) }
	h := waterfallRowH*float64(len(steps)) + 4
	last := steps[len(steps)-1]

	b := make([]byte, 0, 1024+len(steps)*480)
	b = append(b, `<svg class="chart chart-waterfall" viewBox="0 0 `...)
	b = num(b, waterfallW)
	b = append(b, ' ')
	b = num(b, h)
	b = append(b, `" role="img" aria-labelledby="waterfall-title waterfall-desc"><title id="waterfall-title">From gross sales to net profit</title><desc id="waterfall-desc">`...)
	b = text(b, "Gross sales of "+fm(steps[0].Amount)+" become a net profit of "+fm(last.Amount)+" in "+currency+
		", step by step; the table below lists every step.")
	b = append(b, `</desc>`...)
	if lo < 0 {
		b = append(b, `<line class="chart-zero" x1="`...)
		b = num(b, x(0))
		b = append(b, `" x2="`...)
		b = num(b, x(0))
		b = append(b, `" y1="0" y2="`...)
		b = num(b, h)
		b = append(b, `"/>`...)
	}
	for i, s := range steps {
		top := waterfallRowH*float64(i) + 4
		from, to := s.From, s.To
		class := "wf-total"
		switch {
		case s.Total:
			from = 0
		case s.Amount < 0:
			class = "wf-down"
		default:
			class = "wf-up"
		}
		left, right := x(min(from, to)), x(max(from, to))
		value := fm(s.Amount)
		if !s.Total && s.Amount > 0 {
			value = "+" + value
		}
		b = append(b, `<g class="wf-step" data-step="`...)
		b = append(b, s.Key...)
		b = append(b, `"><title>`...)
		tip := s.Label + ": " + value
		if !s.Total {
			tip += " (from " + fm(s.From) + " to " + fm(s.To) + ")"
		}
		b = text(b, tip)
		b = append(b, `</title><text class="wf-label" x="0" y="`...)
		b = num(b, top+14)
		b = append(b, `">`...)
		b = text(b, s.Label)
		b = append(b, `</text><rect class="`...)
		b = append(b, class...)
		b = append(b, `" x="`...)
		b = num(b, left)
		b = append(b, `" y="`...)
		b = num(b, top+20)
		b = append(b, `" width="`...)
		b = num(b, max(right-left, 1))
		b = append(b, `" height="`...)
		b = num(b, 16)
		b = append(b, `"/><text class="wf-value" x="`...)
		b = num(b, waterfallW)
		b = append(b, `" y="`...)
		b = num(b, top+14)
		b = append(b, `" text-anchor="end">`...)
		b = text(b, value)
		b = append(b, `</text></g>`...)
		if i+1 < len(steps) && !steps[i+1].Total {
			b = append(b, `<line class="wf-link" x1="`...)
			b = num(b, x(s.To))
			b = append(b, `" x2="`...)
			b = num(b, x(s.To))
			b = append(b, `" y1="`...)
			b = num(b, top+36)
			b = append(b, `" y2="`...)
			b = num(b, top+waterfallRowH+20)
			b = append(b, `"/>`...)
		}
	}
	b = append(b, `</svg>`...)

	t := make([]byte, 0, 256+len(steps)*160)
	t = append(t, `<table class="table chart-table"><caption>`...)
	t = text(t, "From gross sales to net profit ("+currency+")")
	t = append(t, `</caption><thead><tr><th scope="col">Step</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Running total</th></tr></thead><tbody>`...)
	for _, s := range steps {
		t = append(t, `<tr data-step="`...)
		t = append(t, s.Key...)
		t = append(t, `"><th scope="row">`...)
		t = text(t, s.Label)
		t = append(t, `</th><td class="num">`...)
		value := fm(s.Amount)
		if !s.Total && s.Amount > 0 {
			value = "+" + value
		}
		t = text(t, value)
		t = append(t, `</td><td class="num">`...)
		t = text(t, fm(s.To))
		t = append(t, `</td></tr>`...)
	}
	t = append(t, `</tbody></table>`...)
	return Chart{SVG: string(b), Table: string(t)}
}

// num appends a coordinate with at most one decimal.
func num(b []byte, f float64) []byte {
	f = math.Round(f*10) / 10
	if f == math.Trunc(f) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'f', 1, 64)
}

// text appends s escaped for HTML text and attribute values.
func text(b []byte, s string) []byte { return append(b, html.EscapeString(s)...) }

// LabelIndexes picks at most k columns of n to label on an x axis, evenly spaced, the first and last among them.
func LabelIndexes(n, k int) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, k)
	for j := range k {
		out[j] = j * (n - 1) / (k - 1)
	}
	return out
}

// NiceTicks are 3 to 6 round values in minor units spanning lo..hi (lo <= 0 <= hi), zero among them: a chart's
// y axis.
func NiceTicks(lo, hi int64, currency string) []int64 {
	exp, _ := money.Exponent(currency)
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	span := hi - lo
	if span <= 0 {
		span = unit // a period without sales: a scale of one currency unit
		hi = lo + span
	}
	step := unit / 100
	if step < 1 {
		step = 1
	}
	for mag := step; ; mag *= 10 {
		found := false
		for _, m := range []int64{1, 2, 5} {
			if s := mag * m; span/s <= 5 {
				step, found = s, true
				break
			}
		}
		if found {
			break
		}
	}
	first := floorDiv(lo, step) * step
	var out []int64
	for t := first; ; t += step {
		out = append(out, t)
		if t >= hi {
			break
		}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// compactMoney writes an axis value briefly: "$1,250", "$12.5k", "$3.2M", "-120 EUR".
func compactMoney(minor int64, currency string) string {
	exp, _ := money.Exponent(currency)
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	prefix, suffix := affixes(currency)
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	major := minor / unit
	var body string
	switch {
	case major >= 1_000_000:
		body = oneDecimal(minor, unit*1_000_000) + "M"
	case major >= 10_000:
		body = oneDecimal(minor, unit*1_000) + "k"
	case minor%unit == 0:
		body = Thousands(major)
	default:
		body = strings.TrimPrefix(money.Amount{Minor: minor, Currency: currency}.Format(), prefix)
		body = strings.TrimSuffix(body, suffix)
	}
	return sign + prefix + body + suffix
}

// oneDecimal writes n/per with one decimal, dropping ".0".
func oneDecimal(n, per int64) string {
	t := ratio(n, 10, per)
	s := Thousands(t / 10)
	if t%10 != 0 {
		s += "." + strconv.FormatInt(t%10, 10)
	}
	return s
}

// affixes are what Format writes before and after a currency's number: "$" and "", or "" and " EUR".
func affixes(currency string) (prefix, suffix string) {
	z := money.Amount{Currency: currency}.Format()
	i, j := strings.IndexByte(z, '0'), strings.LastIndexAny(z, "0123456789")
	if i < 0 {
		return "", ""
	}
	return z[:i], z[j+1:]
}
