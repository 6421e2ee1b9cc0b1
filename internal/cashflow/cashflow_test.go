package cashflow

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTheForecastPutsEachAmountInTheWeekItIsExpected(t *testing.T) {
	today := day("2026-03-02")
	d := Delays{PaidToDelivery: 3, DeliveryToSettled: 7, StatementToPaid: 1, DeliveryCases: 10, SettlementCases: 10, PayoutCases: 10}
	in := ForecastInput{Today: today, Delays: d,
		Unpaid: []Statement{{ID: "s1", Day: day("2026-03-01"), Settlement: 10500, Txns: TxnSummary{Count: 2, Reserve: -500}}},
		Holds: []Hold{{StatementID: "s0", Day: day("2026-02-18"), ReleaseDay: day("2026-03-20"), Amount: 2500},
			{StatementID: "s9", Day: day("2026-01-01"), ReleaseDay: day("2026-06-30"), Amount: 900},
			{StatementID: "s8", Day: day("2026-01-01"), Amount: 50}}, // no release day: not forecast
		Pending: []Pending{
			{OrderID: "delivered-estimated", DeliveredDay: day("2026-02-25"), EstimatedDay: day("2026-03-04"), Settlement: 3000},
			{OrderID: "delivered-no-estimate", DeliveredDay: day("2026-02-26"), Settlement: 2000},
			{OrderID: "paid-yesterday", PaidDay: day("2026-03-01"), EstimatedDay: day("2026-03-20"), Settlement: 1500},
			{OrderID: "paid-long-ago", PaidDay: day("2026-02-01"), Settlement: 700},
			{OrderID: "overdue", DeliveredDay: day("2026-02-10"), EstimatedDay: day("2026-02-20"), Settlement: 400},
		}}
	f := Predict(in)
	if len(f.Weeks) != ForecastWeeks {
		t.Fatalf("%d weeks; want %d", len(f.Weeks), ForecastWeeks)
	}
	for i, w := range []Week{
		// s1 (10,500 − 500) is paid today; 3,000 settles 4 Mar and is paid the 5th; 2,000 settles 26 Feb + 7 days
		// and is paid 6 Mar; the overdue 400 is expected today, paid the 3rd.
		{Start: day("2026-03-02"), Known: 10000, Estimated: 5400, Orders: 3},
		// Paid 1 Mar: delivered 4 Mar, settled 11 Mar, paid the 12th. Paid 1 Feb: delivered today at the earliest,
		// settled 9 Mar, paid the 10th.
		{Start: day("2026-03-09"), Estimated: 2200, Orders: 2},
		// The reserve released 20 Mar is paid the 21st.
		{Start: day("2026-03-16"), Known: 2500},
		{Start: day("2026-03-23")},
	} {
		if f.Weeks[i] != w {
			t.Errorf("week %d: %+v; want %+v", i, f.Weeks[i], w)
		}
	}
	if f.Later != 900 {
		t.Errorf("later: %d; want the 900 released 30 Jun", f.Later)
	}
	var total int64
	for _, w := range f.Weeks {
		total += w.Total()
	}
	if total != 10000+5400+2200+2500 {
		t.Errorf("the weeks sum to %d", total)
	}
	if len(f.Assumptions) == 0 || !strings.Contains(strings.Join(f.Assumptions, " "), "settle 7 days after delivery (the shop's median over 10 cases)") {
		t.Errorf("assumptions do not name the measured delay: %q", f.Assumptions)
	}
}

func TestDelaysAreWeightedMediansWithDefaultsWithoutHistory(t *testing.T) {
	orders := []SettledOrders{
		{PaidDay: day("2026-01-01"), DeliveredDay: day("2026-01-04"), SettledDay: day("2026-01-11"), Orders: 3},
		{PaidDay: day("2026-01-01"), DeliveredDay: day("2026-01-06"), SettledDay: day("2026-01-12"), Orders: 1},
		{PaidDay: day("2026-01-02"), DeliveredDay: day("2026-01-03"), SettledDay: day("2026-01-13"), Orders: 2},
	}
	statements := []Statement{
		{Day: day("2026-01-01"), PayoutStatus: StatusPaid, PaidDay: day("2026-01-02")},
		{Day: day("2026-01-02"), PayoutStatus: StatusPaid, PaidDay: day("2026-01-04")},
		{Day: day("2026-01-03"), PayoutStatus: StatusPaid, PaidDay: day("2026-01-04")},
		{Day: day("2026-01-04"), PayoutStatus: StatusProcessing},
	}
	if got, want := ObserveDelays(orders, statements), (Delays{PaidToDelivery: 3, DeliveryToSettled: 7, StatementToPaid: 1,
		DeliveryCases: 6, SettlementCases: 6, PayoutCases: 3}); got != want {
		t.Errorf("delays %+v; want %+v", got, want)
	}
	if got, want := ObserveDelays(nil, nil), (Delays{PaidToDelivery: 5, DeliveryToSettled: 7, StatementToPaid: 1}); got != want {
		t.Errorf("without history: %+v; want the defaults %+v", got, want)
	}
	f := Predict(ForecastInput{Today: day("2026-01-05"), Delays: ObserveDelays(nil, nil)})
	if !strings.Contains(strings.Join(f.Assumptions, " "), "assumed") {
		t.Errorf("assumed delays are not said to be assumed: %q", f.Assumptions)
	}
}

func TestTheBacktestSetsWhatTheForecastWouldHaveSaidAgainstWhatWasPaid(t *testing.T) {
	today := day("2026-03-30")
	d := Delays{PaidToDelivery: 2, DeliveryToSettled: 5, StatementToPaid: 1}
	h := History{
		Orders: []SettledOrders{
			{PaidDay: day("2026-03-15"), DeliveredDay: day("2026-03-18"), SettledDay: day("2026-03-24"), Orders: 1, Settlement: 1000}, // expected 23 Mar, paid the 24th
			{PaidDay: day("2026-03-21"), DeliveredDay: day("2026-03-25"), SettledDay: day("2026-03-31"), Orders: 1, Settlement: 2000}, // not delivered by 23 Mar: expected 28 Mar
			{PaidDay: day("2026-03-10"), DeliveredDay: day("2026-03-12"), SettledDay: day("2026-03-20"), Orders: 1, Settlement: 4000}, // settled before
			{PaidDay: day("2026-03-24"), DeliveredDay: day("2026-03-26"), SettledDay: day("2026-03-29"), Orders: 1, Settlement: 8000}, // paid after
		},
		Statements: []Statement{
			{ID: "s1", Day: day("2026-03-22"), Settlement: 500, PayoutStatus: StatusPaid, PaidDay: day("2026-03-23")},
			{ID: "s2", Day: day("2026-03-24"), Settlement: 1000, PayoutStatus: StatusPaid, PaidDay: day("2026-03-25")},
			{ID: "s3", Day: day("2026-03-10"), Settlement: 7000, PayoutStatus: StatusPaid, PaidDay: day("2026-03-11")},
			{ID: "s4", Day: day("2026-03-25"), Settlement: 0, Txns: TxnSummary{Count: 1, Reserve: 300, Released: 300}, PayoutStatus: StatusPaid, PaidDay: day("2026-03-26")},
		},
		Holds: []Hold{{StatementID: "s0", Day: day("2026-03-01"), ReleaseDay: day("2026-03-25"), Amount: 300}},
	}
	got := BacktestWeeks(h, d, today, 1)
	want := Backtest{Start: day("2026-03-23"), Predicted: 1000 + 2000 + 500 + 300, Paid: 500 + 1000 + 300}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("backtest %+v; want %+v", got, want)
	}
	if e, bps := got[0].Error(), got[0].ErrorBps(); e != 2000 || bps != 11111 {
		t.Errorf("error %d (%d bps); want 2000 (11111 bps)", e, bps)
	}
	if (Backtest{Predicted: 5}).ErrorBps() != -1 {
		t.Error("a week with nothing paid has no error share")
	}
}

func TestReconcileFlagsEachDifferenceInWords(t *testing.T) {
	balanced := Statement{ID: "s", Currency: "USD", Revenue: 10000, ShippingCost: -1500, Fee: -1200, Adjustment: 200,
		Settlement: 7500, PayoutID: "p", PayoutStatus: StatusPaid,
		Txns: TxnSummary{Count: 3, Settlement: 7500, Reserve: -375, Held: -375}}
	payout := func(status string, amount int64) *PayoutTotals {
		return &PayoutTotals{Payout: Payout{ID: "p", Status: status, Currency: "USD", Amount: amount}, StatementsPayable: 7125, Statements: 1}
	}
	offByOne := balanced
	offByOne.Settlement = 7600
	offByOne.Txns.Settlement, offByOne.Txns.Unbalanced, offByOne.Txns.Unexplained = 7600, 1, 100
	notSynced := balanced
	notSynced.Txns = TxnSummary{}
	for _, c := range []struct {
		name       string
		s          Statement
		p          *PayoutTotals
		reconciled bool
		flagged    []string // keys of the failed checks
		words      string
	}{
		{"balanced and paid", balanced, payout(StatusPaid, 7125), true, nil, "The payout paid $71.25: settlement $75.00 plus reserve -$3.75."},
		{"a row off by 1.00", offByOne, &PayoutTotals{Payout: Payout{Status: StatusPaid, Amount: 7225}, StatementsPayable: 7225, Statements: 1}, false,
			[]string{"parts", "rows"}, "1 transaction does not add up: its revenue, shipping, fees and adjustment do not make its settlement. TikTok paid $1.00 more"},
		{"the payout paid less", balanced, payout(StatusPaid, 7000), false, []string{"payout"}, "a difference of -$1.25"},
		{"the payout failed", balanced, payout(StatusFailed, 7125), false, []string{"payout"}, "failed"},
		{"not paid yet", balanced, payout(StatusProcessing, 7125), true, nil, "is not paid yet"},
		{"transactions not synced", notSynced, nil, true, nil, "not synced yet"},
		{"transactions miss money", func() Statement { s := balanced; s.Txns.Settlement = 7400; return s }(), payout(StatusPaid, 7125), false,
			[]string{"transactions"}, "$1.00 is in the statement and in none of its transactions"},
	} {
		v := Reconcile(c.s, c.p)
		var failed []string
		var words []string
		for _, ch := range v.Checks {
			if !ch.OK && !ch.Skipped {
				failed = append(failed, ch.Key)
			}
			words = append(words, ch.Words)
		}
		if v.Reconciled != c.reconciled || strings.Join(failed, ",") != strings.Join(c.flagged, ",") {
			t.Errorf("%s: reconciled %v, failed %q; want %v, %q", c.name, v.Reconciled, failed, c.reconciled, c.flagged)
		}
		if all := strings.Join(words, " "); !strings.Contains(all, c.words) {
			t.Errorf("%s: the words %q do not say %q", c.name, all, c.words)
		}
	}
}

func TestBucketsReserveAndBalance(t *testing.T) {
	st := []Statement{
		{ID: "a", Day: day("2026-03-01"), Settlement: 1000, PayoutStatus: StatusPaid, PaidDay: day("2026-03-02"), Txns: TxnSummary{Count: 2, Reserve: -50, Held: -50}},
		{ID: "b", Day: day("2026-03-02"), Settlement: 2000, PayoutStatus: StatusFailed, Txns: TxnSummary{Count: 2, Reserve: 30, Held: -20, Released: 50}},
		{ID: "c", Day: day("2026-03-03"), Settlement: -400, PayoutStatus: StatusProcessing},
	}
	pending := []Pending{{OrderID: "1", Settlement: 700}, {OrderID: "2", Settlement: 300}}
	if got, want := BucketsOf(st, pending), (Buckets{OnHold: 1000, OnHoldOrders: 2, Processing: -400, ProcessingStatements: 1,
		Paid: 950, PaidStatements: 1, Failed: 2030, FailedStatements: 1}); got != want {
		t.Errorf("buckets %+v; want %+v", got, want)
	}
	r := ReserveOf(st, []Hold{{ReleaseDay: day("2026-04-01"), Amount: 50}, {Amount: 5}, {ReleaseDay: day("2026-03-31"), Amount: 20}, {ReleaseDay: day("2026-04-01"), Amount: 1}})
	if r.Held != 70 || r.Released != 50 || r.ToRelease != 76 {
		t.Errorf("reserve held %d, released %d, to release %d; want 70, 50, 76", r.Held, r.Released, r.ToRelease)
	}
	if len(r.Releases) != 3 || r.Releases[0] != (Release{day("2026-03-31"), 20}) || r.Releases[1] != (Release{day("2026-04-01"), 51}) || !r.Releases[2].Day.IsZero() {
		t.Errorf("releases %+v; want 31 Mar, 1 Apr, then the undated", r.Releases)
	}
	before := Statement{ID: "z", Day: day("2026-02-28"), Settlement: 100, PayoutStatus: StatusPaid, PaidDay: day("2026-03-02")}
	long := Statement{ID: "y", Day: day("2026-02-20"), Settlement: 999, PayoutStatus: StatusPaid, PaidDay: day("2026-02-21")}
	days := Balance(day("2026-03-01"), day("2026-03-03"), append([]Statement{long, before}, st...))
	// 100 is settled before and paid on 2 Mar; a's 950 is paid the same day; b's payout failed; c takes 400.
	want := []int64{100 + 950, 100 + 950 + 2030 - 100 - 950, 2030 - 400}
	if len(days) != 3 {
		t.Fatalf("%d days", len(days))
	}
	for i, d := range days {
		if d.Balance != want[i] {
			t.Errorf("day %d: balance %d; want %d", i, d.Balance, want[i])
		}
	}
	if days[1].PaidOut != 1050 || days[1].Payouts != 2 {
		t.Errorf("2 Mar paid out %d in %d payouts; want 1050 in 2", days[1].PaidOut, days[1].Payouts)
	}

	alerts := Alerts(st, Delays{StatementToPaid: 1}, day("2026-03-10"))
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind+":"+a.Statement.ID)
	}
	if got := strings.Join(kinds, ","); got != "negative_settlement:c,failed_payout:b" {
		t.Errorf("alerts %s; want the negative settlement of c and the failed payout of b", got)
	}
	late := Alerts([]Statement{{ID: "d", Day: day("2026-03-05"), Settlement: 10, PayoutStatus: StatusProcessing}}, Delays{StatementToPaid: 1}, day("2026-03-09"))
	if len(late) != 1 || late[0].Kind != AlertLatePayout || !late[0].ExpectedDay.Equal(day("2026-03-06")) {
		t.Errorf("a payout 3 days past its expected day: %+v; want late", late)
	}
	if onTime := Alerts([]Statement{{ID: "d", Day: day("2026-03-05"), Settlement: 10, PayoutStatus: StatusProcessing}}, Delays{StatementToPaid: 1}, day("2026-03-08")); len(onTime) != 0 {
		t.Errorf("a payout 2 days past its expected day is within the grace: %+v", onTime)
	}
}

func TestAnOrderNotSettledYetIsExpectedOnTheDayItsStateAllows(t *testing.T) {
	today := day("2026-03-02")
	d := Delays{PaidToDelivery: 3, DeliveryToSettled: 7, StatementToPaid: 1}
	for _, c := range []struct {
		name string
		p    Pending
		want string
	}{
		{"delivered, with TikTok's estimate", Pending{PaidDay: day("2026-02-20"), DeliveredDay: day("2026-02-25"), EstimatedDay: day("2026-03-06")}, "2026-03-06"},
		{"delivered, no estimate: delivery + 7", Pending{DeliveredDay: day("2026-02-25")}, "2026-03-04"},
		{"not delivered, paid yesterday: paid + 3 + 7", Pending{PaidDay: day("2026-03-01"), EstimatedDay: day("2026-04-01")}, "2026-03-11"},
		{"not delivered, paid long ago: today + 7", Pending{PaidDay: day("2026-01-01")}, "2026-03-09"},
		{"not delivered, payment unknown: today + 7", Pending{}, "2026-03-09"},
	} {
		if got := SettlementDay(c.p, today, d).Format("2006-01-02"); got != c.want {
			t.Errorf("%s: %s; want %s", c.name, got, c.want)
		}
	}
}
