package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/cashflow"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// cashExport runs an export of one shop's range in the tenant's transaction: the shop named (a 404 if it is not
// the seller's) or the seller's first. write gets the download, already named.
func (s *Server) cashExport(c echo.Context, what string, write func(ctx context.Context, tx *store.Tx, d *csvDownload, shopID string, days dayRange) error) error {
	ctx := c.Request().Context()
	d := &csvDownload{c: c}
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		scope, days, err := s.resolveCashScope(ctx, tx, c)
		if err != nil {
			return err
		}
		if scope.RangeError != "" {
			return echo.NewHTTPError(http.StatusBadRequest, scope.RangeError)
		}
		d.name = exportName(what, scope.ShopID, days)
		return write(ctx, tx, d, scope.ShopID, days)
	})
	return s.finish(d, err)
}

func minorText(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.Decimal()
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// exportStatements downloads a shop's statements of a range with their reconciliation.
func (s *Server) exportStatements(c echo.Context) error {
	return s.cashExport(c, "statements", func(ctx context.Context, tx *store.Tx, d *csvDownload, shopID string, days dayRange) error {
		data, err := s.loadStatements(ctx, tx, shopID, days)
		if err != nil {
			return err
		}
		if err := d.start([]string{"statement_id", "shop_id", "day", "currency", "revenue", "fee", "shipping_cost",
			"adjustment", "net_sales", "settlement", "reserve", "payable", "payout_id", "payout_status", "transactions",
			"transactions_settlement", "reconciled", "problem"}); err != nil {
			return err
		}
		payouts := cashflow.PayoutTotalsOf(data.statements)
		for _, st := range data.inRange(days) {
			row := data.statementRow(shopID, st, payouts)
			cur := st.Currency
			if err := d.write([]string{st.ID, shopID, st.Day.Format(dayLayout), cur, minorText(st.Revenue, cur), minorText(st.Fee, cur),
				minorText(st.ShippingCost, cur), minorText(st.Adjustment, cur), minorText(st.NetSales, cur),
				minorText(st.Settlement, cur), minorText(st.Txns.Reserve, cur), minorText(st.Payable(), cur), st.PayoutID,
				st.PayoutStatus, strconv.FormatInt(st.Txns.Count, 10), minorText(st.Txns.Settlement, cur),
				strconv.FormatBool(!row.Flagged), row.Verdict}); err != nil {
				return err
			}
		}
		return d.flush()
	})
}

// exportTransactions downloads every transaction of a shop's statements of a range, a statement at a time.
func (s *Server) exportTransactions(c echo.Context) error {
	return s.cashExport(c, "transactions", func(ctx context.Context, tx *store.Tx, d *csvDownload, shopID string, days dayRange) error {
		statements, err := tx.Q.CashflowStatements(ctx, tenantdb.CashflowStatementsParams{UserID: tx.UserID, ShopID: shopID,
			FromTime: days.Start(), ToTime: days.End()})
		if err != nil {
			return fmt.Errorf("web: statements of %s: %w", shopID, err)
		}
		if err := d.start([]string{"statement_id", "statement_time", "transaction_id", "type", "subtype", "order_id",
			"currency", "revenue", "shipping_cost", "fee_tax", "adjustment", "reserve", "settlement", "unexplained",
			"reserve_status", "estimated_release_time"}); err != nil {
			return err
		}
		for _, st := range statements {
			txns, err := tx.Q.CashflowTransactions(ctx, tenantdb.CashflowTransactionsParams{UserID: tx.UserID, ShopID: shopID, StatementID: st.StatementID})
			if err != nil {
				return fmt.Errorf("web: transactions of statement %s: %w", st.StatementID, err)
			}
			for _, t := range txns {
				cur := t.Currency
				unexplained := t.Settlement - (t.Revenue + t.ShippingCost + t.FeeTax + t.Adjustment)
				if err := d.write([]string{st.StatementID, st.StatementTime.UTC().Format(time.RFC3339), t.TransactionID, t.Type,
					t.Subtype, t.OrderID, cur, minorText(t.Revenue, cur), minorText(t.ShippingCost, cur), minorText(t.FeeTax, cur),
					minorText(t.Adjustment, cur), minorText(t.Reserve, cur), minorText(t.Settlement, cur), minorText(unexplained, cur),
					t.ReserveStatus, timeText(t.EstimatedReleaseTime)}); err != nil {
					return err
				}
			}
			if err := d.flush(); err != nil {
				return err
			}
		}
		return d.flush()
	})
}

// exportPayouts downloads a shop's payouts created in a range.
func (s *Server) exportPayouts(c echo.Context) error {
	return s.cashExport(c, "payouts", func(ctx context.Context, tx *store.Tx, d *csvDownload, shopID string, days dayRange) error {
		rows, err := tx.Q.CashflowPayments(ctx, tenantdb.CashflowPaymentsParams{UserID: tx.UserID, ShopID: shopID, FromTime: days.Start(), ToTime: days.End()})
		if err != nil {
			return fmt.Errorf("web: payouts of %s: %w", shopID, err)
		}
		if err := d.start([]string{"payout_id", "shop_id", "created_at", "status", "currency", "amount", "settlement",
			"reserve", "amount_before_exchange", "currency_before_exchange", "exchange_rate", "paid_at", "bank_last4"}); err != nil {
			return err
		}
		for _, p := range rows {
			last4, err := bankLast4(ctx, tx, shopID, p.PaymentID, p.PayloadSealed)
			if err != nil {
				return err
			}
			cur := p.Currency
			before := ""
			if p.AmountBeforeExchangeCurrency != "" {
				before = minorText(p.AmountBeforeExchange, p.AmountBeforeExchangeCurrency)
			}
			if err := d.write([]string{p.PaymentID, shopID, p.CreateTime.UTC().Format(time.RFC3339), p.Status, cur,
				minorText(p.Amount, cur), minorText(p.SettlementAmount, cur), minorText(p.ReserveAmount, cur), before,
				p.AmountBeforeExchangeCurrency, p.ExchangeRate, timeText(p.PaidTime), last4}); err != nil {
				return err
			}
		}
		return d.flush()
	})
}
