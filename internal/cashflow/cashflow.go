// Package cashflow is where a shop's money is and when it will arrive: the buckets a seller knows (not yet
// settled, processing, paid), the reserve TikTok holds back, the running balance, each statement reconciled with its
// transactions and its payout, and a 13-week forecast with its backtest.
//
// It is pure: typed inputs in, figures out; no I/O, no clock (the caller passes today). Every amount is an int64 in
// minor units of one currency: the caller gives one shop's (or one currency's) rows at a time, and figures of
// different currencies are never added together.
//
// Days are civil dates held as their UTC midnight (time.Time), the caller having put each instant in the seller's
// time zone first.
package cashflow

import (
	"slices"
	"time"
)

// Payout statuses as TikTok names them (statements' payment_status and payments' status).
const (
	StatusPaid       = "PAID"
	StatusFailed     = "FAILED"
	StatusProcessing = "PROCESSING"
)

// Statement is one daily statement of a shop, with what its transactions and its payout say about it.
type Statement struct {
	ShopID, ID string
	Day        time.Time // the statement's day
	Currency   string
	// The statement's own figures, signed as TikTok sends them (fees negative).
	Revenue, Fee, Adjustment, ShippingCost, NetSales, Settlement int64
	PayoutID                                                     string
	// PayoutStatus is the payout's status (the payment's own when it is synced, else the statement's).
	PayoutStatus string
	// PaidDay is when the payout was paid; zero while it is not.
	PaidDay time.Time
	// PayoutAmount is what the payout pays (for every statement it pays), once PayoutSynced.
	PayoutAmount int64
	PayoutSynced bool
	// Txns sums its transactions; Txns.Count is 0 before they are synced.
	Txns TxnSummary
}

// TxnSummary is what a statement's transactions add up to.
type TxnSummary struct {
	Count      int64
	Settlement int64 // the sum of their settlement amounts
	Reserve    int64 // the sum of their reserve amounts: negative while held, positive when released
	Held       int64 // the reserve newly held (a negative sum)
	Released   int64 // the reserve released (a positive sum)
	// Unbalanced counts the rows whose parts (revenue, shipping, fees and tax, adjustment) do not sum to their
	// settlement; Unexplained is their settlement less their parts, summed.
	Unbalanced  int64
	Unexplained int64
}

// Payable is what the statement's payout should pay: its settlement plus its reserve movements.
func (s Statement) Payable() int64 { return s.Settlement + s.Txns.Reserve }

// Paid reports whether the statement's payout reached the seller.
func (s Statement) Paid() bool { return s.PayoutStatus == StatusPaid }

// Failed reports whether the statement's payout failed.
func (s Statement) Failed() bool { return s.PayoutStatus == StatusFailed }

// Transaction is one settlement row of a statement.
type Transaction struct {
	ID, Type, Subtype, OrderID string
	ReserveStatus              string
	ReleaseDay                 time.Time // TikTok's estimated release of a reserve; zero when none
	Settlement, Revenue        int64
	ShippingCost, FeeTax       int64
	Adjustment, Reserve        int64
}

// Parts is what the row's revenue, shipping, fees and tax, and adjustment sum to: its settlement, when it adds up.
func (t Transaction) Parts() int64 { return t.Revenue + t.ShippingCost + t.FeeTax + t.Adjustment }

// Unexplained is the row's settlement less its parts: 0 when it adds up.
func (t Transaction) Unexplained() int64 { return t.Settlement - t.Parts() }

// Summarize adds transactions up as a TxnSummary.
func Summarize(txns []Transaction) TxnSummary {
	var s TxnSummary
	for _, t := range txns {
		s.Count++
		s.Settlement += t.Settlement
		s.Reserve += t.Reserve
		if t.Reserve < 0 {
			s.Held += t.Reserve
		} else {
			s.Released += t.Reserve
		}
		if d := t.Unexplained(); d != 0 {
			s.Unbalanced++
			s.Unexplained += d
		}
	}
	return s
}

// Pending is an order TikTok has not settled yet, with its estimate.
type Pending struct {
	ShopID, OrderID string
	PaidDay         time.Time // zero when unknown
	DeliveredDay    time.Time // zero while not delivered
	EstimatedDay    time.Time // TikTok's estimated settlement day; zero when it gave none
	Settlement      int64     // TikTok's estimated settlement amount
}

// Buckets are the seller's money by where it is.
type Buckets struct {
	// OnHold is what TikTok estimates it will settle for orders not settled yet.
	OnHold       int64
	OnHoldOrders int
	// Processing is what statements settled that has not been paid out yet (failed payouts apart).
	Processing           int64
	ProcessingStatements int
	// Paid is what statements settled that was paid out.
	Paid           int64
	PaidStatements int
	// Failed is what statements settled whose payout failed: it stays in the TikTok balance.
	Failed           int64
	FailedStatements int
}

// BucketsOf sorts statements into processing, paid and failed by their payout, and pending orders into on hold.
func BucketsOf(statements []Statement, pending []Pending) Buckets {
	var b Buckets
	for _, p := range pending {
		b.OnHold += p.Settlement
		b.OnHoldOrders++
	}
	for _, s := range statements {
		switch {
		case s.Paid():
			b.Paid += s.Payable()
			b.PaidStatements++
		case s.Failed():
			b.Failed += s.Payable()
			b.FailedStatements++
		default:
			b.Processing += s.Payable()
			b.ProcessingStatements++
		}
	}
	return b
}

// Hold is a reserve TikTok still holds.
type Hold struct {
	StatementID string
	Day         time.Time // the statement that held it
	ReleaseDay  time.Time // TikTok's estimated release; zero when it gave none
	Amount      int64     // positive: what will be released
}

// Release is what is due back on one day.
type Release struct {
	Day    time.Time // zero: TikTok gave no date
	Amount int64
}

// Reserve is the reserve over a range of statements, and what is still held.
type Reserve struct {
	Held      int64 // newly held in the range (positive)
	Released  int64 // released in the range
	ToRelease int64 // still held, whenever it was held
	Releases  []Release
}

// ReserveOf sums the reserve movements of statements and lists the holds still open by release day, earliest
// first (those without a date last).
func ReserveOf(statements []Statement, open []Hold) Reserve {
	var r Reserve
	for _, s := range statements {
		r.Held -= s.Txns.Held
		r.Released += s.Txns.Released
	}
	byDay := map[time.Time]int64{}
	var days []time.Time
	for _, h := range open {
		r.ToRelease += h.Amount
		if _, ok := byDay[h.ReleaseDay]; !ok {
			days = append(days, h.ReleaseDay)
		}
		byDay[h.ReleaseDay] += h.Amount
	}
	sortDays(days)
	for _, d := range days {
		r.Releases = append(r.Releases, Release{Day: d, Amount: byDay[d]})
	}
	return r
}

// sortDays sorts days earliest first, the zero day (no date) last.
func sortDays(days []time.Time) {
	slices.SortFunc(days, func(a, b time.Time) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Compare(b)
	})
}

// Payout is a payment TikTok made (or tried to make) to the seller's bank.
type Payout struct {
	ShopID, ID                  string
	Created                     time.Time
	Status                      string
	Currency                    string
	Amount, Settlement, Reserve int64
	PaidDay                     time.Time // zero while not paid
}

// Day is one day of the running balance.
type Day struct {
	Day        time.Time
	Settled    int64 // what the day's statements made payable
	PaidOut    int64 // what payouts paid that day (positive)
	Balance    int64 // at the end of the day
	Statements int
	Payouts    int
}

// Opening is the TikTok balance at the start of first: what statements before it made payable and payouts had not
// paid by then (a failed payout's money stays in the balance).
func Opening(first time.Time, statements []Statement) int64 {
	var bal int64
	for _, s := range statements {
		if s.Day.Before(first) && !(s.Paid() && s.PaidDay.Before(first)) {
			bal += s.Payable()
		}
	}
	return bal
}

// Balance is the TikTok balance day by day over first..last: it starts at Opening, rises with each statement's
// payable amount on its day and falls by it on the day its payout was paid.
func Balance(first, last time.Time, statements []Statement) []Day {
	n := daysBetween(first, last) + 1
	if n <= 0 {
		return nil
	}
	days := make([]Day, n)
	for i := range days {
		days[i].Day = first.AddDate(0, 0, i)
	}
	index := func(d time.Time) int {
		if d.IsZero() || d.Before(first) {
			return -1
		}
		if i := daysBetween(first, d); i < n {
			return i
		}
		return -1
	}
	for _, s := range statements {
		if i := index(s.Day); i >= 0 {
			days[i].Settled += s.Payable()
			days[i].Statements++
		}
		if !s.Paid() {
			continue
		}
		if i := index(s.PaidDay); i >= 0 {
			days[i].PaidOut += s.Payable()
			days[i].Payouts++
		}
	}
	bal := Opening(first, statements)
	for i := range days {
		bal += days[i].Settled - days[i].PaidOut
		days[i].Balance = bal
	}
	return days
}

// daysBetween is the whole days from a to b (both days).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }
