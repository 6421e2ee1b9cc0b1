package web

import (
	"fmt"
	"html"
	"strings"

	"github.com/profitline/profitline/internal/cashflow"
	"github.com/profitline/profitline/internal/dashboard"
	"github.com/profitline/profitline/internal/money"
)

// svgChart is a chart's markup and the same figures as a table, both complete HTML with every text escaped.
type svgChart struct {
	SVG, Table string
}

// The cash-flow charts' geometry, in SVG user units (they scale to their box).
const (
	cashW, cashH        = 720.0, 260.0
	cashLeft, cashRight = 76.0, 12.0
	cashTop, cashBottom = 14.0, 30.0
	cashXLabels         = 6
	cashBarGap          = 0.2 // of a column
)

// scale maps amounts to the plot's height over round ticks spanning lo..hi (zero among them).
type scale struct {
	lo, hi int64
	ticks  []int64
}

func newScale(lo, hi int64, currency string) scale {
	ticks := dashboard.NiceTicks(min(lo, 0), max(hi, 0), currency)
	return scale{lo: ticks[0], hi: ticks[len(ticks)-1], ticks: ticks}
}

func (sc scale) y(v int64) float64 {
	return cashTop + (cashH-cashTop-cashBottom)*float64(sc.hi-v)/float64(sc.hi-sc.lo)
}

// axis writes the grid lines and their labels.
func (sc scale) axis(b *strings.Builder, currency string) {
	for _, t := range sc.ticks {
		zero := ""
		if t == 0 {
			zero = " chart-zero"
		}
		fmt.Fprintf(b, `<line class="chart-grid%s" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, zero, cashLeft, cashW-cashRight, sc.y(t), sc.y(t))
		fmt.Fprintf(b, `<text class="chart-axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, cashLeft-8, sc.y(t)+4,
			html.EscapeString(money.Amount{Minor: t, Currency: currency}.Format()))
	}
}

// bar writes a rect from v0 to v1 in column i of n.
func (sc scale) bar(b *strings.Builder, class string, i, n int, part, parts int, v0, v1 int64, title string) {
	step := (cashW - cashLeft - cashRight) / float64(n)
	w := step * (1 - cashBarGap) / float64(parts)
	x := cashLeft + step*float64(i) + step*cashBarGap/2 + w*float64(part)
	top, bottom := sc.y(max(v0, v1)), sc.y(min(v0, v1))
	fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`,
		class, x, top, w, max(bottom-top, 0.5), html.EscapeString(title))
}

func xLabel(b *strings.Builder, i, n int, label string) {
	step := (cashW - cashLeft - cashRight) / float64(n)
	fmt.Fprintf(b, `<text class="chart-axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`,
		cashLeft+step*(float64(i)+0.5), cashH-10, html.EscapeString(label))
}

// balanceChart draws each day's settlements (up) and payouts (down) as bars and the running balance as a line.
func balanceChart(days []cashflow.Day, currency string) svgChart {
	n := len(days)
	if n == 0 {
		return svgChart{}
	}
	fm := func(v int64) string { return money.Amount{Minor: v, Currency: currency}.Format() }
	var lo, hi, settled, paid int64
	for _, d := range days {
		lo, hi = min(lo, -d.PaidOut, d.Balance, d.Settled), max(hi, d.Settled, d.Balance, -d.PaidOut)
		settled += d.Settled
		paid += d.PaidOut
	}
	sc := newScale(lo, hi, currency)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart chart-cash" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="cash-chart-title cash-chart-desc" preserveAspectRatio="xMidYMid meet">`, cashW, cashH)
	fmt.Fprintf(&b, `<title id="cash-chart-title">Settlements, payouts and balance per day</title><desc id="cash-chart-desc">%s</desc>`,
		html.EscapeString(fmt.Sprintf("%s settled and %s paid out over %d days, in %s; the balance ended at %s.",
			fm(settled), fm(paid), n, currency, fm(days[n-1].Balance))))
	sc.axis(&b, currency)
	for _, i := range dashboard.LabelIndexes(n, cashXLabels) {
		xLabel(&b, i, n, days[i].Day.Format("2 Jan"))
	}
	for i, d := range days {
		label := d.Day.Format("Mon 2 Jan 2006")
		if d.Settled != 0 {
			sc.bar(&b, "cash-bar cash-settled", i, n, 0, 2, 0, d.Settled, label+": settled "+fm(d.Settled))
		}
		if d.PaidOut != 0 {
			sc.bar(&b, "cash-bar cash-paid", i, n, 1, 2, 0, -d.PaidOut, label+": paid out "+fm(d.PaidOut))
		}
	}
	step := (cashW - cashLeft - cashRight) / float64(n)
	b.WriteString(`<path class="chart-line cash-balance" d="`)
	for i, d := range days {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%.1f %.1f", cmd, cashLeft+step*(float64(i)+0.5), sc.y(d.Balance))
	}
	if n == 1 {
		b.WriteString("h0.01")
	}
	b.WriteString(`"/></svg>`)

	var t strings.Builder
	fmt.Fprintf(&t, `<table class="table chart-table cash-days"><caption>Settlements, payouts and balance per day (%s)</caption>`, html.EscapeString(currency))
	t.WriteString(`<thead><tr><th scope="col">Day</th><th scope="col" class="num">Settled</th><th scope="col" class="num">Paid out</th><th scope="col" class="num">Balance</th></tr></thead><tbody>`)
	for _, d := range days {
		fmt.Fprintf(&t, `<tr data-day="%s" data-settled="%d" data-paid="%d" data-balance="%d"><th scope="row"><time datetime="%s">%s</time></th><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>`,
			d.Day.Format(dayLayout), d.Settled, d.PaidOut, d.Balance, d.Day.Format(dayLayout), d.Day.Format("Mon 2 Jan 2006"),
			html.EscapeString(fm(d.Settled)), html.EscapeString(fm(d.PaidOut)), html.EscapeString(fm(d.Balance)))
	}
	t.WriteString(`</tbody></table>`)
	return svgChart{SVG: b.String(), Table: t.String()}
}

// forecastChart draws each week's expected payouts: what TikTok gave (known) solid, estimates hatched above it.
func forecastChart(f cashflow.Forecast, currency string) svgChart {
	n := len(f.Weeks)
	fm := func(v int64) string { return money.Amount{Minor: v, Currency: currency}.Format() }
	var lo, hi, total int64
	for _, w := range f.Weeks {
		lo, hi = min(lo, w.Known, w.Total()), max(hi, w.Known, w.Total())
		total += w.Total()
	}
	sc := newScale(lo, hi, currency)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart chart-forecast" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="forecast-chart-title forecast-chart-desc" preserveAspectRatio="xMidYMid meet">`, cashW, cashH)
	fmt.Fprintf(&b, `<title id="forecast-chart-title">Expected payouts per week</title><desc id="forecast-chart-desc">%s</desc>`,
		html.EscapeString(fmt.Sprintf("%s expected over the next %d weeks, in %s; solid bars are known amounts, hatched bars estimates.", fm(total), n, currency)))
	b.WriteString(`<defs><pattern id="forecast-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="fc-hatch-bg" width="6" height="6"/><line class="fc-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>`)
	sc.axis(&b, currency)
	for _, i := range dashboard.LabelIndexes(n, cashXLabels) {
		xLabel(&b, i, n, f.Weeks[i].Start.Format("2 Jan"))
	}
	for i, w := range f.Weeks {
		label := "Week of " + w.Start.Format("2 Jan 2006")
		if w.Known != 0 {
			sc.bar(&b, "fc-bar fc-known", i, n, 0, 1, 0, w.Known, label+": known "+fm(w.Known))
		}
		if w.Estimated != 0 {
			sc.bar(&b, "fc-bar fc-estimated", i, n, 0, 1, w.Known, w.Total(), label+": estimated "+fm(w.Estimated))
		}
	}
	b.WriteString(`</svg>`)

	var t strings.Builder
	fmt.Fprintf(&t, `<table class="table chart-table forecast-table"><caption>Expected payouts per week (%s)</caption>`, html.EscapeString(currency))
	t.WriteString(`<thead><tr><th scope="col">Week of</th><th scope="col" class="num">Known</th><th scope="col" class="num">Estimated</th><th scope="col" class="num">Orders estimated</th><th scope="col" class="num">Total</th></tr></thead><tbody>`)
	for _, w := range f.Weeks {
		fmt.Fprintf(&t, `<tr data-week="%s" data-known="%d" data-estimated="%d"><th scope="row"><time datetime="%s">%s</time></th><td class="num">%s</td><td class="num fc-estimated-text">%s</td><td class="num">%d</td><td class="num">%s</td></tr>`,
			w.Start.Format(dayLayout), w.Known, w.Estimated, w.Start.Format(dayLayout), w.Start.Format("Mon 2 Jan 2006"),
			html.EscapeString(fm(w.Known)), html.EscapeString(fm(w.Estimated)), w.Orders, html.EscapeString(fm(w.Total())))
	}
	t.WriteString(`</tbody></table>`)
	return svgChart{SVG: b.String(), Table: t.String()}
}
