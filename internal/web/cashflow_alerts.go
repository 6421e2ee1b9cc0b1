package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/profitline/profitline/internal/cashflow"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// alertWindowDays is how far back the dashboard's cash alerts look: statements of the last 35 days are alerted on,
// the 25 before them only measure the shop's usual payout delay.
const alertWindowDays = 60

// cashBanners is how the dashboard shows cash alerts, the same banners /cashflow shows.
var cashBanners = template.Must(template.New("cash-banners").Parse(`{{range .}}
    <div class="banner banner-{{.Level}} banner-action" role="alert" data-alert="{{.Kind}}">
      <p>{{.Text}}</p>
      <a class="btn btn-secondary btn-sm" href="{{.URL}}">{{.LinkText}}</a>
    </div>{{end}}`))

// dashboardCashAlerts are the banners of every shop's failed payouts, negative settlements and late payouts, as
// markup for the dashboard. It reads each shop's statements of the last alertWindowDays days, not their
// transactions: a statement's payable amount is its payout's amount once the payout is synced.
func (s *Server) dashboardCashAlerts(ctx context.Context, tx *store.Tx, now time.Time) (template.HTML, error) {
	list, err := shops.List(ctx, tx)
	if err != nil || len(list) == 0 {
		return "", err
	}
	zone, err := rollup.TimeZone(ctx, tx)
	if err != nil {
		return "", err
	}
	var alerts []cashAlert
	for _, sh := range list {
		d := &cashData{zone: zone}
		d.today = d.day(now)
		to := time.Date(d.today.Year(), d.today.Month(), d.today.Day()+1, 0, 0, 0, 0, zone)
		rows, err := tx.Q.CashflowRecentPayouts(ctx, tenantdb.CashflowRecentPayoutsParams{UserID: tx.UserID, ShopID: sh.ShopID,
			FromTime: to.AddDate(0, 0, -alertWindowDays), ToTime: to})
		if err != nil {
			return "", fmt.Errorf("web: recent payouts of %s: %w", sh.ShopID, err)
		}
		for _, r := range rows {
			st := cashflow.Statement{ShopID: sh.ShopID, ID: r.StatementID, Day: d.day(r.StatementTime), Currency: r.Currency,
				Settlement: r.Settlement, PayoutID: r.PaymentID, PayoutStatus: r.PayoutStatus, PaidDay: d.dayPtr(r.PaidTime)}
			if r.PayoutSynced {
				st.Txns.Reserve = r.PayoutAmount - r.Settlement // the payout's amount is what the statement made payable
			}
			d.statements = append(d.statements, st)
			d.currency = r.Currency
		}
		d.delays = cashflow.ObserveDelays(nil, d.statements)
		name := ""
		if len(list) > 1 {
			name = sh.Name
		}
		alerts = append(alerts, cashAlerts(d, sh.ShopID, name)...)
	}
	if len(alerts) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	if err := cashBanners.Execute(&b, alerts); err != nil {
		return "", fmt.Errorf("web: cash alerts: %w", err)
	}
	return template.HTML(b.String()), nil // html/template escaped every text
}
