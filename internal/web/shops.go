package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok"
)

func (s *Server) shopsPage(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "connected":
		flash = "Your shop is connected. Its data starts arriving now."
	case "disconnected":
		flash = "Disconnected. Imports stopped and our access tokens are deleted; your data so far stays."
	case "sync":
		flash = "Sync started. The figures below update as each part arrives."
	}
	return s.renderShops(c, http.StatusOK, shopsView{Flash: flash})
}

// sellerShops reads the signed-in seller's shops with their syncs.
func (s *Server) sellerShops(c echo.Context) (shopsState, error) {
	ctx := c.Request().Context()
	var st shopsState
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		var err error
		if st, err = readShops(ctx, tx); err != nil {
			return err
		}
		return st.readRuns(ctx, tx)
	})
	return st, err
}

// renderShops renders Settings -> Shops with view's flash and errors.
func (s *Server) renderShops(c echo.Context, status int, view shopsView) error {
	st, err := s.sellerShops(c)
	if err != nil {
		return err
	}
	now := s.opts.Clock.Now()
	view.CanSync = s.opts.Syncs != nil
	for _, sh := range st.shops {
		sync := st.syncOf(sh, now)
		view.Running = view.Running || sync.Running
		view.Shops = append(view.Shops, shopRow{
			ShopID: sh.ShopID, Name: sh.Name, Region: sh.Region, GrantID: sh.GrantID, Revoked: sh.Revoked,
			ConnectedAt: sh.ConnectedAt, RevokedAt: utc(sh.RevokedAt), ReconnectBy: sh.ReconnectBy, DataAsOf: st.dataAsOf(sh),
			MissingScopes: tiktok.MissingScopes(sh.GrantedScopes), Sync: sync,
		})
	}
	return s.render(c, status, "shops", "Shops", view)
}

// syncStatus is what Settings -> Shops polls while it is open: the same figures the page shows, as JSON.
func (s *Server) syncStatus(c echo.Context) error {
	st, err := s.sellerShops(c)
	if err != nil {
		return err
	}
	now := s.opts.Clock.Now()
	status := syncStatusView{Shops: make([]shopSync, 0, len(st.shops))}
	for _, sh := range st.shops {
		sync := st.syncOf(sh, now)
		status.Running = status.Running || sync.Running
		status.Shops = append(status.Shops, sync)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, status)
}

// syncNowRule allows one Sync now per seller and shop a minute. A press while a sync runs changes nothing (the
// jobs are unique per shop and resource), so the limit only keeps a seller from hammering TikTok through us.
var syncNowRule = ratelimit.Rule{Name: "sync-now", Limit: 1, Per: time.Minute}

// syncNow asks for a sync of every resource of one of the seller's shops whose access is active.
func (s *Server) syncNow(c echo.Context) error {
	ctx := c.Request().Context()
	userID := sessionOf(c).UserID
	shopID := c.FormValue("shop")
	var shop *shops.Connected
	err := s.opts.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		list, err := shops.List(ctx, tx)
		for i := range list {
			if list[i].ShopID == shopID {
				shop = &list[i]
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if shop == nil {
		return echo.NewHTTPError(http.StatusNotFound, "That shop is not connected to your account.")
	}
	if shop.Revoked {
		return s.renderShops(c, http.StatusConflict, shopsView{Errors: formErrors{
			Form: "Access to " + shop.Name + " was revoked, so it cannot sync. Reconnect it to bring its data up to date."}})
	}
	key := strconv.FormatInt(userID, 10) + "/" + shopID
	d, err := s.opts.Limiter.Allow(ctx, syncNowRule, key)
	switch {
	case err != nil:
		// Fail open: the scheduler syncs every shop anyway, and the jobs are unique per shop and resource.
		s.log.Warn("sync now: rate limiter unavailable; allowing", "err", err)
	case !d.Allowed:
		secs := max(int(math.Ceil(d.RetryAfter.Seconds())), 1)
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return s.renderShops(c, http.StatusTooManyRequests, shopsView{Errors: formErrors{Form: fmt.Sprintf(
			"%s was asked to sync less than a minute ago. You can press Sync now again in %s.", shop.Name, plural(secs, "second"))}})
	}
	if err := s.opts.Syncs.SyncNow(ctx, userID, shopID); err != nil {
		// The press did nothing: don't make the seller wait a minute to try again.
		if rerr := s.opts.Limiter.Reset(ctx, syncNowRule, key); rerr != nil {
			s.log.Warn("sync now: reset the rate limit", "err", rerr)
		}
		return fmt.Errorf("web: sync now of shop %s: %w", shopID, err)
	}
	return c.Redirect(http.StatusSeeOther, "/settings/shops?done=sync")
}

// connectStart sends the seller to TikTok's consent page with a state bound to this session. It is a POST: it
// creates that state.
func (s *Server) connectStart(c echo.Context) error {
	u, err := s.opts.Connect.Start(c.Request().Context(), sessionOf(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, u)
}

// connectCallback is where TikTok sends the seller back. It is a GET, as OAuth redirects are; the state, single-use
// and bound to this session, is what makes it safe.
func (s *Server) connectCallback(c echo.Context) error {
	_, err := s.opts.Connect.Callback(c.Request().Context(), sessionOf(c), c.QueryParam("code"), c.QueryParam("state"), account.IPHint(c.RealIP()))
	if errors.Is(err, connect.ErrBadState) {
		return echo.NewHTTPError(http.StatusBadRequest, "This connection attempt expired or was started elsewhere. Go to Settings, Shops and connect again.")
	}
	var apiErr *tiktok.APIError
	if errors.As(err, &apiErr) {
		s.log.Warn("connect: TikTok refused", "code", apiErr.Code, "request_id", apiErr.RequestID)
		return echo.NewHTTPError(http.StatusBadGateway, "TikTok did not complete the connection ("+strings.TrimSpace(apiErr.Class.String())+"). Please try again.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/shops?done=connected")
}

func (s *Server) disconnect(c echo.Context) error {
	grantID, err := strconv.ParseInt(c.FormValue("grant"), 10, 64)
	if err != nil || grantID <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "That shop connection does not exist.")
	}
	if err := s.opts.Connect.Disconnect(c.Request().Context(), sessionOf(c).UserID, grantID, account.IPHint(c.RealIP())); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/shops?done=disconnected")
}

// shopsState is what the shops pages and the dashboard read about a seller's shops, in one tenant transaction.
type shopsState struct {
	shops   []shops.Connected
	runs    map[shopResource]tenantdb.LatestSyncRunsRow // the latest run of each
	asOf    map[string]time.Time                        // by shop: when its last complete read finished
	pending map[string]int64                            // by shop: order ids on its profit queue (rollup.Queue)
	refused map[string]tenantdb.ProfitRefusalsByShopRow // by shop: the orders set aside, the model refused them
}

type shopResource struct{ shop, resource string }

func readShops(ctx context.Context, tx *store.Tx) (shopsState, error) {
	list, err := shops.List(ctx, tx)
	if err != nil {
		return shopsState{}, err
	}
	asOf, err := tx.Q.DataAsOf(ctx, tx.UserID)
	if err != nil {
		return shopsState{}, fmt.Errorf("web: data as of: %w", err)
	}
	st := shopsState{shops: list, asOf: make(map[string]time.Time, len(asOf))}
	for _, a := range asOf {
		st.asOf[a.ShopID] = a.AsOf.UTC()
	}
	return st, nil
}

// readRuns adds the latest run of every shop's resources, how much of its profit is still queued and the orders
// set aside: what Settings -> Shops shows (the dashboard needs none of it but the orders set aside, which it caches
// with its stored figures).
func (st *shopsState) readRuns(ctx context.Context, tx *store.Tx) error {
	runs, err := tx.Q.LatestSyncRuns(ctx, tenantdb.LatestSyncRunsParams{UserID: tx.UserID, Resources: syncer.Resources()})
	if err != nil {
		return fmt.Errorf("web: latest sync runs: %w", err)
	}
	st.runs = make(map[shopResource]tenantdb.LatestSyncRunsRow, len(runs))
	for _, r := range runs {
		st.runs[shopResource{r.ShopID, r.Resource}] = r
	}
	queued, err := tx.Q.ProfitQueueLengths(ctx, tx.UserID)
	if err != nil {
		return fmt.Errorf("web: profit queues: %w", err)
	}
	st.pending = make(map[string]int64, len(queued))
	for _, q := range queued {
		st.pending[q.ShopID] = q.Orders
	}
	st.refused, err = setAsideByShop(ctx, tx)
	return err
}

// setAsideByShop is, by shop, how many of the seller's orders a catch-up set aside, the model refused them
// (rollup.Refusal), and the latest with its reason.
func setAsideByShop(ctx context.Context, tx *store.Tx) (map[string]tenantdb.ProfitRefusalsByShopRow, error) {
	rows, err := tx.Q.ProfitRefusalsByShop(ctx, tx.UserID)
	if err != nil {
		return nil, fmt.Errorf("web: profit refusals: %w", err)
	}
	out := make(map[string]tenantdb.ProfitRefusalsByShopRow, len(rows))
	for _, r := range rows {
		out[r.ShopID] = r
	}
	return out, nil
}

// dataAsOf is the time a shop's figures are as of: when its last complete read finished, else how far its orders
// reached; nil before anything was synced.
func (st shopsState) dataAsOf(sh shops.Connected) *time.Time {
	if t, ok := st.asOf[sh.ShopID]; ok {
		return &t
	}
	return utc(sh.DataAsOf)
}

// resourceLabels name the sync resources in the seller's words.
var resourceLabels = map[string]string{
	syncer.ResourceOrders:       "Orders",
	syncer.ResourceReturns:      "Returns",
	syncer.ResourceProducts:     "Products",
	syncer.ResourceStatements:   "Statements",
	syncer.ResourceTransactions: "Statement transactions",
	syncer.ResourcePayments:     "Payments",
	syncer.ResourceWithdrawals:  "Withdrawals",
	syncer.ResourceUnsettled:    "Unsettled orders",
}

// syncOf is the sync state of every resource of a shop, in the order a first sync runs them.
func (st shopsState) syncOf(sh shops.Connected, now time.Time) shopSync {
	shopID := sh.ShopID
	out := shopSync{ShopID: shopID}
	var waiting, failed int
	for _, res := range syncer.Resources() {
		label := resourceLabels[res]
		if label == "" {
			label = res
		}
		r := resourceSync{Resource: res, Label: label, State: "waiting", StatusText: "Waiting for the first sync",
			ProgressMax: 1, RowsText: "–", MalformedText: "–", LastSuccessAgo: "Never"}
		if run, ok := st.runs[shopResource{shopID, res}]; ok {
			r.fill(run, now)
		}
		switch r.State {
		case "waiting":
			waiting++
		case "failed":
			failed++
		case "running", "paused": // a paused run goes on from its last page a second later
			out.Running = true
		}
		out.Resources = append(out.Resources, r)
	}
	switch {
	case sh.Revoked:
		out.Summary = "Sync stopped: access was revoked."
	case out.Running:
		out.Summary = "Syncing now."
	case st.pending[shopID] > 0:
		out.Running = true // the page keeps following it until the figures are in
		out.Summary = fmt.Sprintf("Synced. Working out the profit of what changed (%d order updates to go).", st.pending[shopID])
	case waiting == len(out.Resources):
		out.Summary = "Waiting for the first sync."
	case failed > 0:
		out.Summary = "Part of the last sync failed. The next sync tries again."
	case waiting > 0:
		out.Summary = "Part of the data has synced; the rest follows."
	default:
		out.Summary = "Everything is synced."
	}
	if r, ok := st.refused[shopID]; ok {
		out.ProfitNote = fmt.Sprintf("The profit of %s could not be worked out, so it is left out of your figures until "+
			"its data changes. Latest: order %s: %s.", plural(int(r.Orders), "order"), r.LatestOrderID, r.LatestReason)
	}
	return out
}

func (r *resourceSync) fill(run tenantdb.LatestSyncRunsRow, now time.Time) {
	r.State = run.Status
	r.PagesDone, r.PagesExpected = run.PagesDone, run.PagesExpected
	r.Records, r.Written, r.Malformed = run.Records, run.Written, run.Malformed
	r.ProgressMax = max(run.PagesExpected, 1)
	r.RowsText = count(int64(run.Records)) + " read · " + count(int64(run.Written)) + " written"
	r.MalformedText = count(int64(run.Malformed))
	if t := utc(run.LastSuccessAt); t != nil {
		r.LastSuccessAt = t
		r.LastSuccessAgo = ago(now, *t)
		r.LastSuccessText = t.Format(timeLayout)
	}
	switch run.Status {
	case "running":
		r.Running = true
		r.StatusText = "Syncing"
		if run.Backfill {
			r.StatusText = "First sync in progress"
		}
		// The syncer raises pages_expected to the pages done when TikTok gave no total: all done and still running
		// means the rest is unknown.
		r.ProgressKnown = run.PagesExpected > run.PagesDone
		switch {
		case r.ProgressKnown:
			r.ProgressText = fmt.Sprintf("%s of %s pages", count(int64(run.PagesDone)), count(int64(run.PagesExpected)))
		case run.PagesDone > 0:
			r.ProgressText = plural(int(run.PagesDone), "page") + " so far"
		default:
			r.ProgressText = "Starting"
		}
	case "succeeded":
		r.StatusText = "Synced"
	case "failed":
		r.StatusText = "Failed; the next sync tries again"
		r.Error = run.Error
	case "revoked":
		r.StatusText = "Stopped: access revoked"
	case "paused":
		r.StatusText = "Continuing in a moment"
	default:
		r.StatusText = run.Status
	}
}

// storedFigures are what the sync has stored so far for each of the seller's shops, for the dashboard.
func storedFigures(ctx context.Context, tx *store.Tx) ([]dashboardShop, error) {
	st, err := readShops(ctx, tx)
	if err != nil {
		return nil, err
	}
	setAside, err := setAsideByShop(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]dashboardShop, 0, len(st.shops))
	for _, sh := range st.shops {
		orders, err := tx.Q.OrderTotals(ctx, tenantdb.OrderTotalsParams{UserID: tx.UserID, ShopID: sh.ShopID})
		if err != nil {
			return nil, fmt.Errorf("web: order totals of shop %s: %w", sh.ShopID, err)
		}
		returns, err := tx.Q.ReturnTotals(ctx, tenantdb.ReturnTotalsParams{UserID: tx.UserID, ShopID: sh.ShopID})
		if err != nil {
			return nil, fmt.Errorf("web: return totals of shop %s: %w", sh.ShopID, err)
		}
		finance, err := tx.Q.FinanceTotals(ctx, tenantdb.FinanceTotalsParams{UserID: tx.UserID, ShopID: sh.ShopID})
		if err != nil {
			return nil, fmt.Errorf("web: finance totals of shop %s: %w", sh.ShopID, err)
		}
		d := dashboardShop{ShopID: sh.ShopID, Name: sh.Name, Region: sh.Region, Revoked: sh.Revoked, RevokedAt: utc(sh.RevokedAt),
			DataAsOf: st.dataAsOf(sh), Orders: count(orders.Orders), Returns: count(returns.Returns), Statements: count(finance.Statements)}
		if r, ok := setAside[sh.ShopID]; ok {
			d.SetAside = plural(int(r.Orders), "order")
		}
		if orders.Currencies == 1 { // amounts in different currencies are never summed
			if total, err := money.New(orders.TotalAmount, orders.Currency); err == nil {
				d.OrdersTotal = total.Format()
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// timeLayout is how pages show an instant.
const timeLayout = "2 Jan 2006 15:04 MST"

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ago says how long before now t was, roughly: "just now", "5 minutes ago", "3 days ago".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	default:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return count(int64(n)) + " " + unit + "s"
}

// count writes n with thousands separators: 1,234,567.
func count(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}
