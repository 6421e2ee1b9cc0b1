package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// How many returns /returns lists of each kind, and how far back the auto-approval report reaches.
const (
	openReturnsMax   = 200
	closedReturnsMax = 50
	lossMonths       = 12
)

// returnRoutes are the returns command centre and the alert settings (alerts.go).
func (s *Server) returnRoutes(in *echo.Group) {
	in.GET("/returns", s.returnsPage)
	in.GET(alertSettingsPath, s.alertSettingsPage)
	in.POST(alertSettingsPath, s.saveAlertSettings)
	in.POST(webhookPath, s.saveWebhook)
	in.POST(webhookPath+"/rotate", s.rotateWebhookSecret)
	if s.opts.Jobs != nil {
		in.POST(webhookPath+"/test", s.testWebhook)
	}
	// The one-click link in alerts works without a sign-in: its token is the seller's proof.
	s.echo.GET(returns.SettingsPath, s.oneClickPage)
	s.echo.POST(returns.SettingsPath, s.oneClickPause)
}

// returnsView is /returns: what waits for the seller, most urgent first, and what happened to the rest.
type returnsView struct {
	Zone      string
	Shops     []shopOption
	Statuses  []choice
	Actions   []choice
	Reasons   []choice
	SKU       string
	ClearURL  string
	Open      []openReturnRow
	More      bool // more open returns than shown
	Closed    []closedReturnRow
	Losses    []lossRow
	AlertsURL string
	Now       int64 // unix seconds: the countdowns count from the server's time, not the browser's
}

// openReturnRow is one return waiting for the seller.
type openReturnRow struct {
	ShopID, ShopName, ReturnID, OrderID, OrderURL string
	Type, Reason, Status, Action                  string
	Deadline, DeadlineISO                         string
	DeadlineUnix                                  int64 // unix seconds, for the countdown
	TimeLeft                                      string
	Urgent                                        bool // under 4 hours left
	Refund, CostOfApproving, CostParts            string
	CostMinor                                     int64
	SKUs                                          string
	SellerCenterURL                               string
	// The returns the order's buyer made in the last buyerWindow, this one included; unknown when TikTok named no
	// buyer on the order (or it was synced before buyer keys).
	BuyerKnown     bool
	BuyerReturns   int64
	SerialReturner bool // serialReturns or more
}

// A buyer with serialReturns returns or more in buyerWindow is flagged as a serial returner.
const (
	buyerWindow   = 90 * 24 * time.Hour
	serialReturns = 3
)

// closedReturnRow is a return nothing is due on.
type closedReturnRow struct {
	ShopName, ReturnID, OrderID, OrderURL string
	Type, Reason, Outcome                 string
	Updated                               string
	Refund                                string
	SKUs                                  string
	AutoApproved                          bool
	SellerCenterURL                       string
}

// lossRow is a month's money lost to auto-approvals, in one currency.
type lossRow struct {
	Month   string
	Returns int64
	Amount  string
}

// returnStatuses are TikTok's return statuses the filter offers.
var returnStatuses = []string{"RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM",
	"AWAITING_BUYER_RESPONSE", "REJECT_RECEIVE_PACKAGE", "RETURN_OR_REFUND_REQUEST_SUCCESS",
	"RETURN_OR_REFUND_REQUEST_COMPLETE", "REFUND_OR_RETURN_REQUEST_REJECT", "RETURN_OR_REFUND_REQUEST_CANCEL"}

// returnActions are what TikTok may expect of the seller.
var returnActions = []string{"SELLER_RESPOND_REFUND", "SELLER_RESPOND_RETURN", "SELLER_RESPOND_RECEIVE_PACKAGE",
	"SELLER_RESPOND_REPLACEMENT"}

// approved are the statuses in which TikTok granted the request.
var approved = map[string]bool{"RETURN_OR_REFUND_REQUEST_SUCCESS": true, "RETURN_OR_REFUND_REQUEST_COMPLETE": true,
	"AWAITING_BUYER_SHIP": true}

// reasonText is TikTok's reason code in words: "ecom_order_delivered_refund_reason_damaged" is "Damaged".
func reasonText(code string) string {
	if i := strings.LastIndex(code, "_reason_"); i >= 0 {
		code = code[i+len("_reason_"):]
	}
	return statusText(strings.ToUpper(code))
}

func choices(values []string, selected string, any string, label func(string) string) []choice {
	out := []choice{{Value: "", Label: any, Selected: selected == ""}}
	for _, v := range values {
		out = append(out, choice{Value: v, Label: label(v), Selected: v == selected})
	}
	return out
}

func (s *Server) returnsPage(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	shop, status, action, reason, sku := q.Get("shop"), q.Get("status"), q.Get("action"), q.Get("reason"), strings.TrimSpace(q.Get("sku"))
	now := s.opts.Clock.Now()
	var view returnsView
	var reasons []string
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		view.Zone = zone.String()
		sc, err := sellerShops(ctx, tx, shop)
		if err != nil {
			return err
		}
		view.Shops = sc.options()
		if reasons, err = tx.Q.ReturnReasons(ctx, tenantdb.ReturnReasonsParams{UserID: tx.UserID, ShopIds: sc.ids}); err != nil {
			return fmt.Errorf("web: return reasons: %w", err)
		}
		if view.Open, view.More, err = openReturns(ctx, tx, sc, zone, now, tenantdb.ReturnViewsOpenParams{UserID: tx.UserID,
			ShopIds: sc.ids, Status: status, Reason: reason, Action: action, Sku: sku, MaxRows: openReturnsMax + 1,
			BuyerSince: now.Add(-buyerWindow)}); err != nil {
			return err
		}
		if view.Closed, err = closedReturns(ctx, tx, sc, zone, tenantdb.ReturnViewsClosedParams{UserID: tx.UserID,
			ShopIds: sc.ids, Status: status, Reason: reason, Sku: sku, MaxRows: closedReturnsMax}); err != nil {
			return err
		}
		view.Losses, err = losses(ctx, tx, sc, zone, now)
		return err
	})
	if err != nil {
		return err
	}
	view.Statuses = choices(returnStatuses, status, "Any status", statusText)
	view.Actions = choices(returnActions, action, "Any action", returns.ActionText)
	view.Reasons = choices(reasons, reason, "Any reason", reasonText)
	view.SKU, view.AlertsURL, view.Now = sku, alertSettingsPath, now.Unix()
	if shop != "" || status != "" || action != "" || reason != "" || sku != "" {
		view.ClearURL = "/returns"
	}
	return s.render(c, http.StatusOK, "returns", "Returns", view)
}

func openReturns(ctx context.Context, tx *store.Tx, sc shopScope, zone *time.Location, now time.Time,
	p tenantdb.ReturnViewsOpenParams) ([]openReturnRow, bool, error) {
	rows, err := tx.Q.ReturnViewsOpen(ctx, p)
	if err != nil {
		return nil, false, fmt.Errorf("web: open returns: %w", err)
	}
	more := len(rows) > openReturnsMax
	if more {
		rows = rows[:openReturnsMax]
	}
	adminBps := map[string]int64{}
	out := make([]openReturnRow, 0, len(rows))
	for _, r := range rows {
		bps, ok := adminBps[r.ShopID]
		if !ok {
			if bps, err = refundAdminBps(ctx, tx, r.ShopID); err != nil {
				return nil, false, err
			}
			adminBps[r.ShopID] = bps
		}
		cost := returns.CostOfApproving(r.ReturnType, r.RefundTotal, r.RefundTax, r.RefundSubtotal, r.UnitCosts,
			r.SellerPaidReturnShipping, bps)
		amt := func(minor int64) string { return money.Amount{Minor: minor, Currency: r.Currency}.Format() }
		local := r.Deadline.In(zone)
		row := openReturnRow{ShopID: r.ShopID, ShopName: sc.name(r.ShopID), ReturnID: r.ReturnID, OrderID: r.OrderID,
			OrderURL: orderURL(r.ShopID, r.OrderID), Type: statusText(r.ReturnType), Reason: reasonText(r.Reason),
			Status: statusText(r.Status), Action: returns.ActionText(returns.ActionOf(r.NextActions, r.Deadline)),
			Deadline: local.Format("Mon 2 Jan 15:04"), DeadlineISO: local.Format(time.RFC3339), DeadlineUnix: r.Deadline.Unix(),
			TimeLeft: returns.TimeLeft(r.Deadline.Sub(now)), Urgent: r.Deadline.Sub(now) < 4*time.Hour,
			Refund: amt(r.RefundTotal), CostOfApproving: amt(cost.Total), CostMinor: cost.Total,
			CostParts: fmt.Sprintf("Refund %s (without sales tax) + goods not coming back %s + fees TikTok keeps %s + return label %s",
				amt(cost.Refund), amt(cost.GoodsLost), amt(cost.FeesKept), amt(cost.ReturnLabel)),
			SKUs: strings.Join(r.Skus, ", "), SellerCenterURL: returns.SellerCenterURL(shopRegion(sc, r.ShopID), r.ReturnID),
			BuyerKnown: r.BuyerKnown, BuyerReturns: r.BuyerReturns, SerialReturner: r.BuyerKnown && r.BuyerReturns >= serialReturns}
		out = append(out, row)
	}
	return out, more, nil
}

// refundAdminBps is the shop's observed refund administration fee rate (0 before any settled order showed one).
func refundAdminBps(ctx context.Context, tx *store.Tx, shopID string) (int64, error) {
	row, err := tx.Q.GetShopFeeRates(ctx, tenantdb.GetShopFeeRatesParams{UserID: tx.UserID, ShopID: shopID})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("web: fee rates of shop %s: %w", shopID, err)
	}
	var r profit.FeeRates
	if err := json.Unmarshal(row.Rates, &r); err != nil {
		return 0, fmt.Errorf("web: fee rates of shop %s: %w", shopID, err)
	}
	return r.RefundAdministration, nil
}

func closedReturns(ctx context.Context, tx *store.Tx, sc shopScope, zone *time.Location, p tenantdb.ReturnViewsClosedParams) ([]closedReturnRow, error) {
	rows, err := tx.Q.ReturnViewsClosed(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("web: closed returns: %w", err)
	}
	out := make([]closedReturnRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, closedReturnRow{ShopName: sc.name(r.ShopID), ReturnID: r.ReturnID, OrderID: r.OrderID,
			OrderURL: orderURL(r.ShopID, r.OrderID), Type: statusText(r.ReturnType), Reason: reasonText(r.Reason),
			Outcome: statusText(r.Status), Updated: r.UpdateTime.In(zone).Format("2 Jan 2006 15:04"),
			Refund: money.Amount{Minor: r.RefundTotal, Currency: r.Currency}.Format(), SKUs: strings.Join(r.Skus, ", "),
			AutoApproved:    r.AfterDeadline && approved[r.Status],
			SellerCenterURL: returns.SellerCenterURL(shopRegion(sc, r.ShopID), r.ReturnID)})
	}
	return out, nil
}

func losses(ctx context.Context, tx *store.Tx, sc shopScope, zone *time.Location, now time.Time) ([]lossRow, error) {
	local := now.In(zone)
	since := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -(lossMonths - 1), 0)
	rows, err := tx.Q.AutoApprovalLosses(ctx, tenantdb.AutoApprovalLossesParams{Zone: zone.String(), UserID: tx.UserID,
		ShopIds: sc.ids, Since: since})
	if err != nil {
		return nil, fmt.Errorf("web: auto-approval losses: %w", err)
	}
	out := make([]lossRow, 0, len(rows))
	for _, r := range rows {
		month := r.Month
		if t, err := time.Parse("2006-01", r.Month); err == nil {
			month = t.Format("January 2006")
		}
		out = append(out, lossRow{Month: month, Returns: r.Returns, Amount: money.Amount{Minor: r.Refunded, Currency: r.Currency}.Format()})
	}
	return out, nil
}

// shopRegion is a shop's market ("US", "GB", ...), which picks its Seller Center.
func shopRegion(sc shopScope, shopID string) string {
	for _, sh := range sc.all {
		if sh.ShopID == shopID {
			return sh.Region
		}
	}
	return ""
}
