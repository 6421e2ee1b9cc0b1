package cashflow

import (
	"fmt"
	"slices"
	"time"
)

// ForecastWeeks is how far the forecast looks ahead.
const ForecastWeeks = 13

// The delays assumed while a shop has no history to measure them from.
const (
	defaultPaidToDelivery    = 5
	defaultDeliveryToSettled = 7
	defaultStatementToPaid   = 1
)

// SettledOrders are orders TikTok settled, grouped by the days they were paid, delivered and settled: what the
// shop's delays are measured from.
type SettledOrders struct {
	PaidDay, DeliveredDay, SettledDay time.Time // zero when not known
	Orders                            int64
	Settlement                        int64
}

// Delays are the shop's observed delays in whole days (medians), and how many cases each was measured on (0: the
// default was assumed).
type Delays struct {
	PaidToDelivery, DeliveryToSettled, StatementToPaid int
	DeliveryCases, SettlementCases, PayoutCases        int64
}

// ObserveDelays measures the median days from payment to delivery and from delivery to settlement over settled
// orders, and from statement to payout over paid statements; a delay with no cases takes its default.
func ObserveDelays(orders []SettledOrders, statements []Statement) Delays {
	var deliver, settle, pay []weighted
	for _, o := range orders {
		if !o.PaidDay.IsZero() && !o.DeliveredDay.IsZero() {
			deliver = append(deliver, weighted{daysBetween(o.PaidDay, o.DeliveredDay), o.Orders})
		}
		if !o.DeliveredDay.IsZero() && !o.SettledDay.IsZero() {
			settle = append(settle, weighted{daysBetween(o.DeliveredDay, o.SettledDay), o.Orders})
		}
	}
	for _, s := range statements {
		if s.Paid() && !s.PaidDay.IsZero() {
			pay = append(pay, weighted{daysBetween(s.Day, s.PaidDay), 1})
		}
	}
	var d Delays
	d.PaidToDelivery, d.DeliveryCases = median(deliver, defaultPaidToDelivery)
	d.DeliveryToSettled, d.SettlementCases = median(settle, defaultDeliveryToSettled)
	d.StatementToPaid, d.PayoutCases = median(pay, defaultStatementToPaid)
	return d
}

type weighted struct {
	days int
	n    int64
}

// median is the lower weighted median of the days (never negative), and the number of cases; def when none.
func median(w []weighted, def int) (int, int64) {
	var total int64
	for _, x := range w {
		total += x.n
	}
	if total == 0 {
		return def, 0
	}
	slices.SortFunc(w, func(a, b weighted) int { return a.days - b.days })
	var seen int64
	for _, x := range w {
		seen += x.n
		if 2*seen >= total {
			return max(x.days, 0), total
		}
	}
	return max(w[len(w)-1].days, 0), total
}

// ForecastInput is what is known on Today about money still to come.
type ForecastInput struct {
	Today   time.Time
	Delays  Delays
	Pending []Pending // orders not settled yet, with TikTok's estimates
	Holds   []Hold    // reserve still held
	// Unpaid are statements settled but not paid out yet (failed payouts included: TikTok pays them again).
	Unpaid []Statement
}

// Week is one week of the forecast: what is expected to be paid out from Start to Start+7 days.
type Week struct {
	Start     time.Time
	Known     int64 // amounts and dates TikTok gave: settled statements not paid yet, reserve releases
	Estimated int64 // TikTok's estimates for orders not settled yet, at estimated or projected days
	Orders    int   // orders in Estimated
}

// Total is what the week is expected to pay.
func (w Week) Total() int64 { return w.Known + w.Estimated }

// Forecast is the payouts expected over the next ForecastWeeks weeks, and what falls later.
type Forecast struct {
	Weeks       []Week
	Later       int64 // expected after the last week
	Assumptions []string
}

// Expected is when an amount is expected to be paid out, and whether TikTok gave both the amount and the day.
type Expected struct {
	Day    time.Time
	Amount int64
	Known  bool
}

// Expectations lists every amount the input expects, on the day it is expected to be paid out.
func Expectations(in ForecastInput) []Expected {
	d := in.Delays
	pay := func(settle time.Time) time.Time {
		if settle.Before(in.Today) {
			settle = in.Today // overdue: expected at the earliest today
		}
		return settle.AddDate(0, 0, d.StatementToPaid)
	}
	var out []Expected
	for _, s := range in.Unpaid {
		day := s.Day.AddDate(0, 0, d.StatementToPaid)
		if day.Before(in.Today) {
			day = in.Today
		}
		out = append(out, Expected{Day: day, Amount: s.Payable(), Known: true})
	}
	for _, h := range in.Holds {
		if h.ReleaseDay.IsZero() {
			continue
		}
		out = append(out, Expected{Day: pay(h.ReleaseDay), Amount: h.Amount, Known: true})
	}
	for _, p := range in.Pending {
		out = append(out, Expected{Day: pay(SettlementDay(p, in.Today, d)), Amount: p.Settlement})
	}
	return out
}

// SettlementDay is when an order not settled yet is expected to settle: TikTok's estimate once it is delivered;
// before that, its expected delivery (the payment day plus the shop's usual delay, today at the earliest) plus the
// shop's usual delay from delivery to settlement.
func SettlementDay(p Pending, today time.Time, d Delays) time.Time {
	switch {
	case !p.DeliveredDay.IsZero() && !p.EstimatedDay.IsZero():
		return p.EstimatedDay
	case !p.DeliveredDay.IsZero():
		return p.DeliveredDay.AddDate(0, 0, d.DeliveryToSettled)
	}
	delivery := today
	if !p.PaidDay.IsZero() {
		if exp := p.PaidDay.AddDate(0, 0, d.PaidToDelivery); exp.After(today) {
			delivery = exp
		}
	}
	return delivery.AddDate(0, 0, d.DeliveryToSettled)
}

// Predict is the forecast for the ForecastWeeks weeks that start on in.Today.
func Predict(in ForecastInput) Forecast {
	f := Forecast{Weeks: make([]Week, ForecastWeeks)}
	for i := range f.Weeks {
		f.Weeks[i].Start = in.Today.AddDate(0, 0, 7*i)
	}
	for _, e := range Expectations(in) {
		i := daysBetween(in.Today, e.Day) / 7
		switch {
		case i >= ForecastWeeks:
			f.Later += e.Amount
		case e.Known:
			f.Weeks[i].Known += e.Amount
		default:
			f.Weeks[i].Estimated += e.Amount
			f.Weeks[i].Orders++
		}
	}
	f.Assumptions = assumptions(in.Delays)
	return f
}

func assumptions(d Delays) []string {
	basis := func(cases int64) string {
		if cases == 0 {
			return "assumed: nothing settled yet to measure it on"
		}
		return fmt.Sprintf("the shop's median over %d cases", cases)
	}
	return []string{
		"Settled statements not paid out yet, and reserve TikTok holds with a release date, are known: TikTok gave the amounts and the days.",
		"Orders not settled yet count at TikTok's estimated settlement amount; delivered ones on TikTok's estimated settlement day.",
		fmt.Sprintf("Orders not delivered yet are expected to be delivered %s after payment (%s), today at the earliest.",
			dayCount(d.PaidToDelivery), basis(d.DeliveryCases)),
		fmt.Sprintf("They then settle %s after delivery (%s).", dayCount(d.DeliveryToSettled), basis(d.SettlementCases)),
		fmt.Sprintf("A payout follows its statement by %s (%s).", dayCount(d.StatementToPaid), basis(d.PayoutCases)),
		"Refunds, adjustments and new reserves not yet on a statement are not foreseen; an estimate already overdue is expected today.",
	}
}

func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// History is a shop's past, for the backtest.
type History struct {
	Orders     []SettledOrders // every settled order, by its days
	Statements []Statement     // every statement since before the first week tested
	Holds      []Hold          // every reserve hold, released or not, with its release day
	Pending    []Pending       // orders not settled today (they were pending in the past too)
}

// Backtest is one past week: what the forecast made at its start said against what was paid out in it.
type Backtest struct {
	Start     time.Time
	Predicted int64
	Paid      int64
}

// Error is what the forecast got wrong: predicted less paid.
func (b Backtest) Error() int64 { return b.Predicted - b.Paid }

// ErrorBps is the error as a share of what was paid, in basis points, absolute; -1 when nothing was paid.
func (b Backtest) ErrorBps() int64 {
	if b.Paid == 0 {
		return -1
	}
	e := b.Error()
	if e < 0 {
		e = -e
	}
	p := b.Paid
	if p < 0 {
		p = -p
	}
	return (e*10000 + p/2) / p
}

// BacktestWeeks replays the forecast for each of the weeks past weeks before today, as it would have been made at
// each week's start from what was known then (orders paid but not settled, statements not paid, reserve held),
// and sets its first week against the payouts paid in that week. TikTok's past estimates are not kept, so orders
// count at their final settlement: the backtest measures the forecast's timing, not TikTok's estimates.
func BacktestWeeks(h History, d Delays, today time.Time, weeks int) []Backtest {
	out := make([]Backtest, 0, weeks)
	for k := weeks; k >= 1; k-- {
		start := today.AddDate(0, 0, -7*k)
		end := start.AddDate(0, 0, 7)
		in := ForecastInput{Today: start, Delays: d}
		for _, o := range h.Orders {
			if o.PaidDay.IsZero() || !o.PaidDay.Before(start) || o.SettledDay.Before(start) {
				continue // not paid by then, or already settled
			}
			p := Pending{PaidDay: o.PaidDay, Settlement: o.Settlement}
			if !o.DeliveredDay.IsZero() && o.DeliveredDay.Before(start) {
				p.DeliveredDay = o.DeliveredDay
			}
			in.Pending = append(in.Pending, p)
		}
		for _, p := range h.Pending {
			if !p.PaidDay.IsZero() && p.PaidDay.Before(start) {
				q := p
				q.EstimatedDay = time.Time{}
				if !q.DeliveredDay.IsZero() && !q.DeliveredDay.Before(start) {
					q.DeliveredDay = time.Time{}
				}
				in.Pending = append(in.Pending, q)
			}
		}
		for _, hold := range h.Holds {
			if hold.Day.Before(start) && !hold.ReleaseDay.Before(start) {
				in.Holds = append(in.Holds, hold)
			}
		}
		b := Backtest{Start: start}
		for _, s := range h.Statements {
			if s.Day.Before(start) && (!s.Paid() || !s.PaidDay.Before(start)) {
				in.Unpaid = append(in.Unpaid, s)
			}
			if s.Paid() && !s.PaidDay.Before(start) && s.PaidDay.Before(end) {
				b.Paid += s.Payable()
			}
		}
		b.Predicted = Predict(in).Weeks[0].Total()
		out = append(out, b)
	}
	return out
}

// LateGrace is how many days past its expected day a payout may be before it counts as late.
const LateGrace = 2

// Alert kinds.
const (
	AlertFailedPayout       = "failed_payout"
	AlertNegativeSettlement = "negative_settlement"
	AlertLatePayout         = "late_payout"
)

// Alert is something about a statement the seller should act on or know.
type Alert struct {
	Kind        string
	Statement   Statement
	ExpectedDay time.Time // a late payout's expected day
}

// Alerts are the statements whose payout failed, whose settlement is negative (TikTok takes money back: a negative
// balance freezes withdrawals), or whose payout is more than LateGrace days later than the shop's usual delay after
// the statement; most recent first.
func Alerts(statements []Statement, d Delays, today time.Time) []Alert {
	var out []Alert
	for _, s := range statements {
		if s.Failed() {
			out = append(out, Alert{Kind: AlertFailedPayout, Statement: s})
		}
		if s.Payable() < 0 {
			out = append(out, Alert{Kind: AlertNegativeSettlement, Statement: s})
		}
		expected := s.Day.AddDate(0, 0, d.StatementToPaid)
		if !s.Paid() && !s.Failed() && s.Payable() > 0 && daysBetween(expected, today) > LateGrace {
			out = append(out, Alert{Kind: AlertLatePayout, Statement: s, ExpectedDay: expected})
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return b.Statement.Day.Compare(a.Statement.Day) })
	return out
}
