package returns

import (
	"time"

	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// HookAlert is an alert step as data, under "profitline" in its webhook delivery. Nothing about the buyer.
type HookAlert struct {
	Event       string    `json:"event"` // EventDeadlineAlert
	ShopID      string    `json:"shop_id"`
	ShopName    string    `json:"shop_name"`
	OrderID     string    `json:"order_id"`
	ReturnID    string    `json:"return_id"`
	SKUs        []string  `json:"skus"`
	Action      string    `json:"action"` // TikTok's, e.g. SELLER_RESPOND_REFUND
	Deadline    time.Time `json:"deadline"`
	SecondsLeft int64     `json:"seconds_left"`
	Final       bool      `json:"final"` // the ladder's last step
	Refund      HookMoney `json:"refund"`
	SellerURL   string    `json:"seller_center_url"`
	ReturnsURL  string    `json:"returns_url"`
}

// HookMoney is an amount in minor units of its currency (1234 USD is $12.34).
type HookMoney struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// EventDeadlineAlert names an alert step's delivery.
const EventDeadlineAlert = "return.deadline_alert"

// alertHook is an alert step's webhook delivery: what its email says, as Slack-compatible JSON.
func alertHook(data DeadlineMail, o *tenantdb.OpenReturnDeadlinesRow, st tenantdb.DueAlertStepsRow, now time.Time) sellerhook.Message {
	title := "Return due " + data.Deadline + " (" + data.TimeLeft + " left)"
	if data.Final {
		title = "Last call: " + title
	}
	return sellerhook.Message{
		Text: title + " · order " + data.OrderID + " · " + data.SKUs + " · " + data.Refund + ". " + data.Action +
			" in TikTok Seller Center: " + data.SellerCenterURL,
		Blocks: []sellerhook.Block{
			sellerhook.Header(title),
			sellerhook.Section(sellerhook.Escape(data.Action) + " by " + sellerhook.Escape(data.Deadline) +
				". If you do nothing, TikTok approves this request automatically at that time."),
			sellerhook.Fields("Shop", data.ShopName, "Order", data.OrderID, "Return", data.ReturnID, "SKU", data.SKUs,
				"Refund", data.Refund, "Time left", data.TimeLeft),
			sellerhook.Links("Open in Seller Center", data.SellerCenterURL, "All open returns", data.ReturnsURL),
		},
		Data: HookAlert{Event: EventDeadlineAlert, ShopID: o.ShopID, ShopName: o.ShopName, OrderID: o.OrderID, ReturnID: o.ReturnID,
			SKUs: o.Skus, Action: st.Action, Deadline: o.Deadline.UTC(), SecondsLeft: int64(o.Deadline.Sub(now) / time.Second),
			Final: data.Final, Refund: HookMoney{Minor: o.RefundTotal, Currency: o.Currency},
			SellerURL: data.SellerCenterURL, ReturnsURL: data.ReturnsURL},
	}
}
