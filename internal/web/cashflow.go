package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/cashflow"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// How much history the cash-flow figures read besides the range: the shop's delays and the backtest are measured
// over the last historyDays days, and backtestWeeks weeks are replayed.
const (
	historyDays   = 91
	backtestWeeks = 8
)

// cashViewsBytes bounds the cache of computed /cashflow pages.
const cashViewsBytes = 16 << 20

// cashflowRoutes are the cash-flow pages and their CSV exports.
func (s *Server) cashflowRoutes(in *echo.Group) {
	p := &cashflowPage{s: s, views: newLRU[cashKey, *cashflowView](cashViewsBytes)}
	in.GET("/cashflow", p.show)
	in.GET("/cashflow/statements", s.cashStatementsPage)
	in.GET("/cashflow/statements/:shop/:id", s.cashStatementPage)
	in.GET("/cashflow/payouts", s.cashPayoutsPage)
	in.GET("/exports/statements.csv", s.exportStatements)
	in.GET("/exports/transactions.csv", s.exportTransactions)
	in.GET("/exports/payouts.csv", s.exportPayouts)
}

// cashflowView is /cashflow: one shop's money over a range of days, where it is now, and what is to come.
type cashflowView struct {
	cashScope
	Empty          bool // nothing synced from the shop's finances yet
	Alerts         []cashAlert
	Buckets        []cashTile
	Reserve        cashReserve
	Opening        string
	Closing        string
	ChartSVG       template.HTML
	ChartTable     template.HTML
	Forecast       forecastView
	Backtest       []backtestRow
	BacktestError  string // the mean absolute error over the weeks replayed, in words
	StatementsURL  string
	PayoutsURL     string
	ExportStatURL  string
	ExportTxnsURL  string
	ExportPayURL   string
	ReconcileIssue string // a note when statements in the range do not reconcile
}

// cashflowPage serves /cashflow with its cache: the page reads every settled order of the shop's last 91 days
// (its delays, the backtest), about 0.8 s for a million-order seller, so what it computes is kept under the
// seller's data version, which every sync page that writes rows moves.
type cashflowPage struct {
	s     *Server
	views *lru[cashKey, *cashflowView]
}

// cashKey is everything a computed /cashflow depends on besides the shop list around it.
type cashKey struct {
	userID, version int64
	zone, shop      string
	from, to, today string // days
}

// cashScope is the range and shop every cash-flow page shows, as the request set it.
type cashScope struct {
	From, To   string
	Zone       string
	RangeError string
	Shops      []shopOption
	ShopID     string
	ShopName   string
	Currency   string
	NoShops    bool
	version    int64 // the seller's data version, read before anything else
}

type cashAlert struct {
	Kind, Level, Text, URL, LinkText string
}

type cashTile struct {
	Key, Label, Value, Note string
}

type cashReserve struct {
	Held, Released, ToRelease string
	Releases                  []cashRelease
	Any                       bool
}

type cashRelease struct {
	Day, DayISO, Amount string
}

type forecastView struct {
	SVG, Table                 template.HTML
	Total, Known, Estimated    string
	Later                      string
	Assumptions                []string
	FirstWeek, LastWeek        string
	KnownMinor, EstimatedMinor int64
}

type backtestRow struct {
	Week, Predicted, Paid, Error, ErrorShare string
}

// cashData is what the cash-flow pages read of one shop, as cashflow's inputs, in the seller's days.
type cashData struct {
	currency   string
	zone       *time.Location
	today      time.Time
	since      time.Time            // the start of the history: historyDays before today, in the seller's zone
	from       time.Time            // the earlier of since and the range's start: where the statements read begin
	statements []cashflow.Statement // from the start of the history or the range, whichever is earlier
	pending    []cashflow.Pending
	holds      []cashflow.Hold // every hold since the window's start, released or not
	open       []cashflow.Hold // holds TikTok has not released yet
	settled    []cashflow.SettledOrders
	delays     cashflow.Delays
}

// day is an instant's day in the seller's zone, as its UTC midnight.
func (d *cashData) day(t time.Time) time.Time { return civil(t.In(d.zone)) }

func (d *cashData) dayPtr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return d.day(*t)
}

// resolveCashScope reads the range and shop of a request in the tenant's transaction: the shop named, or the
// seller's first (a cash position is one shop's, in its own currency). A shop that is not the seller's is a 404.
func (s *Server) resolveCashScope(ctx context.Context, tx *store.Tx, c echo.Context) (cashScope, dayRange, error) {
	q := c.QueryParams()
	zone, version, err := rollup.ZoneAndVersion(ctx, tx)
	if err != nil {
		return cashScope{}, dayRange{}, err
	}
	days, problem := pageRange(q.Get("from"), q.Get("to"), s.opts.Clock.Now(), zone)
	sc, err := sellerShops(ctx, tx, q.Get("shop"))
	if err != nil {
		return cashScope{}, dayRange{}, err
	}
	scope := cashScope{From: days.FirstText(), To: days.LastText(), Zone: zone.String(), RangeError: problem, ShopID: q.Get("shop"),
		version: version}
	if len(sc.all) == 0 {
		scope.NoShops = true
		return scope, days, nil
	}
	if scope.ShopID == "" {
		scope.ShopID = sc.all[0].ShopID
	}
	sc.shop = scope.ShopID
	scope.Shops, scope.ShopName = sc.options(), sc.name(scope.ShopID)
	return scope, days, nil
}

// values are the scope's query parameters, for links that keep it.
func (sc cashScope) values() url.Values {
	return url.Values{"from": {sc.From}, "to": {sc.To}, "shop": {sc.ShopID}}
}

func (sc cashScope) link(path string) string { return path + "?" + sc.values().Encode() }

// loadStatements reads a shop's statements over the range and the history before today, with their transactions'
// sums and payouts: what the statements pages and export need.
func (s *Server) loadStatements(ctx context.Context, tx *store.Tx, shopID string, days dayRange) (*cashData, error) {
	d := &cashData{zone: days.Zone}
	d.today = d.day(s.opts.Clock.Now())
	d.since = time.Date(d.today.Year(), d.today.Month(), d.today.Day()-historyDays, 0, 0, 0, 0, days.Zone)
	d.from = days.Start()
	if d.since.Before(d.from) {
		d.from = d.since
	}
	to := days.End()
	if tomorrow := time.Date(d.today.Year(), d.today.Month(), d.today.Day()+1, 0, 0, 0, 0, days.Zone); tomorrow.After(to) {
		to = tomorrow
	}
	rows, err := tx.Q.CashflowStatements(ctx, tenantdb.CashflowStatementsParams{UserID: tx.UserID, ShopID: shopID, FromTime: d.from, ToTime: to})
	if err != nil {
		return nil, fmt.Errorf("web: cash-flow statements of %s: %w", shopID, err)
	}
	for _, r := range rows {
		st := d.statement(shopID, r)
		d.statements = append(d.statements, st)
		d.currency = st.Currency
	}
	return d, nil
}

// loadCash reads what the cash-flow figures of a shop need: its statements (loadStatements), the orders not settled
// yet, the reserve held and the settled orders' delays.
func (s *Server) loadCash(ctx context.Context, tx *store.Tx, shopID string, days dayRange) (*cashData, error) {
	d, err := s.loadStatements(ctx, tx, shopID, days)
	if err != nil {
		return nil, err
	}
	pending, err := tx.Q.CashflowPendingOrders(ctx, tenantdb.CashflowPendingOrdersParams{UserID: tx.UserID, ShopID: shopID})
	if err != nil {
		return nil, fmt.Errorf("web: orders not settled of %s: %w", shopID, err)
	}
	for _, p := range pending {
		if d.currency == "" {
			d.currency = p.Currency
		}
		if p.Currency != d.currency {
			continue // a shop settles in one currency: anything else is not added to it
		}
		d.pending = append(d.pending, cashflow.Pending{ShopID: shopID, OrderID: p.OrderID, PaidDay: d.dayPtr(p.PaidTime),
			DeliveredDay: d.dayPtr(p.DeliveryTime), EstimatedDay: d.dayPtr(p.EstimatedSettlementTime), Settlement: p.Settlement})
	}
	holds, err := tx.Q.CashflowReserveHolds(ctx, tenantdb.CashflowReserveHoldsParams{UserID: tx.UserID, ShopID: shopID, Since: d.from})
	if err != nil {
		return nil, fmt.Errorf("web: reserve of %s: %w", shopID, err)
	}
	for _, h := range holds {
		hold := cashflow.Hold{StatementID: h.StatementID, Day: d.day(h.StatementTime), ReleaseDay: d.dayPtr(h.EstimatedReleaseTime), Amount: -h.Reserve}
		d.holds = append(d.holds, hold)
		if h.ReserveStatus != "RELEASED" {
			d.open = append(d.open, hold)
		}
	}
	settled, err := tx.Q.CashflowSettledOrders(ctx, tenantdb.CashflowSettledOrdersParams{Zone: days.Zone.String(), UserID: tx.UserID,
		ShopID: shopID, Since: d.since})
	if err != nil {
		return nil, fmt.Errorf("web: settled orders of %s: %w", shopID, err)
	}
	for _, o := range settled {
		d.settled = append(d.settled, cashflow.SettledOrders{PaidDay: d.day(o.PaidDay), DeliveredDay: d.day(o.DeliveredDay),
			SettledDay: d.day(o.SettledDay), Orders: o.Orders, Settlement: o.Settlement})
	}
	var recent []cashflow.Statement
	for _, st := range d.statements {
		if !st.Day.Before(civil(d.since)) {
			recent = append(recent, st)
		}
	}
	d.delays = cashflow.ObserveDelays(d.settled, recent)
	return d, nil
}

func (d *cashData) statement(shopID string, r tenantdb.CashflowStatementsRow) cashflow.Statement {
	return cashflow.Statement{ShopID: shopID, ID: r.StatementID, Day: d.day(r.StatementTime), Currency: r.Currency,
		Revenue: r.Revenue, Fee: r.Fee, Adjustment: r.Adjustment, ShippingCost: r.ShippingCost, NetSales: r.NetSales,
		Settlement: r.Settlement, PayoutID: r.PaymentID, PayoutStatus: r.PayoutStatus, PaidDay: d.dayPtr(r.PaidTime),
		PayoutSynced: r.PayoutSynced, PayoutAmount: r.PayoutAmount,
		Txns: cashflow.TxnSummary{Count: r.Txns, Settlement: r.TxnSettlement, Reserve: r.Reserve, Held: r.Held,
			Released: r.Released, Unbalanced: r.Unbalanced, Unexplained: r.Unexplained}}
}

// inRange are the statements of the range's days.
func (d *cashData) inRange(days dayRange) []cashflow.Statement {
	var out []cashflow.Statement
	for _, st := range d.statements {
		if !st.Day.Before(days.First) && !st.Day.After(days.Last) {
			out = append(out, st)
		}
	}
	return out
}

func (d *cashData) money(minor int64) string {
	return money.Amount{Minor: minor, Currency: d.currency}.Format()
}

func (p *cashflowPage) show(c echo.Context) error {
	s := p.s
	ctx := c.Request().Context()
	now := s.opts.Clock.Now()
	var view cashflowView
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		scope, days, err := s.resolveCashScope(ctx, tx, c)
		if err != nil || scope.NoShops {
			view.cashScope = scope
			return err
		}
		key := cashKey{userID: tx.UserID, version: scope.version, zone: scope.Zone, shop: scope.ShopID, from: scope.From,
			to: scope.To, today: civil(now.In(days.Zone)).Format(dayLayout)}
		if v, ok := p.views.get(key, now); ok {
			view = *v
			scope.Currency = v.Currency
			view.cashScope = scope // the shops around it may have changed
			return nil
		}
		d, err := s.loadCash(ctx, tx, scope.ShopID, days)
		if err != nil {
			return err
		}
		scope.Currency = d.currency
		view.cashScope = scope
		view.fill(d, days)
		kept := view
		p.views.put(key, &kept, kept.size(), time.Time{})
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "cashflow", "Cash flow", view)
}

// size is about what the view weighs in the cache: its charts and tables, and a little for the rest.
func (v *cashflowView) size() int {
	return 4096 + len(v.ChartSVG) + len(v.ChartTable) + len(v.Forecast.SVG) + len(v.Forecast.Table) +
		256*(len(v.Alerts)+len(v.Backtest)+len(v.Reserve.Releases))
}

// fill works the page's figures out of a shop's data.
func (v *cashflowView) fill(d *cashData, days dayRange) {
	v.StatementsURL, v.PayoutsURL = v.link("/cashflow/statements"), v.link("/cashflow/payouts")
	v.ExportStatURL, v.ExportTxnsURL, v.ExportPayURL = v.link("/exports/statements.csv"), v.link("/exports/transactions.csv"), v.link("/exports/payouts.csv")
	if d.currency == "" {
		v.Empty = true
		return
	}
	v.Alerts = cashAlerts(d, v.ShopID, "")
	ranged := d.inRange(days)
	b := cashflow.BucketsOf(ranged, d.pending)
	v.Buckets = []cashTile{
		{Key: "on_hold", Label: "On hold (not yet settled)", Value: d.money(b.OnHold),
			Note: plural(b.OnHoldOrders, "order") + " TikTok has not settled yet, at its estimates, as of today"},
		{Key: "processing", Label: "Processing", Value: d.money(b.Processing),
			Note: plural(b.ProcessingStatements, "statement") + " of the range settled, not paid out yet"},
		{Key: "paid", Label: "Paid", Value: d.money(b.Paid),
			Note: plural(b.PaidStatements, "statement") + " of the range paid out to your bank"},
	}
	if b.FailedStatements > 0 {
		v.Buckets = append(v.Buckets, cashTile{Key: "failed", Label: "Payout failed", Value: d.money(b.Failed),
			Note: plural(b.FailedStatements, "statement") + " whose payout failed: the money is still in your TikTok balance"})
	}
	r := cashflow.ReserveOf(ranged, d.open)
	v.Reserve = cashReserve{Held: d.money(r.Held), Released: d.money(r.Released), ToRelease: d.money(r.ToRelease),
		Any: r.Held != 0 || r.Released != 0 || r.ToRelease != 0}
	for _, rel := range r.Releases {
		cr := cashRelease{Day: "No date from TikTok", Amount: d.money(rel.Amount)}
		if !rel.Day.IsZero() {
			cr.Day, cr.DayISO = rel.Day.Format("Mon 2 Jan 2006"), rel.Day.Format(dayLayout)
		}
		v.Reserve.Releases = append(v.Reserve.Releases, cr)
	}
	balance := cashflow.Balance(days.First, days.Last, d.statements)
	v.Opening = d.money(cashflow.Opening(days.First, d.statements))
	if len(balance) > 0 {
		v.Closing = d.money(balance[len(balance)-1].Balance)
	}
	chart := balanceChart(balance, d.currency)
	v.ChartSVG, v.ChartTable = template.HTML(chart.SVG), template.HTML(chart.Table) // built by cashflow_charts.go, every text escaped
	var unreconciled int
	for _, st := range ranged {
		if cashflow.Reconcile(st, nil).Flagged() {
			unreconciled++
		}
	}
	if unreconciled > 0 {
		verb := "do not add up"
		if unreconciled == 1 {
			verb = "does not add up"
		}
		v.ReconcileIssue = fmt.Sprintf("%s of this range %s: see which, and why, in Statements.", plural(unreconciled, "statement"), verb)
	}

	var unpaid []cashflow.Statement
	for _, st := range d.statements {
		if !st.Paid() && st.Day.Before(d.today.AddDate(0, 0, 1)) {
			unpaid = append(unpaid, st)
		}
	}
	f := cashflow.Predict(cashflow.ForecastInput{Today: d.today, Delays: d.delays, Pending: d.pending, Holds: d.open, Unpaid: unpaid})
	fc := forecastChart(f, d.currency)
	var known, estimated int64
	for _, w := range f.Weeks {
		known += w.Known
		estimated += w.Estimated
	}
	v.Forecast = forecastView{SVG: template.HTML(fc.SVG), Table: template.HTML(fc.Table), Total: d.money(known + estimated),
		Known: d.money(known), Estimated: d.money(estimated), Later: d.money(f.Later), Assumptions: f.Assumptions,
		FirstWeek: f.Weeks[0].Start.Format("2 Jan"), LastWeek: f.Weeks[len(f.Weeks)-1].Start.AddDate(0, 0, 6).Format("2 Jan 2006"),
		KnownMinor: known, EstimatedMinor: estimated}

	bt := cashflow.BacktestWeeks(cashflow.History{Orders: d.settled, Statements: d.statements, Holds: d.holds, Pending: d.pending},
		d.delays, d.today, backtestWeeks)
	var absErr, paid int64
	for _, w := range bt {
		row := backtestRow{Week: w.Start.Format("2 Jan") + " – " + w.Start.AddDate(0, 0, 6).Format("2 Jan"),
			Predicted: d.money(w.Predicted), Paid: d.money(w.Paid), Error: signedText(money.Amount{Minor: w.Error(), Currency: d.currency}), ErrorShare: "–"}
		if bps := w.ErrorBps(); bps >= 0 {
			row.ErrorShare = formatBps(bps)
		}
		v.Backtest = append(v.Backtest, row)
		absErr += max(w.Error(), -w.Error())
		paid += w.Paid
	}
	if len(bt) > 0 && paid > 0 {
		v.BacktestError = fmt.Sprintf("Over the last %d weeks the forecast's first week was off by %s a week on average, %s of what was paid.",
			len(bt), d.money(absErr/int64(len(bt))), formatBps((absErr*10000+paid/2)/paid))
	}
}

// cashAlerts are the banners for a shop's recent statements: failed payouts, negative settlements and payouts late
// against the forecast's usual delay. shopName prefixes each when the banner shows beside other shops.
func cashAlerts(d *cashData, shopID, shopName string) []cashAlert {
	var recent []cashflow.Statement
	for _, st := range d.statements {
		if !st.Day.Before(d.today.AddDate(0, 0, -35)) {
			recent = append(recent, st)
		}
	}
	prefix := ""
	if shopName != "" {
		prefix = shopName + ": "
	}
	var out []cashAlert
	for _, a := range cashflow.Alerts(recent, d.delays, d.today) {
		st := a.Statement
		al := cashAlert{Kind: a.Kind, URL: statementURL(shopID, st.ID), LinkText: "See the statement"}
		day := st.Day.Format("2 Jan")
		switch a.Kind {
		case cashflow.AlertFailedPayout:
			al.Level, al.Text = "error", fmt.Sprintf("%sThe payout of %s for the statement of %s failed. The money stays in your TikTok balance: check your bank account in TikTok Seller Center.",
				prefix, d.money(st.Payable()), day)
		case cashflow.AlertNegativeSettlement:
			al.Level, al.Text = "error", fmt.Sprintf("%sThe statement of %s settled %s: TikTok took money back. A negative balance stops withdrawals until later settlements cover it.",
				prefix, day, d.money(st.Payable()))
		case cashflow.AlertLatePayout:
			al.Level, al.Text = "warning", fmt.Sprintf("%sThe payout of %s for the statement of %s is late: your payouts usually arrive by %s, and it is not paid yet.",
				prefix, d.money(st.Payable()), day, a.ExpectedDay.Format("2 Jan"))
		}
		out = append(out, al)
	}
	return out
}

// statementURL is a statement's page.
func statementURL(shopID, statementID string) string {
	return "/cashflow/statements/" + url.PathEscape(shopID) + "/" + url.PathEscape(statementID)
}
