package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// Return is a return, refund or replacement request on an order.
type Return struct {
	ID                string
	OrderID           string
	Type              string // REFUND, RETURN_AND_REFUND, REPLACEMENT
	Status            string // open-ended: RETURN_OR_REFUND_REQUEST_PENDING, AWAITING_BUYER_SHIP, ...
	ArbitrationStatus string
	Reason            string
	ReasonText        string
	CreateTime        time.Time
	UpdateTime        time.Time
	Refund            Refund
	LineItems         []ReturnLineItem
	ShippingFees      []ReturnShippingFee
	// NextActions are what the seller must do, each by its deadline; past it, TikTok approves the request.
	// Alert from these deadlines: the windows vary by market and must never be hard-coded.
	NextActions []SellerAction
	Raw         json.RawMessage
}

// Refund is the money going back to the buyer.
type Refund struct {
	Currency    string
	Total       money.Amount
	Subtotal    money.Amount
	ShippingFee money.Amount
	Tax         money.Amount
	Other       map[string]money.Amount
}

// ReturnLineItem is one returned unit.
type ReturnLineItem struct {
	ID              string
	OrderLineItemID string
	SkuID           string
	SellerSku       string
	Refund          Refund
}

// ReturnShippingFee is return shipping a party paid.
type ReturnShippingFee struct {
	Currency                    string
	SellerPaidReturnShippingFee money.Amount
	Other                       map[string]money.Amount
}

// SellerAction is something the seller must do by Deadline (SELLER_RESPOND_REFUND, SELLER_RESPOND_RETURN,
// SELLER_RESPOND_RECEIVE_PACKAGE, SELLER_RESPOND_REPLACEMENT, ...).
type SellerAction struct {
	Action   string
	Deadline time.Time
}

type returnWire struct {
	ReturnID          string `json:"return_id"`
	OrderID           string `json:"order_id"`
	ReturnType        string `json:"return_type"`
	ReturnStatus      string `json:"return_status"`
	ArbitrationStatus string `json:"arbitration_status"`
	ReturnReason      string `json:"return_reason"`
	ReturnReasonText  string `json:"return_reason_text"`
	CreateTime        int64  `json:"create_time"`
	UpdateTime        int64  `json:"update_time"`
	RefundAmount      object `json:"refund_amount"`
	ReturnLineItems   []struct {
		ReturnLineItemID string `json:"return_line_item_id"`
		OrderLineItemID  string `json:"order_line_item_id"`
		SkuID            string `json:"sku_id"`
		SellerSku        string `json:"seller_sku"`
		RefundAmount     object `json:"refund_amount"`
	} `json:"return_line_items"`
	ShippingFeeAmount []object `json:"shipping_fee_amount"`
	NextActions       []struct {
		Action   string `json:"action"`
		Deadline int64  `json:"deadline"`
	} `json:"seller_next_action_response"`
}

func (f *fields) refund(prefix string, raw map[string]json.RawMessage, fallback string) Refund {
	r := Refund{Currency: currencyOf(raw)}
	if r.Currency == "" {
		r.Currency = fallback
	}
	r.Other = f.looseAmounts(prefix, raw, r.Currency, map[string]*money.Amount{
		"refund_total":        &r.Total,
		"refund_subtotal":     &r.Subtotal,
		"refund_shipping_fee": &r.ShippingFee,
		"refund_tax":          &r.Tax,
	})
	return r
}

func parseReturn(raw json.RawMessage) (Return, error) {
	var w returnWire
	if err := decodeRecord(raw, &w); err != nil {
		return Return{}, fmt.Errorf("return: %w", err)
	}
	f := fields{record: "return " + w.ReturnID}
	r := Return{
		ID: w.ReturnID, OrderID: w.OrderID, Type: w.ReturnType, Status: w.ReturnStatus,
		ArbitrationStatus: w.ArbitrationStatus, Reason: w.ReturnReason, ReasonText: w.ReturnReasonText,
		CreateTime: unixTime(w.CreateTime), UpdateTime: unixTime(w.UpdateTime),
		Raw: raw,
	}
	r.Refund = f.refund("refund_amount.", w.RefundAmount, "")
	for i, li := range w.ReturnLineItems {
		r.LineItems = append(r.LineItems, ReturnLineItem{
			ID: li.ReturnLineItemID, OrderLineItemID: li.OrderLineItemID, SkuID: li.SkuID, SellerSku: li.SellerSku,
			Refund: f.refund(fmt.Sprintf("return_line_items[%d].refund_amount.", i), li.RefundAmount, r.Refund.Currency),
		})
	}
	for i, fee := range w.ShippingFeeAmount {
		sf := ReturnShippingFee{Currency: currencyOf(fee)}
		if sf.Currency == "" {
			sf.Currency = r.Refund.Currency
		}
		sf.Other = f.looseAmounts(fmt.Sprintf("shipping_fee_amount[%d].", i), fee, sf.Currency, map[string]*money.Amount{
			"seller_paid_return_shipping_fee": &sf.SellerPaidReturnShippingFee,
		})
		r.ShippingFees = append(r.ShippingFees, sf)
	}
	for _, a := range w.NextActions {
		r.NextActions = append(r.NextActions, SellerAction{Action: a.Action, Deadline: unixTime(a.Deadline)})
	}
	return r, f.err
}

// ReturnQuery selects returns.
type ReturnQuery struct {
	PageSize     int // 10-50; 0 means 50
	PageToken    string
	SortField    string // create_time or update_time
	SortOrder    string // ASC or DESC
	ReturnIDs    []string
	OrderIDs     []string
	ReturnTypes  []string // REFUND, RETURN_AND_REFUND, REPLACEMENT
	ReturnStatus []string
	CreateTimeGE time.Time
	CreateTimeLT time.Time
	UpdateTimeGE time.Time
	UpdateTimeLT time.Time
}

// ReturnPage is one page of returns.
type ReturnPage struct {
	Returns       []Return
	Malformed     []Malformed // returns that could not be read; not in Returns
	NextPageToken string
	TotalCount    int64
}

type returnSearchBody struct {
	ReturnIDs    []string `json:"return_ids,omitempty"`
	OrderIDs     []string `json:"order_ids,omitempty"`
	ReturnTypes  []string `json:"return_types,omitempty"`
	ReturnStatus []string `json:"return_status,omitempty"`
	CreateTimeGE int64    `json:"create_time_ge,omitempty"`
	CreateTimeLT int64    `json:"create_time_lt,omitempty"`
	UpdateTimeGE int64    `json:"update_time_ge,omitempty"`
	UpdateTimeLT int64    `json:"update_time_lt,omitempty"`
}

// SearchReturns reads one page of a shop's returns.
func (s *Seller) SearchReturns(ctx context.Context, shop Shop, q ReturnQuery) (ReturnPage, error) {
	query, err := searchQuery(q.PageSize, 10, 50, q.PageToken, q.SortField, q.SortOrder, "create_time", "update_time")
	if err != nil {
		return ReturnPage{}, fmt.Errorf("tiktok: SearchReturns: %w", err)
	}
	body, err := json.Marshal(returnSearchBody{
		ReturnIDs: q.ReturnIDs, OrderIDs: q.OrderIDs, ReturnTypes: q.ReturnTypes, ReturnStatus: q.ReturnStatus,
		CreateTimeGE: unixField(q.CreateTimeGE), CreateTimeLT: unixField(q.CreateTimeLT),
		UpdateTimeGE: unixField(q.UpdateTimeGE), UpdateTimeLT: unixField(q.UpdateTimeLT),
	})
	if err != nil {
		return ReturnPage{}, err
	}
	l, err := list(ctx, s, shop, call{ep: epSearchReturns, query: query, body: body},
		listShape{keys: []string{"return_orders"}, ownID: "return_id"}, ownCurrency(parseReturn))
	if err != nil {
		return ReturnPage{}, err
	}
	return ReturnPage{Returns: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// ReturnPages streams every page of a return search.
func (s *Seller) ReturnPages(ctx context.Context, shop Shop, q ReturnQuery) iter.Seq2[ReturnPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (ReturnPage, string, error) {
		q.PageToken = token
		p, err := s.SearchReturns(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}
