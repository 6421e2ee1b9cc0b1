package web

import (
	"html/template"
	"time"

	"github.com/profitline/profitline/internal/cashflow"
)

// cashflowExamples fill every branch of the cash-flow pages: no shop, nothing synced, alerts, a failed payout, a
// reserve with and without dates, a flagged statement and transaction, and empty lists.
func cashflowExamples() map[string][]any {
	shops := []shopOption{{ShopID: "1", Name: "Glow US", Selected: true}, {ShopID: "2", Name: "Glow UK"}}
	scope := cashScope{From: "2026-02-13", To: "2026-03-14", Zone: "UTC", Shops: shops, ShopID: "1", ShopName: "Glow US", Currency: "USD"}
	bad := scope
	bad.RangeError = "The first day is after the last. Showing the last 30 days instead."
	today := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	f := cashflow.Predict(cashflow.ForecastInput{Today: today, Pending: []cashflow.Pending{{DeliveredDay: today, Settlement: 1200}},
		Holds: []cashflow.Hold{{ReleaseDay: today.AddDate(0, 0, 9), Amount: 300}}})
	fc := forecastChart(f, "USD")
	bc := balanceChart(cashflow.Balance(today.AddDate(0, 0, -2), today, []cashflow.Statement{
		{Day: today.AddDate(0, 0, -2), Settlement: 5000, PayoutStatus: cashflow.StatusPaid, PaidDay: today.AddDate(0, 0, -1)},
		{Day: today, Settlement: -700, PayoutStatus: cashflow.StatusProcessing}}), "USD")
	full := cashflowView{cashScope: bad, Alerts: []cashAlert{{Kind: cashflow.AlertFailedPayout, Level: "error", Text: "Failed.", URL: "/cashflow/statements/1/7", LinkText: "See"},
		{Kind: cashflow.AlertLatePayout, Level: "warning", Text: "Late.", URL: "/x", LinkText: "See"}},
		Buckets: []cashTile{{Key: "on_hold", Label: "On hold", Value: "$12.00", Note: "1 order"}, {Key: "failed", Label: "Payout failed", Value: "$3.00", Note: "1 statement"}},
		Reserve: cashReserve{Held: "$3.00", Released: "$0.00", ToRelease: "$3.05", Any: true, Releases: []cashRelease{{Day: "Mon 23 Mar 2026", DayISO: "2026-03-23", Amount: "$3.00"}, {Day: "No date from TikTok", Amount: "$0.05"}}},
		Opening: "$0.00", Closing: "$43.00", ChartSVG: template.HTML(bc.SVG), ChartTable: template.HTML(bc.Table),
		Forecast: forecastView{SVG: template.HTML(fc.SVG), Table: template.HTML(fc.Table), Total: "$15.00", Known: "$3.00", Estimated: "$12.00", Later: "$0.00",
			Assumptions: f.Assumptions, FirstWeek: "14 Mar", LastWeek: "12 Jun 2026"},
		Backtest:      []backtestRow{{Week: "16 Feb – 22 Feb", Predicted: "$10.00", Paid: "$12.00", Error: "-$2.00", ErrorShare: "16.7%"}},
		BacktestError: "Off by $2.00 a week.", StatementsURL: "/cashflow/statements", PayoutsURL: "/cashflow/payouts",
		ExportStatURL: "/exports/statements.csv", ExportTxnsURL: "/exports/transactions.csv", ExportPayURL: "/exports/payouts.csv",
		ReconcileIssue: "1 statement does not add up."}
	noReserve := full
	noReserve.Reserve = cashReserve{Held: "$0.00", Released: "$0.00", ToRelease: "$0.00"}
	statements := cashStatementsView{cashScope: scope, FlaggedText: "1 statement of 2 does not reconcile.", CashURL: "/cashflow", ExportURL: "/e", TxnsURL: "/t",
		Statements: []statementRow{
			{URL: "/cashflow/statements/1/7", ID: "7", Day: "Sat 14 Mar 2026", DayISO: "2026-03-14", Revenue: "$10.00", Fees: "-$1.00", Shipping: "-$2.00",
				Adjustments: "$0.00", Settlement: "$7.00", Reserve: "-$0.35", Payable: "$6.65", Status: "Paid", StatusKind: "success", Flagged: true, Verdict: "Off by $1.00."},
			{URL: "/cashflow/statements/1/8", ID: "8", Day: "Sun 15 Mar 2026", Status: "Processing", StatusKind: "info", Pending: true},
			{URL: "/cashflow/statements/1/9", ID: "9", Day: "Mon 16 Mar 2026", Status: "Odd", StatusKind: ""}}}
	statement := cashStatementView{ShopID: "1", ShopName: "Glow US", ID: "7", Day: "Sat 14 Mar 2026", DayISO: "2026-03-14", Zone: "UTC", Currency: "USD",
		Status: "Failed", StatusKind: "danger", PayoutURL: "/cashflow/payouts#payout-8", BackURL: "/cashflow/statements",
		Figures: []cashFigure{{Label: "Revenue", Value: "$10.00"}, {Label: "Settlement", Value: "$7.00", Total: true}},
		Checks: []cashCheck{{Key: "parts", Label: "Parts", Words: "Off.", OK: false}, {Key: "rows", Label: "Rows", Words: "Fine.", OK: true},
			{Key: "payout", Label: "Payout", Words: "Not yet.", Skipped: true}},
		Transactions: []txnRow{{ID: "1", Type: "Order", OrderID: "576", OrderURL: "/orders/1/576", Revenue: "$10.00", Unbalanced: true, Difference: "+$1.00 is not explained."},
			{ID: "2", Type: "Reserve", Subtype: "Hold", ReserveNote: "Frozen, release 13 Apr 2026"}}}
	reconciled := statement
	reconciled.Reconciled, reconciled.Pending, reconciled.Transactions, reconciled.PayoutURL, reconciled.StatusKind = true, true, nil, "", ""
	payouts := cashPayoutsView{cashScope: scope, FailedText: "1 payout failed.", CashURL: "/cashflow", ExportURL: "/e", Payouts: []payoutRow{
		{ID: "8", Created: "14 Mar 2026 02:00", CreatedISO: "2026-03-14T02:00:00Z", Status: "Failed", StatusKind: "danger", Amount: "$6.65",
			Settlement: "$7.00", Reserve: "-$0.35", Rate: "1", BeforeExchange: "£5.20", BankLast4: "1234", Failed: true, Difference: "+$0.10",
			Statements: []payoutStatement{{ID: "7", URL: "/cashflow/statements/1/7", Day: "14 Mar", Payable: "$6.65"}}},
		{ID: "9", Created: "15 Mar 2026 02:00", Status: "Paid", StatusKind: "success", Paid: "16 Mar 2026 03:00", PaidISO: "2026-03-16T03:00:00Z"}}}
	return map[string][]any{
		"cashflow":            {cashflowView{cashScope: cashScope{NoShops: true, From: "2026-02-13", To: "2026-03-14"}}, cashflowView{cashScope: scope, Empty: true}, full, noReserve},
		"cashflow_statements": {cashStatementsView{cashScope: cashScope{NoShops: true}}, cashStatementsView{cashScope: bad}, statements},
		"cashflow_statement":  {statement, reconciled},
		"cashflow_payouts":    {cashPayoutsView{cashScope: cashScope{NoShops: true}}, cashPayoutsView{cashScope: bad}, payouts},
	}
}
