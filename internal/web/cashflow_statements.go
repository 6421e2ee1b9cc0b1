package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/cashflow"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
)

// cashStatementsView is /cashflow/statements: a shop's daily statements over a range, each reconciled.
type cashStatementsView struct {
	cashScope
	Statements  []statementRow
	FlaggedText string
	CashURL     string
	ExportURL   string
	TxnsURL     string
}

// statementRow is one statement of the list; the data fields are minor units, for tests and scripts.
type statementRow struct {
	URL, ID, Day, DayISO                      string
	Revenue, Fees, Shipping, Adjustments      string
	Settlement, Reserve, Payable              string
	Status, StatusKind                        string
	Flagged, Pending                          bool
	Verdict                                   string
	SettlementMinor, ReserveMinor, PayableMin int64
}

// cashStatementView is /cashflow/statements/{shop}/{id}: one statement, its transactions and its reconciliation.
type cashStatementView struct {
	ShopID, ShopName, ID string
	Day, DayISO, Zone    string
	Currency             string
	Status, StatusKind   string
	Figures              []cashFigure
	Reconciled, Pending  bool
	Checks               []cashCheck
	Transactions         []txnRow
	PayoutURL, BackURL   string
}

type cashFigure struct {
	Label, Value string
	Total        bool
}

type cashCheck struct {
	Key, Label, Words string
	OK, Skipped       bool
}

// txnRow is one transaction of a statement.
type txnRow struct {
	ID, Type, Subtype, OrderID, OrderURL string
	Revenue, Shipping, FeeTax            string
	Adjustment, Reserve, Settlement      string
	ReserveNote                          string
	Unbalanced                           bool
	Difference                           string
}

// cashPayoutsView is /cashflow/payouts: a shop's payouts created in a range, newest first.
type cashPayoutsView struct {
	cashScope
	Payouts    []payoutRow
	FailedText string
	CashURL    string
	ExportURL  string
}

type payoutRow struct {
	ID, Created, CreatedISO     string
	Status, StatusKind          string
	Amount, Settlement, Reserve string
	BeforeExchange, Rate        string
	Paid, PaidISO               string
	BankLast4                   string
	Failed                      bool
	Difference                  string // what the payout paid beyond its statements' settlement plus reserve
	Statements                  []payoutStatement
	AmountMinor                 int64
	currency                    string
}

type payoutStatement struct {
	ID, URL, Day, Payable string
}

// payoutStatus is a payout status in words, and how it shows.
func payoutStatus(status string) (text, kind string) {
	switch status {
	case cashflow.StatusPaid:
		return "Paid", "success"
	case cashflow.StatusFailed:
		return "Failed", "danger"
	case cashflow.StatusProcessing, "":
		return "Processing", "info"
	}
	return statusText(status), ""
}

func (s *Server) cashStatementsPage(c echo.Context) error {
	ctx := c.Request().Context()
	var view cashStatementsView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		scope, days, err := s.resolveCashScope(ctx, tx, c)
		if err != nil || scope.NoShops {
			view.cashScope = scope
			return err
		}
		d, err := s.loadStatements(ctx, tx, scope.ShopID, days)
		if err != nil {
			return err
		}
		scope.Currency = d.currency
		view.cashScope = scope
		payouts := cashflow.PayoutTotalsOf(d.statements)
		ranged := d.inRange(days)
		flagged := 0
		for i := len(ranged) - 1; i >= 0; i-- { // newest first
			row := d.statementRow(scope.ShopID, ranged[i], payouts)
			if row.Flagged {
				flagged++
			}
			view.Statements = append(view.Statements, row)
		}
		if flagged > 0 {
			verb := "do not reconcile"
			if flagged == 1 {
				verb = "does not reconcile"
			}
			view.FlaggedText = fmt.Sprintf("%s of the %s %s: each is flagged below, and its page says why.",
				plural(flagged, "statement"), count(int64(len(ranged))), verb)
		}
		return nil
	})
	if err != nil {
		return err
	}
	view.CashURL, view.ExportURL, view.TxnsURL = view.link("/cashflow"), view.link("/exports/statements.csv"), view.link("/exports/transactions.csv")
	return s.render(c, http.StatusOK, "cashflow_statements", "Statements", view)
}

func (d *cashData) statementRow(shopID string, st cashflow.Statement, payouts map[string]*cashflow.PayoutTotals) statementRow {
	v := cashflow.Reconcile(st, payouts[st.PayoutID])
	row := statementRow{URL: statementURL(shopID, st.ID), ID: st.ID, Day: st.Day.Format("Mon 2 Jan 2006"), DayISO: st.Day.Format(dayLayout),
		Revenue: d.money(st.Revenue), Fees: d.money(st.Fee), Shipping: d.money(st.ShippingCost), Adjustments: d.money(st.Adjustment),
		Settlement: d.money(st.Settlement), Reserve: d.money(st.Txns.Reserve), Payable: d.money(st.Payable()),
		Flagged: v.Flagged(), Pending: v.Pending, SettlementMinor: st.Settlement, ReserveMinor: st.Txns.Reserve, PayableMin: st.Payable()}
	row.Status, row.StatusKind = payoutStatus(st.PayoutStatus)
	for _, c := range v.Checks {
		if !c.OK && !c.Skipped {
			row.Verdict = c.Words
			break
		}
	}
	return row
}

func (s *Server) cashStatementPage(c echo.Context) error {
	ctx := c.Request().Context()
	shopID, id := c.Param("shop"), c.Param("id")
	var view cashStatementView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		sc, err := sellerShops(ctx, tx, shopID)
		if err != nil {
			return err
		}
		r, err := tx.Q.CashflowStatement(ctx, tenantdb.CashflowStatementParams{UserID: tx.UserID, ShopID: shopID, StatementID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return echo.NewHTTPError(http.StatusNotFound, "That statement is not in your shop.")
		}
		if err != nil {
			return fmt.Errorf("web: statement %s of %s: %w", id, shopID, err)
		}
		d := &cashData{zone: zone, currency: r.Currency}
		st := d.statement(shopID, tenantdb.CashflowStatementsRow(r))
		txns, err := tx.Q.CashflowTransactions(ctx, tenantdb.CashflowTransactionsParams{UserID: tx.UserID, ShopID: shopID, StatementID: id})
		if err != nil {
			return fmt.Errorf("web: transactions of statement %s: %w", id, err)
		}
		typed := make([]cashflow.Transaction, len(txns))
		for i, t := range txns {
			typed[i] = cashflow.Transaction{ID: t.TransactionID, Type: t.Type, Subtype: t.Subtype, OrderID: t.OrderID,
				ReserveStatus: t.ReserveStatus, ReleaseDay: d.dayPtr(t.EstimatedReleaseTime), Settlement: t.Settlement,
				Revenue: t.Revenue, ShippingCost: t.ShippingCost, FeeTax: t.FeeTax, Adjustment: t.Adjustment, Reserve: t.Reserve}
		}
		st.Txns = cashflow.Summarize(typed)
		var payout *cashflow.PayoutTotals
		if st.PayoutSynced {
			payout, err = s.payoutTotals(ctx, tx, d, shopID, st)
			if err != nil {
				return err
			}
		}
		view = d.statementView(sc.name(shopID), st, typed, cashflow.Reconcile(st, payout))
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "cashflow_statement", "Statement "+id, view)
}

// payoutTotals is a statement's payout with every statement it paid, read from the statements around it (a payout
// pays the statements of the days before it).
func (s *Server) payoutTotals(ctx context.Context, tx *store.Tx, d *cashData, shopID string, st cashflow.Statement) (*cashflow.PayoutTotals, error) {
	at := time.Date(st.Day.Year(), st.Day.Month(), st.Day.Day(), 0, 0, 0, 0, d.zone)
	rows, err := tx.Q.CashflowStatements(ctx, tenantdb.CashflowStatementsParams{UserID: tx.UserID, ShopID: shopID,
		FromTime: at.AddDate(0, 0, -35), ToTime: at.AddDate(0, 0, 36)})
	if err != nil {
		return nil, fmt.Errorf("web: statements around %s: %w", st.ID, err)
	}
	var around []cashflow.Statement
	for _, r := range rows {
		if r.PaymentID == st.PayoutID {
			other := d.statement(shopID, r)
			if other.ID == st.ID {
				other = st
			}
			around = append(around, other)
		}
	}
	return cashflow.PayoutTotalsOf(around)[st.PayoutID], nil
}

func (d *cashData) statementView(shopName string, st cashflow.Statement, txns []cashflow.Transaction, v cashflow.Verdict) cashStatementView {
	view := cashStatementView{ShopID: st.ShopID, ShopName: shopName, ID: st.ID, Day: st.Day.Format("Mon 2 Jan 2006"),
		DayISO: st.Day.Format(dayLayout), Zone: d.zone.String(), Currency: st.Currency, Reconciled: v.Reconciled, Pending: v.Pending,
		BackURL: cashScope{ShopID: st.ShopID, From: st.Day.AddDate(0, 0, -29).Format(dayLayout), To: st.Day.Format(dayLayout)}.link("/cashflow/statements")}
	view.Status, view.StatusKind = payoutStatus(st.PayoutStatus)
	if st.PayoutID != "" {
		view.PayoutURL = cashScope{ShopID: st.ShopID, From: st.Day.Format(dayLayout), To: st.Day.AddDate(0, 0, 35).Format(dayLayout)}.link("/cashflow/payouts") + "#payout-" + st.PayoutID
	}
	view.Figures = []cashFigure{
		{Label: "Revenue", Value: d.money(st.Revenue)},
		{Label: "Shipping", Value: d.money(st.ShippingCost)},
		{Label: "Fees and tax on them", Value: d.money(st.Fee)},
		{Label: "Adjustments", Value: d.money(st.Adjustment)},
		{Label: "Settlement", Value: d.money(st.Settlement), Total: true},
		{Label: "Reserve (held − / released +)", Value: d.money(st.Txns.Reserve)},
		{Label: "Payable (settlement + reserve)", Value: d.money(st.Payable()), Total: true},
	}
	for _, c := range v.Checks {
		view.Checks = append(view.Checks, cashCheck{Key: c.Key, Label: c.Label, Words: c.Words, OK: c.OK, Skipped: c.Skipped})
	}
	for _, t := range txns {
		row := txnRow{ID: t.ID, Type: statusText(t.Type), Subtype: statusText(t.Subtype), OrderID: t.OrderID,
			Revenue: d.money(t.Revenue), Shipping: d.money(t.ShippingCost), FeeTax: d.money(t.FeeTax),
			Adjustment: d.money(t.Adjustment), Reserve: d.money(t.Reserve), Settlement: d.money(t.Settlement)}
		if t.OrderID != "" {
			row.OrderURL = orderURL(st.ShopID, t.OrderID)
		}
		if t.Type == "RESERVE" {
			row.ReserveNote = statusText(t.ReserveStatus)
			if !t.ReleaseDay.IsZero() {
				row.ReserveNote += ", release " + t.ReleaseDay.Format("2 Jan 2006")
			}
		}
		if diff := t.Unexplained(); diff != 0 {
			row.Unbalanced = true
			row.Difference = fmt.Sprintf("Settles %s, but its revenue, shipping, fees and adjustment make %s: %s is not explained.",
				d.money(t.Settlement), d.money(t.Parts()), signedText(money.Amount{Minor: diff, Currency: st.Currency}))
		}
		view.Transactions = append(view.Transactions, row)
	}
	return view
}

func (s *Server) cashPayoutsPage(c echo.Context) error {
	ctx := c.Request().Context()
	var view cashPayoutsView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		scope, days, err := s.resolveCashScope(ctx, tx, c)
		if err != nil || scope.NoShops {
			view.cashScope = scope
			return err
		}
		view.cashScope = scope
		view.Payouts, err = s.payoutRows(ctx, tx, scope.ShopID, days)
		if err != nil {
			return err
		}
		failed := 0
		for _, p := range view.Payouts {
			if p.Failed {
				failed++
			}
		}
		if failed > 0 {
			view.FailedText = fmt.Sprintf("%s failed. TikTok keeps the money in your balance until it can pay: check the bank account in TikTok Seller Center.",
				plural(failed, "payout"))
		}
		if len(view.Payouts) > 0 {
			view.Currency = view.Payouts[0].currency
		}
		return nil
	})
	if err != nil {
		return err
	}
	view.CashURL, view.ExportURL = view.link("/cashflow"), view.link("/exports/payouts.csv")
	return s.render(c, http.StatusOK, "cashflow_payouts", "Payouts", view)
}

// payoutRows are a shop's payouts created in the range, newest first, each with the statements it paid (read from
// the range and the 35 days before it) and the bank account's last four digits.
func (s *Server) payoutRows(ctx context.Context, tx *store.Tx, shopID string, days dayRange) ([]payoutRow, error) {
	rows, err := tx.Q.CashflowPayments(ctx, tenantdb.CashflowPaymentsParams{UserID: tx.UserID, ShopID: shopID, FromTime: days.Start(), ToTime: days.End()})
	if err != nil {
		return nil, fmt.Errorf("web: payouts of %s: %w", shopID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	d := &cashData{zone: days.Zone}
	stRows, err := tx.Q.CashflowStatements(ctx, tenantdb.CashflowStatementsParams{UserID: tx.UserID, ShopID: shopID,
		FromTime: days.Start().AddDate(0, 0, -35), ToTime: days.End()})
	if err != nil {
		return nil, fmt.Errorf("web: statements of %s's payouts: %w", shopID, err)
	}
	paidBy := map[string][]cashflow.Statement{}
	for _, r := range stRows {
		st := d.statement(shopID, r)
		paidBy[st.PayoutID] = append(paidBy[st.PayoutID], st)
	}
	out := make([]payoutRow, 0, len(rows))
	for _, p := range rows {
		d.currency = p.Currency
		created := p.CreateTime.In(days.Zone)
		row := payoutRow{ID: p.PaymentID, Created: created.Format("2 Jan 2006 15:04"), CreatedISO: created.Format(time.RFC3339),
			Amount: d.money(p.Amount), Settlement: d.money(p.SettlementAmount), Reserve: d.money(p.ReserveAmount),
			Rate: p.ExchangeRate, Failed: p.Status == cashflow.StatusFailed, AmountMinor: p.Amount, currency: p.Currency}
		if p.AmountBeforeExchangeCurrency != "" && p.AmountBeforeExchangeCurrency != p.Currency {
			row.BeforeExchange = money.Amount{Minor: p.AmountBeforeExchange, Currency: p.AmountBeforeExchangeCurrency}.Format()
		}
		row.Status, row.StatusKind = payoutStatus(p.Status)
		if p.PaidTime != nil {
			paid := p.PaidTime.In(days.Zone)
			row.Paid, row.PaidISO = paid.Format("2 Jan 2006 15:04"), paid.Format(time.RFC3339)
		}
		var payable int64
		for _, st := range paidBy[p.PaymentID] {
			payable += st.Payable()
			row.Statements = append(row.Statements, payoutStatement{ID: st.ID, URL: statementURL(shopID, st.ID),
				Day: st.Day.Format("2 Jan"), Payable: d.money(st.Payable())})
		}
		if diff := p.Amount - payable; len(row.Statements) > 0 && diff != 0 {
			row.Difference = signedText(money.Amount{Minor: diff, Currency: p.Currency})
		}
		if row.BankLast4, err = bankLast4(ctx, tx, shopID, p.PaymentID, p.PayloadSealed); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// bankLast4 opens a payment's sealed record for the last four digits of the bank account TikTok masked.
func bankLast4(ctx context.Context, tx *store.Tx, shopID, paymentID string, sealed []byte) (string, error) {
	raw, err := syncer.OpenPayment(ctx, tx, shopID, paymentID, sealed)
	if err != nil {
		return "", fmt.Errorf("web: open payment %s: %w", paymentID, err)
	}
	var rec struct {
		BankAccount string `json:"bank_account"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", nil // the figures are the columns; a record that does not read only hides the digits
	}
	var digits []byte
	for i := len(rec.BankAccount) - 1; i >= 0 && len(digits) < 4; i-- {
		if c := rec.BankAccount[i]; c >= '0' && c <= '9' {
			digits = append([]byte{c}, digits...)
		}
	}
	return string(digits), nil
}
